/**
 * The {@link System} of this machine: programs run by the launcher (launcher.ts, with execa), off
 * the provider process's thread, and the file primitives with node:fs, in-process (the journal and
 * the ledger use them on every create and delete). Both are imported at run time, inside each
 * call, so nothing of theirs is ever captured by a serialized provider (see the guide on dynamic
 * providers).
 */
import { Launcher } from "./launcher.js";
import { type System, temporaryBeside } from "./machine.js";
import { traced } from "./trace.js";

/** Starts this process's programs (launcher.ts): one for the process, started when first needed. */
const launcher = new Launcher();

export const realSystem: System = {
  run: (argv, input) => traced("here", argv, () => launcher.run(argv, input)),

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

  async replaceFile(path, content) {
    const { mkdir, rename, rm, writeFile } = await import("node:fs/promises");
    const { dirname } = await import("node:path");
    // Beside the file, so that the rename stays on one file system: a reader sees the old or the new file, whole.
    const temporary = temporaryBeside(path);
    // Another operation may be removing the folder, then empty, at the same moment: retry.
    for (let attempt = 1; ; attempt++) {
      try {
        await mkdir(dirname(path), { recursive: true });
        await writeFile(temporary, content, { mode: 0o644 });
        return await rename(temporary, path);
      } catch (e) {
        await rm(temporary, { force: true });
        if ((e as { code?: unknown }).code !== "ENOENT" || attempt >= 10) throw e;
      }
    }
  },

  async pathKind(path) {
    const { access, constants, stat } = await import("node:fs/promises");
    try {
      const found = await stat(path);
      if (found.isDirectory()) return "folder";
      const runnable = await access(path, constants.X_OK).then(
        () => true,
        () => false,
      );
      return runnable ? "executable" : "file";
    } catch {
      return undefined;
    }
  },

  async session(argv) {
    const { spawn } = await import("node:child_process");
    const { createInterface } = await import("node:readline");
    const child = spawn(argv[0] as string, argv.slice(1), {
      stdio: ["pipe", "pipe", "pipe"],
      env: { ...process.env, LC_ALL: "C" },
    });
    child.stdin.on("error", () => {}); // it ended: onEnd says so
    let said = "";
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (text: string) => {
      said = (said + text).slice(-2000);
    });
    const lines = createInterface({ input: child.stdout });
    const ended = new Promise<string>((resolve) => {
      child.once("error", (e) => resolve(e.message));
      child.once("close", (code, signal) => resolve(said.trim() || `it exited with ${signal ?? code}`));
    });
    // Streams have ref/unref at run time (they are sockets), though not in their types.
    const handles = [child, child.stdin, child.stdout, child.stderr] as Array<{ ref?(): void; unref?(): void }>;
    return {
      write: (line) => child.stdin.write(`${line}\n`),
      onLine: (listener) => lines.on("line", listener),
      onEnd: (listener) => void ended.then(listener),
      said: () => said,
      close: () => child.stdin.end(),
      hold(waiting) {
        for (const handle of handles) {
          if (waiting) handle.ref?.();
          else handle.unref?.();
        }
      },
    };
  },

  listFolders: (dir) => entriesOf(dir, "folders"),

  listFiles: (dir) => entriesOf(dir, "files"),
};

/** The names of the files (or folders) in a folder; none when the folder is not there. */
async function entriesOf(dir: string, which: "files" | "folders"): Promise<string[]> {
  const { readdir } = await import("node:fs/promises");
  try {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries.filter((e) => (which === "files" ? e.isFile() : e.isDirectory())).map((e) => e.name);
  } catch (e) {
    if ((e as { code?: unknown }).code === "ENOENT") return [];
    throw e;
  }
}
