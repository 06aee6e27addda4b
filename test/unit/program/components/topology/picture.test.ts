import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { topologyDot, topologyMermaid } from "../../../../../provider/program/components/topology/picture.js";
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

  it("draws any shape as a Graphviz graph, parallel links each an edge of its own", () => {
    const plan = planTopology({
      pools: { ipv4: "10.9.0.0/16" },
      nodes: [{ name: "r", router: true }, { name: "h" }, { name: "x", router: true }],
      segments: [{ name: "lan", members: ["r", "h"] }],
      links: [{ between: ["r", "x"] }, { between: ["r", "x"], devices: ["e1", "e2"] }],
      machines: { 'the "lab"': { underlay: "192.0.2.1" } },
    });
    assert.equal(
      topologyDot(plan),
      [
        "graph topology {",
        "  rankdir=LR;",
        "  subgraph cluster_m0 {",
        '    label="the \\"lab\\"";',
        '    n0 [label="r (router)", shape=hexagon];',
        '    n1 [label="h", shape=box];',
        '    n2 [label="x (router)", shape=hexagon];',
        '    s0 [label="lan\\n10.9.0.0/24", shape=ellipse];',
        "  }",
        '  n0 -- s0 [taillabel="lan\\n10.9.0.1/24"];',
        '  n1 -- s0 [taillabel="lan\\n10.9.0.2/24"];',
        '  n0 -- n2 [taillabel="x\\n10.9.255.1/24", headlabel="r\\n10.9.255.3/24"];',
        '  n0 -- n2 [taillabel="e1\\n10.9.254.1/24", headlabel="e2\\n10.9.254.3/24"];',
        "}",
        "",
      ].join("\n"),
    );
  });
});
