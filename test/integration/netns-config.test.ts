/**
 * NetnsConfig against the real kernel, in namespaces of the test's own joined by a veth pair:
 * addresses, routes and sysctls in one batch, read back, drift, changes in place, objects found
 * there (this stack's, taken over; another's, refused), and delete.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { providerFor } from "../../provider/kinds/index.js";
import IpAddressProvider from "../../provider/kinds/ip-address.js";
import NetnsConfigProvider, {
  type NetnsConfigInputs,
  type NetnsConfigState,
} from "../../provider/kinds/netns-config.js";
import { markerOf } from "../../provider/records/ownership.js";
import { addresses, ip, journalFiles, realMachine, routes, sysctl, withNamespaces } from "../support/kernel.js";

const OWNER = "itest/netns-config:node";

async function withPair(body: (netns: string, far: string) => Promise<void>): Promise<void> {
  await withNamespaces(2, async ([a, b]) => {
    const [n, f] = [a as string, b as string];
    ip("-n", n, "link", "add", "v1", "type", "veth", "peer", "name", "v2", "netns", f);
    ip("-n", n, "link", "set", "dev", "v1", "up");
    ip("-n", f, "link", "set", "dev", "v2", "up");
    ip("-n", f, "address", "add", "10.1.10.1/24", "dev", "v2");
    await body(n, f);
  });
}

async function checked(inputs: Record<string, unknown>): Promise<NetnsConfigInputs> {
  const result = await new NetnsConfigProvider(realMachine()).check({}, inputs);
  assert.equal(result.failures, undefined, JSON.stringify(result.failures));
  return result.inputs as NetnsConfigInputs;
}

function node(netns: string): Record<string, unknown> {
  return {
    netns,
    addresses: { "10.1.10.2/24": "v1", "fd00:10::2/64": "v1" },
    routes: { default: { via: "10.1.10.1" }, "fd00:20::/64": { via: "fd00:10::1", device: "v1" } },
    sysctls: { "net.ipv4.ip_forward": "1" },
    nodad: true,
    owner: OWNER,
  };
}

describe("NetnsConfig on the kernel", () => {
  it("puts addresses, routes and sysctls in, reads them back, sees drift, changes in place and takes all out", async () => {
    await withPair(async (netns) => {
      const provider = new NetnsConfigProvider(realMachine());
      const { outs } = await provider.create(await checked(node(netns)));
      assert.deepEqual(addresses(netns, "v1").sort(), ["10.1.10.2/24", "fd00:10::2/64"]);
      assert.equal(routes(netns, "default")[0]?.gateway, "10.1.10.1");
      assert.equal(sysctl(netns, "net.ipv4.ip_forward"), "1");
      assert.deepEqual(outs.previous, { "net.ipv4.ip_forward": "0" });
      const { previous: _p, ...declared } = outs;
      assert.deepEqual((await new NetnsConfigProvider(realMachine()).read(netns, outs)).inputs, declared);

      // Drift: one route and one sysctl changed behind the stack's back show as those, by name.
      ip("-n", netns, "route", "del", "default");
      ip("netns", "exec", netns, "sysctl", "-qw", "net.ipv4.ip_forward=0");
      const drifted = (await new NetnsConfigProvider(realMachine()).read(netns, outs)).inputs as NetnsConfigInputs;
      assert.deepEqual(Object.keys(drifted.routes), ["fd00:20::/64"]);
      assert.deepEqual(drifted.sysctls, { "net.ipv4.ip_forward": "0" });
      assert.equal((await provider.diff(netns, { ...outs, ...drifted }, outs)).changes, true);

      // Repaired, then changed: a route moves to another gateway, an address goes, a sysctl goes back.
      const repaired = (await provider.update(netns, { ...outs, ...drifted }, outs)).outs;
      assert.equal(routes(netns, "default")[0]?.gateway, "10.1.10.1");
      assert.equal(sysctl(netns, "net.ipv4.ip_forward"), "1");
      const next = await checked({
        ...node(netns),
        addresses: { "10.1.10.2/24": "v1" },
        routes: { default: { via: "10.1.10.3" } },
        sysctls: {},
      });
      const changed = (await provider.update(netns, repaired, next)).outs;
      assert.deepEqual(addresses(netns, "v1"), ["10.1.10.2/24"]);
      assert.equal(routes(netns, "default")[0]?.gateway, "10.1.10.3");
      assert.deepEqual(routes(netns, "fd00:20::/64"), []);
      assert.equal(sysctl(netns, "net.ipv4.ip_forward"), "0", "put back to the value found");

      await provider.delete(netns, changed);
      assert.deepEqual(addresses(netns, "v1"), []);
      assert.deepEqual(routes(netns, "default"), []);
      await provider.delete(netns, changed);
    });
  });

  it("refuses an object another made, names it, and leaves nothing of its own", async () => {
    await withPair(async (netns) => {
      // Someone else's address and route on the device.
      ip("-n", netns, "address", "add", "10.1.10.5/24", "dev", "v1");
      ip("-n", netns, "route", "add", "10.9.0.0/24", "via", "10.1.10.1");
      const provider = new NetnsConfigProvider(realMachine());
      const inputs = await checked({ ...node(netns), routes: { "10.9.0.0/24": { via: "10.1.10.1" } } });
      await assert.rejects(provider.create(inputs), (e: Error) => {
        assert.match(e.message, /1 of 3 changes failed; what went in was taken out again/);
        assert.match(e.message, /route to 10\.9\.0\.0\/24: .*File exists/);
        assert.match(e.message, /never taken over/);
        return true;
      });
      assert.deepEqual(addresses(netns, "v1"), ["10.1.10.5/24"]);
      assert.equal(sysctl(netns, "net.ipv4.ip_forward"), "0");
      assert.equal(routes(netns, "10.9.0.0/24").length, 1, "the other's route stays");
    });
  });

  it("takes over what a resource per object of the same stack made, which then lets go without removing it", async () => {
    await withPair(async (netns) => {
      const machine = realMachine();
      ip("-n", netns, "link", "set", "dev", "lo", "alias", markerOf("itest/netns-config:ns") as string);
      // What 0.3.0's Topology made: an IpAddress of the stack, through the provider the engine calls.
      const old = providerFor("IpAddress", machine);
      const address = { address: "10.1.10.2/24", device: "v1", netns, owner: "itest/netns-config:node-v1-v4" };
      const made = await old.create((await new IpAddressProvider(machine).check({}, address)).inputs);
      const provider = new NetnsConfigProvider(machine);
      const { outs } = await provider.create(await checked({ ...node(netns), routes: {}, sysctls: {} }));
      assert.deepEqual(addresses(netns, "v1").sort(), ["10.1.10.2/24", "fd00:10::2/64"]);
      // The engine deletes the old resource after: the address stays, the note of the handover goes.
      await old.delete(made.id, made.outs);
      assert.deepEqual(addresses(netns, "v1").sort(), ["10.1.10.2/24", "fd00:10::2/64"]);
      assert.deepEqual(
        journalFiles().filter((f) => f.includes("handed-over")),
        [],
      );
      await provider.delete(netns, outs as NetnsConfigState);
      assert.deepEqual(addresses(netns, "v1"), []);
      assert.deepEqual(
        journalFiles().filter((f) => f.includes("itest")),
        [],
      );
    });
  });
});
