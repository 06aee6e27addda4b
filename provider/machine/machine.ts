/**
 * The one seam that touches the machine, shaped like netlink's `Handle`. A {@link Machine} is what
 * the provider process has of this host; {@link Machine.netns} gives the {@link Netns} handle of one
 * network namespace (the root namespace included), which runs `ip` there, reads there, reads and
 * writes its /proc/sys, runs other programs there (`nft`) or starts long-running ones, and serves
 * the reads that the resources of one `pulumi` command share. The host's own files (the journal
 * under /run, /etc/netns, /proc/PID) and signals to processes go through the machine. Every failure becomes a
 * classified error of errors.ts.
 *
 * Below it is a {@link System}: the local one (local.ts) runs programs through the launcher and
 * files with node:fs, the one of another host (ssh.ts) runs both as commands over ssh, and unit
 * tests pass a fake. Beyond the file primitives of the System, each capability of the machine
 * (start a process, find the processes that carry a mark, signal one) is written here once, as one
 * command: a program from argv, or one of the fixed {@link SCRIPTS}, whose inputs are all
 * positional parameters and never part of the script's text. So it runs the same here and on a
 * host; adding one is a method here, its test on this machine, and its meaning for the fake.
 */
import { batchArgs, batchFailures, batchText, fitsBatch } from "../commands/batch.js";
import { netnsExec } from "../commands/netns.js";
import { commandFailure, type Exit, fileFailure, type IpCommandError, isIpError } from "../errors.js";

/**
 * What a {@link Machine} is built on: running programs, and the file primitives the journal, the
 * ledger and the namespace files use on every create and delete. Those stay in-process on this
 * machine (node:fs, local.ts) and are commands on another host (ssh.ts): run as a process each here,
 * they made `up` of a 100-spoke star 66% slower (docs/design.md). Every other capability is a
 * command, written once in {@link Machine}.
 */
export interface System {
  /** Runs a program from argv; never throws: one that cannot start is an {@link Exit} without a code. */
  run(argv: readonly string[], input?: string): Promise<Exit>;
  readFile(path: string): Promise<string>;
  /** Writes a file; only with `create` may it make the file (and its folders). */
  writeFile(path: string, content: string, options?: { create?: boolean }): Promise<void>;
  /** Removes a file if it is there, then its folders up to `root` while they are empty. */
  removeFile(path: string, root: string): Promise<void>;
  /** The names of the files in a folder; none when the folder is not there. */
  listFiles(dir: string): Promise<string[]>;
  /** The names of the folders in a folder; none when it is not there. */
  listFolders(dir: string): Promise<string[]>;
  /** Writes a whole file atomically (a temporary file beside it, renamed over it), making its folders. */
  replaceFile(path: string, content: string): Promise<void>;
  /** What is at `path`: undefined when nothing is. */
  pathKind(path: string): Promise<"executable" | "file" | "folder" | undefined>;
  /**
   * Starts a program that talks in lines on its standard input and output, and lives until
   * closed or until this process ends: the kept-open session to another host (ssh.ts). Optional:
   * without it, every command to a host is a `run` of its own.
   */
  session?(argv: readonly string[]): Promise<LineSession>;
  /** True for another host's system (ssh.ts): this machine's programs and files are not there. */
  readonly remote?: boolean;
}

/**
 * The machine's capabilities that need a shell (a program started in the background, a glob over
 * /proc), each run as `sh -c SCRIPT sh ARGS…`. A script is fixed text: everything it works on comes
 * as a positional parameter.
 */
