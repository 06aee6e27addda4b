import assert from "node:assert/strict";
import { describe, it } from "node:test";
import IpAddressProvider from "../../../provider/kinds/ip-address.js";
import { FakeSystem, failure, fakeMachine } from "../../support/fake-system.js";

describe("IpAddress", () => {
  const provider = new IpAddressProvider(fakeMachine());

  it("normalises the address in check", async () => {
    assert.deepEqual((await provider.check({}, { address: "FD00::0002/64", device: "v1", netns: "a" })).inputs, {
      address: "fd00::2/64",
      device: "v1",
      netns: "a",
    });
  });

  const bad: Array<[Record<string, unknown>, string, RegExp]> = [
    [{ address: "10.1.10.300/24" }, "address", /not a valid IPv4 address; got "10\.1\.10\.300\/24"/],
    [{ address: "10.1.10.2/33" }, "address", /from 0 to 32/],
    [{ address: "fd00::1/129" }, "address", /from 0 to 128/],
    [{ address: "fd00::g/64" }, "address", /not a valid IPv6 address/],
    [{ address: 167772162 }, "address", /must be a string, got 167772162/],
    [{ device: "" }, "device", /must not be empty/],
    [{ device: undefined }, "device", /must be a string, got nothing/],
    [{ nodad: true }, "nodad", /IPv6 addresses only/],
    [{ nodad: "yes" }, "nodad", /must be true or false, got "yes"/],
  ];
  for (const [override, property, why] of bad) {
    it(`refuses ${JSON.stringify(override)}`, async () => {
      const result = await provider.check({}, { address: "10.1.10.2/24", device: "v1", ...override });
      assert.equal(result.failures?.[0]?.property, property);
      assert.match(result.failures?.[0]?.reason ?? "", why);
    });
  }

  it("replaces on every change, deleting first", async () => {
    const olds = { address: "10.1.10.2/24", device: "v1", netns: "a" };
    assert.deepEqual(await provider.diff("id", olds, { ...olds, address: "10.1.10.2/25" }), {
      changes: true,
      replaces: ["address"],
      deleteBeforeReplace: true,
    });
    assert.equal((await provider.diff("id", olds, { ...olds })).changes, false);
  });

  it("stores nodad only when it is on, so stacks made without it see no change", async () => {
    const base = { address: "fd00::2/64", device: "v1" };
    // What the engine stores is the JSON of the inputs: no key at all.
    assert.equal(JSON.stringify((await provider.check({}, { ...base, nodad: false })).inputs), JSON.stringify(base));
    assert.equal((await provider.check({}, { ...base, nodad: true })).inputs?.nodad, true);
    assert.deepEqual(await provider.diff("id", base, { ...base, nodad: true }), {
      changes: true,
      replaces: [],
      deleteBeforeReplace: true,
    });
  });

  it("adds with `ip address add` in the namespace", async () => {
    const runner = new FakeSystem();
    const { id } = await new IpAddressProvider(runner.machine).create({
      address: "10.1.10.2/24",
      device: "v1",
      netns: "a",
    });
    assert.deepEqual(runner.commands, ["ip -n a address add 10.1.10.2/24 dev v1"]);
    assert.equal(id, "a/v1/10.1.10.2/24");
  });

  it("reads by matching the normalised address on its device, from the namespace's shared read", async () => {
    const link = (ifindex: number, ifname: string, local: string) => ({
      ifindex,
      ifname,
      flags: ["UP"],
      addr_info: [{ local, prefixlen: 64 }],
    });
    const stdout = JSON.stringify([link(2, "v0", "fd00::3"), link(3, "v1", "fd00::2")]);
    const runner = new FakeSystem(() => ({ stdout }));
    const p = new IpAddressProvider(runner.machine);
    const props = { address: "fd00::2/64", device: "v1" };
    assert.deepEqual((await p.read("id", props)).props, props);
    assert.deepEqual(await p.read("id", { ...props, address: "fd00::2/96" }), {});
    assert.deepEqual(await p.read("id", { ...props, address: "fd00::3/64" }), {}, "on another device");
    assert.deepEqual(await p.read("id", { ...props, device: "v9" }), {}, "device gone");
    assert.deepEqual(runner.commands, ["ip -details -json address show"], "one command for all four reads");
  });

  it("deletes, and accepts an address already gone", async () => {
    const runner = new FakeSystem(() => failure("Error: ipv4: Address not found.", 2));
    await new IpAddressProvider(runner.machine).delete("id", { address: "10.1.10.2/24", device: "v1" });
    assert.deepEqual(runner.commands, ["ip address delete 10.1.10.2/24 dev v1"]);
  });
});
