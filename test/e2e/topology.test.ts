/**
 * Changing a running Topology through the real engine: moving a host to another segment and
 * appending a host each touch only the resources of what changed (the preview names exactly those),
 * and every node still reaches every other after `up`; a bad declaration is refused at preview with
 * every problem named, and nothing on the machine changes. Every namespace is the test's own.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import path from "node:path";
import { describe, it } from "node:test";
import type { PlannedNode, TopologySpec } from "../../provider/index.js";
import { previewChanges, repoRoot, testStack } from "../support/engine.js";
import { ip, machineState, namespaces, removeNamespace, throughput, uniqueName } from "../support/kernel.js";
import { unreachable } from "../support/topology.js";

const project = path.join(repoRoot, "test/e2e/programs/topology");

const base: TopologySpec = {
  pools: { ipv4: "10.61.0.0/16", ipv6: "fd00:61::/48" },
  nodes: [{ name: "r", router: true }, { name: "h1" }, { name: "h2" }, { name: "h3" }],
  segments: [
    { name: "s1", members: ["r", "h1", "h2"] },
    { name: "s2", members: ["r", "h3"] },
  ],
};
const moved: TopologySpec = {
  ...base,
  segments: [
    { name: "s1", members: ["r", "h1"] },
    { name: "s2", members: ["r", "h3", "h2"] },
  ],
};
const appended: TopologySpec = {
  ...moved,
  nodes: [...base.nodes, { name: "h4" }],
  segments: [
    { name: "s1", members: ["r", "h1", "h4"] },
    { name: "s2", members: ["r", "h3", "h2"] },
  ],
};

/**
 * A lab as real ones are written: two links between the same two routers, /31 and /127 links from
 * the pools, an interface numbered by its link and one by its segment, segment members' and link
 * ends' interfaces named as declared, and a startup command.
 */
const asWritten: TopologySpec = {
  pools: { ipv4: "10.63.0.0/16", ipv6: "fd00:63::/48", pointToPoint: true },
  nodes: [
    { name: "s1", router: true },
    { name: "l1", router: true },
    { name: "l2", router: true },
    { name: "h1", exec: [["ip", "address", "add", "192.0.2.1/32", "dev", "lo"]] },
    { name: "h2" },
  ],
  links: [
    { between: ["s1", "l1"] },
    { between: ["l1", "s1"] },
    { between: ["s1", "l2"] },
    { between: ["l2", "h2"], subnet: "10.63.100.0/24", numbers: [254, 1], devices: ["eth1", "eth0"] },
  ],
  segments: [{ name: "lan", members: ["l1", "h1"], devices: { h1: "e1-1" }, numbers: { l1: 254 } }],
  checks: "all-pairs",
};

