/**
 * Users upgrade the package under a running lab. A stack brought up with an earlier release
 * (test/fixtures/releases/) refreshes, previews without changes and destroys with the package of
 * this checkout: its state names `pulumi-netns/forwarders/<file>`, or, for a project whose path
 * contains "pulumi-netns" (see build/forwarders.ts), `pulumi-netns/dist/provider/forwarders/<file>.js`;
 * both must keep resolving to the code installed now. And what a stack stores per resource has not
 * grown. From 0.1.0: a StarLab, in both kinds of place. From 0.3.0: a Topology with a segment, a
 * link and checks of every pair, IPv4 and IPv6.
 */
import assert from "node:assert/strict";
import { copyFileSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import type { Stack } from "@pulumi/pulumi/automation";
import type { PlannedNode } from "../../provider/index.js";
import {
  installPackage,
  makeUserProject,
  packThisCheckout,
  previewChanges,
  repoRoot,
  testStack,
} from "../support/engine.js";
import { machineState, namespaceExists, namespaces, ping, removeNamespace, uniqueName } from "../support/kernel.js";
import { unreachable } from "../support/topology.js";

const previous = "pulumi-netns-0.1.0.tgz";

// Every kind: StarLab makes namespaces, veth pairs, addresses, routes and a sysctl.
const program = `"use strict";
const pulumi = require("@pulumi/pulumi");
const { StarLab } = require("pulumi-netns");
const prefix = new pulumi.Config().require("prefix");
const star = new StarLab("star", {
  prefix,
  hubNetns: prefix + "hub",
  spokes: [
    { name: "left", subnet: "10.6.1.0/24" },
    { name: "right", subnet: "10.6.2.0/24" },
  ],
});
exports.spokes = star.spokes;
`;

/** The resources of our kinds in the state, with what they store of their own (inputs and outputs, owner aside). */
async function ourResources(stack: Stack) {
  const deployment = await stack.exportStack();
  const resources = (deployment.deployment?.resources ?? []) as Array<{
    type: string;
    inputs?: Record<string, unknown>;
    outputs?: Record<string, unknown>;
  }>;
  return resources
    .filter((r) => r.type.startsWith("pulumi-nodejs:dynamic/netns:"))
    .map((r) => ({
      type: r.type,
      provider: String(r.inputs?.__provider ?? ""),
      // `owner` is left out: it holds the resource's name, whose length follows the naming scheme
      // (StarLab's children took a Topology's names, with aliases), not what is stored.
      bytes: JSON.stringify({ inputs: { ...r.inputs, owner: 0 }, outputs: { ...r.outputs, owner: 0 } }).length,
    }));
}

// Where the user's project lies decides how Pulumi stores the forwarder: both ways are tested.
const places = [
  {
    where: "in a folder of its own",
    folder: "netns-upgrade-",
    stored: /^require\("pulumi-netns\/forwarders\/[a-z-]+"\)$/,
  },
  {
    where: "under a path that contains pulumi-netns",
    folder: "pulumi-netns-upgrade-",
    stored: /^require\("pulumi-netns\/dist\/provider\/forwarders\/[a-z-]+\.js"\)$/,
  },
];

// Side by side: each case has a project folder, a prefix and a stack of its own, and looks only at
// those (the case from 0.3.0 below compares the whole machine, and runs alone).
describe("upgrading the package under a running lab", { concurrency: 2 }, () => {
  for (const { where, folder, stored } of places) {
    it(`refreshes, takes the new shapes in place and destroys a stack of the previous release ${where}, storing less`, async () => {
      const dir = mkdtempSync(path.join(tmpdir(), folder));
      const prefix = uniqueName("up").slice(0, 9);
      const made = ["hub", "left", "right"].map((n) => `${prefix}${n}`);
      try {
        copyFileSync(path.join(repoRoot, "test/fixtures/releases", previous), path.join(dir, previous));
        makeUserProject(dir, "upgrade", program, previous);
        const { stack, dispose } = await testStack(dir, { prefix });
        try {
          const up = await stack.up();
          const [left, right] = (up.outputs.spokes?.value ?? []) as Array<{ netns: string; spokeAddress: string }>;
          assert.ok(left && right);
          const before = await ourResources(stack);
          assert.equal(before.length, 12, "2 spokes of 5 resources, the hub and its forwarding");
          for (const r of before) assert.match(requireOf(r.provider), stored);

          installPackage(dir, "upgrade", packThisCheckout(dir));

          const refresh = await stack.refresh();
          assert.deepEqual(
            Object.keys(refresh.summary.resourceChanges ?? {}),
            ["same"],
            "refresh found nothing changed",
          );
          // An `up` takes the new shapes in place: StarLab is a Topology now, whose links took the
          // 0.1 names through aliases, and whose nodes' addresses, routes and forwarding are each one
          // NetnsConfig, taken over from the per-object resources, which go without removing them.
          await upgradeInPlace(stack, made, () => ping(left.netns, right.spokeAddress.split("/")[0] as string));
          const names = ((await stack.exportStack()).deployment?.resources ?? []).map((r: { urn: string }) =>
            r.urn.split("::").pop(),
          );
          assert.ok(names.includes("star-hub-left"), `the veth pair has its new name: ${names.join(", ")}`);
          await stack.destroy();
          for (const ns of made) assert.equal(namespaceExists(ns), false, `destroy removed ${ns}`);

          // The same program, brought up with this checkout's package: stored the same way, smaller.
          await stack.up();
          const after = await ourResources(stack);
          for (const r of after) assert.match(requireOf(r.provider), stored);
          const total = (rs: typeof before) => rs.reduce((sum, r) => sum + r.bytes, 0);
          console.log(
            `state ${where} (inputs and outputs): previous release ${before.length} resources, ${total(before)} B; now ${after.length}, ${total(after)} B`,
          );
          assert.ok(after.length < before.length, "fewer resources");
          assert.ok(total(after) <= total(before), "no larger in all");
          await stack.destroy();
        } finally {
          await dispose();
        }
      } finally {
        for (const ns of made) removeNamespace(ns);
        rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});

/**
 * The upgrade's `up`, and what must hold of it: the preview creates the new resources and deletes
 * the old per-object ones, replacing nothing; the namespaces `netns` are the same ones after it
 * (not made again), the lab carries traffic (`works`), and a refreshed preview then finds nothing
 * to do.
 */
async function upgradeInPlace(stack: Stack, netns: string[], works: () => boolean): Promise<void> {
  const identity = () => netns.map((n) => statSync(`/run/netns/${n}`).ino);
  const kept = identity();
  const changes = await previewChanges(stack);
  assert.ok(changes.length > 0, "the new shapes are created");
  for (const change of changes) assert.match(change, /^(create \S+-(config|checks)|delete \S+)$/, change);
  const up = await stack.up();
  assert.deepEqual(Object.keys(up.summary.resourceChanges ?? {}).sort(), ["create", "delete", "same"]);
  assert.deepEqual(identity(), kept, "the same namespaces: the lab was kept, not made again");
  assert.ok(works(), "the lab carries traffic");
  await stack.preview({ refresh: true, expectNoChanges: true });
}

/** The `require(…)` a serialized forwarder holds. */
function requireOf(provider: string): string {
  return provider.match(/require\("[^"]*"\)/)?.[0] ?? provider;
}

// A lab as 0.3.0 users write it: a router on a bridged segment with two hosts, a third host on a link
// of its own, both families, and a check of every pair.
const topologyProgram = `"use strict";
const pulumi = require("@pulumi/pulumi");
const { Topology } = require("pulumi-netns");
const prefix = new pulumi.Config().require("prefix");
const lab = new Topology("lab", {
  prefix,
  pools: { ipv4: "10.62.0.0/16", ipv6: "fd00:62::/48" },
  nodes: [{ name: "r", router: true }, { name: "a" }, { name: "b" }, { name: "c" }],
  segments: [{ name: "lan", members: ["r", "a", "b"] }],
  links: [{ between: ["r", "c"] }],
  checks: "all-pairs",
});
exports.nodes = lab.nodes;
exports.checks = lab.checks;
`;

describe("upgrading from 0.3.0 under a running Topology", () => {
  it("refreshes clean, takes the new shapes in place with the lab kept, and destroys to the byte", async () => {
    const release = "pulumi-netns-0.3.0.tgz";
    const dir = mkdtempSync(path.join(tmpdir(), "netns-upgrade-030-"));
    const prefix = uniqueName("u3").slice(0, 9);
    const before = machineState();
    try {
      copyFileSync(path.join(repoRoot, "test/fixtures/releases", release), path.join(dir, release));
      makeUserProject(dir, "upgrade", topologyProgram, release);
      const { stack, dispose } = await testStack(dir, { prefix });
      try {
        const up = await stack.up();
        const checks = up.outputs.checks?.value as unknown[];
        assert.equal(checks.length, 24, "every ordered pair of four nodes, on both families");
        const made = await ourResources(stack);

        installPackage(dir, "upgrade", packThisCheckout(dir));

        const refresh = await stack.refresh();
        assert.deepEqual(Object.keys(refresh.summary.resourceChanges ?? {}), ["same"], "refresh found nothing changed");
        const nodes = up.outputs.nodes?.value as Record<string, PlannedNode>;
        const namespacesOf = namespaces().filter((n) => n.startsWith(prefix));
        await upgradeInPlace(stack, namespacesOf, () => unreachable(nodes).length === 0);
        const now = await ourResources(stack);
        console.log(`0.3.0 Topology upgraded: ${made.length} resources became ${now.length}`);
        assert.ok(now.length < made.length / 2, `a few resources per node: ${now.length}`);
        assert.deepEqual(unreachable(nodes), [], "every node still reaches every other");
        await stack.destroy();
        assert.deepEqual(machineState(), before, "the machine is exactly as it was before up");
      } finally {
        await dispose();
      }
    } finally {
      for (const ns of namespaces().filter((n) => n.startsWith(prefix))) removeNamespace(ns);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
