/**
 * Which resources of each stack live on which other host, kept on this machine (the one that runs
 * `pulumi`): a record per resource under `hosts/<project>/<stack>/<host>/` in this machine's
 * journal, written once the resource is made there and removed once it is deleted or found gone.
 * When a host cannot be reached, its own ledger cannot be read; this is how the failure can still
 * name the resources that live there and were not touched.
 *
 * It only informs a message, so it never fails an operation: a journal this machine's user cannot
 * write (a lab run as a user, on hosts alone) just leaves it empty, as do labs made before it.
 */

import { type Host, hostKey } from "../commands/host.js";
import type { Machine } from "../machine/machine.js";
import type { Kind } from "../registry.js";
import { JOURNAL_ROOT } from "./journal.js";
import { stackOf } from "./ownership.js";

interface Entry {
  kind: Kind;
  /** The resource's name in its stack. */
  name: string;
}

async function hash(text: string): Promise<string> {
  const { createHash } = await import("node:crypto");
  return createHash("sha256").update(text).digest("hex");
}

async function folderOf(stack: string, host: Host): Promise<string> {
  return `${JOURNAL_ROOT}/hosts/${encodeURIComponent(stack)}/${(await hash(hostKey(host))).slice(0, 32)}`;
}

/** The record of `kind`'s object `id` made by `owner` on `host`; undefined without an owner. */
async function recordOf(host: Host, kind: Kind, id: string, owner: unknown): Promise<string | undefined> {
  if (typeof owner !== "string" || !owner.includes(":")) return undefined;
  return `${await folderOf(stackOf(owner), host)}/${await hash(`${kind}\0${owner}\0${id}`)}.json`;
}

/** Notes that `owner`'s resource of `kind` (object `id`) now lives on `host`. */
export async function noteOnHost(machine: Machine, host: Host, kind: Kind, id: string, owner: unknown): Promise<void> {
  const record = await recordOf(host, kind, id, owner);
  if (record === undefined) return;
  const entry: Entry = { kind, name: (owner as string).slice((owner as string).indexOf(":") + 1) };
  await machine.writeFile(record, JSON.stringify(entry), { create: true }).catch(() => {});
}

/** Forgets it: deleted, or found gone. */
export async function forgetOnHost(
  machine: Machine,
  host: Host,
  kind: Kind,
  id: string,
  owner: unknown,
): Promise<void> {
  const record = await recordOf(host, kind, id, owner);
  if (record !== undefined) await machine.removeFile(record, JOURNAL_ROOT).catch(() => {});
}

/** The resources of `owner`'s stack on `host`, as `Kind name`, sorted; none when nothing was noted. */
export async function livingOn(machine: Machine, host: Host, owner: unknown): Promise<string[]> {
  if (typeof owner !== "string" || !owner.includes(":")) return [];
  const folder = await folderOf(stackOf(owner), host);
  const found: string[] = [];
  for (const file of await machine.listFiles(folder).catch(() => [])) {
    try {
      const { kind, name } = JSON.parse(await machine.readFile(`${folder}/${file}`)) as Entry;
      found.push(`${kind} ${name}`);
    } catch {
      // removed meanwhile, or half written by a killed run: it only informs a message
    }
  }
  return found.sort();
}
