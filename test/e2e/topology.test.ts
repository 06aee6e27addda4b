/**
 * Changing a running Topology through the real engine: moving a host to another segment and
 * appending a host each touch only the resources of what changed (the preview names exactly those),
 * and every node still reaches every other after `up`; a bad declaration is refused at preview with
 * every problem named, and nothing on the machine changes. Every namespace is the test's own.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { describe, it } from "node:test";
import type { PlannedNode, TopologySpec } from "../../provider/index.js";
import { previewChanges, repoRoot, testStack } from "../support/engine.js";
import { machineState, namespaces, removeNamespace, uniqueName } from "../support/kernel.js";
import { unreachable } from "../support/topology.js";

const project = path.join(repoRoot, "test/e2e/programs/topology");

const base: TopologySpec = {
  pools: { ipv4: "10.61.0.0/16", ipv6: "fd00:61::/48" },
  nodes: [{ name: "r", router: true }, { name: "h1" }, { name: "h2" }, { name: "h3" }],
  segments: [
    { name: "s1", members: ["r", "h1", "h2"] },
    { name: "s2", members: ["r", "h3"] },
  ],
};
const moved: TopologySpec = {
  ...base,
  segments: [
    { name: "s1", members: ["r", "h1"] },
    { name: "s2", members: ["r", "h3", "h2"] },
  ],
};
const appended: TopologySpec = {
  ...moved,
  nodes: [...base.nodes, { name: "h4" }],
  segments: [
    { name: "s1", members: ["r", "h1", "h4"] },
    { name: "s2", members: ["r", "h3", "h2"] },
  ],
};

describe("a Topology changed under a running lab", () => {
  it("previews and applies only what a change names, and refuses a bad declaration before touching anything", async () => {
    const prefix = uniqueName("tp");
    const before = machineState();
    const { stack, dispose } = await testStack(project, { prefix, spec: JSON.stringify(base) });
    const declare = (spec: TopologySpec) => stack.setConfig("spec", { value: JSON.stringify(spec) });
    const upAndPing = async () => {
      const nodes = (await stack.up()).outputs.nodes?.value as Record<string, PlannedNode>;
      assert.deepEqual(unreachable(nodes), [], "every node reaches every other");
      return nodes;
    };
    try {
      await upAndPing();

      await declare(moved);
      // h2's link moves, and its NetnsConfig names the addresses and routes that change.
      assert.deepEqual(await previewChanges(stack), [
        "create topo-s2-h2",
        "delete topo-s1-h2",
        "update topo-h2-config (addresses: -10.61.0.3/24 +10.61.1.3/24 +fd00:61:0:1::3/64 -fd00:61::3/64; routes: ~::/0 ~default)",
      ]);
      const nodes = await upAndPing();
      assert.deepEqual(nodes.h2?.interfaces[0]?.addresses, ["10.61.1.3/24", "fd00:61:0:1::3/64"]);

      await declare(appended);
      assert.deepEqual(await previewChanges(stack), ["create topo-h4", "create topo-h4-config", "create topo-s1-h4"]);
      await upAndPing();
      await stack.preview({ refresh: true, expectNoChanges: true });

      // Refused in the program, so at preview, with each problem named; the running lab untouched.
      const running = machineState();
      await declare({
        ...appended,
        links: [{ between: ["h1", "ghost"] }],
        segments: [
          ...(appended.segments ?? []),
          { name: "s3", members: ["r"], subnet: "10.99.0.0/16" },
          { name: "s4", members: ["r"], subnet: "10.99.5.0/24" },
        ],
      });
      await assert.rejects(stack.preview(), (e: Error) => {
        assert.match(e.message, /the topology has 2 problem\(s\)/);
        assert.match(e.message, /links\[0\]\.between\[1\] "ghost" is not a declared node/);
        assert.match(e.message, /segments\[2\]'s subnet 10\.99\.0\.0\/16 overlaps segments\[3\]'s 10\.99\.5\.0\/24/);
        return true;
      });
      await assert.rejects(stack.up());
      assert.deepEqual(machineState(), running, "nothing changed");

      await declare(appended);
      await stack.destroy();
      assert.deepEqual(machineState(), before, "the machine is exactly as it was before up");
    } finally {
      await dispose();
      for (const ns of namespaces().filter((n) => n.startsWith(prefix))) removeNamespace(ns);
    }
  });
});
