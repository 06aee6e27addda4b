/**
 * A fake {@link System} for unit tests: it records every command and file access, and answers
 * from a script of responses. Files are kept in memory, and so are processes: the machine's
 * process capabilities (machine.ts: its SCRIPTS and `kill`) it answers itself, so providers that
 * start and stop processes run against it as against a machine. Its `machine` is what providers
 * are built on.
 */
import type { Exit } from "../../provider/errors.js";
import { Machine, SCRIPTS, type System } from "../../provider/machine/machine.js";

/** Decides the answer to one command; `undefined` means success with empty output. */
export type Responder = (argv: string[], input?: string) => Partial<Exit> | undefined;

export class FakeSystem implements System {
  readonly calls: string[][] = [];
  /** Standard input given to each command that had one. */
  readonly inputs: string[] = [];
  /** Files of the host (the root namespace's /proc/sys, the journal), by path. */
  readonly files = new Map<string, string>();
  /** Paths that {@link pathKind} calls executable; folders are those that hold a file. */
  readonly executables = new Set<string>(["/usr/bin/sleep", "/usr/bin/node"]);
  /** Pids that ignore SIGTERM (SIGKILL still ends them). */
  readonly stubborn = new Set<number>();
  /** What the kernel keeps of a write to an existing file (a sysctl may keep another value); by default, what was written. */
  keeps: ((path: string, written: string) => string) | undefined;
  /** Called with each process the machine starts, once it runs: a test can make it end at once. */
  afterStart: ((pid: number, log: string) => void) | undefined;
  /** A machine on this fake, as the provider process has one. */
  readonly machine = new Machine(this);
  /** The processes it started: each one's /proc/PID/stat and environ are files, until a signal ends it. */
  private nextPid = 4000;

  constructor(private readonly respond: Responder = () => undefined) {}

  async run(argv: readonly string[], input?: string): Promise<Exit> {
    const own = this.processCapability([...argv]);
    if (own !== undefined) return own;
    this.calls.push([...argv]);
    if (input !== undefined) this.inputs.push(input);
    const answer = this.respond([...argv], input) ?? {};
    return {
      exitCode: "exitCode" in answer ? answer.exitCode : 0,
      stdout: answer.stdout ?? "",
      stderr: answer.stderr ?? "",
    };
  }

  /**
   * One of the machine's process capabilities, answered from memory and recorded by what it does
   * (`["start", …argv]`, `["signal", pid, signal]`); undefined for any other command.
   */
  private processCapability(argv: string[]): Exit | undefined {
    const [program, ...args] = argv;
    const script = program === "sh" && args[0] === "-c" ? args[1] : undefined;
    const params = args.slice(3); // past `-c SCRIPT sh`
    if (script === SCRIPTS.start) {
      // LOG DIR env -i NAME=VALUE… ARGV…
      const [log, , , , ...rest] = params as [string, string, string, string, ...string[]];
      let named = 0;
      while (named < rest.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(rest[named] as string)) named++;
      const env = Object.fromEntries(
        rest.slice(0, named).map((e) => [e.slice(0, e.indexOf("=")), e.slice(e.indexOf("=") + 1)]),
      );
      const pid = this.spawn(rest.slice(named), env, log);
      this.afterStart?.(pid, log);
      return ok(String(pid));
    }
    if (script === SCRIPTS.marked) {
      const entry = params[0] as string;
      const found = [...this.files.entries()].filter(
        ([path, text]) => /^\/proc\/\d+\/environ$/.test(path) && text.split("\0").includes(entry),
      );
      return ok(found.map(([path]) => path).join("\n"));
    }
    if (program === "kill" && args[0] === "-s") return this.signal(Number(args[3]), `SIG${args[1]}`);
    return undefined;
  }

  /** A process of the fake machine, with exactly `env`, as if started by anyone; its pid. */
  spawn(argv: readonly string[], env: Record<string, string>, log = "/dev/null"): number {
    this.calls.push(["start", ...argv]);
    const pid = this.nextPid++;
    this.files.set(`/proc/${pid}/stat`, `${pid} (${argv[0]}) S 1 ${pid} ${pid} 0 -1 ${"0 ".repeat(13)}${pid * 10} 0`);
    this.files.set(
      `/proc/${pid}/environ`,
      Object.entries(env)
        .map(([k, v]) => `${k}=${v}\0`)
        .join(""),
    );
    if (!this.files.has(log)) this.files.set(log, "");
    return pid;
  }

  private signal(pid: number, signal: string): Exit {
    this.calls.push(["signal", String(pid), signal]);
    const target = Math.abs(pid);
    if (!this.files.has(`/proc/${target}/stat`)) return { exitCode: 1, stdout: "", stderr: "kill: No such process" };
    if (signal === "SIGKILL" || !this.stubborn.has(target)) {
      this.files.delete(`/proc/${target}/stat`);
      this.files.delete(`/proc/${target}/environ`);
    }
    return ok();
  }

  async readFile(path: string): Promise<string> {
    this.calls.push(["readFile", path]);
    const content = this.files.get(path);
    if (content === undefined) throw enoent(path);
    return content;
  }

  async writeFile(path: string, content: string, options?: { create?: boolean }): Promise<void> {
    this.calls.push(["writeFile", path, content]);
    if (options?.create) {
      this.files.set(path, content);
      return;
    }
    if (!this.files.has(path)) throw enoent(path);
    this.files.set(path, this.keeps?.(path, content) ?? content);
  }

  async removeFile(path: string): Promise<void> {
    this.calls.push(["removeFile", path]);
    this.files.delete(path);
  }

  async replaceFile(path: string, content: string): Promise<void> {
    this.calls.push(["replaceFile", path, content]);
    this.files.set(path, content);
  }

  async pathKind(path: string): Promise<"executable" | "file" | "folder" | undefined> {
    if (this.executables.has(path)) return "executable";
    if (this.files.has(path)) return "file";
    return [...this.files.keys()].some((f) => f.startsWith(`${path}/`)) ? "folder" : undefined;
  }

  async listFolders(dir: string): Promise<string[]> {
    const prefix = `${dir}/`;
    const names = [...this.files.keys()]
      .filter((f) => f.startsWith(prefix) && f.slice(prefix.length).includes("/"))
      .map((f) => f.slice(prefix.length).split("/")[0] as string);
    return [...new Set(names)];
  }

  async listFiles(dir: string): Promise<string[]> {
    const prefix = `${dir}/`;
    return [...this.files.keys()]
      .filter((f) => f.startsWith(prefix) && !f.slice(prefix.length).includes("/"))
      .map((f) => f.slice(prefix.length));
  }

  /** The recorded `ip` commands and processes started (not file access) as single strings, for readable assertions. */
  get commands(): string[] {
    return this.calls.filter((argv) => argv[0] === "ip" || argv[0] === "start").map((argv) => argv.join(" "));
  }
}

/** A new provider machine on a fake that answers with `respond`. */
export function fakeMachine(respond?: Responder): Machine {
  return new FakeSystem(respond).machine;
}

/** A failed command's answer, with the kernel's words. */
export function failure(stderr: string, exitCode = 1): Partial<Exit> {
  return { exitCode, stderr };
}

function ok(stdout = ""): Exit {
  return { exitCode: 0, stdout, stderr: "" };
}

function enoent(path: string): Error {
  return Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: "ENOENT" });
}
