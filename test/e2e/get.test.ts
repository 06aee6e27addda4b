/**
 * `.get()` from TypeScript through the real engine: a namespace and a veth pair made by hand are
 * read into a stack by their ids, with the same read `pulumi import` uses, but taken by nobody: no
 * mark goes on them, and destroy leaves them as they were.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { describe, it } from "node:test";
import { repoRoot, testStack } from "../support/engine.js";
import { ip, machineState, removeNamespace, uniqueName } from "../support/kernel.js";

const project = path.join(repoRoot, "test/e2e/programs/look-up");

describe(".get() from TypeScript", () => {
  it("reads a namespace and a veth pair made by hand, marks neither, and destroy leaves both", async () => {
    const netns = uniqueName("lk");
    const [end, peer] = [`${netns.slice(0, 10)}a`, `${netns.slice(0, 10)}b`];
    const before = machineState();
    ip("netns", "add", netns);
    ip("-n", netns, "link", "add", end, "type", "veth", "peer", "name", peer);
    try {
      const made = machineState();
      const { stack, dispose } = await testStack(project, { netns, end: `${netns}/${end}` });
      try {
        const up = await stack.up();
        assert.equal(up.outputs.loopbackUp?.value, false, "lo of a new namespace is down");
        assert.deepEqual(up.outputs.ends?.value, [end, netns, peer, netns]);
        await stack.destroy();
      } finally {
        await dispose();
      }
      assert.deepEqual(machineState(), made, "no mark was put on them, and destroy left them");
      const alias = JSON.parse(ip("-n", netns, "-json", "link", "show", "dev", end))[0]?.ifalias;
      assert.equal(alias, undefined);
    } finally {
      removeNamespace(netns);
    }
    assert.deepEqual(machineState(), before);
  });
});