export const SCRIPTS = {
  /**
   * `$1` a log and `$2` a folder, then a program's argv: the program started in the folder, in a
   * session of its own (setsid: no signal to our process group reaches it, and it outlives us),
   * standard input from /dev/null, its output appended to the log (made readable by its owner and
   * group only); its pid printed.
   */
  start:
    'log=$1; dir=$2; shift 2; mkdir -p -- "$(dirname -- "$log")" && cd -- "$dir" || exit 1; ' +
    '[ -e "$log" ] || (umask 027 && : >>"$log") || exit 1; setsid "$@" </dev/null >>"$log" 2>&1 & echo $!',
  /** `$1` an environment entry (`NAME=VALUE`): the environ file of each process whose environment holds it. */
  marked: 'grep -l -z -x -F -e "$1" /proc/[0-9]*/environ 2>/dev/null; exit 0',
} as const;

/** A program running beside this process, spoken to in lines (see {@link System.session}). */
export interface LineSession {
  write(line: string): void;
  /** Called with each line it writes, in order. */
  onLine(listener: (line: string) => void): void;
  /** Called once when it has ended, with what it last said on its standard error. */
  onEnd(listener: (why: string) => void): void;
  /** Keeps this process alive while an answer is awaited (true), and lets it end when idle (false). */
  hold(waiting: boolean): void;
  /** What it has said on its standard error so far (the last 2,000 characters). */
  said(): string;
  /** Ends it: its standard input closes. */
  close(): void;
}

/**
 * The temporary file {@link System.replaceFile} writes beside `path` before renaming it over:
 * named so that what a killed run left of it can be told and removed (netns-file.ts).
 */
export function temporaryBeside(path: string): string {
  return `${path}${TEMPORARY_MARK}${process.pid}-${Date.now().toString(36)}`;
}

/** What every such temporary file's name has after the name of the file it stands in for. */
export const TEMPORARY_MARK = ".pulumi-netns-";

export interface StartOptions {
  env: Record<string, string>;
  cwd?: string | undefined;
  log: string;
}

/** How often a transient failure (EBUSY, an interrupted dump) is tried again, and the first wait. */
const TRANSIENT_ATTEMPTS = 6;
const FIRST_BACKOFF_MS = 25;

export class Machine {
  private readonly handles = new Map<string, Netns>();

  constructor(readonly system: System) {}

  /** The handle of the namespace `name` (undefined: the root namespace); one per name. */
  netns(name: string | undefined): Netns {
    // "" names no namespace (the rules refuse it), so it can stand for the root one.
    const key = name ?? "";
    let handle = this.handles.get(key);
    if (handle === undefined) {
      handle = new Netns(this, name);
      this.handles.set(key, handle);
    }
    return handle;
  }

  /** A file of the host; a failure is a classified {@link FileError}. */
  async readFile(path: string): Promise<string> {
    try {
      return await this.system.readFile(path);
    } catch (e) {
      throw fileFailure("read", path, e);
    }
  }

  /** Writes a file of the host; only with `create` may it make the file (and its folders). */
  async writeFile(path: string, content: string, options?: { create?: boolean }): Promise<void> {
    try {
      await this.system.writeFile(path, content, options);
    } catch (e) {
      throw fileFailure(`write ${JSON.stringify(content)} to`, path, e);
    }
  }

  /** Removes a file of the host if it is there, then its folders up to `root` while they are empty. */
  async removeFile(path: string, root: string): Promise<void> {
    try {
      await this.system.removeFile(path, root);
    } catch (e) {
      throw fileFailure("remove", path, e);
    }
  }

  /** The names of the files in a folder of the host; none when it is not there. */
  async listFiles(dir: string): Promise<string[]> {
    try {
      return await this.system.listFiles(dir);
    } catch (e) {
      throw fileFailure("list", dir, e);
    }
  }

  /** The names of the folders in a folder of the host; none when it is not there. */
  async listFolders(dir: string): Promise<string[]> {
    try {
      return await this.system.listFolders(dir);
    } catch (e) {
      throw fileFailure("list", dir, e);
    }
  }

  /** Writes a whole file of the host atomically, making its folders. */
  async replaceFile(path: string, content: string): Promise<void> {
    try {
      await this.system.replaceFile(path, content);
    } catch (e) {
      throw fileFailure("write", path, e);
    }
  }

