import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { vethAdd } from "../../../provider/commands/link.js";
import { UNKNOWN } from "../../../provider/kinds/base/inputs.js";
import VethPairProvider, { type VethPairInputs } from "../../../provider/kinds/veth-pair.js";
import { FakeSystem, failure, fakeMachine } from "../../support/fake-system.js";

const veth = (ifname: string, ifindex: number, up = true) =>
  JSON.stringify([
    {
      ifindex,
      ifname,
      flags: up ? ["BROADCAST", "UP"] : ["BROADCAST"],
      mtu: 1500,
      address: `02:00:00:00:00:0${ifindex}`,
      linkinfo: { info_kind: "veth" },
    },
  ]);

/**
 * A fake kernel where va (ifindex 5) and vb (ifindex 6) exist, va in namespace a and vb in b: it
 * answers a look-up of one device, alone or as the last step of a batch, and the read of a whole
 * namespace.
 */
const present = () =>
  new FakeSystem((argv, input) => {
    const shows = (device: string) =>
      (argv.includes("show") && argv.includes(device)) || (input ?? "").endsWith(`link show dev ${device}\n`);
    return shows("va") || (argv.includes("address") && argv.includes("a"))
      ? { stdout: veth("va", 5) }
      : shows("vb") || (argv.includes("address") && argv.includes("b"))
        ? { stdout: veth("vb", 6) }
        : undefined;
  });

/** Each `ip -batch` the fake ran: where and how, and its lines. */
function batches(system: FakeSystem): Array<[string, string[]]> {
  let input = 0;
  const found: Array<[string, string[]]> = [];
  for (const argv of system.calls) {
    if (!argv.includes("-batch")) continue;
    found.push([argv.join(" "), (system.inputs[input++] ?? "").trimEnd().split("\n")]);
  }
  return found;
}

/** Both ends up, va in namespace a and vb in b, at the default MTU: the pair most tests make. */
const pairAB: VethPairInputs = { name: "va", peerName: "vb", netns: "a", peerNetns: "b", mtu: 1500, up: true };

describe("VethPair check", () => {
  const provider = new VethPairProvider(fakeMachine());
  it("defaults peerNetns to netns and up to true", async () => {
    assert.deepEqual((await provider.check({}, { name: "va", peerName: "vb", netns: "ns0" })).inputs, {
      name: "va",
      peerName: "vb",
      netns: "ns0",
      peerNetns: "ns0",
      mtu: 1500,
      up: true,
    });
  });
  it("leaves both namespaces out for the root namespace", async () => {
    assert.deepEqual((await provider.check({}, { name: "va", peerName: "vb" })).inputs, {
      name: "va",
      peerName: "vb",
      mtu: 1500,
      up: true,
    });
  });
  it("refuses two ends of one name in one namespace", async () => {
    const result = await provider.check({}, { name: "va", peerName: "va", netns: "ns0" });
    assert.equal(result.failures?.[0]?.property, "peerName");
  });
  it("allows one name in two namespaces, and unknown namespaces during preview", async () => {
    assert.equal(
      (await provider.check({}, { name: "va", peerName: "va", netns: "a", peerNetns: "b" })).failures,
      undefined,
    );
    assert.equal((await provider.check({}, { name: "va", peerName: "va", netns: UNKNOWN })).failures, undefined);
  });
  const bad: Array<[string, Record<string, unknown>, string, RegExp]> = [
    ["a 16-byte name", { name: "a".repeat(16) }, "name", /at most 15 bytes/],
    ["a name with a slash", { name: "a/b" }, "name", /only ASCII letters/],
    ["a name with a colon", { peerName: "a:b" }, "peerName", /only ASCII letters/],
    ["a name with a space", { peerName: "a b" }, "peerName", /only ASCII letters/],
    ["a name with %", { name: "veth%d" }, "name", /only ASCII letters/],
    ["a name starting with -", { name: "-x" }, "name", /must not start with "-"/],
    ["the name ..", { name: ".." }, "name", /must not start with "\."/],
    ["a non-ASCII name", { name: "vèth" }, "name", /only ASCII letters/],
    ["a small MTU", { mtu: 67 }, "mtu", /from 68 to 65535.*got 67/],
    ["a huge MTU", { mtu: 1e9 }, "mtu", /from 68 to 65535/],
    ["a fractional MTU", { mtu: 1500.5 }, "mtu", /whole number/],
    ["an MTU as text", { mtu: "1500" }, "mtu", /whole number.*got "1500"/],
    ["a bad namespace", { netns: "a/b" }, "netns", /only ASCII letters/],
  ];
  for (const [what, override, property, why] of bad) {
    it(`refuses ${what}`, async () => {
      const result = await provider.check({}, { name: "va", peerName: "vb", ...override });
      assert.equal(result.failures?.[0]?.property, property);
      assert.match(result.failures?.[0]?.reason ?? "", why);
    });
  }
});

