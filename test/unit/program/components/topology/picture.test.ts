import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { topologyMermaid } from "../../../../../provider/program/components/topology/picture.js";
import { planTopology } from "../../../../../provider/program/components/topology/plan.js";

describe("Topology pictures", () => {
  it("draws any shape as a Mermaid flowchart", () => {
    const plan = planTopology({
      pools: { ipv4: "10.9.0.0/16" },
      nodes: [{ name: "r", router: true }, { name: "h" }, { name: "x" }],
      segments: [{ name: "lan", members: ["r", "h"] }],
      links: [{ between: ["r", "x"] }],
    });
    assert.equal(
      topologyMermaid(plan),
      [
        "flowchart LR",
        '  n0{{"r (router)"}}',
        '  n1["h"]',
        '  n2["x"]',
        '  s0(("lan<br/>10.9.0.0/24"))',
        '  n0 ---|"lan 10.9.0.1/24"| s0',
        '  n1 ---|"lan 10.9.0.2/24"| s0',
        '  n0 ---|"x 10.9.255.1/24 — r 10.9.255.3/24"| n2',
        "",
      ].join("\n"),
    );
  });
});
