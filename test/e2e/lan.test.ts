/**
 * The bridged LAN (examples/lan) through the real engine: every host reaches every other, across a
 * bridge and through the router; a clean preview; a port taken off its bridge by hand and a
 * bridge's option changed by hand show as drift and `up` repairs them; destroy leaves the machine
 * exactly as it was. Every namespace is the test's own.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { describe, it } from "node:test";
import { previewChanges, repoRoot, testStack } from "../support/engine.js";
import { ip, machineState, namespaces, ping, removeNamespace, uniqueName } from "../support/kernel.js";

const project = path.join(repoRoot, "examples/lan");
const addresses = { h1: "10.20.1.11", h2: "10.20.1.12", h3: "10.20.1.13", h4: "10.20.2.14" };

/** The pairs of hosts that cannot reach each other; none when the LAN works. */
function unreachable(prefix: string): string[] {
  const hosts = Object.entries(addresses);
  return hosts.flatMap(([from]) =>
    hosts
      .filter(([to]) => to !== from && !ping(`${prefix}${from}`, addresses[to as keyof typeof addresses]))
      .map(([to]) => `${from} -> ${to}`),
  );
}

describe("the bridged LAN through the engine", () => {
  it("joins every host to every other, shows drift of ports and bridges, repairs it, and leaves nothing", async () => {
    const prefix = uniqueName("ln").slice(0, 9);
    const before = machineState();
    const { stack, dispose } = await testStack(project, { prefix });
    try {
      await stack.up();
      assert.deepEqual(unreachable(prefix), [], "every host reaches every other");
      const preview = await stack.preview({ refresh: true, expectNoChanges: true });
      assert.deepEqual(Object.keys(preview.changeSummary), ["same"]);

      ip("-n", `${prefix}sw1`, "link", "set", "dev", "h2", "nomaster");
      assert.ok(!ping(`${prefix}h1`, addresses.h2), "h2 is cut off once its port left the bridge");
      ip("-n", `${prefix}sw1`, "link", "set", "dev", "br0", "type", "bridge", "forward_delay", "100");
      assert.deepEqual(await previewChanges(stack), ["update h2-sw1", "update sw1-bridge"]);

      await stack.up({ refresh: true });
      assert.deepEqual(unreachable(prefix), [], "the repaired LAN works again");
      await stack.preview({ refresh: true, expectNoChanges: true });

      await stack.destroy();
      assert.deepEqual(machineState(), before, "the machine is exactly as it was before up");
    } finally {
      await dispose();
      for (const ns of namespaces().filter((n) => n.startsWith(prefix))) removeNamespace(ns);
    }
  });
});
