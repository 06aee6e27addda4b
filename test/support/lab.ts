/**
 * What every e2e test of a lab shares: the machine's state taken before `up`, a stack of the
 * project, and at the end a refreshing preview that finds nothing to change, `destroy`, and the
 * machine compared with what it was, byte for byte. Whatever happens, the stack is disposed of and
 * every namespace whose name starts with the test's prefix is removed.
 */
import assert from "node:assert/strict";
import type { Stack } from "@pulumi/pulumi/automation";
import { testStack } from "./engine.js";
import { machineState, namespaces, removeNamespace } from "./kernel.js";

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

/** The common end of a lab test: a clean refreshing preview, `destroy`, and the machine as it was `before`. */
export async function leaveAsFound(stack: Stack, before: ReturnType<typeof machineState>): Promise<void> {
  await stack.preview({ refresh: true, expectNoChanges: true });
  await stack.destroy();
  assert.deepEqual(machineState(), before, "the machine is exactly as it was before up");
}
