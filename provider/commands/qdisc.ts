/**
 * `tc qdisc` on a link's root: the rules of its parameters, in tc's own units, the argv that puts
 * a shaping qdisc there or takes it away, and what `tc -json qdisc show` says is there. Pure.
 *
 * A link is shaped with `tbf` (a rate, a burst, the longest a packet may wait) when only its rate
 * is declared, and with `netem` when anything netem alone does is (delay, jitter, loss,
 * duplication, corruption), which then carries the rate too.
 */
import { problem, type Rule } from "../rule.js";

/** A rate as tc writes it (`10mbit`), in bytes per second, which is what `tc -json` reports. */
export const rate: Rule<string> = (text) => {
  const m = /^(\d+(?:\.\d+)?)(bit|kbit|mbit|gbit)$/.exec(text);
  const bits = m === null ? Number.NaN : Number(m[1]) * { bit: 1, kbit: 1e3, mbit: 1e6, gbit: 1e9 }[m[2] as "bit"];
  if (!(bits >= 8 && bits <= 1e12)) {
    return problem("must be a rate in bits per second as tc writes it, from 8bit to 1000gbit: 512kbit, 10mbit, 1gbit");
  }
  return text;
};

/** A rate's bytes per second. */
export function rateBytes(text: string): number {
  const m = /^(\d+(?:\.\d+)?)(bit|kbit|mbit|gbit)$/.exec(text) as RegExpExecArray;
  return Math.round((Number(m[1]) * { bit: 1, kbit: 1e3, mbit: 1e6, gbit: 1e9 }[m[2] as "bit"]) / 8);
}

/** A size in bytes (`32kb`, `1mb`, `1600`): tbf's burst. */
export const size: Rule<string> = (text) =>
  /^\d+(kb|mb)?$/.test(text) && Number.parseInt(text, 10) > 0
    ? text
    : problem("must be a size in bytes as tc writes it: 1600, 32kb, 1mb");

/** A time (`10ms`, `1s`, `500us`): a delay, its jitter, tbf's latency. */
export const time: Rule<string> = (text) =>
  /^\d+(\.\d+)?(us|ms|s)$/.test(text) &&
  Number.parseFloat(text) <= 60 * (text.endsWith("us") ? 1e6 : text.endsWith("ms") ? 1e3 : 1)
    ? text
    : problem("must be a time as tc writes it, at most 60 s: 500us, 10ms, 1s");

/** A percentage (`1%`, `0.5%`): of packets lost, duplicated or corrupted. */
export const percent: Rule<string> = (text) =>
  /^\d+(\.\d+)?%$/.test(text) && Number.parseFloat(text) <= 100
    ? text
    : problem("must be a percentage from 0% to 100%: 1%, 0.5%");

/** What shapes a link: a rate, and what netem adds. */
export interface Shaping {
  rate?: string | undefined;
  burst?: string | undefined;
  latency?: string | undefined;
  delay?: string | undefined;
  jitter?: string | undefined;
  loss?: string | undefined;
  duplicate?: string | undefined;
  corrupt?: string | undefined;
}

/** Each parameter of a shaping, with its rule. */
export const SHAPING_RULES = {
  rate,
  burst: size,
  latency: time,
  delay: time,
  jitter: time,
  loss: percent,
  duplicate: percent,
  corrupt: percent,
} as const;

/** What is wrong with a shaping as a whole, by property: what it needs, and what does not fit its kind. */
export function shapingProblems(s: Shaping): Array<{ property: string; reason: string }> {
  const problems = [];
  const kind = shapingKind(s);
  if (kind === "tbf" && s.rate === undefined) {
    problems.push({ property: "rate", reason: "or one of delay, loss, duplicate and corrupt must be given" });
  }
  if (s.jitter !== undefined && s.delay === undefined) {
    problems.push({ property: "jitter", reason: "varies the delay: give delay too" });
  }
  if (kind === "netem") {
    for (const key of ["burst", "latency"] as const) {
      if (s[key] !== undefined) problems.push({ property: key, reason: "is tbf's, which a rate alone uses" });
    }
  }
  return problems;
}

/** The qdisc kind a shaping needs: netem as soon as anything only netem does is asked for. */
export function shapingKind(s: Shaping): "tbf" | "netem" {
  return [s.delay, s.jitter, s.loss, s.duplicate, s.corrupt].some((v) => v !== undefined) ? "netem" : "tbf";
}

/** `tc qdisc replace dev DEVICE root tbf|netem …`: puts the shaping on the link's root, whatever was there of ours. */
export function qdiscReplace(device: string, s: Shaping): string[] {
  const head = ["qdisc", "replace", "dev", device, "root"];
  if (shapingKind(s) === "tbf") {
    return [...head, "tbf", "rate", s.rate as string, "burst", s.burst ?? "32kb", "latency", s.latency ?? "50ms"];
  }
  return [
    ...head,
    "netem",
    ...(s.delay === undefined ? [] : ["delay", s.delay, ...(s.jitter === undefined ? [] : [s.jitter])]),
    ...(s.loss === undefined ? [] : ["loss", s.loss]),
    ...(s.duplicate === undefined ? [] : ["duplicate", s.duplicate]),
    ...(s.corrupt === undefined ? [] : ["corrupt", s.corrupt]),
    ...(s.rate === undefined ? [] : ["rate", s.rate]),
  ];
}

/** `tc qdisc del dev DEVICE root`: the link goes back to its default qdisc. */
export function qdiscDelete(device: string): string[] {
  return ["qdisc", "del", "dev", device, "root"];
}

/** `tc -json qdisc show dev DEVICE root`. */
export function qdiscShow(device: string): string[] {
  return ["-json", "qdisc", "show", "dev", device, "root"];
}

/** The root qdisc as `tc -json qdisc show … root` prints it: its kind, and its rate in bytes per second if it has one. */
export interface RootQdisc {
  kind: string;
  rate?: number | undefined;
}

export function parseRootQdisc(stdout: string): RootQdisc | undefined {
  const parsed = JSON.parse(stdout.trim() === "" ? "[]" : stdout) as Array<{
    kind?: unknown;
    root?: unknown;
    options?: { rate?: unknown };
  }>;
  const root = parsed.find((q) => q.root === true) ?? parsed[0];
  if (root === undefined || typeof root.kind !== "string") return undefined;
  const rate = root.options?.rate;
  return { kind: root.kind, ...(typeof rate === "number" ? { rate } : {}) };
}

/** The qdiscs a link has of itself, which a shaping may replace and its delete gives back. */
export const DEFAULT_QDISCS = new Set(["noqueue", "pfifo_fast", "fq_codel", "mq", "fq", "pfifo", "noop"]);
