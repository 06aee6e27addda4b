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