describe("VethPair diff", () => {
  const provider = new VethPairProvider(fakeMachine());
  const olds = {
    ...pairAB,
    ifindex: 5,
    mac: "",
    peerIfindex: 6,
    peerMac: "",
  };
  it("updates mtu and up in place", async () => {
    assert.deepEqual(await provider.diff("id", olds, { ...olds, mtu: 9000, up: false }), {
      changes: true,
      replaces: [],
      deleteBeforeReplace: true,
    });
  });
  for (const key of ["name", "peerName", "netns", "peerNetns"] as const) {
    it(`replaces on a new ${key}, deleting first`, async () => {
      const result = await provider.diff("id", olds, { ...olds, [key]: "other" });
      assert.deepEqual(result.replaces, [key]);
      assert.equal(result.deleteBeforeReplace, true);
    });
  }
  it("sees no change when nothing changed", async () => {
    assert.equal((await provider.diff("id", olds, { ...olds })).changes, false);
  });
});

describe("VethPair create", () => {
  it("makes both ends in one step from the first end's namespace", () => {
    assert.deepEqual(vethAdd("va", "vb", "b", 1400), [
      "link",
      "add",
      "name",
      "va",
      "mtu",
      "1400",
      "type",
      "veth",
      "peer",
      "name",
      "vb",
      "netns",
      "b",
      "mtu",
      "1400",
    ]);
  });

  it("makes, marks, brings up and reads back each end with one batch in its namespace, and reports both", async () => {
    const runner = present();
    const { outs } = await new VethPairProvider(runner.machine).create({ ...pairAB, owner: "o" });
    assert.deepEqual(batches(runner), [
      [
        "ip -n a -details -json -batch -",
        [
          "link add name va mtu 1500 type veth peer name vb netns b mtu 1500",
          "link set dev va alias pulumi-netns:o up",
          "link show dev va",
        ],
      ],
      ["ip -n b -details -json -batch -", ["link set dev vb alias pulumi-netns:o up", "link show dev vb"]],
    ]);
    assert.equal(runner.commands.length, 2, "nothing else is run");
    assert.deepEqual(
      [outs.ifindex, outs.mac, outs.peerIfindex, outs.peerMac],
      [5, "02:00:00:00:00:05", 6, "02:00:00:00:00:06"],
    );
  });

  it("runs the same steps one by one when the mark cannot be written in a batch line", async () => {
    const runner = present();
    await new VethPairProvider(runner.machine).create({ ...pairAB, owner: "p/s:my lab #2" });
    assert.deepEqual(runner.commands, [
      "ip -n a -details -json link add name va mtu 1500 type veth peer name vb netns b mtu 1500",
      "ip -n a -details -json link set dev va alias pulumi-netns:p/s:my lab #2 up",
      "ip -n a -details -json link show dev va",
      "ip -n b -details -json link set dev vb alias pulumi-netns:p/s:my lab #2 up",
      "ip -n b -details -json link show dev vb",
    ]);
  });

  it("runs in the root namespace when one end belongs there, sending the other end away", async () => {
    const runner = present();
    await new VethPairProvider(runner.machine).create({ name: "va", peerName: "vb", netns: "a", mtu: 1500, up: true });
    assert.deepEqual(batches(runner)[0], [
      "ip -details -json -batch -",
      ["link add name vb mtu 1500 type veth peer name va netns a mtu 1500", "link set dev vb up", "link show dev vb"],
    ]);
  });

  it("does not send the peer anywhere when both ends share a namespace, nor bring down ends up", async () => {
    const runner = present();
    await new VethPairProvider(runner.machine).create({
      name: "va",
      peerName: "vb",
      netns: "a",
      peerNetns: "a",
      mtu: 1500,
      up: false,
    });
    assert.deepEqual(batches(runner), [
      [
        "ip -n a -details -json -batch -",
        ["link add name va mtu 1500 type veth peer name vb mtu 1500", "link show dev va"],
      ],
      ["ip -n a -details -json -batch -", ["link show dev vb"]],
    ]);
  });

  it("deletes the pair when bringing the far end up fails, naming that step", async () => {
    const runner = new FakeSystem((argv, input) =>
      argv.includes("b") && argv.includes("-batch")
        ? failure("RTNETLINK answers: Invalid argument\nCommand failed -:1", 2)
        : (input ?? "").includes("link show dev va")
          ? { stdout: veth("va", 5) }
          : undefined,
    );
    await assert.rejects(
      new VethPairProvider(runner.machine).create(pairAB),
      /ip -n b link set dev vb up[\s\S]*Invalid argument/,
    );
    assert.equal(runner.commands.at(-1), "ip -n a link delete dev va");
  });

  it("deletes the pair when settling the end it made fails, and leaves alone an add that failed", async () => {
    const settleFails = new FakeSystem(() => failure("RTNETLINK answers: Invalid argument\nCommand failed -:2", 2));
    await assert.rejects(new VethPairProvider(settleFails.machine).create(pairAB), /link set dev va up/);
    assert.equal(settleFails.commands.at(-1), "ip -n a link delete dev va");

    const addFails = new FakeSystem(() => failure("RTNETLINK answers: Operation not permitted\nCommand failed -:1", 2));
    await assert.rejects(new VethPairProvider(addFails.machine).create(pairAB), /link add name va/);
    assert.equal(
      addFails.commands.some((c) => c.includes("delete")),
      false,
      "nothing was made, so nothing is deleted",
    );
  });
});

