import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { UNKNOWN } from "../../../provider/kinds/base/inputs.js";
import BridgeProvider, { type BridgeInputs, type BridgeState } from "../../../provider/kinds/bridge.js";
import { FakeSystem, failure, fakeMachine } from "../../support/fake-system.js";

const owner = "lab/dev:br";
const marker = `pulumi-netns:${owner}`;

/** A bridge as `ip -details -json` prints it. */
const bridgeJson = (options: { alias?: string; up?: boolean; mtu?: number; stp?: number; delay?: number } = {}) =>
  JSON.stringify([
    {
      ifindex: 7,
      ifname: "br0",
      flags: options.up === false ? ["BROADCAST"] : ["BROADCAST", "UP"],
      mtu: options.mtu ?? 1500,
      address: "02:00:00:00:00:07",
      ...(options.alias === undefined ? {} : { ifalias: options.alias }),
      linkinfo: {
        info_kind: "bridge",
        info_data: { stp_state: options.stp ?? 0, forward_delay: options.delay ?? 1500 },
      },
    },
  ]);

const inputs: BridgeInputs = { name: "br0", netns: "sw", mtu: 1500, up: true, stp: false, forwardDelay: 1500, owner };
const state: BridgeState = { ...inputs, ifindex: 7, mac: "02:00:00:00:00:07" };

describe("Bridge check", () => {
  const provider = new BridgeProvider(fakeMachine());

  it("fills in the kernel's defaults", async () => {
    assert.deepEqual((await provider.check({}, { name: "br0", netns: "sw" })).inputs, {
      name: "br0",
      netns: "sw",
      mtu: 1500,
      up: true,
      stp: false,
      forwardDelay: 1500,
    });
  });

  const bad: Array<[string, Record<string, unknown>, string, RegExp]> = [
    ["a 16-byte name", { name: "b".repeat(16) }, "name", /at most 15 bytes/],
    ["a small MTU", { name: "br0", mtu: 40 }, "mtu", /from 68 to 65535.*got 40/],
    ["a delay over 30 s", { name: "br0", forwardDelay: 3001 }, "forwardDelay", /from 0 to 3000.*got 3001/],
    ["a negative delay", { name: "br0", forwardDelay: -1 }, "forwardDelay", /from 0 to 3000/],
    ["stp as text", { name: "br0", stp: "on" }, "stp", /must be true or false/],
    [
      "a delay under 2 s with stp on",
      { name: "br0", stp: true, forwardDelay: 100 },
      "forwardDelay",
      /200 to 3000.*stp is on.*got 100/,
    ],
  ];
  for (const [what, news, property, reason] of bad) {
    it(`refuses ${what}, naming ${property}`, async () => {
      const result = await provider.check({}, news);
      assert.equal(result.inputs, undefined);
      assert.deepEqual(
        result.failures?.map((f) => f.property),
        [property],
      );
      assert.match(result.failures?.[0]?.reason ?? "", reason);
    });
  }

  it("takes any delay with stp off, and a delay not known yet", async () => {
    assert.equal((await provider.check({}, { name: "br0", forwardDelay: 0 })).inputs?.forwardDelay, 0);
    assert.equal((await provider.check({}, { name: "br0", stp: true, forwardDelay: UNKNOWN })).failures, undefined);
  });
});

describe("Bridge diff", () => {
  const provider = new BridgeProvider(fakeMachine());
  it("updates the MTU, state and options in place", async () => {
    const result = await provider.diff("id", state, { ...inputs, mtu: 9000, stp: true, forwardDelay: 400, up: false });
    assert.deepEqual(result, { changes: true, replaces: [], deleteBeforeReplace: true });
  });
  it("replaces on a new name or namespace", async () => {
    assert.deepEqual((await provider.diff("id", state, { ...inputs, netns: "other" })).replaces, ["netns"]);
    assert.deepEqual((await provider.diff("id", state, { ...inputs, name: "br1" })).replaces, ["name"]);
  });
  it("sees no change when nothing changed", async () => {
    assert.equal((await provider.diff("id", state, inputs)).changes, false);
  });
});

