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
        { node: "r", device: "lan2", port: "r" },
        { node: "h4", device: "lan2", port: "h4" },
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
        nodes: [{ name: "a", router: true }, { name: "b" }, { name: "c" }],
        links: [
          { between: ["a", "b"], devices: ["eth1", "eth0"] },
          { between: ["a", "c"], devices: ["eth1", "eth0"] },
        ],
        segments: [{ name: "s", members: ["a", "b"], devices: { b: "eth0" } }],
      }),
      [
        'nodes[1] "b" would have two interfaces named "eth0", on segments[0] and links[0]',
        'nodes[0] "a" would have two interfaces named "eth1", on links[0] and links[1]',
      ],
    );
  });

  it("tells parallel links apart: each its own network, resource name and interfaces", () => {
    const plan = planTopology({
      pools: { ipv4: "10.52.0.0/16" },
      nodes: [
        { name: "a", router: true },
        { name: "b", router: true },
      ],
      links: [{ between: ["a", "b"] }, { between: ["b", "a"] }, { between: ["a", "b"], devices: ["e3", "e3"] }],
    });
    assert.deepEqual(
      plan.links.map((l) => [l.network, l.key, l.ends.map((e) => e.device).join(" "), l.subnets.join(" ")]),
      [
        ["a--b", "a-b", "b a", "10.52.255.0/24"],
        ["b--a-2", "b-a-2", "a-2 b-2", "10.52.254.0/24"],
        ["a--b-3", "a-b-3", "e3 e3", "10.52.253.0/24"],
      ],
    );
    assert.deepEqual(
      problems({
        pools: { ipv4: "10.52.0.0/16" },
        nodes: [{ name: "a", router: true }, { name: "b-2" }, { name: "b" }, { name: "fifteen-bytes-x" }],
        links: [
          { between: ["a", "b"] },
          { between: ["a", "b"], devices: ["x", "y"] },
          { between: ["a", "b-2"], devices: ["z", "w"] },
          { between: ["a", "fifteen-bytes-x"] },
          { between: ["a", "fifteen-bytes-x"] },
        ],
      }),
      [
        "links[4]: the interface \"fifteen-bytes-x-2\" must be at most 15 bytes (the kernel's IFNAMSIZ), not 17 (named after the node at the far end and the link's count between the two; or give links[4].devices)",
        'links[1] and links[2] would have one network, "a--b-2": rename a node',
        'links[1] and links[2] would have one resource name, "a-b-2": rename a node',
      ],
    );
  });

  it("shapes a link's ends, both with one shaping or each its own, and refuses what tc would not take", () => {
    const spec = {
      pools: { ipv4: "10.53.0.0/16" },
      nodes: [{ name: "a" }, { name: "b" }],
    };
    const both = planTopology({ ...spec, links: [{ between: ["a", "b"], shaping: { rate: "10mbit" } }] });
    assert.deepEqual(both.links[0]?.shaping, [{ rate: "10mbit" }, { rate: "10mbit" }]);
    const one = planTopology({
      ...spec,
      links: [{ between: ["a", "b"], shaping: [null, { delay: "5ms", loss: "1%" }] }],
    });
    assert.deepEqual(one.links[0]?.shaping, [null, { delay: "5ms", loss: "1%" }]);
    assert.equal("shaping" in (planTopology({ ...spec, links: [{ between: ["a", "b"] }] }).links[0] ?? {}), false);
    assert.deepEqual(
      problems({
        ...spec,
        links: [
          { between: ["a", "b"], shaping: { rate: "10mb", speed: "x" } as never },
          { between: ["b", "a"], shaping: [{ jitter: "1ms", loss: "1%" }, { latency: "10ms" }] },
        ],
      }),
      [
        'links[0].shaping.rate "10mb" must be a rate in bits per second as tc writes it, from 8bit to 1000gbit: 512kbit, 10mbit, 1gbit',
        "links[0].shaping.speed is no shaping parameter",
        "links[1].shaping[0].jitter varies the delay: give delay too",
        "links[1].shaping[1].rate or one of delay, loss, duplicate and corrupt must be given",
      ],
    );
  });

  it("carries a node's startup commands, and refuses them malformed or in the root namespace", () => {
    const exec = [["ip", "link", "set", "dev", "lo", "mtu", "9000"]];
    const plan = planTopology({
      ...lan,
      nodes: [{ name: "r", router: true, exec }, { name: "h1" }],
      segments: [{ name: "lan1", members: ["r", "h1"] }],
    });
    assert.deepEqual(node(plan, "r").exec, exec);
    assert.equal("exec" in node(plan, "h1"), false);
    assert.deepEqual(
      problems({
        ...lan,
        nodes: [
          { name: "r", router: true, root: true, exec },
          { name: "h1", exec: ["ip link set lo up"] as unknown as string[][] },
        ],
        segments: [{ name: "lan1", members: ["r", "h1"] }],
      }),
      [
        "nodes[0].exec: a node that is the root namespace runs no commands (what they did would outlive the lab)",
        "nodes[1].exec must be a list of commands, each the program and its arguments as a list of strings",
      ],
    );
  });

  it("names a segment member's interface as declared; its port keeps the member's name", () => {
    const plan = planTopology({ ...lan, segments: [{ name: "lan1", members: ["r", "h1"], devices: { h1: "e1-1" } }] });
    assert.deepEqual(
      plan.nodes.filter((n) => n.interfaces.length > 0).map((n) => [n.name, n.interfaces[0]?.name]),
      [
        ["r", "lan1"],
        ["h1", "e1-1"],
      ],
    );
    assert.deepEqual(plan.segments[0]?.members, [
      { node: "r", device: "lan1", port: "r" },
      { node: "h1", device: "e1-1", port: "h1" },
    ]);
    assert.deepEqual(
      problems({ ...lan, segments: [{ name: "lan1", members: ["r", "h1"], devices: { h2: "x", h1: "a b" } }] }),
      [
        'segments[0].devices names "h2", which is not a member',
        `segments[0].devices.h1 "a b" may contain only ASCII letters, digits, '_', '.' and '-' (no '/', ':', '%' or white space)`,
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
