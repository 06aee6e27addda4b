/**
 * The real {@link System}: programs run by the launcher (launcher.ts, with execa), files with
 * node:fs. Both are imported at run time, inside each call, so nothing of theirs is ever captured
 * by a serialized provider (see the guide on dynamic providers).
 */
import { Launcher } from "./launcher.js";
import type { System } from "./machine.js";

/** Starts this process's programs (launcher.ts): one for the process, started when first needed. */
const launcher = new Launcher();

export const realSystem: System = {
  run: (argv, input) => launcher.run(argv, input),

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
