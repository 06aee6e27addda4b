/**
 * NetNamespace through the real engine: up, a clean preview, out-of-band deletion seen by refresh,
 * up again, destroy.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { describe, it } from "node:test";
import { repoRoot, resourceTypesInState, testStack } from "../support/engine.js";
import { ip, loopbackUp, namespaceExists, removeNamespace, uniqueName } from "../support/kernel.js";

const project = path.join(repoRoot, "examples/namespace");
const type = "pulumi-nodejs:dynamic/netns:NetNamespace";

// Side by side: each case has a namespace of its own and looks at nothing else.
describe("the namespace example through the engine", { concurrency: 2 }, () => {
  it("is created, previews clean, is refreshed away when deleted, comes back, and is destroyed", async () => {
    const name = uniqueName();
    const { stack, dispose } = await testStack(project, { name });
    try {
      const up = await stack.up();
      assert.equal(up.summary.result, "succeeded");
      assert.equal(up.outputs.netns?.value, name);
      assert.ok(namespaceExists(name), "the namespace exists after up");
      assert.ok(loopbackUp(name), "and its lo is up");

      const preview = await stack.preview({ refresh: true, expectNoChanges: true });
      assert.deepEqual(Object.keys(preview.changeSummary).sort(), ["same"]);

      removeNamespace(name);
      await stack.refresh();
      assert.deepEqual(await resourceTypesInState(stack), [], "refresh dropped the vanished namespace");

      const again = await stack.up();
      assert.equal(again.summary.resourceChanges?.create, 1);
      assert.ok(namespaceExists(name), "up brought it back");
      assert.deepEqual(await resourceTypesInState(stack), [type]);

      await stack.destroy();
      assert.equal(namespaceExists(name), false, "destroy removed it");
      assert.deepEqual(await resourceTypesInState(stack), []);
    } finally {
      await dispose();
      removeNamespace(name);
    }
  });

  it("updates loopbackUp in place, without replacing the namespace", async () => {
    const name = uniqueName();
    const { stack, dispose } = await testStack(project, { name });
    try {
      await stack.up();
      ip("-n", name, "link", "set", "dev", "lo", "down");
      const drift = await stack.preview({ refresh: true });
      assert.equal(drift.changeSummary.update, 1, "preview shows lo brought down by hand");
      const repaired = await stack.up({ refresh: true });
      assert.equal(repaired.summary.resourceChanges?.update, 1);
      assert.ok(loopbackUp(name), "up brought lo back up");
    } finally {
      await dispose();
      removeNamespace(name);
    }
  });
});
