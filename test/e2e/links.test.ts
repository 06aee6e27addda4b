/**
 * Bridge, Vxlan and MacVlan through the real engine (test/e2e/programs/links): traffic through the
 * tunnel and the macvlan, a clean preview, drift of each shown and repaired, updates in place that
 * keep the kernel's object, replacements, and a destroy that leaves the machine as it was.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { describe, it } from "node:test";
import type { Stack } from "@pulumi/pulumi/automation";
import { previewChanges, repoRoot } from "../support/engine.js";
import { ip, link, ping, uniqueName } from "../support/kernel.js";
import { withLab } from "../support/lab.js";

const project = path.join(repoRoot, "test/e2e/programs/links");

/** Sets config, runs a refreshing up, and returns what the engine did, by operation. */
async function upWith(stack: Stack, config: Record<string, string>) {
  for (const [key, value] of Object.entries(config)) await stack.setConfig(key, { value });
  const result = await stack.up({ refresh: true });
  const { same: _same, ...changes } = result.summary.resourceChanges ?? {};
  return changes;
}

describe("bridges, VXLAN tunnels and macvlans through the engine", () => {
  it("carry traffic, show drift, update in place, replace, and leave nothing", async () => {
    const prefix = uniqueName("lk").slice(0, 9);
    const [hostA, innerA, innerB] = [`${prefix}hostA`, `${prefix}innerA`, `${prefix}innerB`];
    const works = () => {
      assert.ok(ping(innerA, "10.77.0.2"), "innerA reaches innerB through the tunnel");
      assert.ok(ping(innerB, "192.168.77.1"), "innerB's macvlan reaches hostA over the underlay");
    };
    await withLab(project, { prefix }, prefix, async (stack) => {
      assert.deepEqual(await upWith(stack, {}), { create: 16 }, "fifteen resources and the stack");
      works();
      await stack.preview({ refresh: true, expectNoChanges: true });

      // Drift, one of each kind, then repaired.
      ip("-n", hostA, "link", "set", "dev", "m0", "nomaster");
      ip("-n", hostA, "link", "set", "dev", "br0", "type", "bridge", "forward_delay", "300");
      ip("-n", innerA, "link", "set", "dev", "vx0", "type", "vxlan", "nolearning");
      ip("-n", innerB, "link", "set", "dev", "mv0", "down");
      assert.deepEqual(await previewChanges(stack), ["update bridge", "update macvlan", "update port", "update vx-a"]);
      await stack.up({ refresh: true });
      await stack.preview({ refresh: true, expectNoChanges: true });
      works();

      // In place: the kernel's objects stay the same.
      const ifindexes = () => [link(hostA, "br0")?.ifindex, link(innerA, "vx0")?.ifindex, link(innerB, "mv0")?.ifindex];
      const kept = ifindexes();
      const inPlace = await upWith(stack, { stp: "true", forwardDelay: "400", learning: "false", mtu: "1400" });
      assert.deepEqual(inPlace, { update: 3 });
      assert.deepEqual(ifindexes(), kept, "the same devices, not new ones");
      assert.equal(link(innerB, "mv0")?.mtu, 1400);
      works();

      // Replaced: the bridge under a new name (its port follows it, in place), both tunnel ends with
      // a new VNI and the macvlan in a new mode, each with the address it carries (the engine
      // replaces what names a link deleted before it is made again).
      assert.deepEqual(await upWith(stack, { bridge: "br1", vni: "43", mode: "private" }), { replace: 7, update: 1 });
      assert.equal(link(hostA, "br0"), undefined);
      assert.equal(JSON.parse(ip("-n", hostA, "-json", "link", "show", "dev", "m0"))[0]?.master, "br1");
      assert.equal(
        JSON.parse(ip("-n", innerA, "-details", "-json", "link", "show", "dev", "vx0"))[0]?.linkinfo?.info_data?.id,
        43,
      );
      works();
    });
  });
});
