/**
 * Nat, provider half: source NAT (masquerade) in a router namespace for traffic from given
 * networks leaving through a given device, in nftables. What it writes is all in the library's
 * own table, `inet pulumi_netns`, in a chain of the resource's own (commands/nft.ts): a rule that
 * someone else wrote, in their tables or even in that chain, is never changed; ours are known by
 * their comment and replaced or deleted by their handles. The last chain of ours to go, when
 * nothing else is in it, takes the table with it.
 */
import { network } from "../commands/address.js";
import { interfaceName } from "../commands/names.js";
import {
  type ChainRead,
  chainsOf,
  deleteChainBatch,
  deleteRulesBatch,
  deleteTableBatch,
  listChain,
  listTable,
  masqueradeBatch,
  nftBatch,
  parseMasquerade,
  sortSources,
} from "../commands/nft.js";
import { ignoreNotFound, undefinedIfNotFound } from "../errors.js";
import type { Machine, Netns } from "../machine/machine.js";
import { markerOf } from "../records/ownership.js";
import { checkInputs, netnsInput, ownerInput, text } from "./base/inputs.js";
import type { Created, KindProvider, Updated } from "./base/kind.js";
import { differ } from "./base/lifecycle.js";

export interface NatInputs {
  /** The router's namespace; undefined for the root namespace. */
  netns?: string | undefined;
  /** The device the translated traffic leaves through (nft's `oifname`). */
  device: string;
  /** The networks whose traffic is translated, sorted as nft lists them. */
  sources: string[];
  owner?: string | undefined;
}

export interface NatState extends NatInputs {
  /** The chain of the resource's own in table `inet pulumi_netns`. */
  chain: string;
}

/** nft keeps at most 128 bytes of a comment (NFTNL_UDATA_COMMENT_MAXLEN). */
const COMMENT_MAX = 127;

/** The namespaces whose table is being changed, by this process: a table is only removed when no Nat of ours is adding to it. */
const busy = new Map<string, Promise<unknown>>();

export default class NatProvider implements KindProvider<NatInputs, NatState> {
  constructor(private readonly machine: Machine) {}

  id(p: NatInputs): string {
    return `${p.netns ?? ""}/${chainOf(p)}`;
  }

  async check(_olds: unknown, news: Record<string, unknown>) {
    return checkInputs<NatInputs>(
      (z) =>
        z.object({
          netns: netnsInput(z),
          device: text(z, interfaceName),
          sources: z
            .array(text(z, network))
            .min(1, "must hold at least one network whose traffic is translated")
            .transform(sortSources),
          owner: ownerInput(z),
        }),
      news,
    );
  }

  async diff(_id: string, olds: NatState, news: NatInputs) {
    const replaces = olds.netns !== news.netns ? ["netns"] : [];
    const changed = differ<NatInputs>(olds, news, ["device", "sources"]);
    return { changes: changed || replaces.length > 0, replaces };
  }

  async create(inputs: NatInputs): Promise<Created<NatState>> {
    return { id: this.id(inputs), outs: await this.write(inputs) };
  }

  async read(id: string, props: NatState) {
    const chain = await this.readChain(props);
    // No chain: gone (the table deleted by hand, or the namespace).
    if (chain === undefined) return {};
    // The chain without our rules: NAT is off, which is drift that an update puts right.
    const live: NatState = {
      ...props,
      sources: chain.found?.sources ?? [],
      device: chain.found?.device ?? props.device,
    };
    const { chain: _chain, ...inputs } = live;
    return { id, props: live, inputs };
  }

  async update(_id: string, _olds: NatState, news: NatInputs): Promise<Updated<NatState>> {
    return { outs: await this.write(news) };
  }

  async delete(_id: string, props: NatInputs) {
    const netns = this.machine.netns(props.netns);
    await exclusive(props.netns, async () => {
      const chain = await this.readChain(props);
      if (chain === undefined) return;
      // Someone else's rules in our chain keep it, and the table, for them: only ours go.
      if (chain.foreign > 0) {
        if (chain.ours.length > 0) await netns.exec(nftBatch(deleteRulesBatch(chainOf(props), chain.ours)));
        return;
      }
      await ignoreNotFound(() => netns.exec(nftBatch(deleteChainBatch(chainOf(props)))));
      const left = await undefinedIfNotFound(() => netns.execRead(listTable()));
      if (left !== undefined && chainsOf(left).length === 0) {
        await ignoreNotFound(() => netns.exec(nftBatch(deleteTableBatch())));
      }
    });
  }

  /** Makes the chain hold exactly `p`'s rules of ours, beside anyone else's: one batch, applied whole or not at all. */
  private async write(p: NatInputs): Promise<NatState> {
    const chain = chainOf(p);
    await exclusive(p.netns, async () => {
      const found = await this.readChain(p);
      const batch = masqueradeBatch(chain, commentOf(p), p, found?.ours ?? []);
      await this.machine.netns(p.netns).exec(nftBatch(batch));
    });
    return { ...p, chain };
  }

  /** The chain's rules as far as they are ours; undefined when the chain (or table, or namespace) is not there. */
  private async readChain(p: NatInputs): Promise<ChainRead | undefined> {
    const netns: Netns = this.machine.netns(p.netns);
    const listed = await undefinedIfNotFound(() => netns.execRead(listChain(chainOf(p))));
    return listed === undefined ? undefined : parseMasquerade(listed, commentOf(p));
  }
}

/** Runs `work` alone among this process's changes to `netns`'s table. */
async function exclusive<T>(netns: string | undefined, work: () => Promise<T>): Promise<T> {
  const key = netns ?? "";
  const before = busy.get(key) ?? Promise.resolve();
  const run = before.then(work, work);
  const settled = run.catch(() => undefined);
  busy.set(key, settled);
  try {
    return await run;
  } finally {
    if (busy.get(key) === settled) busy.delete(key);
  }
}

/** The resource's chain: named by a digest of its owner, which nft need not spell. */
function chainOf(p: NatInputs): string {
  const { createHash } = require("node:crypto") as typeof import("node:crypto");
  const who = p.owner ?? `${p.device}/${p.sources.join(",")}`;
  return `nat_${createHash("sha256").update(who).digest("hex").slice(0, 16)}`;
}

/** The mark on each rule of ours: the owner, or a digest of it where nft has no room for it whole. */
function commentOf(p: NatInputs): string {
  const marker = markerOf(p.owner) ?? "pulumi-netns:";
  if (marker.length <= COMMENT_MAX) return marker;
  const { createHash } = require("node:crypto") as typeof import("node:crypto");
  return `pulumi-netns:${createHash("sha256").update(marker).digest("hex")}`;
}
