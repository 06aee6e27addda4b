/** Declarations the topology planning tests share, and how they read a plan or a refusal. */
import assert from "node:assert/strict";
import { planTopology } from "../../provider/program/components/topology/plan.js";
import type { PlannedNode, TopologySpec } from "../../provider/program/components/topology/spec.js";

/** Two segments behind one router; h4 alone on the second. */
export const lan: TopologySpec = {
  prefix: "t-",
  pools: { ipv4: "10.20.0.0/16", ipv6: "fd00:20::/48" },
  nodes: [{ name: "r", router: true }, { name: "h1" }, { name: "h2" }, { name: "h3" }, { name: "h4" }],
  segments: [
    { name: "lan1", members: ["r", "h1", "h2", "h3"] },
    { name: "lan2", members: ["r", "h4"] },
  ],
};

/** Four routers in a ring, each with a host on a link of its own. */
export const ring: TopologySpec = {
  pools: { ipv4: "10.30.0.0/16" },
  nodes: [
    ...[1, 2, 3, 4].map((i) => ({ name: `r${i}`, router: true })),
    ...[1, 2, 3, 4].map((i) => ({ name: `h${i}` })),
  ],
  links: [
    { between: ["r1", "r2"] },
    { between: ["r2", "r3"] },
    { between: ["r3", "r4"] },
    { between: ["r4", "r1"] },
    ...[1, 2, 3, 4].map((i) => ({ between: [`r${i}`, `h${i}`] as [string, string] })),
  ],
};

export function node(plan: ReturnType<typeof planTopology>, name: string): PlannedNode {
  const found = plan.nodes.find((n) => n.name === name);
  assert.ok(found, name);
  return found;
}

/** The problems of a refused declaration, one per line. */
export function problems(spec: TopologySpec): string[] {
  try {
    planTopology(spec);
  } catch (e) {
    return (e as Error).message
      .split("\n")
      .slice(1)
      .map((line) => line.trim());
  }
  assert.fail("the declaration was accepted");
}
