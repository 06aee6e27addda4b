/**
 * Lifecycle rules every resource follows, written once: create is all or nothing, an object this
 * stack did not create is never taken over, and diff compares inputs one way. (That delete and
 * read accept a gone object is in errors.ts, `ignoreNotFound` and `undefinedIfNotFound`: the
 * machine's shared reads use it too.)
 */
import { isFailure } from "../../errors.js";

/** Runs `work`; if it fails, runs `undo` before the error goes on, so a failed create leaves nothing. */
export async function undoOnFailure<T>(work: () => Promise<T>, undo: () => Promise<unknown>): Promise<T> {
  try {
    return await work();
  } catch (e) {
    try {
      await undo();
    } catch (undoError) {
      throw new Error(
        `${messageOf(e)}\nUndoing the partial create failed too, so something may be left behind:\n${messageOf(undoError)}`,
      );
    }
    throw e;
  }
}

/**
 * Runs the command that creates `what`. When the kernel says it exists already, asks `isOurs`
 * (an object this stack marked, left by a run that was cut short): then it is adopted, and the
 * result says so. Otherwise creating is refused with a message saying why and how to remove it
 * (`removeArgv`, the full `ip` argv), and the foreign object is left alone.
 */
export async function createOrAdopt(
  what: string,
  removeArgv: readonly string[],
  work: () => Promise<unknown>,
  isOurs: () => Promise<boolean> = async () => false,
): Promise<{ adopted: boolean }> {
  try {
    await work();
    return { adopted: false };
  } catch (e) {
    if (!isFailure(e, "already-exists")) throw e;
    if (await isOurs()) return { adopted: true };
    throw new Error(
      `${what} already exists and this stack did not create it; refusing to take it over or remove it. ` +
        `Remove it yourself (${removeArgv.join(" ")}) or choose another name.\n${e.message}`,
    );
  }
}

/** True when any of `keys` differs between `olds` and `news`, lists and objects compared by their content: for diff. */
export function differ<T>(olds: T, news: T, keys: readonly (keyof T)[]): boolean {
  return keys.some((k) => JSON.stringify(olds[k]) !== JSON.stringify(news[k]));
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
