/**
 * NetnsExec, provider half: commands run once in a namespace, in order, as containerlab's `exec`
 * runs them in a node once it is up (`ip netns exec NETNS COMMAND…`): a startup script as argv
 * lists, which no shell reads.
 *
 * What the commands did is not undone by delete: it lives in the namespace and goes with it. So
 * they run only in a named namespace, never the root one, where it would outlive the stack. A
 * command that fails fails the step with all it printed; the ones before it ran. A read finds
 * the resource gone when its namespace is (a namespace made again runs them again), and nothing
 * else: what a command did is not something the kernel can be asked about.
 */

import type { Exit } from "../errors.js";
import type { Machine } from "../machine/machine.js";
import { linksIn } from "../machine/reads.js";
import { wholeNumber } from "../rule.js";
import { checkInputs, describeValue, known, netnsInput, number, ownerInput } from "./base/inputs.js";
import type { Created, KindProvider, Updated } from "./base/kind.js";
import { BASE_PATH, programProblem } from "./base/programs.js";

export interface NetnsExecInputs {
  /** Where the commands run: a named namespace. */
  netns: string;
  /** The commands, each the program and its arguments (argv), run in this order. */
  commands: string[][];
  /** How long each command may take, in seconds, before it is stopped and fails. */
  timeout: number;
  /** Who declared it (see ownership.ts); nothing carries a mark, since nothing is made. */
  owner?: string | undefined;
}

export interface NetnsExecState extends NetnsExecInputs {
  /** What each command printed on its standard output, trimmed (at most 4 KiB each). */
  outputs: string[];
}

/** The most of a command's output that is kept: the state is written after every step. */
const KEPT_OUTPUT = 4096;

export default class NetnsExecProvider implements KindProvider<NetnsExecInputs, NetnsExecState> {
  /** What the commands did goes with the namespace: the ledger keeps no record, and a sweep has nothing to do. */
  readonly makesNothing = true;

  constructor(private readonly machine: Machine) {}

  id(p: NetnsExecInputs): string {
    return `${p.netns}/exec`;
  }

  async check(_olds: unknown, news: Record<string, unknown>) {
    const checked = await checkInputs<NetnsExecInputs>(
      (z) =>
        z.object({
          netns: netnsInput(z),
          commands: z
            .array(
              z
                .array(
                  z.string().refine((arg) => !arg.includes("\0"), "must not hold a NUL character"),
                  {
                    error: (issue) =>
                      `must be a command as a list of strings (argv; no shell reads it), got ${describeValue(issue.input)}`,
                  },
                )
                .min(1, "must hold at least the program to run; got []"),
              {
                error: (issue) =>
                  `must be a list of commands, each a list of strings, got ${describeValue(issue.input)}`,
              },
            )
            .min(1, "must hold at least one command; got []"),
          timeout: number(z, wholeNumber(1, 600, " seconds")).default(30),
          owner: ownerInput(z),
        }),
      news,
      (p) =>
        p.netns === undefined
          ? [
              {
                property: "netns",
                reason:
                  "must name a namespace: what the commands do is undone only by the namespace going, and the root namespace stays",
              },
            ]
          : [],
    );
    if (checked.inputs === undefined) return checked;
    // Each program is looked for now, on the machine that runs it, so that a typo fails the preview.
    const failures = [];
    for (const [i, command] of checked.inputs.commands.entries()) {
      const program = command[0];
      if (program === undefined || !known(program)) continue;
      const problem = await programProblem(this.machine, program, BASE_PATH, undefined);
      if (problem !== undefined) {
        failures.push({ property: `commands.${i}`, reason: `${problem}; got ${describeValue(program)}` });
      }
    }
    return failures.length > 0 ? { failures } : checked;
  }

  async diff(_id: string, olds: NetnsExecState, news: NetnsExecInputs) {
    const replaces = olds.netns === news.netns ? [] : ["netns"];
    const changes = JSON.stringify(olds.commands) !== JSON.stringify(news.commands) || olds.timeout !== news.timeout;
    return { changes: changes || replaces.length > 0, replaces };
  }

  async create(inputs: NetnsExecInputs): Promise<Created<NetnsExecState>> {
    return { id: this.id(inputs), outs: { ...inputs, outputs: await this.runFrom(inputs, 0, []) } };
  }

  /** Gone with its namespace; otherwise as it was. */
  async read(id: string, props: NetnsExecState) {
    if ((await linksIn(this.machine.netns(props.netns))) === undefined) return {};
    const { outputs: _outputs, ...inputs } = props;
    return { id, props, inputs };
  }

  /** The commands from the first that changed on run again, in order; those before it ran already. */
  async update(_id: string, olds: NetnsExecState, news: NetnsExecInputs): Promise<Updated<NetnsExecState>> {
    const same = (i: number) => JSON.stringify(olds.commands[i]) === JSON.stringify(news.commands[i]);
    let first = 0;
    while (first < news.commands.length && same(first)) first++;
    const kept = olds.outputs.slice(0, first);
    return { outs: { ...news, outputs: await this.runFrom(news, first, kept) } };
  }

  /** Nothing to undo: what the commands did goes with the namespace. */
  async delete() {}

  /** Runs the commands from `first` on, in order; fails at the first that fails, with what it printed. */
  private async runFrom(p: NetnsExecInputs, first: number, outputs: string[]): Promise<string[]> {
    const netns = this.machine.netns(p.netns);
    for (let i = first; i < p.commands.length; i++) {
      const command = p.commands[i] as string[];
      // `timeout` stops a command that hangs, which would otherwise hold `pulumi up` for ever.
      const exit = await netns.attempt(["timeout", String(p.timeout), ...command]);
      if (exit.exitCode !== 0) throw new Error(failureOf(p, i, first, exit));
      outputs.push(exit.stdout.trim().slice(0, KEPT_OUTPUT));
    }
    return outputs;
  }
}

/** What a failed command says: which, how it ended, all it printed, and what the next `up` runs. */
function failureOf(p: NetnsExecInputs, i: number, first: number, exit: Exit): string {
  const how =
    exit.exitCode === 124
      ? `did not end within ${p.timeout} s and was stopped`
      : exit.exitCode === undefined
        ? "could not be started"
        : `failed with exit code ${exit.exitCode}`;
  const argv = (p.commands[i] as string[]).map((a) => JSON.stringify(a)).join(" ");
  const printed = `${exit.stdout}${exit.stderr}`.trim();
  const ran = i === first ? "" : `commands[${first}]${i - 1 > first ? ` to commands[${i - 1}]` : ""} ran before it. `;
  const head = `NetnsExec in namespace "${p.netns}": commands[${i}] (${argv}) ${how}`;
  const next = `${ran}The next \`up\` runs the commands from commands[${first}] on again.`;
  return printed === "" ? `${head}, printing nothing. ${next}` : `${head}:\n${printed}\n${next}`;
}
