/**
 * What Nat hands to nftables and reads back (commands/nft.ts), on what `nft -j` printed for a chain
 * the library made (test/fixtures/nft, recorded with someone else's rule beside ours).
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  chainsOf,
  deleteChainBatch,
  listChain,
  listTable,
  masqueradeBatch,
  nftBatch,
  parseMasquerade,
  sortSources,
} from "../../../provider/commands/nft.js";
import { recorded } from "../../support/recorded.js";

const MARK = "pulumi-netns:rec/dev:nat";

describe("nft's JSON, as the kernel's nft printed it", () => {
  it("reads back the masquerade the batch made, a rule per network, and counts the rule that is not ours", () => {
    const fixture = recorded("nft/list-chain-ours-and-foreign");
    assert.deepEqual(fixture.argv.slice(-7), listChain("rec_chain"));
    const read = parseMasquerade(fixture.stdout, MARK);
    assert.deepEqual(read.found, { device: "va", sources: ["10.1.10.0/24", "10.1.30.0/24", "fd00:10::/64"] });
    assert.equal(read.ours.length, 3);
    assert.ok(read.ours.every((h) => Number.isInteger(h) && h > 0));
    assert.equal(read.foreign, 1);
    assert.deepEqual(parseMasquerade(fixture.stdout, "pulumi-netns:other/dev:nat"), {
      found: undefined,
      ours: [],
      foreign: 4,
    });
  });

  it("names the chains of the table", () => {
    const fixture = recorded("nft/list-table");
    assert.deepEqual(fixture.argv.slice(-6), listTable());
    assert.deepEqual(chainsOf(fixture.stdout), ["rec_chain"]);
  });

  it("fails, with nft's words, for a chain or a table that is not there", () => {
    for (const name of ["nft/list-chain-missing", "nft/list-table-missing"]) {
      const fixture = recorded(name);
      assert.equal(fixture.exitCode, 1, name);
      assert.match(fixture.stderr, /No such file or directory/, name);
    }
  });
});

describe("the batches", () => {
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

  it("passes a batch as nft's one argument, and removes a chain with its rules", () => {
    assert.deepEqual(nftBatch("{}"), ["nft", "-j", "{}"]);
    assert.deepEqual(
      JSON.parse(deleteChainBatch("nat_x")).nftables.map((c: object) => Object.keys(c)[0]),
      ["flush", "delete"],
    );
  });

  it("sorts sources as nft lists a set: IPv4 first, each family by address, then by length", () => {
    assert.deepEqual(sortSources(["fd00::/64", "10.2.0.0/16", "10.1.0.0/24", "10.1.0.0/16"]), [
      "10.1.0.0/16",
      "10.1.0.0/24",
      "10.2.0.0/16",
      "fd00::/64",
    ]);
  });
});
