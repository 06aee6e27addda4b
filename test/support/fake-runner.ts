/**
 * A fake {@link Runner} for unit tests: records every argv and answers from a script of responses.
 */
import type { IpOptions, IpResult, Runner } from "../../provider/runner.js";
import { ipArgv } from "../../provider/runner.js";

/** Decides the answer to one command; `undefined` means success with empty output. */
export type Responder = (argv: string[], input?: string) => Partial<IpResult> | undefined;

export class FakeRunner implements Runner {
  readonly calls: string[][] = [];
  /** Standard input given to each `ip` command that had one. */
  readonly inputs: string[] = [];
  constructor(private readonly respond: Responder = () => undefined) {}

  async ip(args: readonly string[], options?: IpOptions): Promise<IpResult> {
    const argv = ipArgv(args, options);
    this.calls.push(argv);
    if (options?.input !== undefined) this.inputs.push(options.input);
    const answer = this.respond(argv, options?.input) ?? {};
    return { exitCode: answer.exitCode ?? 0, stdout: answer.stdout ?? "", stderr: answer.stderr ?? "" };
  }

  /** Files of the root namespace's /proc/sys, by path; reads of a missing one fail with ENOENT. */
  readonly files = new Map<string, string>();

  async readFile(path: string): Promise<string> {
    this.calls.push(["readFile", path]);
    const content = this.files.get(path);
    if (content === undefined)
      throw Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: "ENOENT" });
    return content;
  }

  async writeFile(path: string, content: string, options?: { create?: boolean }): Promise<void> {
    this.calls.push(["writeFile", path, content]);
    if (!options?.create && !this.files.has(path)) {
      throw Object.assign(new Error(`ENOENT: no such file or directory, open '${path}'`), { code: "ENOENT" });
    }
    this.files.set(path, content);
  }

  async removeFile(path: string): Promise<void> {
    this.calls.push(["removeFile", path]);
    this.files.delete(path);
  }

  /** The recorded `ip` commands (not file access) as single strings, for readable assertions. */
  get commands(): string[] {
    return this.calls.filter((argv) => argv[0] === "ip").map((argv) => argv.join(" "));
  }
}

/** A failed command's answer, with the kernel's words. */
export function failure(stderr: string, exitCode = 1): Partial<IpResult> {
  return { exitCode, stderr };
}