describe("a Topology changed under a running lab", () => {
  it("previews and applies only what a change names, and refuses a bad declaration before touching anything", async () => {
    const prefix = uniqueName("tp");
    const before = machineState();
    const { stack, dispose } = await testStack(project, { prefix, spec: JSON.stringify(base) });
    const declare = (spec: TopologySpec) => stack.setConfig("spec", { value: JSON.stringify(spec) });
    const upAndPing = async () => {
      const nodes = (await stack.up()).outputs.nodes?.value as Record<string, PlannedNode>;
      assert.deepEqual(unreachable(nodes), [], "every node reaches every other");
      return nodes;
    };
    try {
      await upAndPing();

      await declare(moved);
      // h2's link moves, and its NetnsConfig names the addresses and routes that change.
      assert.deepEqual(await previewChanges(stack), [
        "create topo-s2-h2",
        "delete topo-s1-h2",
        "update topo-h2-config (addresses: -10.61.0.3/24 +10.61.1.3/24 +fd00:61:0:1::3/64 -fd00:61::3/64; routes: ~::/0 ~default)",
      ]);
      const nodes = await upAndPing();
      assert.deepEqual(nodes.h2?.interfaces[0]?.addresses, ["10.61.1.3/24", "fd00:61:0:1::3/64"]);

      await declare(appended);
      assert.deepEqual(await previewChanges(stack), ["create topo-h4", "create topo-h4-config", "create topo-s1-h4"]);
      await upAndPing();
      await stack.preview({ refresh: true, expectNoChanges: true });

      // Refused in the program, so at preview, with each problem named; the running lab untouched.
      const running = machineState();
      await declare({
        ...appended,
        nodes: [...appended.nodes.slice(0, -1), { name: "h4", exec: ["rm -rf /"] as unknown as string[][] }],
        links: [{ between: ["h1", "ghost"] }, { between: ["r", "h1"], numbers: [0, 2] }],
        segments: [
          ...(appended.segments ?? []),
          { name: "s3", members: ["r"], subnet: "10.99.0.0/16", devices: { h9: "eth0" } },
          { name: "s4", members: ["r"], subnet: "10.99.5.0/24" },
        ],
      });
      await assert.rejects(stack.preview(), (e: Error) => {
        assert.match(e.message, /the topology has 5 problem\(s\)/);
        assert.match(e.message, /links\[0\]\.between\[1\] "ghost" is not a declared node/);
        assert.match(e.message, /segments\[2\]'s subnet 10\.99\.0\.0\/16 overlaps segments\[3\]'s 10\.99\.5\.0\/24/);
        assert.match(e.message, /nodes\[4\]\.exec must be a list of commands, each the program and its arguments/);
        assert.match(e.message, /links\[1\]\.numbers\[0\] 0 must be a whole number from 1/);
        assert.match(e.message, /segments\[2\]\.devices names "h9", which is not a member/);
        return true;
      });
      await assert.rejects(stack.up());
      assert.deepEqual(machineState(), running, "nothing changed");

      await declare(appended);
      await stack.destroy();
      assert.deepEqual(machineState(), before, "the machine is exactly as it was before up");
    } finally {
      await dispose();
      for (const ns of namespaces().filter((n) => n.startsWith(prefix))) removeNamespace(ns);
    }
  });

  it("brings up a lab as real ones are written, checks every pair, previews clean and leaves nothing", async () => {
    const prefix = uniqueName("tw");
    const before = machineState();
    const { stack, dispose } = await testStack(project, { prefix, spec: JSON.stringify(asWritten) });
    try {
      // The all-pairs checks are part of `up`: it fails if any pair does not answer.
      const nodes = (await stack.up()).outputs.nodes?.value as Record<string, PlannedNode>;
      const named = (node: string) => nodes[node]?.interfaces.map((i) => `${i.name} ${i.addresses.join(" ")}`);
      assert.deepEqual(named("s1"), [
        "l1 10.63.255.254/31 fd00:63:0:ffff:ffff:ffff:ffff:fffe/127",
        "l1-2 10.63.255.253/31 fd00:63:0:ffff:ffff:ffff:ffff:fffd/127",
        "l2 10.63.255.250/31 fd00:63:0:ffff:ffff:ffff:ffff:fffa/127",
      ]);
      assert.deepEqual(named("h1"), ["e1-1 10.63.0.4/24 fd00:63::4/64"]);
      assert.deepEqual(named("l1")?.[0], "lan 10.63.0.254/24 fd00:63::fe/64");
      // Its IPv4 subnet declared, its IPv6 one from the pool: a /127, whose ends are 0 and 1.
      assert.deepEqual(named("h2"), ["eth0 10.63.100.1/24 fd00:63:0:ffff:ffff:ffff:ffff:fff9/127"]);
      assert.deepEqual(named("l2")?.[1], "eth1 10.63.100.254/24 fd00:63:0:ffff:ffff:ffff:ffff:fff8/127");
      assert.deepEqual(unreachable(nodes), [], "every node reaches every other");
      assert.match(
        ip("-n", `${prefix}h1`, "address", "show", "dev", "lo"),
        /inet 192\.0\.2\.1\/32/,
        "h1's command ran",
      );
      await stack.preview({ refresh: true, expectNoChanges: true });
      await stack.destroy();
      assert.deepEqual(machineState(), before, "the machine is exactly as it was before up");
    } finally {
      await dispose();
      for (const ns of namespaces().filter((n) => n.startsWith(prefix))) removeNamespace(ns);
    }
  });

  it("shapes a link at each end's declared rate, shows a shaping taken away by hand, and puts it back", async () => {
    const prefix = uniqueName("ts");
    const before = machineState();
    const shaped: TopologySpec = {
      pools: { ipv4: "10.64.0.0/16" },
      nodes: [{ name: "a" }, { name: "b" }],
      links: [{ between: ["a", "b"], shaping: [{ rate: "20mbit" }, { rate: "10mbit" }] }],
    };
    const { stack, dispose } = await testStack(project, { prefix, spec: JSON.stringify(shaped) });
    try {
      const nodes = (await stack.up()).outputs.nodes?.value as Record<string, PlannedNode>;
      const address = (node: string) => nodes[node]?.interfaces[0]?.addresses[0]?.split("/")[0] as string;
      const [a, b] = [`${prefix}a`, `${prefix}b`];
      const forth = await throughput(a, b, address("b"));
      const back = await throughput(b, a, address("a"));
      assert.ok(Math.abs(forth - 20e6) <= 3e6, `a to b at ${(forth / 1e6).toFixed(1)} Mbit/s, shaped at 20`);
      assert.ok(Math.abs(back - 10e6) <= 1.5e6, `b to a at ${(back / 1e6).toFixed(1)} Mbit/s, shaped at 10`);

      execFileSync("tc", ["-n", a, "qdisc", "del", "dev", "b", "root"]);
      assert.deepEqual(await previewChanges(stack), ["update topo-a-b-a-shaping"]);
      const repaired = await stack.up({ refresh: true });
      assert.deepEqual(repaired.summary.resourceChanges?.update, 1, "up put the shaping back");
      await stack.preview({ refresh: true, expectNoChanges: true });
      assert.match(
        execFileSync("tc", ["-n", a, "qdisc", "show", "dev", "b"], { encoding: "utf8" }),
        /tbf .*rate 20Mbit/,
      );
      await stack.destroy();
      assert.deepEqual(machineState(), before, "the machine is exactly as it was before up");
    } finally {
      await dispose();
      for (const ns of namespaces().filter((n) => n.startsWith(prefix))) removeNamespace(ns);
    }
  });
});