describe("Bridge create", () => {
  it("makes it with its options, then sets its mark, MTU and state in one command", async () => {
    const system = new FakeSystem((argv) => (argv.includes("add") ? { stdout: bridgeJson() } : undefined));
    const result = await new BridgeProvider(system.machine).create(inputs);
    assert.deepEqual(system.commands, [
      "ip -n sw -echo -json link add name br0 mtu 1499 type bridge forward_delay 1500 stp_state 0",
      `ip -n sw link set dev br0 alias ${marker} mtu 1500 up`,
    ]);
    assert.deepEqual(result, { id: "sw/br0", outs: state });
  });

  it("reads what it made when the kernel does not echo it", async () => {
    const system = new FakeSystem((argv) =>
      argv.includes("show") ? { stdout: bridgeJson({ alias: marker }) } : undefined,
    );
    const { outs } = await new BridgeProvider(system.machine).create(inputs);
    assert.equal(outs.ifindex, 7);
    assert.equal(system.commands.at(-1), "ip -n sw -details -json link show dev br0");
  });

  it("refuses an interface of that name that it did not make, and leaves it", async () => {
    const system = new FakeSystem((argv) =>
      argv.includes("add") ? failure("RTNETLINK answers: File exists", 2) : { stdout: bridgeJson() },
    );
    await assert.rejects(
      new BridgeProvider(system.machine).create(inputs),
      /"br0" .*already exists and this stack did not create it/,
    );
    assert.ok(!system.commands.some((c) => c.includes("delete")));
  });

  it("adopts its own bridge left by a run cut short, and sets every declared property", async () => {
    const system = new FakeSystem((argv) =>
      argv.includes("add")
        ? failure("RTNETLINK answers: File exists", 2)
        : { stdout: bridgeJson({ alias: marker, stp: 1 }) },
    );
    await new BridgeProvider(system.machine).create(inputs);
    assert.deepEqual(system.commands.slice(2), [
      "ip -n sw link set dev br0 type bridge stp_state 0",
      `ip -n sw link set dev br0 alias ${marker} mtu 1500 up`,
      "ip -n sw -details -json link show dev br0",
    ]);
  });

  it("removes the bridge again when setting it up fails", async () => {
    const system = new FakeSystem((argv) =>
      argv.includes("add")
        ? { stdout: bridgeJson() }
        : argv.includes("alias")
          ? failure("RTNETLINK answers: Invalid argument", 2)
          : undefined,
    );
    await assert.rejects(new BridgeProvider(system.machine).create(inputs), /Invalid argument/);
    assert.equal(system.commands.at(-1), "ip -n sw link delete dev br0");
  });
});

describe("Bridge read", () => {
  it("reports what the kernel has, from the namespace's shared read", async () => {
    const system = new FakeSystem(() => ({
      stdout: bridgeJson({ alias: marker, mtu: 1400, stp: 1, delay: 400, up: false }),
    }));
    const result = await new BridgeProvider(system.machine).read("sw/br0", state);
    assert.deepEqual(result.props, { ...state, mtu: 1400, up: false, stp: true, forwardDelay: 400 });
    assert.deepEqual(result.inputs, { ...inputs, mtu: 1400, up: false, stp: true, forwardDelay: 400 });
    assert.deepEqual(system.commands, ["ip -n sw -details -json address show"]);
  });

  it("reports gone a bridge that is not there, not a bridge, or not ours", async () => {
    const notOurs = new FakeSystem(() => ({ stdout: bridgeJson({ alias: "pulumi-netns:lab/prod:br" }) }));
    assert.deepEqual(await new BridgeProvider(notOurs.machine).read("sw/br0", state), {});
    const veth = new FakeSystem(() => ({ stdout: bridgeJson({ alias: marker }).replace('"bridge"', '"veth"') }));
    assert.deepEqual(await new BridgeProvider(veth.machine).read("sw/br0", state), {});
    const gone = new FakeSystem(() => failure('Cannot open network namespace "sw": No such file or directory', 255));
    assert.deepEqual(await new BridgeProvider(gone.machine).read("sw/br0", state), {});
  });
});

describe("Bridge update", () => {
  const update = async (news: Partial<BridgeInputs>, olds: BridgeState = state) => {
    const system = new FakeSystem();
    await new BridgeProvider(system.machine).update("sw/br0", olds, { ...inputs, ...news });
    return system.commands;
  };

  it("changes only what changed", async () => {
    assert.deepEqual(await update({ mtu: 9000 }), ["ip -n sw link set dev br0 mtu 9000"]);
    assert.deepEqual(await update({ forwardDelay: 0 }), ["ip -n sw link set dev br0 type bridge forward_delay 0"]);
    assert.deepEqual(await update({}), []);
  });

  it("turns STP on after the delay, and off before it, as the kernel's range needs", async () => {
    assert.deepEqual(await update({ stp: true, forwardDelay: 400 }), [
      "ip -n sw link set dev br0 type bridge forward_delay 400 stp_state 1",
    ]);
    assert.deepEqual(await update({ stp: false, forwardDelay: 0 }, { ...state, stp: true, forwardDelay: 400 }), [
      "ip -n sw link set dev br0 type bridge stp_state 0",
      "ip -n sw link set dev br0 type bridge forward_delay 0",
    ]);
  });
});

describe("Bridge delete", () => {
  it("deletes its own bridge", async () => {
    const system = new FakeSystem((argv) =>
      argv.includes("show") ? { stdout: bridgeJson({ alias: marker }) } : undefined,
    );
    await new BridgeProvider(system.machine).delete("sw/br0", inputs);
    assert.equal(system.commands.at(-1), "ip -n sw link delete dev br0");
  });

  it("leaves a bridge of that name that is not its own, and accepts one already gone", async () => {
    const foreign = new FakeSystem((argv) => (argv.includes("show") ? { stdout: bridgeJson() } : undefined));
    await new BridgeProvider(foreign.machine).delete("sw/br0", inputs);
    assert.ok(!foreign.commands.some((c) => c.includes("delete")));
    const gone = new FakeSystem(() => failure('Cannot find device "br0"'));
    await new BridgeProvider(gone.machine).delete("sw/br0", inputs);
  });
});
