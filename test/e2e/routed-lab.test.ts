/**
 * The origin lab through the real engine, with the host role in a namespace of the test's own:
 * up, pings across it, a clean preview, destroy, and the machine exactly as before.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { repoRoot, testStack } from "../support/engine.js";
import { ip, namespaces, removeNamespace, uniqueName } from "../support/kernel.js";

const project = path.join(repoRoot, "examples/routed-lab");

/** Pings once from inside `netns`; true when the answer came back. */
function ping(netns: string, address: string): boolean {
  try {
    execFileSync("ip", ["netns", "exec", netns, "ping", "-c", "1", "-W", "2", address], { stdio: "pipe" });
    return true;
  } catch {
    return false;
  }
}

/** What a person would compare: the root namespace's links, addresses and routes, forwarding, namespaces. */
function machineState() {
  return {
    links: ip("-json", "link", "show"),
    addresses: ip("-json", "address", "show"),
    routes: ip("-json", "route", "show", "table", "all"),
    ipForward: readFileSync("/proc/sys/net/ipv4/ip_forward", "utf8"),
    namespaces: namespaces().sort(),
  };
}

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

      assert.ok(ping(hostNetns, "10.1.10.2"), "host -> ns0");
      assert.ok(ping(hostNetns, "10.1.20.2"), "host -> ns1");
      assert.ok(ping(ns0, "10.1.20.2"), "ns0 -> ns1 through the host");
      assert.ok(ping(ns1, "10.1.10.2"), "ns1 -> ns0 through the host");

      const preview = await stack.preview({ refresh: true, expectNoChanges: true });
      assert.deepEqual(Object.keys(preview.changeSummary), ["same"]);

      await stack.destroy();
      assert.deepEqual(machineState(), before, "the machine is exactly as it was before up");
    } finally {
      await dispose();
      for (const ns of [ns0, ns1, hostNetns]) removeNamespace(ns);
    }
  });
});
