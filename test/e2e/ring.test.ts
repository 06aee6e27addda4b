/**
 * The ring (examples/ring, a Topology with every address from its pools and every route computed)
 * through the real engine: every node pings every other on IPv4 and IPv6, the preview after `up`
 * is clean, and destroy leaves the machine exactly as it was.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { describe, it } from "node:test";
import type { PlannedNode } from "../../provider/index.js";
import { repoRoot } from "../support/engine.js";
import { uniqueName } from "../support/kernel.js";
import { withLab } from "../support/lab.js";
import { familiesPinged, unreachable } from "../support/topology.js";

const project = path.join(repoRoot, "examples/ring");

describe("the ring of routers through the engine", () => {
  it("routes every node to every other the short way round, on both families, and leaves nothing", async () => {
    const prefix = uniqueName("rg");
    await withLab(project, { prefix, routers: "5" }, prefix, async (stack) => {
      const up = await stack.up();
      const nodes = up.outputs.nodes?.value as Record<string, PlannedNode>;
      assert.deepEqual(familiesPinged(nodes), { ipv4: 10, ipv6: 10 });
      assert.deepEqual(unreachable(nodes), [], "every node reaches every other");
      // The lab's own checks, all pairs on both families, held on `up`.
      const checks = up.outputs.checks?.value as Array<{ from: string; to: string; rtt: number }>;
      assert.equal(checks.length, 10 * 9 * 2);
      assert.ok(
        checks.every((c) => c.rtt > 0),
        "every check measured a round trip",
      );
      // r1 reaches r3's host through r2 and r4's through r5: the shorter way round a ring of five.
      const via = (to: string) => nodes.r1?.routes.find((r) => r.key === `to-${to}-v4`)?.device;
      assert.deepEqual([via("r3--h3"), via("r4--h4")], ["r2", "r5"]);
      assert.match(String(up.outputs.mermaid?.value), /n0\{\{"r1 \(router\)"\}\}/);
    });
  });
});
