import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { topologyMermaid } from "../../../../../provider/program/components/topology/picture.js";
import { planTopology } from "../../../../../provider/program/components/topology/plan.js";
import type { TopologySpec } from "../../../../../provider/program/components/topology/spec.js";

describe("Topology planning across machines", () => {
  const spread: TopologySpec = {
    prefix: "x-",
    pools: { ipv4: "10.70.0.0/16" },
    machines: { a: { underlay: "192.0.2.1" }, b: { underlay: "192.0.2.2", mtu: 9000 } },
    nodes: [
      { name: "r", router: true, machine: "a" },
      { name: "h1", machine: "a" },
      { name: "h2", router: true, machine: "b" },
      { name: "h3", machine: "b" },
    ],
    segments: [{ name: "lan", members: ["r", "h1", "h2"] }],
    links: [{ between: ["r", "h3"] }, { between: ["h2", "h3"] }],
  };

  it("joins the ends on two machines by a tunnel, fits the segment's MTU to it, and leaves the rest as veth pairs", () => {
    const plan = planTopology(spread);
    const [lan] = plan.segments;
    assert.equal(lan?.machine, "a", "the segment is on its first member's machine");
    assert.equal(lan?.mtu, 1450, "the smaller underlay's 1500 less VXLAN's 50");
    const tunnelled = lan?.members.filter((m) => m.tunnel !== undefined).map((m) => m.node);
    assert.deepEqual(tunnelled, ["h2"]);
    const [own, port] = lan?.members.find((m) => m.node === "h2")?.tunnel ?? [];
    assert.deepEqual(
      [own?.machine, own?.local, own?.remote, port?.machine, port?.local, port?.remote],
      ["b", "192.0.2.2", "192.0.2.1", "a", "192.0.2.1", "192.0.2.2"],
    );
    const [across, within] = plan.links;
    assert.ok(across?.tunnel !== undefined && across.mtu === 1450);
    assert.equal(within?.tunnel, undefined, "h2 and h3 are both on b: a veth pair");
    const vnis = [own?.vni, across?.tunnel?.[0].vni];
    assert.equal(new Set(vnis).size, 2, "one VNI per tunnel");
    assert.equal(across?.tunnel?.[0].vni, across?.tunnel?.[1].vni, "both ends of a tunnel share it");
    assert.deepEqual(planTopology(spread).links[0]?.tunnel, across?.tunnel, "the same plan every time");
    assert.notEqual(planTopology({ ...spread, prefix: "y-" }).links[0]?.tunnel?.[0].vni, across?.tunnel?.[0].vni);
    assert.match(topologyMermaid(plan), /subgraph m0\["a"\]\n {4}n0\{\{"r \(router\)"\}\}\n {4}n1\["h1"\]\n {4}s0/);
  });

  it("names a machine that is not declared, and an underlay that is not an address", () => {
    assert.throws(
      () =>
        planTopology({
          ...spread,
          machines: { a: { underlay: "nowhere" } },
        }),
      (e: Error) => {
        assert.match(e.message, /machines\.a\.underlay "nowhere"/);
        assert.match(e.message, /nodes\[2\]\.machine "b" is not one of machines/);
        return true;
      },
    );
  });
});
