/**
 * A fake {@link System} for unit tests: records every argv and file access, and answers from a
 * script of responses. Its `machine` is what providers are built on.
 */
import type { Exit } from "../../provider/errors.js";
import { Machine, type StartOptions, type System } from "../../provider/machine/machine.js";

/** Decides the answer to one command; `undefined` means success with empty output. */
export type Responder = (argv: string[], input?: string) => Partial<Exit> | undefined;

export class FakeSystem implements System {
  readonly calls: string[][] = [];
  /** Standard input given to each command that had one. */
  readonly inputs: string[] = [];
  /** Files of the host (the root namespace's /proc/sys, the journal), by path. */
  readonly files = new Map<string, string>();
  /** A machine on this fake, as the provider process has one. */
  readonly machine = new Machine(this);

  constructor(private readonly respond: Responder = () => undefined) {}

  async run(argv: readonly string[], input?: string): Promise<Exit> {
    this.calls.push([...argv]);
    if (input !== undefined) this.inputs.push(input);
    const answer = this.respond([...argv], input) ?? {};
    return {
      exitCode: "exitCode" in answer ? answer.exitCode : 0,
      stdout: answer.stdout ?? "",
      stderr: answer.stderr ?? "",
    };
  }

  async readFile(path: string): Promise<string> {
    this.calls.push(["readFile", path]);
    const content = this.files.get(path);
    if (content === undefined) throw enoent(path);
    return content;
  }

  async writeFile(path: string, content: string, options?: { create?: boolean }): Promise<void> {
    this.calls.push(["writeFile", path, content]);
    if (!options?.create && !this.files.has(path)) throw enoent(path);
    this.files.set(path, content);
  }

  async removeFile(path: string): Promise<void> {
    this.calls.push(["removeFile", path]);
    this.files.delete(path);
  }

  /** Paths that {@link pathKind} calls executable; folders are those that hold a file. */
  readonly executables = new Set<string>(["/usr/bin/sleep", "/usr/bin/node"]);
  /** The processes it started: each one's /proc/PID/stat and environ are files, until a signal ends it. */
  private nextPid = 4000;
  /** Pids that ignore SIGTERM (SIGKILL still ends them). */
  readonly stubborn = new Set<number>();

  async replaceFile(path: string, content: string): Promise<void> {
    this.calls.push(["replaceFile", path, content]);
    this.files.set(path, content);
  }

  async pathKind(path: string): Promise<"executable" | "file" | "folder" | undefined> {
    if (this.executables.has(path)) return "executable";
    if (this.files.has(path)) return "file";
    return [...this.files.keys()].some((f) => f.startsWith(`${path}/`)) ? "folder" : undefined;
  }

  async start(argv: readonly string[], options: StartOptions): Promise<number> {
    this.calls.push(["start", ...argv]);
    const pid = this.nextPid++;
    this.files.set(`/proc/${pid}/stat`, `${pid} (${argv[0]}) S 1 ${pid} ${pid} 0 -1 ${"0 ".repeat(13)}${pid * 10} 0`);
    const environ = Object.entries(options.env).map(([k, v]) => `${k}=${v}\0`);
    this.files.set(`/proc/${pid}/environ`, environ.join(""));
    if (!this.files.has(options.log)) this.files.set(options.log, "");
    return pid;
  }

  async signal(pid: number, signal: "SIGTERM" | "SIGKILL"): Promise<boolean> {
    this.calls.push(["signal", String(pid), signal]);
    const target = Math.abs(pid);
    if (!this.files.has(`/proc/${target}/stat`)) return false;
    if (signal === "SIGKILL" || !this.stubborn.has(target)) {
      this.files.delete(`/proc/${target}/stat`);
      this.files.delete(`/proc/${target}/environ`);
    }
    return true;
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

function enoent(path: string): Error {
  return Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: "ENOENT" });
}
