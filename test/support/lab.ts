/**
 * What every e2e test of a lab shares: the machine's state taken before `up`, a stack of the
 * project, and at the end a refreshing preview that finds nothing to change, `destroy`, and the
 * machine compared with what it was, byte for byte. Whatever happens, the stack is disposed of and
 * every namespace whose name starts with the test's prefix is removed.
 */
import assert from "node:assert/strict";
import type { Stack, UpResult } from "@pulumi/pulumi/automation";
import { testStack } from "./engine.js";
import { machineState, namespaces, ping, removeNamespace } from "./kernel.js";

/** Runs `body` on a new stack of `project`, then checks that the lab previews clean and leaves nothing. */
export async function withLab(
  project: string,
  config: Record<string, string>,
  prefix: string,
  body: (stack: Stack) => Promise<void>,
): Promise<void> {
  const before = machineState();
  const { stack, dispose } = await testStack(project, config);
  try {
    await body(stack);
    await leaveAsFound(stack, before);
  } finally {
    await dispose();
    for (const ns of namespaces().filter((n) => n.startsWith(prefix))) removeNamespace(ns);
  }
}

/**
 * What a user checks of the routed lab written with a host namespace (`<prefix>host`), in YAML or
 * Go: its namespaces output, every ping across it, and each of its 14 resources made (and the stack).
 */
export function assertRoutedLab(up: UpResult, prefix: string): void {
  assert.equal(up.summary.result, "succeeded");
  const host = `${prefix}host`;
  assert.deepEqual(up.outputs.namespaces?.value, { host, ns0: `${prefix}ns0`, ns1: `${prefix}ns1` });
  assert.ok(ping(`${prefix}ns0`, "10.1.20.2"), "ns0 -> ns1 through the host");
  assert.ok(ping(`${prefix}ns1`, "10.1.10.2"), "ns1 -> ns0 through the host");
  assert.ok(ping(host, "10.1.10.2") && ping(host, "10.1.20.2"), "the host reaches both");
  assert.equal(up.summary.resourceChanges?.create, 15, "every resource of the program is made, and the stack");
}

/** The common end of a lab test: a clean refreshing preview, `destroy`, and the machine as it was `before`. */
export async function leaveAsFound(stack: Stack, before: ReturnType<typeof machineState>): Promise<void> {
  await stack.preview({ refresh: true, expectNoChanges: true });
  await stack.destroy();
  assert.deepEqual(machineState(), before, "the machine is exactly as it was before up");
}
