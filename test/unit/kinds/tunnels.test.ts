import assert from "node:assert/strict";
import { describe, it } from "node:test";
import MacVlanProvider, { type MacVlanInputs } from "../../../provider/kinds/mac-vlan.js";
import VxlanProvider, { type VxlanInputs } from "../../../provider/kinds/vxlan.js";
import { FakeSystem, fakeMachine } from "../../support/fake-system.js";

const marker = (owner: string) => `pulumi-netns:${owner}`;

/** A link of `kind` as `ip -details -json` prints it, with `data` as its info_data. */
const linkJson = (ifname: string, kind: string, data: Record<string, unknown>, alias?: string) =>
  JSON.stringify([
    {
      ifindex: 9,
      ifname,
      flags: ["BROADCAST", "UP"],
      mtu: 1450,
      address: "02:00:00:00:00:09",
      ...(alias === undefined ? {} : { ifalias: alias }),
      linkinfo: { info_kind: kind, info_data: data },
    },
  ]);

describe("Vxlan check", () => {
  const provider = new VxlanProvider(fakeMachine());
  const base = { name: "vx0", netns: "in", vni: 42 };

  it("fills in IANA's port, learning and up, and keeps the underlay only where it differs", async () => {
    assert.deepEqual((await provider.check({}, { ...base, underlayNetns: "in" })).inputs, {
      ...base,
      dstport: 4789,
      learning: true,
      up: true,
    });
    assert.equal((await provider.check({}, { ...base, underlayNetns: "host" })).inputs?.underlayNetns, "host");
  });

  it("stores addresses as iproute2 prints them", async () => {
    const { inputs } = await provider.check({}, { ...base, local: "fd00:0::1", remote: "fd00::2" });
    assert.deepEqual([inputs?.local, inputs?.remote], ["fd00::1", "fd00::2"]);
  });

  const bad: Array<[string, Record<string, unknown>, string, RegExp]> = [
    ["VNI 0", { vni: 0 }, "vni", /from 1 to 16777215.*got 0/],
    ["a VNI over 24 bits", { vni: 16777216 }, "vni", /from 1 to 16777215/],
    ["no VNI", { vni: undefined }, "vni", /got nothing/],
    ["port 0", { dstport: 0 }, "dstport", /from 1 to 65535/],
    ["a remote that is no address", { remote: "10.0.0.300" }, "remote", /not a valid IPv4 address/],
    ["a multicast remote", { remote: "239.1.1.1" }, "remote", /must be a unicast address/],
    ["a unicast group", { group: "10.0.0.1", device: "u0" }, "group", /must be a multicast address/],
    ["a group without a device", { group: "239.1.1.1" }, "device", /must be given with group/],
    [
      "both remote and group",
      { remote: "10.0.0.2", group: "239.1.1.1", device: "u0" },
      "group",
      /not be given with remote/,
    ],
    ["two families", { local: "10.0.0.1", remote: "fd00::2" }, "local", /same family/],
    [
      "an underlay with the link in the root namespace",
      { netns: undefined, underlayNetns: "host" },
      "netns",
      /must be given when underlayNetns is/,
    ],
  ];
  for (const [what, override, property, reason] of bad) {
    it(`refuses ${what}, naming ${property}`, async () => {
      const result = await provider.check({}, { ...base, ...override });
      assert.equal(result.inputs, undefined);
      assert.ok(
        result.failures?.some((f) => f.property === property && reason.test(f.reason)),
        JSON.stringify(result.failures),
      );
    });
  }
});

