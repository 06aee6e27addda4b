/**
 * Qdisc against the real kernel, between two namespaces of the test's own joined by a veth pair
 * (10.98.0.1 in the first, .2 in the second): a shaped link carries TCP at its declared rate, in
 * each direction its end is shaped for; a shaping removed by hand is read as drift and put back;
 * netem, which this machine's kernel lacks, is refused with its reason and nothing changes. Traffic
 * goes only between the two namespaces.
 */
import assert from "node:assert/strict";
import { execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { describe, it } from "node:test";
import QdiscProvider, { type QdiscInputs } from "../../provider/kinds/qdisc.js";
import { ip, realMachine, withNamespaces } from "../support/kernel.js";

const provider = () => new QdiscProvider(realMachine());

/** What the link sent from `from` to `to` (10.98.0.N) carried, in bits per second: 3 MB over TCP, timed at the receiver. */
async function throughput(from: string, to: string, toAddress: string): Promise<number> {
  const serve = `require("net").createServer((s) => { let bytes = 0, first;
    s.on("data", (d) => { first ??= process.hrtime.bigint(); bytes += d.length; });
    s.on("end", () => { console.log(JSON.stringify({ bytes, ns: String(process.hrtime.bigint() - first) })); process.exit(0); });
  }).listen(5001, "${toAddress}", () => console.log("listening"));`;
  const server = spawn("ip", ["netns", "exec", to, process.execPath, "-e", serve], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines: string[] = [];
  server.stdout.setEncoding("utf8").on("data", (chunk: string) => lines.push(...chunk.trim().split("\n")));
  while (!lines.includes("listening")) await once(server.stdout, "data");
  const send = `const s = require("net").connect(5001, "${toAddress}", () => s.end(Buffer.alloc(3e6)));`;
  const client = spawn("ip", ["netns", "exec", from, process.execPath, "-e", send], { stdio: "inherit" });
  await Promise.all([once(client, "exit"), once(server, "exit")]);
  const { bytes, ns } = JSON.parse(lines.at(-1) as string) as { bytes: number; ns: string };
  assert.equal(bytes, 3e6);
  return (bytes * 8) / (Number(ns) / 1e9);
}

/** Two namespaces joined by p0 (in the first) and p1 (in the second), addressed and up. */
async function withLink(body: (a: string, b: string) => Promise<void>): Promise<void> {
  await withNamespaces(2, async ([a, b]) => {
    const [left, right] = [a as string, b as string];
    ip("-n", left, "link", "add", "name", "p0", "type", "veth", "peer", "name", "p1", "netns", right);
    for (const [netns, device, n] of [
      [left, "p0", 1],
      [right, "p1", 2],
    ] as const) {
      ip("-n", netns, "address", "add", `10.98.0.${n}/24`, "dev", device);
      ip("-n", netns, "link", "set", "dev", device, "up");
    }
    await body(left, right);
  });
}

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
