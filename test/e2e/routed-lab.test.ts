/**
 * The origin lab through the real engine, with the host role in a namespace of the test's own:
 * up, pings across it, a clean preview, destroy, and the machine exactly as before.
 */
import assert from "node:assert/strict";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { repoRoot, testStack } from "../support/engine.js";
import { IP_FORWARD, ip, machineState, ping, removeNamespace, uniqueName } from "../support/kernel.js";

const project = path.join(repoRoot, "examples/routed-lab");

describe("the routed lab through the engine", () => {
  it("routes ns0 and ns1 through the host, previews clean, and leaves the machine as it was", async () => {
    const prefix = uniqueName("rl").slice(0, 9);
    const hostNetns = `${prefix}host`;
    const [ns0, ns1] = [`${prefix}ns0`, `${prefix}ns1`];
    const before = machineState();
    const { stack, dispose } = await testStack(project, { prefix, hostNetns });
    try {
      const up = await stack.up();
      assert.equal(up.summary.result, "succeeded");
      assert.deepEqual(up.outputs.namespaces?.value, { host: hostNetns, ns0, ns1 });

      assertRouted(hostNetns, ns0, ns1);

      const preview = await stack.preview({ refresh: true, expectNoChanges: true });
      assert.deepEqual(Object.keys(preview.changeSummary), ["same"]);

      await stack.destroy();
      assert.deepEqual(machineState(), before, "the machine is exactly as it was before up");
    } finally {
      await dispose();
      for (const ns of [ns0, ns1, hostNetns]) removeNamespace(ns);
    }
  });

  // The default users get: the host role is the machine's root namespace. This is the one test
  // that changes it, and it puts everything back even when it fails.
  it("does the same with the host role in the root namespace, and restores the root namespace", async () => {
    const prefix = uniqueName("rr").slice(0, 9);
    const [ns0, ns1] = [`${prefix}ns0`, `${prefix}ns1`];
    const hostLinks = [`${prefix}veth11`, `${prefix}veth21`];
    const before = machineState();
    const taken = JSON.stringify(before.routes).match(/"10\.1\.(10|20)\.[0-9./]+"/);
    assert.equal(taken, null, "10.1.10.0/24 and 10.1.20.0/24 must be unused in the root namespace for this test");
    const { stack, dispose } = await testStack(project, { prefix });
    try {
      await stack.up();
      assert.equal(readFileSync(IP_FORWARD, "utf8").trim(), "1", "forwarding is on in the root namespace");
      assertRouted(undefined, ns0, ns1);

      const preview = await stack.preview({ refresh: true, expectNoChanges: true });
      assert.deepEqual(Object.keys(preview.changeSummary), ["same"]);

      await stack.destroy();
      assert.deepEqual(machineState(), before, "the root namespace is exactly as it was before up");
    } finally {
      try {
        await dispose();
      } finally {
        // Whatever happened above: no link, namespace or forwarding change of ours stays behind.
        for (const device of hostLinks) {
          if (JSON.stringify(machineState().links).includes(`"${device}"`)) ip("link", "delete", "dev", device);
        }
        for (const ns of [ns0, ns1]) removeNamespace(ns);
        writeFileSync(IP_FORWARD, before.ipForward);
      }
    }
  });
});

/** The host reaches both namespaces, and each reaches the other through the host (undefined: the root namespace). */
function assertRouted(host: string | undefined, ns0: string, ns1: string): void {
  assert.ok(ping(host, "10.1.10.2"), "host -> ns0");
  assert.ok(ping(host, "10.1.20.2"), "host -> ns1");
  assert.ok(ping(ns0, "10.1.20.2"), "ns0 -> ns1 through the host");
  assert.ok(ping(ns1, "10.1.10.2"), "ns1 -> ns0 through the host");
}
