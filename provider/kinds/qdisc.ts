/**
 * Qdisc, provider half: a link shaped by the queueing discipline on its root, as `tc qdisc
 * replace dev DEVICE root tbf|netem …` puts it there: a rate (tbf), or delay, jitter, loss,
 * duplication and corruption (netem, which then carries the rate too).
 *
 * A qdisc carries no mark, so what is ours is told by what is there: create takes a link whose
 * root has the link's own qdisc (noqueue, pfifo_fast, …) or the very shaping declared (left by a
 * run of ours cut short), and refuses one shaped by anyone else. Read finds the kind and rate on
 * the root, so a shaping removed or changed by hand is drift; delete gives the link back its own
 * qdisc, only if a shaping of the declared kind is still there.
 */

import { interfaceName } from "../commands/names.js";
import {
  DEFAULT_QDISCS,
  parseRootQdisc,
  percent,
  qdiscDelete,
  qdiscReplace,
  qdiscShow,
  type RootQdisc,
  rate,
  rateBytes,
  type Shaping,
  shapingKind,
  shapingProblems,
  size,
  time,
} from "../commands/qdisc.js";
import { ignoreNotFound, undefinedIfNotFound } from "../errors.js";
import type { Machine } from "../machine/machine.js";
import { checkInputs, netnsInput, ownerInput, text } from "./base/inputs.js";
import type { Created, KindProvider, Updated } from "./base/kind.js";

export interface QdiscInputs extends Shaping {
  /** The link shaped: what leaves it is. */
  device: string;
  netns?: string | undefined;
  /** Who declared it (see ownership.ts). */
  owner?: string | undefined;
}

export type QdiscState = QdiscInputs;

const SHAPING = ["rate", "burst", "latency", "delay", "jitter", "loss", "duplicate", "corrupt"] as const;

export default class QdiscProvider implements KindProvider<QdiscInputs, QdiscState> {
  constructor(private readonly machine: Machine) {}

  id(p: QdiscInputs): string {
    return `${p.netns ?? ""}/${p.device}/root`;
  }

  async check(_olds: unknown, news: Record<string, unknown>) {
    return checkInputs<QdiscInputs>(
      (z) =>
        z.object({
          device: text(z, interfaceName),
          netns: netnsInput(z),
          rate: text(z, rate).optional(),
          burst: text(z, size).optional(),
          latency: text(z, time).optional(),
          delay: text(z, time).optional(),
          jitter: text(z, time).optional(),
          loss: text(z, percent).optional(),
          duplicate: text(z, percent).optional(),
          corrupt: text(z, percent).optional(),
          owner: ownerInput(z),
        }),
      news,
      shapingProblems,
    );
  }

  async diff(_id: string, olds: QdiscState, news: QdiscInputs) {
    const replaces = (["device", "netns"] as const).filter((key) => olds[key] !== news[key]);
    const changes = SHAPING.some((key) => olds[key] !== news[key]);
    return { changes: changes || replaces.length > 0, replaces };
  }

  async create(inputs: QdiscInputs): Promise<Created<QdiscState>> {
    const there = await this.root(inputs);
    // A link that is not there is told by tc, when the shaping is put on it.
    if (there && !DEFAULT_QDISCS.has(there.kind) && !this.isDeclared(inputs, there)) {
      throw new Error(
        `Qdisc on ${inputs.device}${where(inputs)}: its root has a ${there.kind} qdisc already, which this stack did not put ` +
          `there; refusing to replace it. Remove it yourself (${this.machine.netns(inputs.netns).tcArgv(qdiscDelete(inputs.device)).join(" ")}) or shape another link.`,
      );
    }
    await this.put(inputs);
    return { id: this.id(inputs), outs: { ...inputs } };
  }

  async read(id: string, props: QdiscState) {
    const there = await this.root(props);
    // The link is gone, and its qdisc with it.
    if (there === null) return {};
    if (there !== undefined && this.isDeclared(props, there)) return { id, props, inputs: props };
    // Removed or changed by hand: what is there is not the declared shaping, which `up` puts back.
    const live: QdiscState = { device: props.device, ...(props.netns === undefined ? {} : { netns: props.netns }) };
    if (props.owner !== undefined) live.owner = props.owner;
    if (there !== undefined && there.kind === shapingKind(props) && there.rate !== undefined) {
      const { rate: _, ...rest } = props;
      Object.assign(live, rest, { rate: `${there.rate * 8}bit` });
    }
    return { id, props: live, inputs: live };
  }

  async update(_id: string, _olds: QdiscState, news: QdiscInputs): Promise<Updated<QdiscState>> {
    await this.put(news);
    return { outs: { ...news } };
  }

  async delete(_id: string, props: QdiscState) {
    const there = await this.root(props);
    if (there === null || there === undefined || there.kind !== shapingKind(props)) return;
    await ignoreNotFound(() => this.machine.netns(props.netns).tc(qdiscDelete(props.device)));
  }

  /** Puts the shaping on the root; a kernel without netem is said to be one, with what needs it. */
  private async put(p: QdiscInputs): Promise<void> {
    try {
      await this.machine.netns(p.netns).tc(qdiscReplace(p.device, p));
    } catch (e) {
      if (shapingKind(p) === "netem" && /qdisc kind is unknown/i.test(String((e as Error).message))) {
        throw new Error(
          `Qdisc on ${p.device}${where(p)}: this kernel has no netem (sch_netem), which delay, jitter, loss, duplicate ` +
            "and corrupt need; load it (modprobe sch_netem) or shape the link with a rate alone (tbf). Nothing was changed.",
        );
      }
      throw e;
    }
  }

  /** The root qdisc of the link; null when the link (or its namespace) is gone. */
  private async root(p: QdiscInputs): Promise<RootQdisc | undefined | null> {
    // tc says "Cannot find device", or that it cannot open the namespace: both not found.
    const stdout = await undefinedIfNotFound(() => this.machine.netns(p.netns).tcRead(qdiscShow(p.device)));
    if (stdout === undefined) return null;
    return parseRootQdisc(stdout);
  }

  /** True when `there` is the declared shaping: its kind, and its rate when one is declared. */
  private isDeclared(p: QdiscInputs, there: RootQdisc): boolean {
    return there.kind === shapingKind(p) && (p.rate === undefined || there.rate === rateBytes(p.rate));
  }
}

function where(p: QdiscInputs): string {
  return p.netns === undefined ? "" : ` in namespace "${p.netns}"`;
}
