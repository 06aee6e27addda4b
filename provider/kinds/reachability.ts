/**
 * Reachability, provider half: a check that a namespace reaches an address (or, for isolation,
 * does not), by ICMP echo or a TCP connection. It changes nothing on the machine: create and update
 * probe and fail, saying the likely cause, when the answer is not the expected one; read probes
 * again, so a path lost since shows as drift; delete has nothing to undo.
 */

import { ipAddress } from "../commands/address.js";
import type { Machine } from "../machine/machine.js";
import { linksIn } from "../machine/reads.js";
import { wholeNumber } from "../rule.js";
import { checkInputs, choice, known, netnsInput, number, ownerInput, text } from "./base/inputs.js";
import type { Created, KindProvider, Updated } from "./base/kind.js";
import { type Answer, explain, icmpProbe, tcpProbe } from "./base/probes.js";

export const expectations = ["reachable", "unreachable"] as const;
export const protocols = ["icmp", "tcp"] as const;

export interface ReachabilityInputs {
  /** The destination, a bare address. */
  address: string;
  /** Where the probes start; undefined for the root namespace. */
  netns?: string | undefined;
  expect: (typeof expectations)[number];
  protocol: (typeof protocols)[number];
  /** The TCP port (with `protocol: tcp` only). */
  port?: number | undefined;
  /** How many probes before the destination counts as unreachable. */
  tries: number;
  /** How long each probe waits for its answer, in seconds. */
  timeout: number;
  /** Who declared it (see ownership.ts); nothing carries a mark, since nothing is made. */
  owner?: string | undefined;
}

export interface ReachabilityState extends ReachabilityInputs {
  /** The round-trip time (ICMP) or connection time (TCP) of the probe that got through, in milliseconds. */
  rtt?: number | undefined;
  /** How many probes the last create or update sent. */
  attempts: number;
}

export default class ReachabilityProvider implements KindProvider<ReachabilityInputs, ReachabilityState> {
  /** A check leaves nothing behind, so the ledger keeps no record of it and a sweep has nothing to do. */
  readonly makesNothing = true;

  constructor(private readonly machine: Machine) {}

  id(p: ReachabilityInputs): string {
    return `${p.netns ?? ""}/${p.protocol}/${p.address}${p.port === undefined ? "" : `:${p.port}`}`;
  }

  async check(_olds: unknown, news: Record<string, unknown>) {
    return checkInputs<ReachabilityInputs>(
      (z) =>
        z.object({
          address: text(z, ipAddress),
          netns: netnsInput(z),
          expect: choice(z, expectations, "reachable"),
          protocol: choice(z, protocols, "icmp"),
          port: number(z, wholeNumber(1, 65535)).optional(),
          tries: number(z, wholeNumber(1, 10)).default(3),
          timeout: number(z, wholeNumber(1, 30, " seconds")).default(1),
          owner: ownerInput(z),
        }),
      news,
      (p) => {
        if (!known(p.protocol)) return [];
        if (p.protocol === "tcp" && p.port === undefined) {
          return [{ property: "port", reason: "is needed with protocol tcp: the port to connect to" }];
        }
        if (p.protocol === "icmp" && p.port !== undefined) {
          return [{ property: "port", reason: "applies to protocol tcp only; ICMP has no ports" }];
        }
        return [];
      },
    );
  }

  async diff(_id: string, olds: ReachabilityState, news: ReachabilityInputs) {
    // What is checked from where names the check; the rest changes how it is checked, in place.
    const replaces = (["address", "netns", "protocol", "port"] as const).filter((k) => olds[k] !== news[k]);
    const updates = (["expect", "tries", "timeout"] as const).filter((k) => olds[k] !== news[k]);
    return { changes: replaces.length + updates.length > 0, replaces };
  }

  async create(inputs: ReachabilityInputs): Promise<Created<ReachabilityState>> {
    return { id: this.id(inputs), outs: await this.verify(inputs) };
  }

  /** Probes again: when the answer is no longer the expected one, the state says what it is now, which is drift. */
  async read(id: string, props: ReachabilityState) {
    const { reached } = await this.probe(props);
    // A check whose source namespace is gone went with it, as everything in the namespace did.
    if (!reached && props.netns !== undefined && (await linksIn(this.machine.netns(props.netns))) === undefined) {
      return {};
    }
    const seen = reached ? "reachable" : "unreachable";
    const live = { ...props, expect: seen } as ReachabilityState;
    const { rtt: _rtt, attempts: _attempts, ...inputs } = live;
    return { id, props: live, inputs };
  }

  async update(_id: string, _olds: ReachabilityState, news: ReachabilityInputs): Promise<Updated<ReachabilityState>> {
    return { outs: await this.verify(news) };
  }

  async delete(): Promise<void> {
    // Nothing was made.
  }

  /** Probes, and fails with the likely cause when the answer is not the expected one. */
  private async verify(p: ReachabilityInputs): Promise<ReachabilityState> {
    const answer = await this.probe(p);
    if (answer.reached !== (p.expect === "reachable"))
      throw new Error(await explain(this.machine.netns(p.netns), p, answer));
    return { ...p, rtt: answer.rtt, attempts: answer.attempts };
  }

  /** Up to `tries` probes, stopping at the first that gets through. */
  private async probe(p: ReachabilityInputs): Promise<Answer & { attempts: number }> {
    const netns = this.machine.netns(p.netns);
    let answer: Answer = { reached: false };
    let attempts = 0;
    while (attempts < p.tries && !answer.reached) {
      attempts += 1;
      answer =
        p.protocol === "tcp"
          ? await tcpProbe(netns, p.address, p.port as number, p.timeout)
          : await icmpProbe(netns, p.address, p.timeout);
    }
    return { ...answer, attempts };
  }
}
