/**
 * Qdisc against the real kernel, between two namespaces of the test's own joined by a veth pair
 * (10.98.0.1 in the first, .2 in the second): a shaped link carries TCP at its declared rate, in
 * each direction its end is shaped for; a shaping removed by hand is read as drift and put back;
 * netem, which this machine's kernel lacks, is refused with its reason and nothing changes. Traffic
 * goes only between the two namespaces.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { describe, it } from "node:test";
import QdiscProvider, { type QdiscInputs } from "../../provider/kinds/qdisc.js";
import { realMachine, throughput, withJoinedPair } from "../support/kernel.js";

const provider = () => new QdiscProvider(realMachine());

/** Two namespaces joined by p0 (10.98.0.1, in the first) and p1 (10.98.0.2, in the second). */
const withLink = (body: (a: string, b: string) => Promise<void>) => withJoinedPair("10.98.0", undefined, body);

/** What `tc -json qdisc show dev DEVICE` says of the device. */
function qdiscs(netns: string, device: string): string {
  return execFileSync("tc", ["-n", netns, "-json", "qdisc", "show", "dev", device], { encoding: "utf8" });
}

/** Within ±15% of `expected` bits per second. */
function near(measured: number, expected: number): boolean {
  return Math.abs(measured - expected) <= 0.15 * expected;
}

describe("Qdisc on the kernel", () => {
  it("carries traffic at the declared rate, each direction as its end is shaped", { timeout: 60_000 }, async () => {
    await withLink(async (a, b) => {
      const there: QdiscInputs = { device: "p0", netns: a, rate: "20mbit" };
      const back: QdiscInputs = { device: "p1", netns: b, rate: "10mbit" };
      await provider().create(there);
      const forth = await throughput(a, b, "10.98.0.2");
      assert.ok(near(forth, 20e6), `a to b at ${(forth / 1e6).toFixed(1)} Mbit/s, shaped at 20`);
      await provider().create(back);
      const returned = await throughput(b, a, "10.98.0.1");
      assert.ok(near(returned, 10e6), `b to a at ${(returned / 1e6).toFixed(1)} Mbit/s, shaped at 10`);
      await provider().delete("id", there);
      await provider().delete("id", back);
      assert.doesNotMatch(qdiscs(a, "p0"), /"tbf"/, "p0 has its own qdisc back");
    });
  });

  it("reads a shaping removed by hand as drift, puts it back, and refuses netem on this kernel, changing nothing", {
    timeout: 60_000,
  }, async () => {
    await withLink(async (a, b) => {
      const shaped: QdiscInputs = { device: "p0", netns: a, rate: "20mbit" };
      await provider().create(shaped);
      assert.deepEqual((await provider().read("id", shaped)).props, shaped);
      // Taken away by hand: read says the link is not shaped.
      execFileSync("tc", ["-n", a, "qdisc", "del", "dev", "p0", "root"]);
      assert.deepEqual((await provider().read("id", shaped)).props, { device: "p0", netns: a });
      await provider().update("id", shaped, shaped);
      assert.deepEqual((await provider().read("id", shaped)).props, shaped, "up put it back");
      await provider().delete("id", shaped);

      const before = qdiscs(b, "p1");
      await assert.rejects(
        provider().create({ device: "p1", netns: b, delay: "10ms", loss: "1%" }),
        /this kernel has no netem \(sch_netem\)/,
      );
      assert.equal(qdiscs(b, "p1"), before, "nothing changed");
    });
  });
});
