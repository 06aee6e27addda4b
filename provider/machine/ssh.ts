/**
 * The {@link System} of another host: every program runs there through the user's own `ssh`
 * (started here by the local system's launcher), and every file is read and written there by a
 * coreutils program. A {@link Machine} built on it is that host's machine: `ip`, /proc/sys, the
 * journal under /run, the ownership marks, /etc/netns and the processes all are the host's.
 *
 * One connection per host serves one `pulumi` command: the first command opens it (ssh's
 * ControlMaster), the others go through it, and it closes itself {@link PERSIST_S} seconds after
 * the last. The first command is also the host's check: reachable, logged in, `ip` there, root
 * there. Its answer, good or bad, stands for the provider process's life, so a host that cannot
 * be reached fails every resource on it with the same message, before any of them changes.
 *
 * Commands then go to a few shells kept open on the host ({@link SHELL_SCRIPT}), each running
 * one at a time, instead of one ssh session each: ssh starts every session's command through the
 * remote user's login shell, whose start-up (a ~/.bashrc) can cost a hundred times the command.
 */
import {
  CONNECT_TIMEOUT_S,
  closeArgv,
  type Host,
  hostLabel,
  preflightArgv,
  preflightProblem,
  remoteCommand,
  SHELL_SCRIPT,
  sshArgv,
  sshProblem,
} from "../commands/host.js";
import { type Exit, hostFailure } from "../errors.js";
import { type LineSession, type System, temporaryBeside } from "./machine.js";
import { traced } from "./trace.js";

/** Seconds the shared connection stays after its last command: short, so none outlives an operation by much. */
const PERSIST_S = 30;
/**
 * Sessions opened at most on one connection: sshd's `MaxSessions` is 10 by default, and more would
 * be refused. A server that allows fewer is found out when it refuses one (see `free`).
 */
const SESSIONS = 8;

/**
 * The file primitives that take more than one program, each one fixed script run as
 * `sh -c SCRIPT sh ARGS…` (its inputs positional, never part of its text): one round trip to the
 * host each. Most of what a lab does on a host is the library's own small files (the journal, the
 * ledger), so their round trips counted: as separate commands they were three in four of `up`'s.
 */
const FILE_SCRIPTS = {
  /** `$1` a path: makes its folders, then writes it whole from standard input. */
  write: 'mkdir -p -- "$(dirname -- "$1")" && exec dd of="$1" status=none',
  /** `$1` a path, `$2` a temporary path beside it: written there, then renamed over it; the temporary goes on failure. */
  replace:
    'mkdir -p -- "$(dirname -- "$1")" && dd of="$2" status=none && mv -f -- "$2" "$1" && exit 0; ' +
    'r=$?; rm -f -- "$2"; exit $r',
  /**
   * `$1` a path, `$2` a folder above it: removes the file if it is there, then its folders up to
   * and with `$2` while they are empty (the first that is not, or is gone, ends it).
   */
  remove:
    'rm -f -- "$1" || exit; d=$(dirname -- "$1"); ' +
    'while case $d in "$2"*) true ;; *) false ;; esac && rmdir -- "$d" 2>/dev/null; do d=$(dirname -- "$d"); done; exit 0',
};

/** How ssh says that the server refused another session on a shared connection. */
const SESSION_REFUSED = /session open refused|administratively prohibited|open failed/i;

export class SshSystem implements System {
  readonly remote = true;
  private checked: Promise<string | undefined> | undefined;
  private running = 0;
  private readonly queue: Array<() => void> = [];
  /** Commands at once: {@link SESSIONS}, or what the server allows once it refused a session. */
  private allowed = SESSIONS;
  /** The kept-open shells open now. */
  private readonly shells = new Set<RemoteShell>();
  /** Those of them not running a command. */
  private readonly idle: RemoteShell[] = [];

  constructor(
    readonly host: Host,
    /** This machine's system, which runs `ssh`. */
    private readonly local: System,
    /** Where the shared connection's socket goes; %C is ssh's hash of the destination. */
    private readonly controlPath: string,
  ) {}

  /** The host's problem (unreachable, refused, no `ip`, no root), or undefined when it is fit; asked once. */
  problem(): Promise<string | undefined> {
    const argv = preflightArgv();
    this.checked ??= this.limited(() => this.traced(argv, () => this.command(argv))).then((exit) =>
      exit.exitCode === 255 ? sshProblem(this.host, exit.stderr) : preflightProblem(this.host, exit.stdout),
    );
    return this.checked;
  }

  async run(argv: readonly string[], input?: string): Promise<Exit> {
    const problem = await this.problem();
    if (problem !== undefined) return hostFailure(hostLabel(this.host), problem);
    const exit = await this.limited(() => this.traced(argv, () => this.inShell(argv, input)));
    // In a session of its own, 255 is ssh's own failure (the connection broke), not the command's;
    // a kept-open shell answers the command's own exit code.
    if (
      exit.unreachable === undefined &&
      this.local.session === undefined &&
      exit.exitCode === 255 &&
      exit.stderr !== ""
    ) {
      return hostFailure(hostLabel(this.host), sshProblem(this.host, exit.stderr));
    }
    // The remote shell or `env` could not find the program: as a local one that cannot start.
    if (exit.exitCode === 127) return { exitCode: undefined, stdout: "", stderr: exit.stderr };
    return exit;
  }

