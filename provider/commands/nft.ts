/**
 * What `Nat` hands to nftables and reads back, in nft's JSON form (`nft -j BATCH`, `nft -j list`):
 * structured data, so no name or comment is ever parsed as nft's language. Builders and parsers,
 * pure, no I/O.
 *
 * Everything of ours is in one table per namespace, `inet pulumi_netns`; each Nat resource has a
 * chain of its own there, hooked at postrouting, whose rules carry its mark as their comment.
 */
import { type Family, ipToBigInt } from "./address.js";

export const NAT_TABLE = { family: "inet", name: "pulumi_netns" } as const;

/** What one Nat chain does: masquerade traffic from `sources` leaving through `device`. */
export interface Masquerade {
  device: string;
  /** Networks, sorted by family and address (as nft lists a set). */
  sources: string[];
}

/** Sources in the order nft lists a set's elements: IPv4 first, each family by address, then by length. */
export function sortSources(sources: readonly string[]): string[] {
  const key = (s: string) => {
    const [address = "", length = "0"] = s.split("/");
    const family: Family = address.includes(":") ? 6 : 4;
    return { family, value: ipToBigInt(family, address), length: Number(length) };
  };
  return [...sources].sort((a, b) => {
    const [x, y] = [key(a), key(b)];
    if (x.family !== y.family) return x.family - y.family;
    if (x.value !== y.value) return x.value < y.value ? -1 : 1;
    return x.length - y.length;
  });
}

const table = { family: NAT_TABLE.family, table: NAT_TABLE.name };

/**
 * The batch that makes the chain `chain` hold `m`'s rules: table and chain added if missing, the
 * rules of ours that are there (by their `handles`) deleted, the new ones added. Anyone else's
 * rules in the chain stay. nft applies a batch whole or not at all.
 */
export function masqueradeBatch(chain: string, comment: string, m: Masquerade, handles: readonly number[]): string {
  // A rule per network, not one set of them: nft merges adjacent networks of a set into one range,
  // which would read back as something other than what was declared.
  const rules = m.sources.map((source) => {
    const [addr, len] = source.split("/");
    const protocol = source.includes(":") ? "ip6" : "ip";
    const expr = [
      { match: { op: "==", left: { meta: { key: "oifname" } }, right: m.device } },
      {
        match: {
          op: "==",
          left: { payload: { protocol, field: "saddr" } },
          right: { prefix: { addr, len: Number(len) } },
        },
      },
      { masquerade: null },
    ];
    return { add: { rule: { ...table, chain, comment, expr } } };
  });
  return JSON.stringify({
    nftables: [
      { add: { table: NAT_TABLE } },
      {
        add: {
          chain: { ...table, name: chain, type: "nat", hook: "postrouting", prio: 100, policy: "accept" },
        },
      },
      ...handles.map((handle) => ({ delete: { rule: { ...table, chain, handle } } })),
      ...rules,
    ],
  });
}

/** The batch that removes the rules `handles` of the chain `chain`. */
export function deleteRulesBatch(chain: string, handles: readonly number[]): string {
  return JSON.stringify({ nftables: handles.map((handle) => ({ delete: { rule: { ...table, chain, handle } } })) });
}

/** The batch that removes the chain `chain` and its rules. */
export function deleteChainBatch(chain: string): string {
  return JSON.stringify({
    nftables: [{ flush: { chain: { ...table, name: chain } } }, { delete: { chain: { ...table, name: chain } } }],
  });
}

/** The batch that removes the table (only ever once it holds no chain). */
export function deleteTableBatch(): string {
  return JSON.stringify({ nftables: [{ delete: { table: NAT_TABLE } }] });
}

/** `nft -j list chain inet pulumi_netns CHAIN` */
export function listChain(chain: string): string[] {
  return ["nft", "-j", "list", "chain", NAT_TABLE.family, NAT_TABLE.name, chain];
}

/** `nft -j list table inet pulumi_netns` */
export function listTable(): string[] {
  return ["nft", "-j", "list", "table", NAT_TABLE.family, NAT_TABLE.name];
}

/**
 * `nft -j BATCH`: a JSON batch as nft's one argument. (Not on standard input: `nft -f -` opens
 * /dev/stdin, which a socket, as the launcher's children have, cannot be opened as.)
 */
export function nftBatch(batch: string): string[] {
  return ["nft", "-j", batch];
}

interface NftRule {
  handle?: number;
  comment?: string;
  expr?: Array<Record<string, unknown>>;
}

/** The chains named in `nft -j list table` output. */
export function chainsOf(stdout: string): string[] {
  const items = (JSON.parse(stdout) as { nftables?: Array<Record<string, { name?: string }>> }).nftables ?? [];
  return items.flatMap((item) => (item.chain?.name === undefined ? [] : [item.chain.name]));
}

/** What a chain of ours holds, as read back. */
export interface ChainRead {
  /** What its rules marked as ours do; undefined when it has none. */
  found: Masquerade | undefined;
  /** The handles of the rules marked as ours. */
  ours: number[];
  /** How many of its rules are not marked as ours: someone else's, to be left alone. */
  foreign: number;
}

/**
 * What the chain's rules marked `comment` do, read from `nft -j list chain` output: the device and
 * sources of its masquerade rules, and their handles; and how many rules are not so marked.
 */
export function parseMasquerade(stdout: string, comment: string): ChainRead {
  const items = (JSON.parse(stdout) as { nftables?: Array<{ rule?: NftRule }> }).nftables ?? [];
  const rules = items.flatMap((item) => (item.rule === undefined ? [] : [item.rule]));
  const ours = rules.filter((r) => r.comment === comment);
  let device: string | undefined;
  const sources: string[] = [];
  for (const rule of ours) {
    const exprs = rule.expr ?? [];
    if (!exprs.some((e) => "masquerade" in e)) continue;
    for (const e of exprs) {
      const match = e.match as { left?: Record<string, { key?: string }>; right?: unknown } | undefined;
      if (match?.left?.meta?.key === "oifname" && typeof match.right === "string") device = match.right;
      if (match?.left !== undefined && "payload" in match.left) sources.push(...networks(match.right));
    }
  }
  return {
    found: device === undefined ? undefined : { device, sources: sortSources(sources) },
    ours: ours.flatMap((r) => (r.handle === undefined ? [] : [r.handle])),
    foreign: rules.length - ours.length,
  };
}

/** The networks of a match's right side: a set of prefixes and addresses, one prefix, or one address. */
function networks(right: unknown): string[] {
  const one = (v: unknown): string[] => {
    if (typeof v === "string") return [`${v}/${v.includes(":") ? 128 : 32}`];
    const prefix = (v as { prefix?: { addr?: string; len?: number } }).prefix;
    return prefix?.addr === undefined ? [] : [`${prefix.addr}/${prefix.len}`];
  };
  const set = (right as { set?: unknown[] } | undefined)?.set;
  return Array.isArray(set) ? set.flatMap(one) : one(right);
}
