import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { planTopology } from "../../../../../provider/program/components/topology/plan.js";
import type { PlannedCheck } from "../../../../../provider/program/components/topology/spec.js";
import { lan, problems, ring } from "../../../../support/topology-specs.js";

describe("Topology checks", () => {
  it("plans a check per pair and per family of the destination, all pairs or the ones named", () => {
    const all = planTopology({ ...lan, checks: "all-pairs" }).checks;
    assert.equal(all.length, 5 * 4 * 2, "every ordered pair of five nodes, on IPv4 and IPv6");
    const named = ({ from, to, address, key }: PlannedCheck) => ({ from, to, address, key });
    assert.deepEqual(all.filter((c) => c.from === "h1" && c.to === "r").map(named), [
      { from: "h1", to: "r", address: "10.20.0.1", key: "h1-reaches-r-v4" },
      { from: "h1", to: "r", address: "fd00:20::1", key: "h1-reaches-r-v6" },
    ]);
    assert.deepEqual(planTopology({ ...ring, checks: [["h1", "h3"]] }).checks.map(named), [
      { from: "h1", to: "h3", address: "10.30.249.7", key: "h1-reaches-h3-v4" },
    ]);
    assert.deepEqual(problems({ ...lan, checks: [["h1", "h9"]] }), ['checks[0][1] "h9" is not a declared node']);
    assert.deepEqual(
      planTopology({ ...lan, checks: [["h1", "h2"]] }).checks[0]?.needs,
      ["netns:h1", "netns:h2", "address:h2:lan1:4", "address:h1:lan1:4"],
      "on one segment, a check needs the two ends and nothing else",
    );
  });

  it("has each check come after what is on its way there and back: routes, gateways, forwarding", () => {
    const [check] = planTopology({ ...ring, checks: [["h1", "h3"]] }).checks;
    const routes = check?.needs.filter((k) => k.startsWith("route:"));
    // There: h1's default to r1, r1 to r2, r2 to r3, which is on h3's link; back: h3 to r3, r3 to r2, r2 to r1.
    assert.deepEqual(routes, [
      "route:h1:default-v4",
      "route:r1:to-r3--h3-v4",
      "route:r2:to-r3--h3-v4",
      "route:h3:default-v4",
      "route:r3:to-r1--h1-v4",
      "route:r2:to-r1--h1-v4",
    ]);
    assert.deepEqual(
      check?.needs.filter((k) => k.startsWith("forwarding:")),
      ["forwarding:r1:4", "forwarding:r2:4", "forwarding:r3:4"],
    );
    assert.ok(!check?.needs.some((k) => k.includes("r4")), "nothing of the other way round the ring");
    assert.deepEqual(planTopology(lan).checks, [], "none unless declared");
  });
});
