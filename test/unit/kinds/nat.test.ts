import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { masqueradeBatch, parseMasquerade } from "../../../provider/commands/nft.js";
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
  it("read back what they write, a rule per network, and count rules without the mark", () => {
    const m = { device: "up0", sources: ["10.1.0.0/24", "10.2.0.1/32", "fd00::/64"] };
    const batch = JSON.parse(masqueradeBatch("nat_x", "pulumi-netns:a/b:c", m, [7])) as { nftables: unknown[] };
    const rules = batch.nftables.filter((c) => JSON.stringify(c).includes('"rule"'));
    assert.equal(rules.length, 4, "the old rule of ours deleted by its handle, a new one per network");
    assert.deepEqual(rules[0], {
      delete: { rule: { family: "inet", table: "pulumi_netns", chain: "nat_x", handle: 7 } },
    });
    assert.ok(!JSON.stringify(batch).includes("flush"), "anyone else's rules in the chain stay");
    // As nft lists it: a set of several, a single prefix alone, a /32 as a bare address.
    const listed = {
      nftables: [
        { chain: { name: "nat_x" } },
        {
          rule: {
            handle: 3,
            comment: "pulumi-netns:a/b:c",
            expr: [
              { match: { op: "==", left: { meta: { key: "oifname" } }, right: "up0" } },
              {
                match: {
                  left: { payload: { protocol: "ip", field: "saddr" } },
                  right: { set: [{ prefix: { addr: "10.1.0.0", len: 24 } }, "10.2.0.1"] },
                },
              },
              { masquerade: null },
            ],
          },
        },
        {
          rule: {
            handle: 4,
            comment: "pulumi-netns:a/b:c",
            expr: [
              { match: { left: { meta: { key: "oifname" } }, right: "up0" } },
              {
                match: {
                  left: { payload: { protocol: "ip6", field: "saddr" } },
                  right: { prefix: { addr: "fd00::", len: 64 } },
                },
              },
              { masquerade: null },
            ],
          },
        },
        { rule: { expr: [{ counter: null }] } },
      ],
    };
    assert.deepEqual(parseMasquerade(JSON.stringify(listed), "pulumi-netns:a/b:c"), {
      found: m,
      ours: [3, 4],
      foreign: 1,
    });
  });

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