describe("VethPair read", () => {
  const props = {
    ...pairAB,
    ifindex: 5,
    mac: "m",
    peerIfindex: 6,
    peerMac: "pm",
  };
  it("reports gone when neither end is there", async () => {
    const runner = new FakeSystem(() => failure('Device "va" does not exist.'));
    assert.deepEqual(await new VethPairProvider(runner.machine).read("id", props), {});
  });
  it("treats an interface of another kind as not ours", async () => {
    const runner = new FakeSystem(() => ({
      stdout: JSON.stringify([{ ifindex: 5, ifname: "va", flags: [], mtu: 1500, linkinfo: { info_kind: "bridge" } }]),
    }));
    assert.deepEqual(await new VethPairProvider(runner.machine).read("id", props), {});
  });
  it("reports the MTU of the end that differs from the declared one", async () => {
    const result = await new VethPairProvider(present().machine).read("id", { ...props, mtu: 9000 });
    assert.equal(result.props?.mtu, 1500);
    assert.equal("ifindex" in (result.inputs ?? {}), false, "outputs stay out of the inputs");
  });
});

describe("VethPair ports", () => {
  const props = { ...pairAB, ifindex: 5, mac: "m", peerIfindex: 6, peerMac: "pm" };

  it("checks a bridge's name like any interface name", async () => {
    const result = await new VethPairProvider(fakeMachine()).check({}, { name: "va", peerName: "vb", master: "br/0" });
    assert.equal(result.failures?.[0]?.property, "master");
  });

  it("puts each end on its own bridge in the command that brings it up", async () => {
    const runner = present();
    await new VethPairProvider(runner.machine).create({ ...pairAB, peerMaster: "br0" });
    assert.deepEqual(
      batches(runner).map(([, lines]) => lines[lines.length - 2]),
      ["link set dev va up", "link set dev vb master br0 up"],
    );
  });

  it("reads which bridge each end is on, so that one taken off its bridge shows as drift", async () => {
    const onBridge = (ifname: string, ifindex: number) =>
      JSON.stringify(JSON.parse(veth(ifname, ifindex)).map((link: object) => ({ ...link, master: "br0" })));
    // va on no bridge in namespace a, vb on br0 in namespace b.
    const runner = new FakeSystem((argv) => ({ stdout: argv.includes("a") ? veth("va", 5) : onBridge("vb", 6) }));
    const result = await new VethPairProvider(runner.machine).read("id", {
      ...props,
      master: "br0",
      peerMaster: "br0",
    });
    assert.equal(result.props?.master, undefined);
    assert.equal(result.props?.peerMaster, "br0");
  });

  it("moves an end to another bridge, or off its bridge, in place", async () => {
    const runner = new FakeSystem();
    const provider = new VethPairProvider(runner.machine);
    assert.equal((await provider.diff("id", { ...props, master: "br0" }, { ...pairAB })).changes, true);
    await provider
      .update("id", { ...props, master: "br0", peerMaster: "br1" }, { ...pairAB, peerMaster: "br2" })
      .catch(() => undefined); // its read-back finds nothing on this fake; the commands are what count
    assert.deepEqual(runner.commands.slice(0, 2), [
      "ip -n a link set dev va nomaster",
      "ip -n b link set dev vb master br2",
    ]);
  });
});
