/**
 * ReachabilitySet, provider half: that one namespace reaches each of several addresses, by ICMP
 * echo, as one resource: what Topology makes per source node instead of a Reachability per pair
 * (a resource count that grew with the square of the lab). Its destinations are probed at once;
 * create and update fail naming each that did not answer and its likely cause, read probes again
 * and leaves out a destination that stopped answering (drift, on that destination), and delete has
 * nothing to undo.
 */

import { ipAddress } from "../commands/address.js";
import type { Machine } from "../machine/machine.js";
import { linksIn } from "../machine/reads.js";
import { problem, wholeNumber } from "../rule.js";
import { checkInputs, keyed, netnsInput, number, ownerInput, text } from "./base/inputs.js";
import type { Created, KindProvider, Updated } from "./base/kind.js";
import { type Answer, explain, icmpProbe } from "./base/probes.js";

export interface ReachabilitySetInputs {
  /** Where the probes start; undefined for the root namespace. */
  netns?: string | undefined;
  /** Each destination, a bare address, by a name of its own (in Topology, the node and family). */
  destinations: Record<string, string>;
  /** How many probes before a destination counts as unreachable. */
  tries: number;
  /** How long each probe waits for its answer, in seconds. */
  timeout: number;
  /** Who declared it (see ownership.ts); nothing carries a mark, since nothing is made. */
  owner?: string | undefined;
}

export interface ReachabilitySetState extends ReachabilitySetInputs {
  /** Each destination's round trip, in milliseconds, by its name. */
  rtts: Record<string, number>;
}

/** How many probes one set has out at once: a set of a hundred destinations is not a hundred processes. */
const AT_ONCE = 16;

export default class ReachabilitySetProvider implements KindProvider<ReachabilitySetInputs, ReachabilitySetState> {
  /** A check leaves nothing behind, so the ledger keeps no record of it and a sweep has nothing to do. */
  readonly makesNothing = true;

  constructor(private readonly machine: Machine) {}

  id(p: ReachabilitySetInputs): string {
    return `${p.netns ?? ""}/icmp`;
  }

  async check(_olds: unknown, news: Record<string, unknown>) {
    return checkInputs<ReachabilitySetInputs>(
      (z) =>
        z.object({
          netns: netnsInput(z),
          destinations: keyed(z, named, text(z, ipAddress)),
          tries: number(z, wholeNumber(1, 10)).default(3),
          timeout: number(z, wholeNumber(1, 30, " seconds")).default(1),
          owner: ownerInput(z),
        }),
      news,
    );
  }

  async diff(_id: string, olds: ReachabilitySetState, news: ReachabilitySetInputs) {
    const replaces = olds.netns === news.netns ? [] : ["netns"];
    const changes =
      JSON.stringify(sortedEntries(olds.destinations)) !== JSON.stringify(sortedEntries(news.destinations)) ||
      olds.tries !== news.tries ||
      olds.timeout !== news.timeout;
    return { changes: changes || replaces.length > 0, replaces };
  }

  async create(inputs: ReachabilitySetInputs): Promise<Created<ReachabilitySetState>> {
    return { id: this.id(inputs), outs: await this.verify(inputs) };
  }

  /** Probes again: a destination that no longer answers is left out of the state, which is drift on it. */
  async read(id: string, props: ReachabilitySetState) {
    const answers = await this.probeAll(props);
    const answered = Object.keys(props.destinations).filter((name) => answers.get(name)?.reached === true);
    // A check whose source namespace is gone went with it, as everything in the namespace did.
    if (
      answered.length === 0 &&
      props.netns !== undefined &&
      (await linksIn(this.machine.netns(props.netns))) === undefined
    ) {
      return {};
    }
    const destinations = Object.fromEntries(answered.map((name) => [name, props.destinations[name] as string]));
    const live: ReachabilitySetState = { ...props, destinations, rtts: rttsOf(answers) };
    const { rtts: _rtts, ...inputs } = live;
    return { id, props: live, inputs };
  }

  async update(
    _id: string,
    _olds: ReachabilitySetState,
    news: ReachabilitySetInputs,
  ): Promise<Updated<ReachabilitySetState>> {
    return { outs: await this.verify(news) };
  }

  async delete(): Promise<void> {
    // Nothing was made.
  }

  /** Probes every destination; fails naming each that did not answer, with its likely cause. */
  private async verify(p: ReachabilitySetInputs): Promise<ReachabilitySetState> {
    const answers = await this.probeAll(p);
    const netns = this.machine.netns(p.netns);
    const failed = Object.entries(p.destinations).filter(([name]) => answers.get(name)?.reached !== true);
    if (failed.length > 0) {
      const from = p.netns ?? "the root namespace";
      const why = await Promise.all(
        failed.map(([name, address]) =>
          explain(
            netns,
            { address, netns: p.netns, protocol: "icmp", tries: p.tries, timeout: p.timeout },
            answers.get(name) as Answer,
            `- ${name}`,
          ),
        ),
      );
      const count = Object.keys(p.destinations).length;
      throw new Error(
        `ReachabilitySet from ${from}: ${failed.length} of ${count} ${count === 1 ? "destination" : "destinations"} did not answer:\n${why.join("\n")}`,
      );
    }
    return { ...p, rtts: rttsOf(answers) };
  }

  /** Each destination's answer: up to `tries` probes each, {@link AT_ONCE} destinations at a time. */
  private async probeAll(p: ReachabilitySetInputs): Promise<Map<string, Answer>> {
    const netns = this.machine.netns(p.netns);
    const answers = new Map<string, Answer>();
    const queue = Object.entries(p.destinations);
    const worker = async () => {
      for (let next = queue.shift(); next !== undefined; next = queue.shift()) {
        const [name, address] = next;
        let answer: Answer = { reached: false };
        for (let attempt = 0; attempt < p.tries && !answer.reached; attempt++) {
          answer = await icmpProbe(netns, address, p.timeout);
        }
        answers.set(name, answer);
      }
    };
    await Promise.all(Array.from({ length: Math.min(AT_ONCE, queue.length) }, worker));
    return answers;
  }
}

/** A destination's name: any text but none. */
function named(name: string) {
  return name === "" ? problem("must not be empty") : name;
}

function rttsOf(answers: Map<string, Answer>): Record<string, number> {
  return Object.fromEntries(
    [...answers].flatMap(([name, a]) => (a.reached && a.rtt !== undefined ? [[name, a.rtt] as const] : [])),
  );
}

function sortedEntries(map: Record<string, string>): [string, string][] {
  return Object.entries(map).sort(([a], [b]) => (a < b ? -1 : 1));
}