  /** The command that closes the shared connection (every session on it ends, ssh removes its socket); undefined if none was opened. */
  closing(): string[] | undefined {
    return this.checked === undefined ? undefined : closeArgv(this.host, this.controlPath);
  }

  async close(): Promise<void> {
    const argv = this.closing();
    if (argv !== undefined) await this.local.run(argv);
  }

  /** Runs `work` when fewer commands than allowed are running on the host. */
  private async limited<T>(work: () => Promise<T>): Promise<T> {
    // Checked again when woken: `allowed` may have dropped below what runs now (see `free`).
    while (this.running >= this.allowed) await new Promise<void>((resolve) => this.queue.push(resolve));
    this.running++;
    try {
      return await work();
    } finally {
      this.running--;
      if (this.running < this.allowed) this.queue.shift()?.();
    }
  }

  private traced(argv: readonly string[], work: () => Promise<Exit>): Promise<Exit> {
    return traced(hostLabel(this.host), argv, work);
  }

  private connection() {
    return { controlPath: this.controlPath, persist: PERSIST_S, connectTimeout: CONNECT_TIMEOUT_S };
  }

  /** One command on the host in an ssh session of its own. */
  private command(argv: readonly string[], input?: string): Promise<Exit> {
    return this.local.run(sshArgv(this.host, this.connection(), argv), input);
  }

  /** One command in a kept-open shell (one opened when none is idle); in a session of its own without them. */
  private async inShell(argv: readonly string[], input?: string): Promise<Exit> {
    if (this.local.session === undefined) return this.command(argv, input);
    let shell = this.idle.pop();
    if (shell === undefined) {
      shell = new RemoteShell(
        await this.local.session(sshArgv(this.host, this.connection(), ["sh", "-c", SHELL_SCRIPT])),
      );
      this.shells.add(shell);
    }
    const exit = await shell.run(remoteCommand(argv), input);
    if (exit !== undefined) {
      this.free(shell);
      return exit;
    }
    this.shells.delete(shell);
    // The shell ended before it answered (the connection broke, or the host's sshd went away).
    const words = `${shell.ended ?? "the shell ended"}; whether \`${argv.join(" ")}\` ran there is not known`;
    return hostFailure(hostLabel(this.host), sshProblem(this.host, words));
  }

  /**
   * A shell done with its command: idle, for the next. One that ssh opened on a connection of its
   * own, because the server refused another session on the shared one (its `MaxSessions` is below
   * {@link SESSIONS}), is closed instead, and from then on no more commands run at once than the
   * shared connection's shells: what the server allows, found out. Those are counted without the
   * other refused shells still busy with their first command: ssh says it was refused before it
   * logs in again, so by the time this one has answered, the others opened with it have said so.
   * Counting them would open a new shell, refused again, for each of them.
   */
  private free(shell: RemoteShell): void {
    if (!shell.refused()) {
      this.idle.push(shell);
      return;
    }
    shell.close();
    this.shells.delete(shell);
    const shared = [...this.shells].filter((open) => !open.refused()).length;
    this.allowed = Math.max(1, Math.min(this.allowed, shared));
  }

  /** Runs a file command there; a failure throws with the errno its words name, as node:fs would. */
  private async file(argv: readonly string[], input?: string): Promise<string> {
    const exit = await this.run(argv, input);
    if (exit.exitCode === 0) return exit.stdout;
    throw remoteFileError(exit);
  }

  readFile(path: string): Promise<string> {
    return this.file(["cat", "--", path]);
  }

  async writeFile(path: string, content: string, options?: { create?: boolean }): Promise<void> {
    // Without `create`, never make a file (a sysctl key that does not exist must fail); like node's "r+".
    if (!options?.create) {
      await this.file(["dd", `of=${path}`, "conv=nocreat,notrunc", "status=none"], content);
      return;
    }
    await this.retried(() => this.script(FILE_SCRIPTS.write, [path], content));
  }

  /** Runs one of {@link FILE_SCRIPTS} there; a failure throws as {@link file} does. */
  private async script(script: string, args: string[], input?: string): Promise<void> {
    await this.file(["sh", "-c", script, "sh", ...args], input);
  }

