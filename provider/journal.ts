/**
 * What must outlive a killed run: small files under /run/pulumi-netns. /run is emptied at boot,
 * together with everything they describe (namespaces, sysctls), so a record never outlives its
 * object by a reboot.
 *
 * Today it holds the value a Sysctl found before its first write, so that a retry after a kill
 * between that write and the state being saved still restores the machine's own value, not ours.
 */
import type { Runner } from "./runner.js";

export const JOURNAL_ROOT = process.env.PULUMI_NETNS_JOURNAL ?? "/run/pulumi-netns";

/** The record under `name` (a path relative to the journal's root), or undefined when there is none. */
export async function recall(runner: Runner, name: string): Promise<string | undefined> {
  try {
    return await runner.readFile(`${JOURNAL_ROOT}/${name}`);
  } catch (e) {
    if ((e as { code?: unknown }).code === "ENOENT") return undefined;
    throw e;
  }
}

export async function remember(runner: Runner, name: string, text: string): Promise<void> {
  await runner.writeFile(`${JOURNAL_ROOT}/${name}`, text, { create: true });
}

export async function forget(runner: Runner, name: string): Promise<void> {
  await runner.removeFile(`${JOURNAL_ROOT}/${name}`, JOURNAL_ROOT);
}
