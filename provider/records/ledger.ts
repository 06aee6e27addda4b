/**
 * What each stack made, kept on the machine itself: a record per object, in the journal under
 * `made/<project>/<stack>/`, written just before the object is created and removed once it is
 * deleted. The state can lose an object: a run killed before its state was saved (always so with
 * PULUMI_SKIP_CHECKPOINTS, and for the creates in flight otherwise), after which the program may
 * no longer declare it. The ledger cannot: the sweep (sweep.ts) deletes every object it records
 * that the stack's state does not hold.
 *
 * A record holds the object's kind, its id and the inputs it was created with: what its provider's
 * `delete` needs. Objects of resources without an owner (no stack to name them) are not recorded.
 */

import type { Machine } from "../machine/machine.js";
import type { Kind } from "../registry.js";
import { JOURNAL_ROOT } from "./journal.js";
import { stackOf } from "./ownership.js";

/** One object a stack made. */
export interface Made {
  kind: Kind;
  id: string;
  /** The checked inputs it was created with, `owner` among them. */
  inputs: Record<string, unknown>;
}

/** The folder of a stack's records; `stack` is `PROJECT/STACK`, as owners begin. */
function folderOf(stack: string): string {
  return `${JOURNAL_ROOT}/made/${encodeURIComponent(stack)}`;
}

/**
 * Where the record of `kind`'s object `id` made by `owner` lies; undefined without an owner. Its
 * name is a hash: owners and ids can be longer together than a file name may be.
 */
async function recordOf(kind: Kind, id: string, owner: unknown): Promise<string | undefined> {
  if (typeof owner !== "string" || !owner.includes(":")) return undefined;
  return `${folderOf(stackOf(owner))}/${await recordName(kind, owner, id)}.json`;
}

/** The name of an object's record (here, and in roster.ts): a hash of its kind, owner and id. */
export async function recordName(kind: Kind, owner: string, id: string): Promise<string> {
  const { createHash } = await import("node:crypto");
  return createHash("sha256").update(`${kind}\0${owner}\0${id}`).digest("hex");
}

/** Records that `kind`'s object `id` is about to be made, with the inputs it is made from. */
export async function noteMade(machine: Machine, made: Made): Promise<void> {
  const record = await recordOf(made.kind, made.id, made.inputs.owner);
  if (record !== undefined) await machine.writeFile(record, JSON.stringify(made), { create: true });
}

/** Forgets `kind`'s object `id`: it was deleted, or its create failed and undid itself. */
export async function forgetMade(
  machine: Machine,
  kind: Kind,
  id: string,
  inputs: Record<string, unknown>,
): Promise<void> {
  const record = await recordOf(kind, id, inputs.owner);
  if (record !== undefined) await machine.removeFile(record, JOURNAL_ROOT);
}

/**
 * Every object the stack `PROJECT/STACK` made and has not deleted. A record a kill left unwritten
 * is removed instead: it was to be written before its object was made, so there is none.
 */
export async function madeBy(machine: Machine, stack: string): Promise<Made[]> {
  const folder = folderOf(stack);
  const made: Made[] = [];
  for (const file of await machine.listFiles(folder)) {
    const record = `${folder}/${file}`;
    const text = await machine.readFile(record);
    try {
      made.push(JSON.parse(text) as Made);
    } catch {
      await machine.removeFile(record, JOURNAL_ROOT);
    }
  }
  return made;
}
