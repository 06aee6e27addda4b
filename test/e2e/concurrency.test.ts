/**
 * Two stacks with different prefixes, brought up and destroyed at the same time, do not interfere.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import path from "node:path";
import { describe, it } from "node:test";
import { repoRoot, testStack } from "../support/engine.js";
import { journalFiles, namespaces, removeNamespace, uniqueName } from "../support/kernel.js";

const project = path.join(repoRoot, "examples/star");

describe("two stacks at once", () => {
  it("come up and go away side by side without touching each other", async () => {
    const prefixes = [uniqueName("ca").slice(0, 8), uniqueName("cb").slice(0, 8)];
    const journalBefore = journalFiles();
    const stacks = await Promise.all(
      prefixes.map((prefix) => testStack(project, { prefix, hubNetns: `${prefix}hub`, spokes: "8" })),
    );
    try {
      const ups = await Promise.all(stacks.map(({ stack }) => stack.up()));
      for (const [i, up] of ups.entries()) {
        assert.equal(up.summary.result, "succeeded");
        const spokes = up.outputs.spokes?.value as Array<{ netns: string; spokeAddress: string }>;
        assert.equal(spokes.length, 8);
        // The same subnets in both stacks: each star only sees its own.
        const [first, last] = [spokes[0], spokes[7]];
        assert.ok(first?.netns.startsWith(prefixes[i] as string));
        execFileSync("ip", [
          "netns",
          "exec",
          first?.netns as string,
          "ping",
          "-c",
          "1",
          "-W",
          "2",
          last?.spokeAddress.split("/")[0] as string,
        ]);
      }
      const destroys = await Promise.all(stacks.map(({ stack }) => stack.destroy()));
      for (const destroy of destroys) assert.equal(destroy.summary.result, "succeeded");
      assert.deepEqual(
        namespaces().filter((n) => prefixes.some((p) => n.startsWith(p))),
        [],
      );
      assert.deepEqual(journalFiles(), journalBefore);
    } finally {
      await Promise.all(stacks.map((s) => s.dispose().catch(() => undefined)));
      for (const ns of namespaces().filter((n) => prefixes.some((p) => n.startsWith(p)))) removeNamespace(ns);
    }
  });
});
