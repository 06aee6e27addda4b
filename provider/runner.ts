/**
 * The one place that touches the machine: it executes `ip`, and reads and writes /proc/sys of the
 * root namespace (which `ip netns exec` cannot reach, having no name for it). Every provider
 * receives a {@link Runner}; unit tests pass a fake that records argv, everything else uses
 * {@link systemRunner}.
 *
 * Commands are argv arrays handed straight to the kernel's exec: no shell ever sees them.
 */
import { classify, IpCommandError } from "./errors.js";

export interface IpResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface IpOptions {
  /** Run inside this named namespace (`ip -n NETNS …`); the root namespace when absent. */
  netns?: string | undefined;
  /** Text for the command's standard input. */
  input?: string;
}

export interface Runner {
  /** Runs `ip [-n netns] ...args` and reports how it ended; it throws only when `ip` cannot start. */
  ip(args: readonly string[], options?: IpOptions): Promise<IpResult>;
  /** Reads a file: the root namespace's /proc/sys, or the journal (journal.ts). */
  readFile(path: string): Promise<string>;
  /** Writes a file; only with `create` may it make the file (and its folders). */
  writeFile(path: string, content: string, options?: { create?: boolean }): Promise<void>;
  /** Removes a file if it is there, then its folders up to `root` while they are empty. */
  removeFile(path: string, root: string): Promise<void>;
}

/** The full argv of an `ip` invocation, as run and as shown in messages. */
export function ipArgv(args: readonly string[], options?: IpOptions): string[] {
  return options?.netns === undefined ? ["ip", ...args] : ["ip", "-n", options.netns, ...args];
}

let override: Runner | undefined;

/**
 * Replaces the runner that {@link systemRunner} hands out, for tests that drive serialized
 * providers (which build their own runner) against a fake. Pass `undefined` to restore.
 */
export function useRunner(runner: Runner | undefined): void {
  override = runner;
}

let system: Runner | undefined;

/** The runner that executes the real `ip` found on PATH. */
export function systemRunner(): Runner {
  if (override !== undefined) return override;
  system ??= {
    async ip(args, options) {
      // execa 9 is ESM-only; it is imported here, at run time, so the serialized provider never
      // captures it (see the guide on dynamic providers).
      const { execa } = await import("execa");
      const [file, ...rest] = ipArgv(args, options);
      const subprocess = execa(file as string, rest, {
        reject: false,
        // The output is gathered below instead of by execa: its buffering allocated enough per command
        // to lift the provider process's peak memory by some 50 MiB over a thousand commands, and a
        // bigger process makes every `ip` slower to start (see "Where the time goes" in the README).
        buffer: false,
        ...(options?.input === undefined ? { stdin: "ignore" as const } : { input: options.input }),
        // iproute2's messages are matched by errors.ts; keep them in English.
        env: { LC_ALL: "C" },
      });
      const [result, stdout, stderr] = await Promise.all([
        subprocess,
        gather(subprocess.stdout),
        gather(subprocess.stderr),
      ]);
      if (result.exitCode === undefined) {
        // `ip` never ran: not installed, or not executable.
        throw new IpCommandError(
          ipArgv(args, options),
          undefined,
          String(result.originalMessage ?? result.shortMessage ?? "not found"),
          "ip-missing",
        );
      }
      return { exitCode: result.exitCode, stdout, stderr };
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
  };
  return system;
}

/** All a child's output stream says, as text without its final newline; "" when there is none. */
async function gather(stream: import("node:stream").Readable | null): Promise<string> {
  if (stream === null) return "";
  const { finished } = await import("node:stream/promises");
  let text = "";
  stream.setEncoding("utf8");
  stream.on("data", (chunk: string) => {
    text += chunk;
  });
  // A stream that never opened (`ip` did not start) ends in an error; the exit code says why.
  await finished(stream).catch(() => {});
  return text.replace(/\r?\n$/, "");
}

/** How often a transient failure (EBUSY, an interrupted dump) is tried again, and the first wait. */
const TRANSIENT_ATTEMPTS = 6;
const FIRST_BACKOFF_MS = 25;

/**
 * Runs an `ip` command that may change the machine and returns its standard output; a non-zero
 * exit becomes a classified {@link IpCommandError}. A transient failure is retried with a doubling
 * wait (25 ms up to 400 ms, under a second in all) before it is reported. The shared reads are
 * forgotten before and after it, so a read that starts once it is done sees what it did.
 */
export async function runIp(runner: Runner, args: readonly string[], options?: IpOptions): Promise<string> {
  forgetSharedReads(runner);
  try {
    return await readIp(runner, args, options);
  } finally {
    forgetSharedReads(runner);
  }
}

/** Runs an `ip` command that only reads, like {@link runIp} but leaving the shared reads alone. */
export async function readIp(runner: Runner, args: readonly string[], options?: IpOptions): Promise<string> {
  for (let attempt = 1; ; attempt++) {
    const result = await runner.ip(args, options);
    if (result.exitCode === 0) return result.stdout;
    const reason = classify(result.stderr);
    if (reason !== "transient" || attempt >= TRANSIENT_ATTEMPTS) {
      throw new IpCommandError(ipArgv(args, options), result.exitCode, result.stderr, reason);
    }
    await new Promise((resolve) => setTimeout(resolve, FIRST_BACKOFF_MS * 2 ** (attempt - 1)));
  }
}

/**
 * Reads that the resources of one operation share. A refresh asks every resource to read itself:
 * in a star of 100 spokes that was 600 `ip … show` commands, 200 of them in the hub's namespace. A
 * read of a whole namespace is instead run once, and everyone asking for the same read while it
 * runs, or later, gets its parsed answer (or its failure) — until {@link runIp} runs a command.
 * The dynamic-provider process lives for one `pulumi` command, and so do these reads.
 */
const sharedReads = new WeakMap<Runner, Map<string, Promise<unknown>>>();

/** The parsed output of `ip [-n NETNS] ARGS`, run once and shared until the next change. */
export function sharedRead<T>(
  runner: Runner,
  args: readonly string[],
  options: IpOptions,
  parse: (stdout: string) => T,
): Promise<T> {
  let reads = sharedReads.get(runner);
  if (reads === undefined) {
    reads = new Map();
    sharedReads.set(runner, reads);
  }
  const key = ipArgv(args, options).join("\0");
  let read = reads.get(key) as Promise<T> | undefined;
  if (read === undefined) {
    read = readIp(runner, args, options).then(parse);
    reads.set(key, read);
  }
  return read;
}

function forgetSharedReads(runner: Runner): void {
  sharedReads.get(runner)?.clear();
}
