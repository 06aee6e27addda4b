import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { planTopology } from "../../../../../provider/program/components/topology/plan.js";
import { lan, node, problems } from "../../../../support/topology-specs.js";

describe("Topology addressing", () => {
  it("numbers each node by its place in `nodes` on every network, and routes hosts by default through their router", () => {
    const plan = planTopology(lan);
    assert.deepEqual(node(plan, "h2"), {
      name: "h2",
      netns: "t-h2",
      router: false,
      interfaces: [{ name: "lan1", network: "lan1", addresses: ["10.20.0.3/24", "fd00:20::3/64"] }],
      routes: [
        { destination: "default", via: "10.20.0.1", device: "lan1", key: "default-v4" },
        { destination: "default", via: "fd00:20::1", device: "lan1", key: "default-v6" },
      ],
    });
    const router = node(plan, "r");
    assert.deepEqual(
      router.interfaces.map((i) => [i.name, ...i.addresses]),
      [
        ["lan1", "10.20.0.1/24", "fd00:20::1/64"],
        ["lan2", "10.20.1.1/24", "fd00:20:0:1::1/64"],
      ],
    );
    assert.deepEqual(router.routes, [], "a router on every network needs no route");
  });

  it("moves only the moved host when a host changes segments", () => {
    const before = planTopology(lan);
    const after = planTopology({
      ...lan,
      segments: [
        { name: "lan1", members: ["r", "h1", "h3"] },
        { name: "lan2", members: ["r", "h4", "h2"] },
      ],
    });
    const changed = before.nodes.filter((n, i) => JSON.stringify(n) !== JSON.stringify(after.nodes[i]));
    assert.deepEqual(
      changed.map((n) => n.name),
      ["h2"],
    );
    assert.deepEqual(node(after, "h2").interfaces, [
      { name: "lan2", network: "lan2", addresses: ["10.20.1.3/24", "fd00:20:0:1::3/64"] },
    ]);
  });

  it("keeps every address and route where it was when a node and a segment are appended", () => {
    const before = planTopology(lan);
    const after = planTopology({
      ...lan,
      nodes: [...lan.nodes, { name: "h5" }],
      segments: [...(lan.segments ?? []), { name: "lan3", members: ["r", "h5"] }],
    });
    for (const old of before.nodes) {
      const now = node(after, old.name);
      assert.deepEqual(now.interfaces, old.interfaces.concat(now.interfaces.slice(old.interfaces.length)));
      assert.deepEqual(now.routes, old.routes, `${old.name}'s routes`);
    }
    assert.deepEqual(node(after, "h5").interfaces[0]?.addresses, ["10.20.2.6/24", "fd00:20:0:2::6/64"]);
  });

  it("takes declared subnets and numbers as given, and fills in around them from the pool", () => {
    const plan = planTopology({
      pools: { ipv4: "10.40.0.0/23" },
      nodes: [{ name: "a", number: 10 }, { name: "b" }, { name: "c", router: true }],
      segments: [
        { name: "one", members: ["a", "c"], subnet: "10.40.0.0/24" },
        { name: "two", members: ["b", "c"] },
      ],
    });
    assert.deepEqual(
      plan.segments.map((s) => s.subnets),
      [["10.40.0.0/24"], ["10.40.1.0/24"]],
    );
    assert.deepEqual(node(plan, "a").interfaces[0]?.addresses, ["10.40.0.10/24"]);
    assert.deepEqual(node(plan, "a").routes, [
      { destination: "default", via: "10.40.0.3", device: "one", key: "default-v4" },
    ]);
  });

  it("numbers an interface as its link or segment says, beside the node's number elsewhere", () => {
    const plan = planTopology({
      pools: { ipv4: "10.41.0.0/16" },
      nodes: [{ name: "r", router: true }, { name: "h1" }, { name: "h2" }],
      segments: [{ name: "s", members: ["r", "h1"], numbers: { r: 254 } }],
      links: [{ between: ["r", "h2"], numbers: [1, 2] }],
    });
    assert.deepEqual(
      plan.nodes.map((n) => [n.name, n.interfaces.map((i) => i.addresses[0])]),
      [
        ["r", ["10.41.0.254/24", "10.41.255.1/24"]],
        ["h1", ["10.41.0.2/24"]],
        ["h2", ["10.41.255.2/24"]],
      ],
    );
    assert.deepEqual(node(plan, "h1").routes, [
      { destination: "default", via: "10.41.0.254", device: "s", key: "default-v4" },
    ]);
  });

  it("gives point-to-point links a /31 and a /127, declared or from the pools, their ends numbered 0 and 1", () => {
    const plan = planTopology({
      pools: { ipv4: "10.42.0.0/16", ipv6: "fd00:42::/48", pointToPoint: true },
      nodes: [{ name: "s1", router: true }, { name: "l1", router: true }, { name: "l2", router: true }, { name: "h" }],
      links: [{ between: ["s1", "l1"] }, { between: ["s1", "l2"], subnet: "10.9.0.4/31", subnet6: "fd00:9::4/127" }],
      segments: [{ name: "lan", members: ["l1", "h"] }],
    });
    assert.deepEqual(
      plan.links.map((l) => l.subnets),
      [
        ["10.42.255.254/31", "fd00:42:0:ffff:ffff:ffff:ffff:fffe/127"],
        ["10.9.0.4/31", "fd00:9::4/127"],
      ],
    );
    assert.deepEqual(plan.segments[0]?.subnets, ["10.42.0.0/24", "fd00:42::/64"]);
    assert.deepEqual(node(plan, "l2").interfaces[0]?.addresses, ["10.9.0.5/31", "fd00:9::5/127"]);
    const toLan = node(plan, "l2").routes.find((r) => r.destination === "10.42.0.0/24");
    assert.deepEqual(toLan, { destination: "10.42.0.0/24", via: "10.9.0.4", device: "s1", key: "to-lan-v4" });
    assert.deepEqual(
      problems({
        nodes: [{ name: "a", router: true }, { name: "b" }, { name: "c" }],
        links: [
          { between: ["a", "b"], subnet: "10.9.0.0/31", numbers: [5, 6] },
          { between: ["a", "c"], subnet: "10.9.2.0/24", numbers: [0, 1] },
        ],
        segments: [{ name: "s", members: ["a", "b", "c"], subnet: "10.9.1.0/31" }],
      }),
      [
        "links[1].numbers[0] 0 must be a whole number from 1",
        'segments[0]: "c" has address number 2, outside 10.9.1.0/31 (a point-to-point subnet has room for two members)',
      ],
    );
  });

  it("refuses overlapping subnets, address numbers that clash or do not fit, and nodes that cannot reach each other", () => {
    assert.deepEqual(
      problems({
        nodes: [{ name: "a" }, { name: "b", number: 1 }, { name: "c", number: 300 }],
        segments: [
          { name: "s1", members: ["a", "b"], subnet: "10.0.0.0/16" },
          { name: "s2", members: ["a", "c"], subnet: "10.0.5.0/24" },
        ],
      }),
      [
        "segments[0]'s subnet 10.0.0.0/16 overlaps segments[1]'s 10.0.5.0/24",
        'segments[0]: "a" and "b" both have address number 1',
        'segments[1]: "c" has address number 300, outside 10.0.5.0/24',
      ],
    );
    assert.match(
      problems({
        nodes: [{ name: "a" }, { name: "b" }, { name: "c" }],
        links: [{ between: ["a", "b"] }, { between: ["b", "c"] }],
        pools: { ipv4: "10.0.0.0/16" },
      })[0] ?? "",
      /^node "a" cannot reach links\[1\] over IPv4: no way there through routers/,
    );
    assert.deepEqual(problems({ nodes: [{ name: "a" }], segments: [{ name: "s", members: ["a"] }] }), [
      "segments[0] has no subnet: declare one, or give pools.ipv4 or pools.ipv6",
    ]);
  });
});
