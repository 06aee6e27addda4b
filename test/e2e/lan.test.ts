/**
 * The bridged LAN (examples/lan, a Topology) through the real engine: every node reaches every
 * other on IPv4 and IPv6, across a bridge and through the router; a clean preview; a port taken
 * off its bridge by hand and a bridge's option changed by hand show as drift and `up` repairs
 * them; destroy leaves the machine exactly as it was. Every namespace is the test's own.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { describe, it } from "node:test";
import type { PlannedNode } from "../../src/index.js";
import { previewChanges, repoRoot, testStack } from "../support/engine.js";
import { ip, machineState, namespaces, ping, removeNamespace, uniqueName } from "../support/kernel.js";
import { familiesPinged, unreachable } from "../support/topology.js";

const project = path.join(repoRoot, "examples/lan");

describe("the bridged LAN through the engine", () => {
  it("joins every node to every other, shows drift of ports and bridges, repairs it, and leaves nothing", async () => {
    const prefix = uniqueName("ln");
    const before = machineState();
    const { stack, dispose } = await testStack(project, { prefix });
    try {
      const up = await stack.up();
      const nodes = up.outputs.nodes?.value as Record<string, PlannedNode>;
      assert.deepEqual(familiesPinged(nodes), { ipv4: 5, ipv6: 5 });
      assert.deepEqual(nodes.h2?.interfaces, [
        { name: "sw1", network: "sw1", addresses: ["10.20.1.12/24", "fd00:20:1::c/64"] },
      ]);
      assert.deepEqual(unreachable(nodes), [], "every node reaches every other");
      const preview = await stack.preview({ refresh: true, expectNoChanges: true });
      assert.deepEqual(Object.keys(preview.changeSummary), ["same"]);

      ip("-n", `${prefix}sw1`, "link", "set", "dev", "h2", "nomaster");
      assert.ok(!ping(`${prefix}h1`, "10.20.1.12"), "h2 is cut off once its port left the bridge");
      ip("-n", `${prefix}sw1`, "link", "set", "dev", "sw1", "type", "bridge", "forward_delay", "100");
      assert.deepEqual(await previewChanges(stack), ["update lan-sw1-bridge", "update lan-sw1-h2"]);

      await stack.up({ refresh: true });
      assert.deepEqual(unreachable(nodes), [], "the repaired LAN works again");
      await stack.preview({ refresh: true, expectNoChanges: true });

      await stack.destroy();
      assert.deepEqual(machineState(), before, "the machine is exactly as it was before up");
    } finally {
      await dispose();
      for (const ns of namespaces().filter((n) => n.startsWith(prefix))) removeNamespace(ns);
    }
  });
});
