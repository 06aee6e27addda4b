import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isFailure } from "../../../provider/errors.js";
import NatProvider from "../../../provider/kinds/nat.js";
import { FakeSystem, failure, fakeMachine } from "../../support/fake-system.js";

describe("Nat check", () => {
  const provider = new NatProvider(fakeMachine());
  it("sorts the sources as nft lists them", async () => {
    const checked = await provider.check({}, { device: "up0", sources: ["fd00::/64", "10.9.0.0/16", "10.1.0.0/24"] });
    assert.deepEqual(checked.inputs?.sources, ["10.1.0.0/24", "10.9.0.0/16", "fd00::/64"]);
  });
  const bad: Array<[Record<string, unknown>, string, RegExp]> = [
    [{ sources: ["10.80.1.5/24"] }, "sources.0", /host bits set; the network is 10\.80\.1\.0\/24/],
    [{ sources: ["10.80.1.0"] }, "sources.0", /CIDR notation/],
    [{ sources: [] }, "sources", /at least one network/],
    [{ device: "up 0" }, "device", /only ASCII letters/],
    [{ device: "a-very-long-device" }, "device", /at most 15 bytes/],
  ];
  for (const [override, property, why] of bad) {
    it(`refuses ${JSON.stringify(override)}`, async () => {
      const result = await provider.check({}, { netns: "r", device: "up0", sources: ["10.80.1.0/24"], ...override });
      assert.equal(result.failures?.[0]?.property, property, JSON.stringify(result.failures));
      assert.match(result.failures?.[0]?.reason ?? "", why);
    });
  }
});

describe("Nat's nftables rules", () => {
  it("say nftables is missing, rather than that the rules are gone, when nft is not installed", async () => {
    const system = new FakeSystem(() => failure('exec of "nft" failed: No such file or directory', 255));
    const provider = new NatProvider(system.machine);
    const p = { netns: "r", device: "up0", sources: ["10.1.0.0/24"], owner: "a/b:c" };
    await assert.rejects(provider.read("id", { ...p, chain: "nat_x" }), (e: unknown) => {
      assert.ok(isFailure(e, "ip-missing"));
      assert.match((e as Error).message, /Could not run `nft`[\s\S]*apt-get install nftables/);
      return true;
    });
  });
});
