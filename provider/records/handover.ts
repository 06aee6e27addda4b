/**
 * Objects one resource of a stack hands to another. 0.3.0's Topology made an IpAddress, a Route or
 * a Sysctl per object; this release makes one NetnsConfig per node, holding them all. On the
 * upgrade the engine creates the NetnsConfig first, which finds the objects there and adopts them
 * (they carry the stack's mark), and deletes the old resources after, as the program no longer
 * declares them. Their delete must let go of the object, not remove it: the NetnsConfig leaves a
 * note here for each object it took over, and the old resource's delete (kinds/index.ts) takes
 * the note and leaves the object alone.
 *
 * A note is keyed as the old resource's ledger record is, by its kind and id, under its stack.
 */

import { undefinedIfNotFound } from "../errors.js";
import type { Machine } from "../machine/machine.js";
import type { Kind } from "../registry.js";
import { JOURNAL_ROOT } from "./journal.js";
import { stackOf } from "./ownership.js";

/** One object as the resource it was made by knows it. */
export interface Held {
  kind: Kind;
  id: string;
}

function folderOf(owner: string): string {
  return `${JOURNAL_ROOT}/handed-over/${encodeURIComponent(stackOf(owner))}`;
}

async function noteOf(held: Held, owner: string): Promise<string> {
  const { createHash } = await import("node:crypto");
  return `${folderOf(owner)}/${createHash("sha256").update(`${held.kind}\0${held.id}`).digest("hex")}`;
}

/** Notes that `owner` took `held` over from another resource of its stack. */
export async function handOver(machine: Machine, held: Held, owner: string | undefined): Promise<void> {
  if (owner === undefined) return;
  await machine.writeFile(await noteOf(held, owner), owner, { create: true });
}

/** True when `held`, a resource of `owner`'s stack, was taken over; the note goes. */
export async function takeHandedOver(machine: Machine, held: Held, owner: unknown): Promise<boolean> {
  if (typeof owner !== "string" || !owner.includes(":")) return false;
  const note = await noteOf(held, owner);
  if ((await undefinedIfNotFound(() => machine.readFile(note))) === undefined) return false;
  await machine.removeFile(note, JOURNAL_ROOT);
  return true;
}

/**
 * Removes the notes of `objects` that nobody took: left by a create that adopted what a run of
 * its own had made, not another resource. One listing when there are none.
 */
export async function dropHandOvers(machine: Machine, objects: Held[], owner: string | undefined): Promise<void> {
  if (owner === undefined || objects.length === 0) return;
  const folder = folderOf(owner);
  const there = new Set(await machine.listFiles(folder));
  if (there.size === 0) return;
  for (const held of objects) {
    const note = await noteOf(held, owner);
    if (there.has(note.slice(folder.length + 1))) await machine.removeFile(note, JOURNAL_ROOT);
  }
}