  /** What is at `path` on the host: an executable, another file, a folder, or (undefined) nothing. */
  pathKind(path: string): Promise<"executable" | "file" | "folder" | undefined> {
    return this.system.pathKind(path);
  }

  /**
   * Starts a program that outlives this process, in a session of its own, with exactly `env`, its
   * output appended to `log`; returns its pid once it runs.
   */
  async start(argv: readonly string[], { env, cwd, log }: StartOptions): Promise<number> {
    const assignments = Object.entries(env).map(([name, value]) => `${name}=${value}`);
    try {
      const said = await this.command([
        "sh",
        "-c",
        SCRIPTS.start,
        "sh",
        log,
        cwd ?? "/",
        "env",
        "-i",
        ...assignments,
        ...argv,
      ]);
      const pid = Number(said.trim());
      if (!Number.isInteger(pid) || pid <= 0) throw new Error(`no pid came back: ${JSON.stringify(said)}`);
      return pid;
    } catch (e) {
      throw new Error(`Could not start ${argv.join(" ")}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  /** The pids of the processes whose environment holds the entry `NAME=VALUE` (one `grep` over /proc). */
  async processesWith(entry: string): Promise<number[]> {
    const found = await this.command(["sh", "-c", SCRIPTS.marked, "sh", entry]);
    return found.split("\n").flatMap((file) => {
      const pid = /^\/proc\/(\d+)\/environ$/.exec(file)?.[1];
      return pid === undefined ? [] : [Number(pid)];
    });
  }

  /** Sends `signal` to process `pid` (negative: its process group); false when there is none. */
  async signal(pid: number, signal: "SIGTERM" | "SIGKILL"): Promise<boolean> {
    const argv = ["kill", "-s", signal.slice(3), "--", String(pid)];
    const exit = await this.system.run(argv);
    if (exit.exitCode === 0) return true;
    if (/no such process/i.test(exit.stderr)) return false;
    throw commandFailure(argv, exit);
  }

  /** Runs a command of one of the capabilities above and returns its output; a failure is a classified error. */
  private async command(argv: readonly string[]): Promise<string> {
    const exit = await this.system.run(argv);
    if (exit.exitCode === 0) return exit.stdout;
    throw commandFailure(argv, exit);
  }

  /**
   * Runs `argv`; a non-zero exit becomes a classified error. A transient failure is retried with a
   * doubling wait (25 ms up to 400 ms, under a second in all) before it is reported.
   */
  async run(argv: readonly string[], input?: string): Promise<string> {
    for (let attempt = 1; ; attempt++) {
      const exit = await this.system.run(argv, input);
      if (exit.exitCode === 0) return exit.stdout;
      const failure = commandFailure(argv, exit);
      if (failure.reason !== "transient" || attempt >= TRANSIENT_ATTEMPTS) throw failure;
      await new Promise((resolve) => setTimeout(resolve, FIRST_BACKOFF_MS * 2 ** (attempt - 1)));
    }
  }

  /** Runs `argv` and returns how it ended, whatever the exit code: a probe, which reads and changes nothing. */
  attempt(argv: readonly string[]): Promise<Exit> {
    return this.system.run(argv);
  }

  /**
   * Runs `work`, which may change the machine. Every namespace forgets its shared reads before and
   * after it, since a change in one can change another (a veth end sent there, a namespace deleted,
   * a sysctl that drops addresses), and a read that starts once it is done must see what it did.
   */
  async changing<T>(work: () => Promise<T>): Promise<T> {
    this.forgetSharedReads();
    try {
      return await work();
    } finally {
      this.forgetSharedReads();
    }
  }

  private forgetSharedReads(): void {
    for (const handle of this.handles.values()) handle.forgetSharedReads();
  }
}

/**
 * One network namespace of a {@link Machine}, or its root namespace (`name` undefined). Its shared
 * reads belong to it: a refresh asks every resource to read itself, and in a star of 100 spokes
 * that was 600 `ip … show` commands, 200 of them in the hub. A read of the whole namespace is
 * instead run once, and everyone asking for it while it runs, or later, gets its parsed answer (or
 * its failure) until a change through any handle of the machine. The provider process, and with it
 * its machine, lives for one `pulumi` command.
 */
export class Netns {
  private readonly sharedReads = new Map<string, Promise<unknown>>();

  constructor(
    private readonly machine: Machine,
    readonly name: string | undefined,
  ) {}

  /** True in a namespace of another host (see {@link System.remote}). */
  get remote(): boolean {
    return this.machine.system.remote === true;
  }

  /** The full argv of `ip ARGS` run here (`ip -n NAME ARGS`), as run and as shown in messages. */
  argv(args: readonly string[]): string[] {
    return this.name === undefined ? ["ip", ...args] : ["ip", "-n", this.name, ...args];
  }

  /** Runs an `ip` command that may change the machine and returns its output (see {@link Machine.changing}). */
  change(args: readonly string[]): Promise<string> {
    return this.machine.changing(() => this.machine.run(this.argv(args)));
  }

  /**
   * Runs `commands` (each the arguments after `ip`) as one `ip -force -batch -` here: one process
   * for all of them, every line tried. Returns the failure of each command that failed, by its
   * index, classified as if it had run alone; none when all held.
   */
  async batch(commands: readonly (readonly string[])[]): Promise<Map<number, IpCommandError>> {
    if (commands.length === 0) return new Map();
    return (await this.runBatch(["-force"], commands)).failures;
  }

  /**
   * Runs `commands` as one `ip [OPTIONS] -batch -` here, in order, stopping at the first that
   * fails: the steps of one change, each of which needs the one before. `options` are ip's for them
   * all (`-details -json`: a batch line takes none of its own). Returns what they printed and the
   * step that failed, if one did, classified as if it had run alone: the steps before it were done.
   */
  async sequence(
    commands: readonly (readonly string[])[],
    options: readonly string[] = [],
  ): Promise<{ stdout: string; failed?: { step: number; error: IpCommandError } }> {
    // A word a batch line cannot carry (a mark from a resource name with a space or a `#`): the
    // same steps, a process each.
    if (!fitsBatch(commands)) return this.stepByStep(commands, options);
    const { stdout, failures } = await this.runBatch(options, commands);
    const [failed] = failures;
    return failed === undefined ? { stdout } : { stdout, failed: { step: failed[0], error: failed[1] } };
  }

  private async stepByStep(commands: readonly (readonly string[])[], options: readonly string[]) {
    let stdout = "";
    for (const [step, args] of commands.entries()) {
      try {
        stdout += await this.change([...options, ...args]);
      } catch (e) {
        if (!isIpError(e)) throw e;
        return { stdout, failed: { step, error: e } };
      }
    }
    return { stdout };
  }

  private async runBatch(options: readonly string[], commands: readonly (readonly string[])[]) {
    const failures = new Map<number, IpCommandError>();
    const argv = this.argv(batchArgs(options));
    const exit = await this.machine.changing(() => this.machine.system.run(argv, batchText(commands)));
    if (exit.exitCode === 0) return { stdout: exit.stdout, failures };
    const lines = batchFailures(exit.stderr);
    // Not one line's failure (ip missing, the namespace gone, the host unreachable): the whole batch's.
    if (lines.size === 0 || exit.unreachable !== undefined) throw commandFailure(argv, exit);
    for (const [line, said] of lines) {
      const args = commands[line - 1];
      if (args !== undefined) failures.set(line - 1, commandFailure(this.argv(args), { ...exit, stderr: said }));
    }
    return { stdout: exit.stdout, failures };
  }

  /** Runs a `tc` command here (`tc -n NAME ARGS`) that may change the machine; returns its output. */
  tc(args: readonly string[]): Promise<string> {
    return this.machine.changing(() => this.machine.run(this.tcArgv(args)));
  }

  /** Runs a `tc` command here that only reads. */
  tcRead(args: readonly string[]): Promise<string> {
    return this.machine.run(this.tcArgv(args));
  }

  /** The full argv of `tc ARGS` run here, as run and as shown in messages. */
  tcArgv(args: readonly string[]): string[] {
    return this.name === undefined ? ["tc", ...args] : ["tc", "-n", this.name, ...args];
  }

  /** Runs an `ip` command that only reads, leaving the shared reads alone. */
  read(args: readonly string[]): Promise<string> {
    return this.machine.run(this.argv(args));
  }

  /**
   * Runs a program here (under `ip netns exec` in a named namespace) and returns how it ended, failed
   * or not: a probe (`ping`), whose failure is an answer, not an error.
   */
  probe(argv: readonly string[]): Promise<Exit> {
    return this.machine.attempt(this.inside(argv));
  }

  /**
   * Runs a program here that may change the machine, and returns how it ended, failed or not: a
   * startup command (NetnsExec), whose failure is told with all it printed.
   */
  attempt(argv: readonly string[]): Promise<Exit> {
    return this.machine.changing(() => this.machine.attempt(this.inside(argv)));
  }

  /** Runs a program here that may change the machine (`nft`), with `input`, if any, on its stdin; returns its output. */
  exec(argv: readonly string[], input?: string): Promise<string> {
    return this.machine.changing(() => this.machine.run(this.inside(argv), input));
  }

  /** Runs a program here that only reads (`nft -j list …`); returns its output. */
  execRead(argv: readonly string[]): Promise<string> {
    return this.machine.run(this.inside(argv));
  }

  /** Starts a long-running program here, which outlives this process (see {@link System.start}); returns its pid. */
  start(argv: readonly string[], options: StartOptions): Promise<number> {
    return this.machine.start(this.inside(argv), options);
  }

  /** `argv` as run in this namespace: under `ip netns exec` in a named one, as it is in the root one. */
  private inside(argv: readonly string[]): readonly string[] {
    return this.name === undefined ? argv : ["ip", ...netnsExec(this.name, argv)];
  }

  /** The parsed output of `ip ARGS` here, run once and shared until the next change. */
  shared<T>(args: readonly string[], parse: (stdout: string) => T): Promise<T> {
    const key = args.join("\0");
    let read = this.sharedReads.get(key) as Promise<T> | undefined;
    if (read === undefined) {
      read = this.read(args).then(parse);
      this.sharedReads.set(key, read);
    }
    return read;
  }

  forgetSharedReads(): void {
    this.sharedReads.clear();
  }

  /**
   * A file as this namespace sees it: /proc/sys/net shows the namespace of the process that opens
   * it, so in a named namespace it is read by `cat` under `ip netns exec`.
   */
  readFile(path: string): Promise<string> {
    if (this.name === undefined) return this.machine.readFile(path);
    return this.execRead(["cat", path]);
  }

  /** Files as this namespace sees them, each one line (/proc/sys): one `cat` for them all in a named namespace. */
  async readFiles(paths: readonly string[]): Promise<string[]> {
    if (this.name === undefined) return Promise.all(paths.map((path) => this.machine.readFile(path)));
    return (await this.execRead(["cat", ...paths])).split("\n").slice(0, paths.length);
  }

  /** Writes an existing file as this namespace sees it (`tee` under `ip netns exec`); never makes one. */
  writeFile(path: string, content: string): Promise<void> {
    return this.writeFiles([path], content);
  }

  /**
   * Writes the same content to existing files as this namespace sees them: one `tee` for them all
   * in a named namespace. A file that cannot be written fails the whole; the others are written.
   */
  async writeFiles(paths: readonly string[], content: string): Promise<void> {
    // A sysctl can change what the reads show (disable_ipv6 takes addresses away): a change.
    if (this.name === undefined) {
      await this.machine.changing(async () => {
        for (const path of paths) await this.machine.writeFile(path, content);
      });
      return;
    }
    await this.exec(["tee", ...paths], content);
  }
}
