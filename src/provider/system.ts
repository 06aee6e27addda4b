/**
 * The real {@link System}: programs run with execa, files with node:fs. Both are imported at run
 * time, inside each call, so nothing of theirs is ever captured by a serialized provider (see the
 * guide on dynamic providers).
 */
import type { Exit } from "../errors.js";
import type { System } from "./machine.js";

export const realSystem: System = {
  async run(argv, input) {
    // execa 9 is ESM-only: imported here, at run time.
    const { execa } = await import("execa");
    const [file, ...args] = argv;
    const subprocess = execa(file as string, args, {
      reject: false,
      // The output is gathered below instead of by execa: its buffering allocated enough per command
      // to lift the provider process's peak memory by some 50 MiB over a thousand commands, and a
      // bigger process makes every `ip` slower to start (see "Where the time went in 0.1" in the README).
      buffer: false,
      ...(input === undefined ? { stdin: "ignore" as const } : { input }),
      // iproute2's messages are matched by errors.ts; keep them in English.
      env: { LC_ALL: "C" },
    });
    const [result, stdout, stderr] = await Promise.all([
      subprocess,
      gather(subprocess.stdout),
      gather(subprocess.stderr),
    ]);
    if (result.exitCode === undefined) {
      // The program never ran: not installed, or not executable.
      return { exitCode: undefined, stdout: "", stderr: String(result.originalMessage ?? result.shortMessage ?? "") };
    }
    return { exitCode: result.exitCode, stdout, stderr } satisfies Exit;
  },

  async readFile(path) {
    const { readFile } = await import("node:fs/promises");
    return readFile(path, "utf8");
  },

  async writeFile(path, content, options) {
    const { mkdir, writeFile } = await import("node:fs/promises");
    const { dirname } = await import("node:path");
    // Without `create`, never make a file: a sysctl key that does not exist must fail, not appear.
    if (!options?.create) return writeFile(path, content, { flag: "r+" });
    // Another operation may be pruning the empty folders (removeFile) at the same moment: retry.
    for (let attempt = 1; ; attempt++) {
      try {
        await mkdir(dirname(path), { recursive: true });
        return await writeFile(path, content);
      } catch (e) {
        if ((e as { code?: unknown }).code !== "ENOENT" || attempt >= 10) throw e;
      }
    }
  },

  async removeFile(path, root) {
    const { rm, rmdir } = await import("node:fs/promises");
    const { dirname } = await import("node:path");
    await rm(path, { force: true });
    for (let dir = dirname(path); dir.startsWith(root); dir = dirname(dir)) {
      try {
        await rmdir(dir);
      } catch {
        break; // not empty (or already gone): the folders above are in use too
      }
    }
  },

  async listFiles(dir) {
    const { readdir } = await import("node:fs/promises");
    try {
      return (await readdir(dir, { withFileTypes: true })).filter((e) => e.isFile()).map((e) => e.name);
    } catch (e) {
      if ((e as { code?: unknown }).code === "ENOENT") return [];
      throw e;
    }
  },
};

/** All a child's output stream says, as text without its final newline; "" when there is none. */
async function gather(stream: import("node:stream").Readable | null): Promise<string> {
  if (stream === null) return "";
  const { finished } = await import("node:stream/promises");
  let text = "";
  stream.setEncoding("utf8");
  stream.on("data", (chunk: string) => {
    text += chunk;
  });
  // A stream that never opened (the program did not start) ends in an error; the exit code says why.
  await finished(stream).catch(() => {});
  return text.replace(/\r?\n$/, "");
}
