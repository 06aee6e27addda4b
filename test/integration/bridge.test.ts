/**
 * Bridge, and veth ends as its ports, against the real kernel, in namespaces of each test's own.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import BridgeProvider, { type BridgeInputs } from "../../provider/kinds/bridge.js";
import VethPairProvider, { type VethPairInputs } from "../../provider/kinds/veth-pair.js";
import { ip, realMachine, withNamespaces } from "../support/kernel.js";

interface BridgeView {
  ifname: string;
  mtu: number;
  flags: string[];
  ifalias?: string;
  master?: string;
  linkinfo?: { info_kind?: string; info_data?: { stp_state?: number; forward_delay?: number } };
}

/** The device as `ip -details -json link show` reports it, or undefined when it is not there. */
function show(netns: string, device: string): BridgeView | undefined {
  try {
    return (JSON.parse(ip("-n", netns, "-details", "-json", "link", "show", "dev", device)) as BridgeView[])[0];
  } catch {
    return undefined;
  }
}

const bridges = () => new BridgeProvider(realMachine());
const pairs = () => new VethPairProvider(realMachine());

describe("Bridge on the kernel", () => {
  it("goes through its whole lifecycle: made, read, updated in place, deleted", async () => {
    await withNamespaces(1, async ([netns]) => {
      const owner = `it/${netns}:br`;
      const inputs: BridgeInputs = { name: "br0", netns, mtu: 1500, up: true, stp: false, forwardDelay: 0, owner };
      const { id, outs } = await bridges().create(inputs);
      let live = show(netns as string, "br0");
      assert.equal(live?.linkinfo?.info_kind, "bridge");
      assert.equal(live?.ifalias, `pulumi-netns:${owner}`);
      assert.equal(live?.mtu, 1500);
      assert.ok(live?.flags.includes("UP"));
      assert.equal(live?.linkinfo?.info_data?.forward_delay, 0);
      assert.ok(outs.ifindex > 0 && /^[0-9a-f:]{17}$/.test(outs.mac));
      assert.deepEqual((await bridges().read(id, outs)).props, outs, "read finds what create made");

      const stp = { ...inputs, stp: true, forwardDelay: 400, mtu: 9000 };
      await bridges().update(id, outs, stp);
      live = show(netns as string, "br0");
      assert.equal(live?.linkinfo?.info_data?.stp_state, 1);
      assert.equal(live?.linkinfo?.info_data?.forward_delay, 400);
      assert.equal(live?.mtu, 9000);
      // Back below the range STP allows: STP must go off first.
      await bridges().update(id, { ...outs, ...stp }, { ...stp, stp: false, forwardDelay: 0 });
      assert.equal(show(netns as string, "br0")?.linkinfo?.info_data?.forward_delay, 0);

      await bridges().delete(id, inputs);
      assert.equal(show(netns as string, "br0"), undefined);
      assert.deepEqual(await bridges().read(id, outs), {});
    });
  });

  it("keeps its MTU when a port with a smaller one joins, and takes ports in and out in place", async () => {
    await withNamespaces(2, async ([sw, host]) => {
      const bridge: BridgeInputs = { name: "br0", netns: sw, mtu: 1500, up: true, stp: false, forwardDelay: 1500 };
      const { outs } = await bridges().create(bridge);
      const pair: VethPairInputs = {
        name: "eth0",
        netns: host,
        peerName: "port0",
        peerNetns: sw,
        mtu: 1400,
        up: true,
        peerMaster: "br0",
      };
      const made = await pairs().create(pair);
      assert.equal(show(sw as string, "port0")?.master, "br0", "the end is a port of the bridge");
      assert.equal(show(sw as string, "br0")?.mtu, 1500, "the bridge kept its own MTU");
      // (Its MAC is now its port's, as a bridge's is until one is set: an output, not drift.)
      assert.deepEqual((await bridges().read("id", outs)).inputs, bridge, "so it shows no drift");

      ip("-n", sw as string, "link", "set", "dev", "port0", "nomaster");
      const drifted = await pairs().read(made.id, made.outs);
      assert.equal(drifted.props?.peerMaster, undefined, "a port taken off by hand shows");
      await pairs().update(made.id, { ...made.outs, peerMaster: undefined }, pair);
      assert.equal(show(sw as string, "port0")?.master, "br0", "and update puts it back");

      await pairs().update(made.id, made.outs, { ...pair, peerMaster: undefined });
      assert.equal(show(sw as string, "port0")?.master, undefined, "a port no longer declared leaves");
    });
  });

  it("is deleted with its ports in either order", async () => {
    for (const bridgeFirst of [true, false]) {
      await withNamespaces(1, async ([sw]) => {
        const bridge: BridgeInputs = { name: "br0", netns: sw, mtu: 1500, up: true, stp: false, forwardDelay: 1500 };
        const pair: VethPairInputs = { name: "a", netns: sw, peerName: "b", mtu: 1500, up: true, master: "br0" };
        await bridges().create(bridge);
        const { id } = await pairs().create({ ...pair, peerNetns: sw });
        const steps = [() => bridges().delete("id", bridge), () => pairs().delete(id, { ...pair, peerNetns: sw })];
        for (const step of bridgeFirst ? steps : steps.reverse()) await step();
        assert.equal(show(sw as string, "br0"), undefined);
        assert.equal(show(sw as string, "a"), undefined);
      });
    }
  });

  it("refuses a bridge of that name it did not make, and leaves it", async () => {
    await withNamespaces(1, async ([netns]) => {
      ip("-n", netns as string, "link", "add", "br0", "type", "bridge");
      const inputs: BridgeInputs = {
        name: "br0",
        netns,
        mtu: 1500,
        up: true,
        stp: false,
        forwardDelay: 1500,
        owner: "it/x:br",
      };
      await assert.rejects(bridges().create(inputs), /already exists and this stack did not create it/);
      await bridges().delete("id", inputs);
      assert.equal(show(netns as string, "br0")?.flags.includes("UP"), false, "still there, untouched");
    });
  });
});
