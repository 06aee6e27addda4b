/**
 * examples/containerlab through the real engine: a containerlab topology file (a leaf-spine with
 * two links between a leaf and the spine, a Linux bridge, NOS images, a startup command) comes up
 * as namespaces, its interfaces named as the file names them; every node reaches every other on
 * both families (the Topology's checks, part of `up`); what of the file has no counterpart here is
 * said as warnings; a refreshed preview is clean and destroy leaves the machine as it was.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { describe, it } from "node:test";
import type { PlannedNode } from "../../provider/index.js";
import { repoRoot } from "../support/engine.js";
import { ip, uniqueName } from "../support/kernel.js";
import { withLab } from "../support/lab.js";

const project = path.join(repoRoot, "examples/containerlab");

describe("a containerlab file through the engine", () => {
  it("comes up as namespaces named as the file names them, checks every pair, and leaves nothing", async () => {
    const prefix = uniqueName("cl");
    await withLab(project, { prefix }, prefix, async (stack) => {
      const up = await stack.up();
      const nodes = up.outputs.nodes?.value as Record<string, PlannedNode>;
      const names = (node: string) => nodes[node]?.interfaces.map((i) => i.name);
      assert.deepEqual(names("spine"), ["e1-1", "e1-2", "e1-3"]);
      assert.deepEqual(names("leaf1"), ["e1-49", "e1-50", "e1-1"], "two links to the spine, each its own");
      assert.deepEqual(names("pc2"), ["eth1"], "a member of the bridge, named as its link names it");
      const checked = up.outputs.checks?.value as Array<{ rtt: number | undefined }>;
      assert.equal(checked.length, 60, "every ordered pair of the 6 nodes, on both families");
      assert.ok(checked.every((c) => typeof c.rtt === "number"));
      assert.match(ip("-n", `${prefix}pc1`, "address", "show", "dev", "lo"), /192\.0\.2\.1\/32/, "pc1's exec ran");
      assert.match(up.stdout, /lab\.clab\.yml: nodes\.spine: image ghcr\.io\/nokia\/srlinux is not run/);
      assert.match(up.stdout, /lab\.clab\.yml: nodes\.spine\.startup-config has no counterpart here/);
      assert.match(up.stdout, /lab\.clab\.yml: mgmt: the management network is left out/);
    });
  });
});
