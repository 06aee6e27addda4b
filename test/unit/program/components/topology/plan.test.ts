import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { planTopology } from "../../../../../provider/program/components/topology/plan.js";
import { lan, node, problems } from "../../../../support/topology-specs.js";

describe("Topology planning: namespaces, bridges and interfaces, and the problems of a declaration", () => {
  it("puts each segment in a namespace of its own, a bridge named after it and a port named after each member", () => {
    const plan = planTopology(lan);
    assert.deepEqual(plan.segments[1], {
      name: "lan2",
      netns: "t-lan2",
      bridge: "lan2",
      subnets: ["10.20.1.0/24", "fd00:20:0:1::/64"],
      members: [
        { node: "r", port: "r" },
        { node: "h4", port: "h4" },
      ],
    });
    assert.deepEqual(plan.links, []);
  });

  it("names every problem of a declaration at once, by where it is", () => {
    assert.deepEqual(
      problems({
        pools: { ipv4: "10.50.0.0/24" },
        nodes: [
          { name: "a-name-of-16-byte" },
          { name: "b" },
          { name: "b" },
          { name: "lo" },
          { name: "c", netns: "t-s" },
        ],
        links: [{ between: ["b", "ghost"] }, { between: ["b", "b"] }, { between: ["a-name-of-16-byte", "lo"] }],
        segments: [{ name: "s", members: ["b"], subnet: "10.50.0.0/25", subnet6: "10.60.0.0/24" }],
        prefix: "t-",
      }),
      [
        'nodes[2].name "b" is taken by nodes[1]',
        'segments[0]: the namespace "t-s" is nodes[4]\'s already',
        'links[0].between[1] "ghost" is not a declared node',
        'links[1].between joins "b" to itself',
        'nodes[3].name "lo" is the loopback interface of every namespace (it names the interface at the far end of links[2])',
        'nodes[0].name "a-name-of-16-byte" must be at most 15 bytes (the kernel\'s IFNAMSIZ), not 17 (it names the interface at the far end of links[2])',
        'segments[0].subnet6 "10.60.0.0/24" must be an IPv6 network',
        'pools.ipv4 "10.50.0.0/24" is too small for the 1 networks without a declared subnet (a /24 each, around the declared ones)',
      ],
    );
  });

  it("names links' interfaces as declared, and refuses two interfaces of one name on a node", () => {
    const plan = planTopology({
      pools: { ipv4: "10.51.0.0/16" },
      nodes: [{ name: "a-long-node-name", router: true }, { name: "b" }],
      links: [{ between: ["a-long-node-name", "b"], devices: ["eth0", "eth0"] }],
    });
    assert.deepEqual(plan.links[0]?.ends, [
      { node: "a-long-node-name", device: "eth0" },
      { node: "b", device: "eth0" },
    ]);
    assert.deepEqual(
      problems({
        pools: { ipv4: "10.51.0.0/16" },
        nodes: [{ name: "a", router: true }, { name: "b" }],
        links: [{ between: ["a", "b"] }, { between: ["b", "a"] }],
      }),
      [
        'nodes[1] "b" would have two interfaces named "a", on links[0] and links[1]',
        'nodes[0] "a" would have two interfaces named "b", on links[0] and links[1]',
      ],
    );
  });

  it("makes no namespace for a node that is the root namespace, and names each namespace as declared", () => {
    const plan = planTopology({
      nodes: [
        { name: "host", root: true, router: true, number: 1 },
        { name: "x", netns: "exact", number: 2 },
        { name: "y", number: 2 },
      ],
      links: [
        { between: ["host", "x"], subnet: "10.52.0.0/24", devices: ["h0", "s0"] },
        { between: ["host", "y"], subnet: "10.52.1.0/24", devices: ["h1", "s1"] },
      ],
      prefix: "p-",
    });
    assert.deepEqual(
      plan.nodes.map((n) => [n.name, n.netns]),
      [
        ["host", undefined],
        ["x", "exact"],
        ["y", "p-y"],
      ],
    );
    assert.deepEqual(node(plan, "x").routes, [
      { destination: "default", via: "10.52.0.1", device: "s0", key: "default-v4" },
    ]);
  });
});
