/**
 * What must outlive a killed run: small files under /run/pulumi-netns. /run is emptied at boot,
 * together with everything they describe (namespaces, sysctls), so a record never outlives its
 * object by a reboot.
 *
 * It holds the value a Sysctl found before its first write, so that a retry after a kill between
 * that write and the state being saved still restores the machine's own value, not ours; and
 * notes of creates under way (see withIntent).
 */

import { undefinedIfNotFound } from "../errors.js";
import type { Machine } from "../machine/machine.js";
import { markerOf } from "./ownership.js";

export const JOURNAL_ROOT = process.env.PULUMI_NETNS_JOURNAL ?? "/run/pulumi-netns";

/**
 * The record under `name` (a path relative to the journal's root), or undefined when there is none.
 * Every record is written before the change it guards, so one that a kill left empty (made, not
 * yet written) guards nothing: it counts as none.
 */
export async function recall(machine: Machine, name: string): Promise<string | undefined> {
  const text = await undefinedIfNotFound(() => machine.readFile(`${JOURNAL_ROOT}/${name}`));
  return text === "" ? undefined : text;
}

/**
 * The record of the value a Sysctl of `owner` found before its first write, to put back: one per
 * owner, namespace and key (Sysctl keeps it; NetnsConfig reads it when it takes the key over).
 */
export function sysctlRecord(netns: string | undefined, key: string, owner: string): string {
  return `${sysctlFolder(netns, key)}/${encodeURIComponent(owner)}`;
}

/** The folder of the records of one key in one namespace, one per owner. */
export function sysctlFolder(netns: string | undefined, key: string): string {
  return `sysctl/${netns ?? "@root"}/${key}`;
}

export async function remember(machine: Machine, name: string, text: string): Promise<void> {
  await machine.writeFile(`${JOURNAL_ROOT}/${name}`, text, { create: true });
}

export async function forget(machine: Machine, name: string): Promise<void> {
  await machine.removeFile(`${JOURNAL_ROOT}/${name}`, JOURNAL_ROOT);
}

/** True when a create of `name` by `marker`'s owner was cut short: its note is still there. */
async function cutShort(machine: Machine, name: string, marker: string | undefined): Promise<boolean> {
  return marker !== undefined && (await recall(machine, `creating/${name}`)) === marker;
}

/**
 * The delete side of {@link withIntent}, for the object whose note is `name`: `remove` looks the
 * object up and deletes it when `isOurs` says its mark (an alias; undefined: none) makes it
 * `owner`'s. Without an owner anything is; with one, its mark is, and so is no mark at all when a
 * create of ours was cut short before the mark (its note is still there). That note goes with the
 * object, whatever `remove` found.
 */
export async function deleteOurs(
  machine: Machine,
  name: string,
  owner: string | undefined,
  remove: (isOurs: (alias: string | undefined) => boolean) => Promise<void>,
): Promise<void> {
  const marker = markerOf(owner);
  const cut = await cutShort(machine, name, marker);
  try {
    await remove((alias) => marker === undefined || alias === marker || (cut && alias === undefined));
  } finally {
    if (cut) await forget(machine, `creating/${name}`);
  }
}

/**
 * Runs `create` under a note that `marker`'s owner is making the object `name`. The kernel makes an
 * object and our mark reaches it in two commands; a run killed between them leaves an unmarked
 * object, and this note is how the retry still knows it as its own. `create` gets whether the
 * note was already there, left by such a run. The note is removed once `create` has finished,
 * whether it succeeded or failed (a failed create undoes its own work).
 */
export async function withIntent<T>(
  machine: Machine,
  name: string,
  marker: string | undefined,
  create: (leftByKilledRun: boolean) => Promise<T>,
): Promise<T> {
  if (marker === undefined) return create(false);
  const record = `creating/${name}`;
  const leftByKilledRun = await cutShort(machine, name, marker);
  await remember(machine, record, marker);
  try {
    return await create(leftByKilledRun);
  } finally {
    await forget(machine, record);
  }
}
