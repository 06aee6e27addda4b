/**
 * A fake {@link System} for unit tests: it records every command and answers from a script of
 * responses. The machine's own capabilities (machine.ts: `cat`, `dd`, `find`, `kill` and the fixed
 * SCRIPTS) it answers itself, from files and processes kept in memory, so providers that read and
 * write files run against it as against a machine. Its `machine` is what providers are built on.
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
  /** Paths that are executable; folders are those that hold a file. */
  readonly executables = new Set<string>(["/usr/bin/sleep", "/usr/bin/node"]);
  /** Pids that ignore SIGTERM (SIGKILL still ends them). */
  readonly stubborn = new Set<number>();
  /** A machine on this fake, as the provider process has one. */
  readonly machine = new Machine(this);
  /** The processes it started: each one's /proc/PID/stat and environ are files, until a signal ends it. */
  private nextPid = 4000;

  constructor(private readonly respond: Responder = () => undefined) {}

  async run(argv: readonly string[], input?: string): Promise<Exit> {
    const own = this.capability([...argv], input);
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
   * One of the machine's capabilities, answered from memory and recorded by what it does
   * (`["readFile", path]`, `["writeFile", path, content]`, `["start", …argv]`…); undefined for any
   * other command, which the responder answers.
   */
  private capability(argv: string[], input: string | undefined): Exit | undefined {
    const [program, ...args] = argv;
    const script = program === "sh" && args[0] === "-c" ? args[1] : undefined;
    const params = args.slice(3); // past `-c SCRIPT sh`
    if (program === "cat" && args[0] === "--") return this.read(args[1] as string);
    if (program === "dd" && args.includes("conv=nocreat,notrunc")) {
      const path = (args[0] as string).slice("of=".length);
      this.calls.push(["writeFile", path, input ?? ""]);
      if (!this.files.has(path)) return enoent(path);
      this.files.set(path, this.keeps?.(path, input ?? "") ?? input ?? "");
      return ok();
    }
    if (script === SCRIPTS.create || script === SCRIPTS.replace) {
      const path = params[0] as string;
      this.calls.push([script === SCRIPTS.create ? "writeFile" : "replaceFile", path, input ?? ""]);
      this.files.set(path, input ?? "");
      return ok();
    }
    if (script === SCRIPTS.remove) {
      this.calls.push(["removeFile", params[0] as string]);
      this.files.delete(params[0] as string);
      return ok();
    }
    if (script === SCRIPTS.start) return this.start(params);
    if (script === SCRIPTS.marked) {
      const entry = params[0] as string;
      const found = [...this.files.entries()].filter(
        ([path, text]) => /^\/proc\/\d+\/environ$/.test(path) && text.split("\0").includes(entry),
      );
      return ok(found.map(([path]) => path).join("\n"));
    }
    if (program === "kill" && args[0] === "-s") return this.signal(Number(args[3]), `SIG${args[1]}`);
    if (program === "find") return this.find(args);
    return undefined;
  }

  private read(path: string): Exit {
    this.calls.push(["readFile", path]);
    const content = this.files.get(path);
    return content === undefined ? enoent(path) : ok(content);
  }

  /** What the kernel keeps of a write to an existing file (a sysctl may keep another value); by default, what was written. */
  keeps: ((path: string, written: string) => string) | undefined;

  /** Called with each process the machine starts, once it runs: a test can make it end at once. */
  afterStart: ((pid: number, log: string) => void) | undefined;

  /** `sh -c SCRIPTS.start sh LOG DIR env -i NAME=VALUE… ARGV…`: a process that runs until signalled. */
  private start(params: string[]): Exit {
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

  /** `find DIR -mindepth 1 -maxdepth 1 -type f|d …` (a listing) or `find PATH -maxdepth 0 …` (what is there). */
  private find(args: string[]): Exit {
    const path = args[0] as string;
    if (args[1] === "-maxdepth") {
      if (this.executables.has(path)) return ok("executable");
      if (this.files.has(path)) return ok("file");
      return [...this.files.keys()].some((f) => f.startsWith(`${path}/`)) ? ok("folder") : enoent(path);
    }
    const prefix = `${path}/`;
    const below = [...this.files.keys()].filter((f) => f.startsWith(prefix)).map((f) => f.slice(prefix.length));
    const names =
      args[6] === "f"
        ? below.filter((f) => !f.includes("/"))
        : [...new Set(below.filter((f) => f.includes("/")).map((f) => f.split("/")[0] as string))];
    return ok(names.join("\n"));
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

function enoent(path: string): Exit {
  return { exitCode: 1, stdout: "", stderr: `${path}: No such file or directory` };
}