  /**
   * Runs `write` again while it fails for a missing folder: another operation may be removing the
   * folder, empty for a moment, between our `mkdir` and our write (as local.ts does here).
   */
  private async retried(write: () => Promise<void>): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        return await write();
      } catch (e) {
        if ((e as { code?: unknown }).code !== "ENOENT" || attempt >= 10) throw e;
      }
    }
  }

  async removeFile(path: string, root: string): Promise<void> {
    // A folder not empty (or gone) ends the pruning: the folders above are in use too.
    await this.script(FILE_SCRIPTS.remove, [path, root]);
  }

  listFiles(dir: string): Promise<string[]> {
    return this.entries(dir, "f");
  }

  listFolders(dir: string): Promise<string[]> {
    return this.entries(dir, "d");
  }

  private async entries(dir: string, type: "f" | "d"): Promise<string[]> {
    const exit = await this.run([
      "find",
      inPlace(dir),
      "-mindepth",
      "1",
      "-maxdepth",
      "1",
      "-type",
      type,
      "-printf",
      "%f\\n",
    ]);
    if (exit.exitCode === 0) return exit.stdout.split("\n").filter((name) => name !== "");
    const error = remoteFileError(exit);
    if (error.code === "ENOENT") return [];
    throw error;
  }

  async replaceFile(path: string, content: string): Promise<void> {
    // Beside the file, so that the rename stays on one file system: a reader sees the old or the new file, whole.
    const temporary = temporaryBeside(path);
    await this.retried(() => this.script(FILE_SCRIPTS.replace, [path, temporary], content));
  }

  async pathKind(path: string): Promise<"executable" | "file" | "folder" | undefined> {
    const exit = await this.run([
      "find",
      inPlace(path),
      "-maxdepth",
      "0",
      "(",
      "-type",
      "d",
      "-printf",
      "folder",
      ")",
      "-o",
      "(",
      "-executable",
      "-printf",
      "executable",
      ")",
      "-o",
      "-printf",
      "file",
    ]);
    const kind = exit.stdout.trim();
    return exit.exitCode === 0 && (kind === "folder" || kind === "executable" || kind === "file") ? kind : undefined;
  }
}

/**
 * A shell kept open on the host ({@link SHELL_SCRIPT}): it runs one command at a time, each sent
 * as a line (the command line and its standard input, in base64) and answered by a line (the exit
 * code, standard output and standard error, in base64).
 */
class RemoteShell {
  private waiting: ((line: string | undefined) => void) | undefined;
  /** Why it ended, once it has. */
  ended: string | undefined;
  constructor(private readonly session: LineSession) {
    session.hold(false);
    session.onLine((line) => this.answer(line));
    session.onEnd((why) => {
      this.ended = why;
      this.answer(undefined);
    });
  }

  /** Whether ssh said the server refused it a session on the shared connection (and logged in again for it). */
  refused(): boolean {
    return SESSION_REFUSED.test(this.session.said());
  }

  close(): void {
    this.session.close();
  }

  private answer(line: string | undefined): void {
    const waiting = this.waiting;
    this.waiting = undefined;
    waiting?.(line);
  }

  /** Runs one command line; undefined when the shell ended before it answered. */
  async run(command: string, input?: string): Promise<Exit | undefined> {
    if (this.ended !== undefined) return undefined;
    const answered = new Promise<string | undefined>((resolve) => {
      this.waiting = resolve;
    });
    this.session.hold(true);
    this.session.write(`${base64(command)} ${input === undefined ? "-" : base64(input)}`);
    const line = await answered;
    this.session.hold(false);
    const [code, stdout, stderr] = line?.split(" ") ?? [];
    if (line === undefined) return undefined;
    if (code === undefined || !/^\d+$/.test(code)) {
      // Not our shell's answer (something on the host wrote to it): it cannot be trusted again.
      this.ended = `the shell on the host answered ${JSON.stringify(line.slice(0, 80))}`;
      return undefined;
    }
    // As the launcher gives a program's output: without its final newline.
    const text = (b64: string | undefined) =>
      Buffer.from(b64 ?? "", "base64")
        .toString("utf8")
        .replace(/\r?\n$/, "");
    return { exitCode: Number(code), stdout: text(stdout), stderr: text(stderr) };
  }
}

function base64(text: string): string {
  return Buffer.from(text, "utf8").toString("base64");
}

/** A path for `find`, which reads a leading `-` or `(` as part of its expression. */
function inPlace(path: string): string {
  return path.startsWith("/") ? path : `./${path}`;
}

const errnos: ReadonlyArray<[RegExp, string]> = [
  [/no such file or directory/i, "ENOENT"],
  [/not a directory/i, "ENOTDIR"],
  [/permission denied/i, "EACCES"],
  [/operation not permitted/i, "EPERM"],
  [/read-only file system/i, "EROFS"],
  [/no such process/i, "ESRCH"],
  [/device or resource busy/i, "EBUSY"],
];

/** A remote file command's failure as node:fs would give it: its words, and the errno they name. */
function remoteFileError(exit: Exit): Error & { code?: string } {
  const words = exit.stderr.trim() || `exit code ${exit.exitCode ?? "?"}`;
  const error: Error & { code?: string } = new Error(words);
  const code = errnos.find(([pattern]) => pattern.test(words))?.[1];
  if (code !== undefined) error.code = code;
  return error;
}
