import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { planTopology } from "../../../../../provider/program/components/topology/plan.js";
import type { PlannedNode } from "../../../../../provider/program/components/topology/spec.js";
import { lan, node, ring } from "../../../../support/topology-specs.js";

describe("Topology routes", () => {
  it("routes routers over the shortest way round a ring, and names link ends after the far node", () => {
    const plan = planTopology(ring);
    // Links come from the end of the pool, in their order.
    assert.deepEqual(plan.links[0], {
      network: "r1--r2",
      key: "r1-r2",
      subnets: ["10.30.255.0/24"],
      ends: [
        { node: "r1", device: "r2" },
        { node: "r2", device: "r1" },
      ],
    });
    const r1 = node(plan, "r1");
    assert.deepEqual(
      r1.interfaces.map((i) => `${i.name} ${i.addresses.join(" ")}`),
      ["r2 10.30.255.1/24", "r4 10.30.252.1/24", "h1 10.30.251.1/24"],
    );
    const to = (n: PlannedNode, network: string) => n.routes.find((r) => r.key === `to-${network}-v4`);
    // r2's host is one router away through r2; r3's, two away, either way round: the first found.
    assert.deepEqual(to(r1, "r2--h2"), {
      destination: "10.30.250.0/24",
      via: "10.30.255.2",
      device: "r2",
      key: "to-r2--h2-v4",
    });
    assert.equal(to(r1, "r3--h3")?.via, "10.30.255.2");
    assert.equal(to(r1, "r4--h4")?.via, "10.30.252.4");
    assert.equal(r1.routes.length, 5, "one per network r1 is not on");
    assert.deepEqual(node(plan, "h3").routes, [
      { destination: "default", via: "10.30.249.3", device: "r3", key: "default-v4" },
    ]);
  });

  it("uses a node's own routes instead of computed ones, leaving by the interface its gateway is on", () => {
    const plan = planTopology({
      ...lan,
      nodes: lan.nodes.map((n) =>
        n.name === "h4" ? { ...n, routes: [{ destination: "10.20.0.0/24", via: "10.20.1.1" }] } : n,
      ),
    });
    assert.deepEqual(node(plan, "h4").routes, [
      { destination: "10.20.0.0/24", via: "10.20.1.1", device: "lan2", key: "route0" },
    ]);
  });
});
