/**
 * Vxlan and MacVlan against the real kernel, in namespaces of each test's own, with traffic between
 * namespaces of the test's own only.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import MacVlanProvider, { type MacVlanInputs } from "../../provider/kinds/mac-vlan.js";
import VxlanProvider, { type VxlanInputs } from "../../provider/kinds/vxlan.js";
import { ip, link, ping, realMachine, withNamespaces } from "../support/kernel.js";

interface Details {
  ifalias?: string;
  mtu: number;
  linkinfo?: { info_kind?: string; info_data?: Record<string, unknown> };
}

function details(netns: string, device: string): Details | undefined {
  try {
    return (JSON.parse(ip("-n", netns, "-details", "-json", "link", "show", "dev", device)) as Details[])[0];
  } catch {
    return undefined;
  }
}

/** Two "hosts" joined by a veth underlay: `a` has u0 at 192.168.77.1, `b` has u1 at 192.168.77.2. */
function underlay(a: string, b: string): void {
  ip("-n", a, "link", "add", "name", "u0", "type", "veth", "peer", "name", "u1", "netns", b);
  ip("-n", a, "address", "add", "192.168.77.1/24", "dev", "u0");
  ip("-n", b, "address", "add", "192.168.77.2/24", "dev", "u1");
  ip("-n", a, "link", "set", "dev", "u0", "up");
  ip("-n", b, "link", "set", "dev", "u1", "up");
}

describe("Vxlan on the kernel", () => {
  it("carries traffic between two namespaces over a tunnel whose underlay joins two others", async () => {
    await withNamespaces(4, async ([hostA, hostB, innerA, innerB]) => {
      underlay(hostA as string, hostB as string);
      const vxlans = new VxlanProvider(realMachine());
      const end = (netns: string, underlayNetns: string, local: string, remote: string, device: string) =>
        vxlans.check(
          {},
          { name: "vx0", netns, underlayNetns, vni: 42, local, remote, device, owner: `it/${netns}:vx` },
        );
      const a = (await end(innerA as string, hostA as string, "192.168.77.1", "192.168.77.2", "u0"))
        .inputs as VxlanInputs;
      const b = (await end(innerB as string, hostB as string, "192.168.77.2", "192.168.77.1", "u1"))
        .inputs as VxlanInputs;
      const made = await vxlans.create(a);
      await vxlans.create(b);
      assert.equal(details(hostA as string, "vx0"), undefined, "the link is not in the underlay's namespace");
      const live = details(innerA as string, "vx0");
      assert.equal(live?.linkinfo?.info_kind, "vxlan");
      assert.equal(live?.linkinfo?.info_data?.id, 42);
      assert.equal(live?.linkinfo?.info_data?.port, 4789);
      assert.equal(live?.ifalias, `pulumi-netns:it/${innerA}:vx`);

      ip("-n", innerA as string, "address", "add", "10.77.0.1/24", "dev", "vx0");
      ip("-n", innerB as string, "address", "add", "10.77.0.2/24", "dev", "vx0");
      assert.ok(ping(innerA, "10.77.0.2"), "innerA reaches innerB through the tunnel");

      const read = await new VxlanProvider(realMachine()).read(made.id, made.outs);
      assert.deepEqual(read.inputs, a, "read finds what create made");
      ip("-n", innerA as string, "link", "set", "dev", "vx0", "type", "vxlan", "nolearning");
      const drifted = await new VxlanProvider(realMachine()).read(made.id, made.outs);
      assert.equal(drifted.props?.learning, false, "learning turned off by hand shows");
      await vxlans.update(made.id, { ...made.outs, learning: false }, a);
      assert.equal(
        details(innerA as string, "vx0")?.linkinfo?.info_data?.learning,
        true,
        "and update turns it back on",
      );

      await vxlans.delete(made.id, a);
      assert.equal(details(innerA as string, "vx0"), undefined);
      assert.deepEqual(await new VxlanProvider(realMachine()).read(made.id, made.outs), {});
    });
  });
});

describe("MacVlan on the kernel", () => {
  it("gives two namespaces links on one parent that reach each other in bridge mode", async () => {
    await withNamespaces(3, async ([host, g1, g2]) => {
      ip("-n", host as string, "link", "add", "name", "p0", "type", "veth", "peer", "name", "p1");
      ip("-n", host as string, "link", "set", "dev", "p0", "up");
      ip("-n", host as string, "link", "set", "dev", "p1", "up");
      const macvlans = new MacVlanProvider(realMachine());
      const on = async (netns: string) =>
        (await macvlans.check({}, { name: "mv0", netns, parent: "p0", parentNetns: host, owner: `it/${netns}:mv` }))
          .inputs as MacVlanInputs;
      const [first, second] = [await on(g1 as string), await on(g2 as string)];
      const made = await macvlans.create(first);
      await macvlans.create(second);
      assert.equal(details(g1 as string, "mv0")?.linkinfo?.info_data?.mode, "bridge");
      assert.equal(link(host as string, "mv0"), undefined, "the links are not in the parent's namespace");

      ip("-n", g1 as string, "address", "add", "10.88.0.1/24", "dev", "mv0");
      ip("-n", g2 as string, "address", "add", "10.88.0.2/24", "dev", "mv0");
      assert.ok(ping(g1, "10.88.0.2"), "g1 reaches g2 through their parent");
      assert.deepEqual((await new MacVlanProvider(realMachine()).read(made.id, made.outs)).inputs, first);

      ip("-n", g1 as string, "link", "set", "dev", "mv0", "down");
      assert.equal((await new MacVlanProvider(realMachine()).read(made.id, made.outs)).props?.up, false);
      await macvlans.update(made.id, { ...made.outs, up: false }, first);
      assert.ok(link(g1 as string, "mv0")?.flags.includes("UP"));

      await macvlans.delete(made.id, first);
      assert.equal(link(g1 as string, "mv0"), undefined);
    });
  });

  it("refuses a parent that is a macvlan itself, before changing anything", async () => {
    await withNamespaces(1, async ([host]) => {
      ip("-n", host as string, "link", "add", "name", "p0", "type", "veth", "peer", "name", "p1");
      ip("-n", host as string, "link", "add", "name", "mvx", "link", "p0", "type", "macvlan");
      const macvlans = new MacVlanProvider(realMachine());
      const inputs = (await macvlans.check({}, { name: "mv0", netns: host, parent: "mvx" })).inputs as MacVlanInputs;
      await assert.rejects(
        macvlans.create(inputs),
        /property parent value "mvx" has a problem: must not be a macvlan itself/,
      );
      assert.equal(link(host as string, "mv0"), undefined);
    });
  });
});
