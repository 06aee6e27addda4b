import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  type PlannedCheck,
  type PlannedNode,
  planTopology,
  type TopologySpec,
  topologyMermaid,
} from "../../../../../provider/program/components/topology/plan.js";

/** Two segments behind one router; h4 alone on the second. */
const lan: TopologySpec = {
  prefix: "t-",
  pools: { ipv4: "10.20.0.0/16", ipv6: "fd00:20::/48" },
  nodes: [{ name: "r", router: true }, { name: "h1" }, { name: "h2" }, { name: "h3" }, { name: "h4" }],
  segments: [
    { name: "lan1", members: ["r", "h1", "h2", "h3"] },
    { name: "lan2", members: ["r", "h4"] },
  ],
};

/** Four routers in a ring, each with a host on a link of its own. */
const ring: TopologySpec = {
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

function node(plan: ReturnType<typeof planTopology>, name: string): PlannedNode {
  const found = plan.nodes.find((n) => n.name === name);
  assert.ok(found, name);
  return found;
}

/** The problems of a refused declaration, one per line. */
function problems(spec: TopologySpec): string[] {
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

describe("Topology planning", () => {
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

  it("routes routers over the shortest way round a ring, and names link ends after the far node", () => {
    const plan = planTopology(ring);
    // Links come from the end of the pool, in their order.
    assert.deepEqual(plan.links[0], {
      network: "r1--r2",
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

  it("names every node in the hosts files when asked, at its first address of each family", () => {
    assert.deepEqual(planTopology(lan).hosts, [], "not unless asked");
    const hosts = planTopology({ ...lan, hosts: true }).hosts;
    assert.deepEqual(hosts.slice(0, 2), [
      { address: "10.20.0.1", names: ["r"] },
      { address: "fd00:20::1", names: ["r"] },
    ]);
    assert.equal(hosts.length, 10);
    assert.deepEqual(
      problems({
        ...lan,
        hosts: true,
        nodes: [...(lan.nodes ?? []).slice(0, 4), { name: "h_4" }],
        segments: [{ name: "lan1", members: ["r", "h1", "h2", "h3", "h_4"] }],
      }),
      [
        'nodes[4] "h_4" cannot be named in a hosts file (hosts: true): it must be a host name: labels of letters, digits and hyphens (not first or last), 1 to 63 long, between dots; "h_4" is not one',
      ],
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
