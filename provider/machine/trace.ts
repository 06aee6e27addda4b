/**
 * The commands the library runs, when asked: with `PULUMI_NETNS_TRACE` naming a file, each command
 * run on this machine or on a host is appended to it as one line of JSON once it has ended: where
 * it ran (`here`, or the host as messages name it), its argv, its exit code and how long it took.
 * A command on a host is one round trip over its connection. What a command reads on its standard
 * input (a file's content) is not written. Off by default: nothing is written and nothing is timed.
 */
import type { Exit } from "../errors.js";

/** Runs `work` (the command `argv` on `where`), and appends it to the trace file if there is one. */
export async function traced(where: string, argv: readonly string[], work: () => Promise<Exit>): Promise<Exit> {
  const file = process.env.PULUMI_NETNS_TRACE;
  if (file === undefined || file === "") return work();
  const started = performance.now();
  const exit = await work();
  const ms = Math.round((performance.now() - started) * 10) / 10;
  const { appendFileSync } = await import("node:fs");
  appendFileSync(file, `${JSON.stringify({ where, argv, exit: exit.exitCode ?? null, ms })}\n`);
  return exit;
}