describe("Vxlan lifecycle", () => {
  const owner = "lab/dev:vx";
  const inputs: VxlanInputs = {
    name: "vx0",
    netns: "in",
    underlayNetns: "host",
    vni: 42,
    local: "192.168.77.1",
    remote: "192.168.77.2",
    dstport: 4789,
    device: "u0",
    learning: true,
    up: true,
    owner,
  };
  const data = { id: 42, local: "192.168.77.1", remote: "192.168.77.2", port: 4789, learning: true };

  it("is made where its underlay is, sent to its namespace, then marked and brought up there", async () => {
    const system = new FakeSystem((argv) =>
      argv.includes("show") ? { stdout: linkJson("vx0", "vxlan", data, marker(owner)) } : undefined,
    );
    const { id, outs } = await new VxlanProvider(system.machine).create(inputs);
    assert.deepEqual(system.commands, [
      "ip -n host link add name vx0 netns in type vxlan id 42 local 192.168.77.1 remote 192.168.77.2 dstport 4789 dev u0 learning",
      `ip -n in link set dev vx0 alias ${marker(owner)} up`,
      "ip -n in -details -json link show dev vx0",
    ]);
    assert.deepEqual([id, outs.ifindex], ["in/vx0", 9]);
  });

  it("reads the tunnel as the kernel has it: learning off by hand is drift, a new remote a new tunnel", async () => {
    const system = new FakeSystem(() => ({
      stdout: linkJson("vx0", "vxlan", { ...data, learning: false, remote: "192.168.77.9" }, marker(owner)),
    }));
    const provider = new VxlanProvider(system.machine);
    const state = { ...inputs, ifindex: 9, mac: "02:00:00:00:00:09" };
    const read = await provider.read("in/vx0", state);
    assert.equal(read.props?.learning, false);
    assert.deepEqual((await provider.diff("in/vx0", read.props as typeof state, inputs)).replaces, ["remote"]);
  });

  it("changes learning, the MTU and the state in place", async () => {
    const system = new FakeSystem();
    const state = { ...inputs, ifindex: 9, mac: "m" };
    await new VxlanProvider(system.machine).update("in/vx0", state, { ...inputs, learning: false, mtu: 1400 });
    assert.deepEqual(system.commands, [
      "ip -n in link set dev vx0 type vxlan nolearning",
      "ip -n in link set dev vx0 mtu 1400",
    ]);
  });
});

describe("MacVlan", () => {
  const owner = "lab/dev:mv";
  const inputs: MacVlanInputs = {
    name: "mv0",
    netns: "g1",
    parent: "p0",
    parentNetns: "host",
    mode: "bridge",
    up: true,
    owner,
  };

  it("checks its mode against the kernel's four", async () => {
    const provider = new MacVlanProvider(fakeMachine());
    assert.equal((await provider.check({}, { name: "mv0", parent: "p0" })).inputs?.mode, "bridge");
    const result = await provider.check({}, { name: "mv0", parent: "p0", mode: "switch" });
    assert.equal(result.failures?.[0]?.property, "mode");
    assert.match(result.failures?.[0]?.reason ?? "", /one of bridge, private, vepa, passthru, got "switch"/);
  });

  it("needs netns when made on a parent elsewhere, and stores parentNetns only where it differs", async () => {
    const provider = new MacVlanProvider(fakeMachine());
    const refused = await provider.check({}, { name: "mv0", parent: "p0", parentNetns: "host" });
    assert.equal(refused.failures?.[0]?.property, "netns");
    assert.match(refused.failures?.[0]?.reason ?? "", /must be given when parentNetns is/);
    const same = await provider.check({}, { name: "mv0", netns: "g1", parent: "p0", parentNetns: "g1" });
    assert.equal(JSON.stringify(same.inputs).includes("parentNetns"), false);
    assert.equal((await provider.check({}, { ...inputs })).inputs?.parentNetns, "host");
  });

  it("is made on its parent, sent to its namespace, then marked and brought up there", async () => {
    const system = new FakeSystem((argv) =>
      argv.includes("p0")
        ? { stdout: linkJson("p0", "veth", {}) }
        : argv.includes("show")
          ? { stdout: linkJson("mv0", "macvlan", { mode: "bridge" }, marker(owner)) }
          : undefined,
    );
    await new MacVlanProvider(system.machine).create(inputs);
    assert.deepEqual(system.commands, [
      "ip -n host -details -json link show dev p0",
      "ip -n host link add name mv0 link p0 netns g1 type macvlan mode bridge",
      `ip -n g1 link set dev mv0 alias ${marker(owner)} up`,
      "ip -n g1 -details -json link show dev mv0",
    ]);
  });

  it("replaces on a new mode or parent, updates the MTU and state in place", async () => {
    const provider = new MacVlanProvider(fakeMachine());
    const state = { ...inputs, ifindex: 9, mac: "m" };
    assert.deepEqual((await provider.diff("id", state, { ...inputs, mode: "private" })).replaces, ["mode"]);
    assert.deepEqual((await provider.diff("id", state, { ...inputs, parent: "p1" })).replaces, ["parent"]);
    assert.deepEqual((await provider.diff("id", state, { ...inputs, mtu: 1400, up: false })).replaces, []);
  });
});
