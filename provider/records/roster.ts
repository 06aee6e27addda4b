/**
 * Which resources of each stack live on which other host, kept on this machine (the one that runs
 * `pulumi`): a record per resource under `hosts/<project>/<stack>/<host>/` in this machine's
 * journal, written just before the resource is made there (as the host's own ledger is) and
 * removed once it is deleted, found gone, or swept. Two things need it when a host's own ledger
 * cannot tell:
 *
 * - a host that cannot be reached: its failure names the resources that live there, untouched;
 * - the sweep after a killed run (cli/sweep.ts): it reaches every host the stack made something
 *   on, also one the state never learnt of (a first `up` killed with PULUMI_SKIP_CHECKPOINTS).
 *   So each record holds the host as the resource gave it (its parts: paths, never a key).
 *
 * It never fails an operation: a journal this machine's user cannot write (a lab run as a user,
 * on hosts alone) just leaves it empty, as do labs made before it.
 */

import { type Host, hostKey } from "../commands/host.js";
import type { Machine } from "../machine/machine.js";
import type { Kind } from "../registry.js";
import { JOURNAL_ROOT } from "./journal.js";
import { recordName } from "./ledger.js";
import { stackOf } from "./ownership.js";

interface Entry {
  kind: Kind;
  id: string;
  /** The resource's name in its stack. */
  name: string;
  host: Host;
}

function stackFolder(stack: string): string {
  return `${JOURNAL_ROOT}/hosts/${encodeURIComponent(stack)}`;
}

async function folderOf(stack: string, host: Host): Promise<string> {
  const { createHash } = await import("node:crypto");
  return `${stackFolder(stack)}/${createHash("sha256").update(hostKey(host)).digest("hex").slice(0, 32)}`;
}

/** The record of `kind`'s object `id` made by `owner` on `host`; undefined without an owner. */
async function recordOf(host: Host, kind: Kind, id: string, owner: unknown): Promise<string | undefined> {
  if (typeof owner !== "string" || !owner.includes(":")) return undefined;
  return `${await folderOf(stackOf(owner), host)}/${await recordName(kind, owner, id)}.json`;
}

/** Notes that `owner`'s resource of `kind` (object `id`) is made, or about to be, on `host`. */
export async function noteOnHost(machine: Machine, host: Host, kind: Kind, id: string, owner: unknown): Promise<void> {
  const record = await recordOf(host, kind, id, owner);
  if (record === undefined) return;
  const entry: Entry = { kind, id, name: (owner as string).slice((owner as string).indexOf(":") + 1), host };
  await machine.writeFile(record, JSON.stringify(entry), { create: true }).catch(() => {});
}

/** Forgets it: deleted, found gone, or its create failed and undid itself. */
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

/** The records in one folder, each with its file; undefined for one half written by a killed run. */
async function entriesIn(machine: Machine, folder: string): Promise<Array<{ file: string; entry?: Entry }>> {
  const found: Array<{ file: string; entry?: Entry }> = [];
  for (const name of await machine.listFiles(folder).catch(() => [])) {
    const file = `${folder}/${name}`;
    const text = await machine.readFile(file).catch(() => undefined);
    if (text === undefined) continue; // removed meanwhile
    try {
      found.push({ file, entry: JSON.parse(text) as Entry });
    } catch {
      found.push({ file });
    }
  }
  return found;
}

/** The resources of `owner`'s stack on `host`, as `Kind name`, sorted; none when nothing was noted. */
export async function livingOn(machine: Machine, host: Host, owner: unknown): Promise<string[]> {
  if (typeof owner !== "string" || !owner.includes(":")) return [];
  const found = await entriesIn(machine, await folderOf(stackOf(owner), host));
  return found.flatMap(({ entry }) => (entry === undefined ? [] : [`${entry.kind} ${entry.name}`])).sort();
}

/** Every host the stack `PROJECT/STACK` has something on, or had when a run was killed. */
export async function hostsOf(machine: Machine, stack: string): Promise<Host[]> {
  const hosts = new Map<string, Host>();
  for (const folder of await machine.listFolders(stackFolder(stack)).catch(() => [])) {
    for (const { entry } of await entriesIn(machine, `${stackFolder(stack)}/${folder}`)) {
      if (entry?.host !== undefined) hosts.set(hostKey(entry.host), entry.host);
    }
  }
  return [...hosts.values()];
}

/**
 * After a sweep of `host`: forgets the stack's records there of what the state does not hold
 * (`kept`, its objects on that host), which the sweep deleted, or which a killed run noted and
 * never made, and those a killed run left half written.
 */
export async function forgetSweptOn(
  machine: Machine,
  stack: string,
  host: Host,
  kept: Iterable<{ kind: Kind; id: string }>,
): Promise<void> {
  const keep = new Set([...kept].map(({ kind, id }) => `${kind}\0${id}`));
  for (const { file, entry } of await entriesIn(machine, await folderOf(stack, host))) {
    if (entry === undefined || !keep.has(`${entry.kind}\0${entry.id}`)) {
      await machine.removeFile(file, JOURNAL_ROOT).catch(() => {});
    }
  }
}
