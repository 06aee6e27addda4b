/**
 * The launcher: a small Node.js process that starts every program (`ip`, and `cat`/`tee` inside a
 * namespace) for the provider process, which starts it once and talks to it over a pipe.
 *
 * Why: starting a program holds the starting process's only thread for the whole fork and exec, and
 * the provider process is a large one (it holds @pulumi/pulumi and its gRPC server, some 200 MiB).
 * Measured at N = 100 spokes, `pulumi up` spent 2.6 of its provider process's 6.4 busy CPU seconds
 * inside `spawn`: the engine's calls waited behind it. The launcher holds nothing but execa, so its
 * forks are cheap, and they run beside the provider's thread instead of on it.
 *
 * The protocol is one JSON line each way: `{ id, argv, input? }` in, `{ id, exit }` out (an
 * {@link Exit}). The launcher runs requests as they come, all at once, as the provider did itself;
 * it ends when its standard input does: when the provider process ends, however it ends.
 *
 * This file is both halves: {@link Launcher} is the provider's side; run as a program, it is the
 * launcher itself.
 */
import type { Exit } from "../errors.js";

interface Request {
  id: number;
  argv: string[];
  input?: string;
}

interface Reply {
  id: number;
  exit: Exit;
}

/** What the provider's side uses of the launcher's process (an execa subprocess). */
interface Subprocess extends PromiseLike<{ exitCode?: number | undefined; signal?: string | undefined }> {
  stdin: import("node:stream").Writable & { ref?(): void; unref?(): void };
  stdout: import("node:stream").Readable & { ref?(): void; unref?(): void };
  ref(): void;
  unref(): void;
}

/** The provider's side: starts the launcher when first needed, and again if it ever ends. */
export class Launcher {
  private child: Subprocess | undefined;
  private nextId = 0;
  private readonly pending = new Map<number, { resolve: (exit: Exit) => void; argv: readonly string[] }>();

  /**
   * Runs `argv` through the launcher. If the launcher ends before it answers (killed, or out of
   * memory), the command's result is unknown: it fails with a message that says so.
   */
  async run(argv: readonly string[], input?: string): Promise<Exit> {
    // Wrapped: an execa subprocess is a promise of its result, which `await` would wait for.
    const { child } = await this.started();
    const id = this.nextId++;
    const request: Request = { id, argv: [...argv], ...(input === undefined ? {} : { input }) };
    const reply = new Promise<Exit>((resolve) => this.pending.set(id, { resolve, argv }));
    this.hold(true);
    child.stdin.write(`${JSON.stringify(request)}\n`);
    return reply;
  }

  private async started(): Promise<{ child: Subprocess }> {
    if (this.child !== undefined) return { child: this.child };
    const { execa } = await import("execa");
    const { join } = await import("node:path");
    if (this.child !== undefined) return { child: this.child };
    // A young generation of 1 MiB instead of up to 48: the launcher's garbage is a few strings per
    // command, and a smaller process is cheaper to fork.
    const child: Subprocess = execa(process.execPath, ["--max-semi-space-size=1", join(__dirname, "launcher.js")], {
      stdin: "pipe",
      stdout: "pipe",
      stderr: "inherit",
      buffer: false,
      reject: false,
    });
    this.child = child;
    // A launcher that ended refuses what is written to it; `ended` reports that to the waiting.
    child.stdin.on("error", () => {});
    let rest = "";
    child.stdout.setEncoding("utf8");
    child.stdout.on("data", (chunk: string) => {
      const lines = (rest + chunk).split("\n");
      rest = lines.pop() ?? "";
      for (const line of lines) this.answer(JSON.parse(line) as Reply);
    });
    child.then((result) => this.ended(child, result.exitCode, result.signal));
    return { child };
  }

  private answer({ id, exit }: Reply): void {
    const waiting = this.pending.get(id);
    this.pending.delete(id);
    waiting?.resolve(exit);
    if (this.pending.size === 0) this.hold(false);
  }

  /** The launcher ended: what it had not answered fails, and the next command starts a new one. */
  private ended(child: Subprocess, code: number | undefined, signal: string | undefined): void {
    if (this.child !== child) return;
    this.child = undefined;
    const how = signal === undefined ? `exit code ${code}` : signal;
    for (const { resolve, argv } of this.pending.values()) {
      resolve({
        exitCode: 1,
        stdout: "",
        stderr: `the launcher that runs ${argv[0]} for pulumi-netns ended (${how}) before it answered: whether the command ran is not known`,
      });
    }
    this.pending.clear();
  }

  /**
   * Keeps the calling process alive while it waits for an answer, and only then: an idle launcher
   * must not hold up the end of a test process or of a provider the engine lets go.
   */
  private hold(waiting: boolean): void {
    const child = this.child;
    if (child === undefined) return;
    for (const handle of [child, child.stdin, child.stdout]) {
      if (waiting) handle.ref?.();
      else handle.unref?.();
    }
  }
}

/** Runs a program from argv with execa, here and now; the launcher runs every command with it. */
export async function runProgram(argv: readonly string[], input?: string): Promise<Exit> {
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
  // A stream that never opened (the program did not start) ends in an error; the exit code says why.
  await finished(stream).catch(() => {});
  return text.replace(/\r?\n$/, "");
}

/** The launcher itself: answers each request line on standard input with a line on standard output. */
async function serve(): Promise<void> {
  // The provider process ended: nobody is left to answer.
  process.stdout.on("error", () => process.exit(0));
  const { createInterface } = await import("node:readline");
  for await (const line of createInterface({ input: process.stdin })) {
    const { id, argv, input } = JSON.parse(line) as Request;
    runProgram(argv, input).then((exit) => process.stdout.write(`${JSON.stringify({ id, exit } satisfies Reply)}\n`));
  }
}

if (require.main === module) {
  serve().catch((e) => {
    console.error(`pulumi-netns launcher: ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = 1;
  });
}
