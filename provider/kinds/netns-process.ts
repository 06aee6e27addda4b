/**
 * NetnsProcess, provider half: a long-running program started inside a namespace
 * (`ip netns exec NETNS COMMAND…`) that outlives `pulumi up`, its output appended to a log file.
 *
 * A process has no name the kernel keeps, so it is marked the way a veth carries an alias: its
 * environment holds `PULUMI_NETNS_OWNER=OWNER`, which its children inherit. Stopping it stops
 * every process so marked, which is also how a sweep, knowing only the inputs, finds it. The
 * process this resource started is known by its pid together with its start time, so a pid taken
 * by another process since is never mistaken for it.
 */
import path from "node:path";
import { ipAddress } from "../commands/address.js";
import { netnsIdentify } from "../commands/netns.js";
import { parseStat, stopped } from "../commands/proc.js";
import { undefinedIfNotFound } from "../errors.js";
import type { Machine } from "../machine/machine.js";
import { wholeNumber } from "../rule.js";
import { checkInputs, describeValue, known, netnsInput, number, ownerInput, text } from "./base/inputs.js";
import type { Created, KindProvider, Updated } from "./base/kind.js";
import { differ, undoOnFailure } from "./base/lifecycle.js";
import { tcpProbe } from "./base/probes.js";
import { BASE_PATH, programProblem } from "./base/programs.js";

/** Where the logs go: one file per resource. */
export const LOG_ROOT = process.env.PULUMI_NETNS_LOGS ?? "/var/log/pulumi-netns";

/** The environment variable that marks a process, and its children, as this resource's. */
export const MARK_VARIABLE = "PULUMI_NETNS_OWNER";

export interface NetnsProcessInputs {
  /** The program and its arguments, as argv: no shell reads it. */
  command: string[];
  /** Where it runs; undefined for the root namespace. */
  netns?: string | undefined;
  /** Environment variables beyond PATH (which this may set too). */
  env: Record<string, string>;
  /** Its working directory; by default `/`. */
  cwd?: string | undefined;
  /** A TCP port in its namespace that must accept connections before create (or update) returns. */
  readyPort?: number | undefined;
  /** The address the readiness probe connects to; by default 127.0.0.1. */
  readyAddress?: string | undefined;
  /** How long, in seconds, the process may take to get ready. */
  readyTimeout: number;
  /** How long, in seconds, it is given to end after SIGTERM before SIGKILL. */
  stopTimeout: number;
  /** Who started it (see ownership.ts): the mark in its environment. */
  owner?: string | undefined;
}

export interface NetnsProcessState extends NetnsProcessInputs {
  pid: number;
  /** Its start time (/proc/PID/stat field 22): with the pid, which process it is. */
  startTime: string;
  /** The file its standard output and error are appended to. */
  logFile: string;
}

/** What the process is: a change restarts it. */
const RESTART = ["command", "env", "cwd"] as const;
/** How it is waited for and stopped: a change is stored, and nothing that runs changes. */
const SETTINGS = ["readyPort", "readyAddress", "readyTimeout", "stopTimeout"] as const;

/** How long create waits, when there is no readiness port, to see that the process did not exit at once. */
const SETTLE_MS = 250;
const POLL_MS = 100;

export default class NetnsProcessProvider implements KindProvider<NetnsProcessInputs, NetnsProcessState> {
  constructor(private readonly machine: Machine) {}

  id(p: NetnsProcessInputs): string {
    return `${p.netns ?? ""}/${p.owner ?? p.command.join(" ")}`;
  }

