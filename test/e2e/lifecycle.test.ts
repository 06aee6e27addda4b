/**
 * Every resource kind through the real engine: what changes in place is updated (the kernel object
 * stays the same), what identifies an object replaces it, and destroy leaves nothing.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { describe, it } from "node:test";
import type { Stack } from "@pulumi/pulumi/automation";
import { repoRoot, testStack } from "../support/engine.js";
import { addresses, link, namespaces, removeNamespace, routes, sysctl, uniqueName } from "../support/kernel.js";

const project = path.join(repoRoot, "test/e2e/programs/lifecycle");

/** Sets config, runs up, and returns what the engine did, by operation. */
async function upWith(stack: Stack, config: Record<string, string>) {
  for (const [key, value] of Object.entries(config)) await stack.setConfig(key, { value });
  const result = await stack.up();
  const { same: _same, ...changes } = result.summary.resourceChanges ?? {};
  return { changes, outputs: result.outputs };
}

describe("every resource kind through the engine", () => {
  it("updates in place and replaces as the diff says, then destroys everything", async () => {
    const prefix = uniqueName("pl");
    const [a, b] = [`${prefix}a`, `${prefix}b`];
    const { stack, dispose } = await testStack(project, { prefix });
    try {
      const first = await upWith(stack, {});
      assert.deepEqual(first.changes, { create: 8 }, "seven resources and the stack");
      assert.equal(sysctl(a, "net.ipv4.ip_forward"), "1");
      assert.equal(routes(a, "10.9.9.0/24")[0]?.gateway, "10.9.0.2");
      const ifindex = first.outputs.ifindex?.value;
      assert.equal(ifindex, link(a, "va")?.ifindex);

      // In place: the pair's MTU, the route's gateway, the sysctl's value.
      const inPlace = await upWith(stack, { mtu: "1400", via: "10.9.0.3", forward: "0" });
      assert.deepEqual(inPlace.changes, { update: 3 });
      assert.equal(link(a, "va")?.mtu, 1400);
      assert.equal(link(b, "vb")?.mtu, 1400);
      assert.equal(link(a, "va")?.ifindex, ifindex, "the same device, not a new one");
      assert.equal(routes(a, "10.9.9.0/24")[0]?.gateway, "10.9.0.3");
      assert.equal(sysctl(a, "net.ipv4.ip_forward"), "0");

      // Replaced: an address, and the pair under a new name (its address follows it).
      const replaced = await upWith(stack, { addressA: "10.9.0.11/24" });
      assert.deepEqual(replaced.changes, { replace: 1 });
      assert.deepEqual(addresses(a, "va"), ["10.9.0.11/24"]);
      const renamed = await upWith(stack, { name: "vc" });
      // The pair and the addresses on both ends are replaced; the route through it moves to the new
      // device in place (`ip route replace` also puts back the route the kernel dropped with the old one).
      assert.deepEqual(renamed.changes, { replace: 3, update: 1 });
      assert.equal(link(a, "va"), undefined, "the old pair is gone");
      assert.deepEqual(addresses(a, "vc"), ["10.9.0.11/24"]);
      assert.equal(routes(a, "10.9.9.0/24")[0]?.dev, "vc");

      const preview = await stack.preview({ refresh: true, expectNoChanges: true });
      assert.deepEqual(Object.keys(preview.changeSummary), ["same"]);

      // Last, because the kernel drops the routes through a link that goes down.
      const down = await upWith(stack, { up: "false" });
      assert.deepEqual(down.changes, { update: 1 });
      assert.equal(link(a, "vc")?.flags.includes("UP"), false);
      assert.equal(link(b, "vb")?.flags.includes("UP"), false);

      await stack.destroy();
      assert.equal(
        namespaces().some((n) => n.startsWith(prefix)),
        false,
        "nothing left behind",
      );
    } finally {
      await dispose();
      removeNamespace(a);
      removeNamespace(b);
    }
  });
});
