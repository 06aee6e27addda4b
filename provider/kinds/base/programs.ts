/**
 * Finding a program before it is run: what the kinds that run one (NetnsProcess, NetnsExec) check
 * at preview, on the machine that will run it, so that a typo fails the preview and not the `up`.
 */
import path from "node:path";
import type { Machine } from "../../machine/machine.js";

/** The PATH a program is looked for on, and runs with, unless the resource's environment sets one. */
export const BASE_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

/**
 * Why `program` (argv[0]) cannot be run here: a bare name is looked for on `searchPath`, a relative
 * path from `cwd`; undefined when it is an executable file.
 */
export async function programProblem(
  machine: Machine,
  program: string,
  searchPath: string,
  cwd: string | undefined,
): Promise<string | undefined> {
  if (!program.includes("/")) {
    const dirs = searchPath.split(":").filter((d) => d !== "");
    for (const dir of dirs) if ((await machine.pathKind(path.join(dir, program))) === "executable") return undefined;
    return `names no program on PATH (${dirs.join(":")})`;
  }
  if (!path.isAbsolute(program) && cwd === undefined) {
    return "is a relative path: give an absolute one, or the working directory (cwd) it is relative to";
  }
  const full = path.resolve(cwd ?? "/", program);
  const kind = await machine.pathKind(full);
  if (kind === "executable") return undefined;
  return kind === undefined ? `is not found (no ${full})` : `is not an executable file (${full})`;
}