  async check(_olds: unknown, news: Record<string, unknown>) {
    const checked = await checkInputs<NetnsProcessInputs>(
      (z) =>
        z.object({
          command: z
            .array(
              z.string().refine((arg) => !arg.includes("\0"), "must not hold a NUL character"),
              {
                error: (issue) =>
                  `must be the program and its arguments as a list of strings (argv; no shell reads it), got ${describeValue(issue.input)}`,
              },
            )
            .min(1, "must hold at least the program to run; got []"),
          netns: netnsInput(z),
          env: z
            .record(
              z.string(),
              z.string().refine((v) => !v.includes("\0"), "must not hold a NUL character"),
              { error: (issue) => `must be an object of names to strings, got ${describeValue(issue.input)}` },
            )
            .superRefine((env, ctx) => {
              for (const name of Object.keys(env)) {
                if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
                  ctx.addIssue({
                    code: "custom",
                    path: [name],
                    message: "must be a variable name: letters, digits and _",
                  });
                } else if (name === MARK_VARIABLE) {
                  ctx.addIssue({
                    code: "custom",
                    path: [name],
                    message: "is the mark of the process as ours; it cannot be set",
                  });
                }
              }
            })
            .default({}),
          cwd: z
            .string()
            .refine((dir) => path.isAbsolute(dir), "must be an absolute path")
            .optional(),
          readyPort: number(z, wholeNumber(1, 65535)).optional(),
          readyAddress: text(z, ipAddress).optional(),
          readyTimeout: number(z, wholeNumber(1, 300, " seconds")).default(10),
          stopTimeout: number(z, wholeNumber(1, 60, " seconds")).default(5),
          owner: ownerInput(z),
        }),
      news,
      (p) =>
        p.readyAddress !== undefined && p.readyPort === undefined
          ? [{ property: "readyAddress", reason: "applies only with readyPort: the port to connect to" }]
          : [],
    );
    if (checked.inputs === undefined) return checked;
    // The program is looked for now, on this machine, so that a typo fails the preview, not the up.
    const failures = await this.lookForProgram(checked.inputs);
    return failures.length > 0 ? { failures } : checked;
  }

  async diff(_id: string, olds: NetnsProcessState, news: NetnsProcessInputs) {
    const replaces = olds.netns !== news.netns ? ["netns"] : [];
    const changed = differ<NetnsProcessInputs>(olds, news, [...RESTART, ...SETTINGS]);
    return { changes: changed || replaces.length > 0, replaces };
  }

  async create(inputs: NetnsProcessInputs): Promise<Created<NetnsProcessState>> {
    // One left running by a run of ours that was killed before it saved its state.
    await this.stopMarked(inputs, undefined);
    return { id: this.id(inputs), outs: await this.start(inputs) };
  }

  async read(id: string, props: NetnsProcessState) {
    // Gone when it ended, or when its pid now belongs to another process; and when its namespace
    // was deleted (and made again) under it, where it runs on, out of reach: the create that
    // follows stops it by its mark.
    if (!(await this.running(props.pid, props.startTime))) return {};
    if (props.netns !== undefined && (await this.namespaceOf(props.pid)) !== props.netns) return {};
    const { pid: _pid, startTime: _startTime, logFile: _logFile, ...inputs } = props;
    return { id, props, inputs };
  }

  /** Its log outlives it: what a user reads to learn why it ended, until its delete (or a sweep). */
  async remains(props: NetnsProcessInputs): Promise<boolean> {
    return (await this.machine.pathKind(logFileOf(props))) !== undefined;
  }

  async update(_id: string, olds: NetnsProcessState, news: NetnsProcessInputs): Promise<Updated<NetnsProcessState>> {
    if (!differ<NetnsProcessInputs>(olds, news, RESTART))
      return { outs: { ...news, pid: olds.pid, startTime: olds.startTime, logFile: olds.logFile } };
    await this.stopMarked(olds, olds);
    return { outs: await this.start(news) };
  }

  async delete(_id: string, props: NetnsProcessInputs & Partial<NetnsProcessState>) {
    // A sweep knows only the inputs: the mark finds the process then.
    const started = props.pid !== undefined && props.startTime !== undefined ? props : undefined;
    await this.stopMarked(props, started as NetnsProcessState | undefined);
    await this.machine.removeFile(logFileOf(props), LOG_ROOT);
  }

  /** Starts the process and waits until it is ready; if it is not, stops it and says why, with its log. */
  private async start(p: NetnsProcessInputs): Promise<NetnsProcessState> {
    if (p.cwd !== undefined && (await this.machine.pathKind(p.cwd)) !== "folder") {
      throw new Error(`NetnsProcess: the working directory ${p.cwd} (cwd) is not a folder on this machine.`);
    }
    const logFile = logFileOf(p);
    const pid = await this.machine
      .netns(p.netns)
      .start(p.command, { env: environmentOf(p), cwd: p.cwd ?? "/", log: logFile });
    const stat = await this.stat(pid);
    const state: NetnsProcessState = { ...p, pid, startTime: stat?.startTime ?? "", logFile };
    await undoOnFailure(
      () => this.waitUntilReady(state),
      // Its log went into the message: a failed create leaves nothing.
      async () => {
        await this.stopMarked(p, state);
        await this.machine.removeFile(logFile, LOG_ROOT);
      },
    );
    return state;
  }

  private async waitUntilReady(s: NetnsProcessState): Promise<void> {
    const what = `NetnsProcess ${s.command.join(" ")}${s.netns === undefined ? "" : ` in namespace "${s.netns}"`}`;
    const deadline = Date.now() + s.readyTimeout * 1000;
    const netns = this.machine.netns(s.netns);
    for (;;) {
      if (s.readyPort === undefined) await sleep(SETTLE_MS);
      if (!(await this.running(s.pid, s.startTime))) {
        throw new Error(`${what} exited as it started.${await this.logTail(s.logFile)}`);
      }
      if (s.readyPort === undefined) return;
      const address = s.readyAddress ?? "127.0.0.1";
      if ((await tcpProbe(netns, address, s.readyPort, 1)).reached) return;
      if (Date.now() >= deadline) {
        throw new Error(
          `${what} runs, but nothing accepted a connection to ${address} port ${s.readyPort} within ` +
            `${s.readyTimeout} s (readyTimeout); it was stopped.${await this.logTail(s.logFile)}`,
        );
      }
      await sleep(POLL_MS);
    }
  }

  /**
   * Stops every process that carries `p`'s mark, and `started` (the one this resource started)
   * with its process group: SIGTERM, then SIGKILL for what is left after `stopTimeout`.
   */
  private async stopMarked(p: NetnsProcessInputs, started: NetnsProcessState | undefined): Promise<void> {
    const targets = p.owner === undefined ? [] : await this.marked(p.owner);
    if (started !== undefined && (await this.running(started.pid, started.startTime))) {
      if (!targets.some((t) => t.pid === started.pid)) targets.push({ pid: started.pid, startTime: started.startTime });
      // Its group too: a child that cleared its environment still sits there. The pid is the
      // group's id only while the process it started is alive, which was just seen.
      await this.machine.signal(-started.pid, "SIGTERM");
    }
    if (targets.length === 0) return;
    for (const t of targets) await this.machine.signal(t.pid, "SIGTERM");
    const deadline = Date.now() + p.stopTimeout * 1000;
    let left = targets;
    while (left.length > 0 && Date.now() < deadline) {
      await sleep(POLL_MS);
      left = await this.stillRunning(left);
    }
    for (const t of left) await this.machine.signal(t.pid, "SIGKILL");
    // SIGKILL cannot be refused; the wait is for the kernel to take the processes down.
    for (let round = 0; round < 50 && left.length > 0; round++) {
      await sleep(POLL_MS / 2);
      left = await this.stillRunning(left);
    }
    if (left.length > 0) {
      throw new Error(`NetnsProcess: processes ${left.map((t) => t.pid).join(", ")} survive SIGKILL.`);
    }
  }

  /** The processes whose environment holds `owner`'s mark, still running. */
  private async marked(owner: string): Promise<Array<{ pid: number; startTime: string }>> {
    const found: Array<{ pid: number; startTime: string }> = [];
    for (const pid of await this.machine.processesWith(`${MARK_VARIABLE}=${owner}`)) {
      // A process may end between the scan and the reading: then it is not there to stop.
      const stat = await this.stat(pid);
      if (stat !== undefined && !stopped(stat)) found.push({ pid, startTime: stat.startTime });
    }
    return found;
  }

  private async stillRunning(
    targets: Array<{ pid: number; startTime: string }>,
  ): Promise<Array<{ pid: number; startTime: string }>> {
    const left = [];
    for (const t of targets) if (await this.running(t.pid, t.startTime)) left.push(t);
    return left;
  }

  /** The name of the namespace process `pid` is in (`ip netns identify`); "" for one without a name. */
  private async namespaceOf(pid: number): Promise<string | undefined> {
    const names = await undefinedIfNotFound(() => this.machine.netns(undefined).read(netnsIdentify(pid)));
    return names?.split("\n")[0]?.trim();
  }

  /** True when process `pid` runs and is the one that started at `startTime`. */
  private async running(pid: number, startTime: string): Promise<boolean> {
    const stat = await this.stat(pid);
    return stat !== undefined && stat.startTime === startTime && !stopped(stat);
  }

  private async stat(pid: number) {
    const text = await undefinedIfNotFound(() => this.machine.readFile(`/proc/${pid}/stat`));
    return text === undefined ? undefined : parseStat(text);
  }

  /** The last lines of the log, for a message. */
  private async logTail(logFile: string): Promise<string> {
    const text = (await this.machine.readFile(logFile).catch(() => "")).trimEnd();
    if (text === "") return ` Its log (${logFile}) is empty.`;
    return `\nThe end of its log (${logFile}):\n${text.split("\n").slice(-15).join("\n")}`;
  }

  /** The problem with the program to run, if it cannot be found here. */
  private async lookForProgram(p: NetnsProcessInputs): Promise<Array<{ property: string; reason: string }>> {
    const program = p.command[0];
    if (program === undefined || !known(program) || (p.cwd !== undefined && !known(p.cwd))) return [];
    const problem = await programProblem(this.machine, program, p.env.PATH ?? BASE_PATH, p.cwd);
    return problem === undefined ? [] : [{ property: "command", reason: `${problem}; got ${describeValue(program)}` }];
  }
}

/** The environment the process gets: PATH, the declared variables, and the mark. */
function environmentOf(p: NetnsProcessInputs): Record<string, string> {
  const mark = p.owner === undefined ? {} : { [MARK_VARIABLE]: p.owner };
  return { PATH: BASE_PATH, ...p.env, ...mark };
}

/** The log file of `p`: named after its owner (its resource), or its id without one. */
export function logFileOf(p: NetnsProcessInputs): string {
  const who = p.owner ?? `${p.netns ?? "root"}/${p.command.join(" ")}`;
  const name = encodeURIComponent(who);
  // A file name has at most 255 bytes; a long owner is shortened, keeping it apart by a digest of the whole.
  if (name.length <= 200) return `${LOG_ROOT}/${name}.log`;
  const { createHash } = require("node:crypto") as typeof import("node:crypto");
  return `${LOG_ROOT}/${name.slice(0, 160)}-${createHash("sha256").update(who).digest("hex").slice(0, 16)}.log`;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
