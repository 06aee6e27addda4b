/**
 * VethPair, provider half: two virtual Ethernet devices joined back to back, each end in a
 * namespace of its own choosing, as made by `ip link add NAME type veth peer name PEER netns PEER_NETNS`.
 */
import type * as pulumi from "@pulumi/pulumi";
import { type LinkChanges, type LinkInfo, linkDelete, linkSet, parseLinks, vethAdd } from "../commands/link.js";
import { interfaceName } from "../commands/names.js";
import { ignoreNotFound } from "../errors.js";
import type { Machine } from "../machine/machine.js";
import { deleteOurs, withIntent } from "../records/journal.js";
import { markerOf } from "../records/ownership.js";
import { wholeNumber } from "../rule.js";
import { checkInputs, flag, known, netnsInput, number, ownerInput, text } from "./base/inputs.js";
import type { Created, KindProvider, Updated } from "./base/kind.js";
import { createOrAdopt, undoOnFailure } from "./base/lifecycle.js";
import { readLink, showLink } from "./base/made-link.js";

export interface VethPairInputs {
  name: string;
  peerName: string;
  netns?: string | undefined;
  peerNetns?: string | undefined;
  mtu: number;
  up: boolean;
  /** The bridge `name` is a port of, in its namespace; none when absent. */
  master?: string | undefined;
  /** The bridge `peerName` is a port of, in its namespace; none when absent. */
  peerMaster?: string | undefined;
  /** Who made it (see ownership.ts); its mark goes on the alias of both ends. */
  owner?: string | undefined;
}

export interface VethPairState extends VethPairInputs {
  /** Interface index of `name` in its namespace. */
  ifindex: number;
  /** MAC address of `name`. */
  mac: string;
  /** Interface index of `peerName` in its namespace. */
  peerIfindex: number;
  /** MAC address of `peerName`. */
  peerMac: string;
}

/** Where a missing end is said to be when it is not where it was put: no real namespace has this name. */
export const ELSEWHERE = "(not found: moved or deleted)";

/** One end of the pair: its name, namespace and bridge. */
interface End {
  device: string;
  netns: string | undefined;
  master: string | undefined;
}

function ends(p: VethPairInputs): [End, End] {
  return [
    { device: p.name, netns: p.netns, master: p.master },
    { device: p.peerName, netns: p.peerNetns, master: p.peerMaster },
  ];
}

export default class VethPairProvider implements KindProvider<VethPairInputs, VethPairState> {
  constructor(private readonly machine: Machine) {}

  id(p: VethPairInputs): string {
    return `${p.netns ?? ""}/${p.name}:${p.peerNetns ?? ""}/${p.peerName}`;
  }

  async check(_olds: unknown, news: Record<string, unknown>): Promise<pulumi.dynamic.CheckResult<VethPairInputs>> {
    const result = await checkInputs<VethPairInputs>(
      (z) =>
        z.object({
          name: text(z, interfaceName),
          peerName: text(z, interfaceName),
          netns: netnsInput(z),
          peerNetns: netnsInput(z),
          mtu: number(z, wholeNumber(68, 65535, " (the range a veth device takes)")).default(1500),
          up: flag(z, true),
          master: text(z, interfaceName).optional(),
          peerMaster: text(z, interfaceName).optional(),
          owner: ownerInput(z),
        }),
      news,
      (inputs) => {
        const peerNetns = inputs.peerNetns ?? inputs.netns;
        const comparable = [inputs.name, inputs.peerName, inputs.netns, peerNetns].every(known);
        return comparable && inputs.name === inputs.peerName && inputs.netns === peerNetns
          ? [
              {
                property: "peerName",
                reason: `must differ from name when both ends are in the same namespace; got "${inputs.peerName}" twice`,
              },
            ]
          : [];
      },
    );
    if (result.inputs === undefined) return result;
    // peerNetns defaults to netns; both absent means the root namespace.
    const { peerNetns, ...rest } = result.inputs;
    const resolved = peerNetns ?? rest.netns;
    return { inputs: resolved === undefined ? rest : { ...rest, peerNetns: resolved } };
  }

  async diff(_id: string, olds: VethPairState, news: VethPairInputs) {
    const replaces = (["name", "peerName", "netns", "peerNetns"] as const).filter((key) => olds[key] !== news[key]);
    const updates = (["mtu", "up", "master", "peerMaster"] as const).filter((key) => olds[key] !== news[key]);
    // Interface names are unique per namespace: the old pair must go before the new one can come.
    return { changes: replaces.length + updates.length > 0, replaces, deleteBeforeReplace: true };
  }

  async create(inputs: VethPairInputs): Promise<Created<VethPairState>> {
    const [first, second] = ends(inputs);
    const [home, away] = homeAndAway(inputs);
    const sendAway = away.netns === home.netns ? undefined : away.netns;
    const marker = markerOf(inputs.owner);
    const both = [first, second];
    const runsIn = this.machine.netns(home.netns);
    // The end the command makes, as the kernel echoes it (see vethAdd); none when it was adopted.
    let made: LinkInfo | undefined;
    const state = await withIntent(this.machine, intentOf(inputs), marker, async (leftByKilledRun) => {
      const { adopted } = await createOrAdopt(
        `An interface named "${home.device}" or "${away.device}" in the namespaces of this veth pair`,
        runsIn.argv(linkDelete(home.device)),
        async () => {
          made = parseLinks(await runsIn.change(vethAdd(home.device, away.device, sendAway, inputs.mtu)))[0];
        },
        async () => {
          // Ours when both ends are there, and our mark reached one of them, or neither was marked
          // yet by a run of ours that was killed first.
          const [a, b] = await Promise.all([this.showVeth(first, undefined), this.showVeth(second, undefined)]);
          if (marker === undefined || a === undefined || b === undefined) return false;
          return (
            a.alias === marker ||
            b.alias === marker ||
            (a.alias === undefined && b.alias === undefined && leftByKilledRun)
          );
        },
      );
      return undoOnFailure(
        async () => {
          // One command per end: the mark, its bridge, and for an adopted pair the declared MTU and state.
          await this.setEnds(both, (end) => ({
            alias: marker,
            mtu: adopted ? inputs.mtu : undefined,
            master: adopted ? (end.master ?? null) : end.master,
            up: inputs.up || adopted ? inputs.up : undefined,
          }));
          return this.describe(inputs, adopted ? undefined : made);
        },
        // Ours for sure (just made, or adopted): removed without looking for the mark.
        () => ignoreNotFound(() => runsIn.change(linkDelete(home.device))),
      );
    });
    return { id: this.id(inputs), outs: state };
  }

  async read(id: string, props: VethPairState) {
    const [first, second] = ends(props);
    const [a, b] = await Promise.all([this.readVeth(first, props.owner), this.readVeth(second, props.owner)]);
    if (a === undefined && b === undefined) return {};
    // One end missing while the other is there means it was moved to another namespace (deleting
    // either end deletes both). Say so through its namespace, which makes the pair be replaced.
    const live: VethPairState = {
      ...props,
      netns: a === undefined ? ELSEWHERE : props.netns,
      peerNetns: b === undefined ? ELSEWHERE : props.peerNetns,
      up: (a?.up ?? false) && (b?.up ?? false),
      ifindex: a?.ifindex ?? 0,
      mac: a?.address ?? "",
      peerIfindex: b?.ifindex ?? 0,
      peerMac: b?.address ?? "",
    };
    // A port taken off its bridge (or put on one) by hand shows here.
    const master = a === undefined ? props.master : a.master;
    const peerMaster = b === undefined ? props.peerMaster : b.master;
    if (master !== undefined) live.master = master;
    else delete live.master;
    if (peerMaster !== undefined) live.peerMaster = peerMaster;
    else delete live.peerMaster;
    // Whichever end differs from the declared MTU shows the drift.
    live.mtu = (a?.mtu !== props.mtu ? a?.mtu : b?.mtu) ?? props.mtu;
    const { ifindex: _i, mac: _m, peerIfindex: _pi, peerMac: _pm, ...inputs } = live;
    return { id, props: live, inputs };
  }

  async update(_id: string, olds: VethPairState, news: VethPairInputs): Promise<Updated<VethPairState>> {
    const [first, second] = ends(news);
    const masterOf = (end: End) => (end === first ? olds.master : olds.peerMaster);
    await this.setEnds([first, second], (end) => ({
      mtu: news.mtu !== olds.mtu ? news.mtu : undefined,
      master: end.master !== masterOf(end) ? (end.master ?? null) : undefined,
      up: news.up !== olds.up ? news.up : undefined,
    }));
    return { outs: await this.describe(news) };
  }

  async delete(_id: string, props: VethPairInputs) {
    // Unmarked ends are ours too when a create of ours was cut short before the mark (deleteOurs).
    await deleteOurs(this.machine, intentOf(props), props.owner, async (isOurs) => {
      // Deleting either end deletes the pair; try the other end when one was moved away.
      for (const end of ends(props)) {
        const link = await this.showVeth(end, undefined);
        if (link === undefined || !isOurs(link.alias)) continue;
        await ignoreNotFound(() => this.machine.netns(end.netns).change(linkDelete(end.device)));
        return;
      }
    });
  }

  /** Applies each end's `changes`, one `ip link set` per end; an end with nothing to change runs nothing. */
  private async setEnds(both: End[], changes: (end: End) => LinkChanges): Promise<void> {
    for (const end of both) {
      const change = changes(end);
      if (Object.values(change).every((v) => v === undefined)) continue;
      await this.machine.netns(end.netns).change(linkSet(end.device, change));
    }
  }

  /** The end, looked up by itself (after a change of ours), if it is a veth end and `owner`'s (any, without one). */
  private async showVeth(end: End, owner: string | undefined): Promise<LinkInfo | undefined> {
    if (end.netns === ELSEWHERE) return undefined;
    return showLink(this.machine, { name: end.device, netns: end.netns }, "veth", owner);
  }

  /** The end, from the read of its namespace that a refresh shares, if it is a veth end and `owner`'s. */
  private async readVeth(end: End, owner: string | undefined): Promise<LinkInfo | undefined> {
    if (end.netns === ELSEWHERE) return undefined;
    return readLink(this.machine, { name: end.device, netns: end.netns, owner }, "veth");
  }

  /**
   * The state after create or update: the inputs plus each end's ifindex and MAC. `made` is the end
   * a create made, as the kernel echoed it: then only the other end is read.
   */
  private async describe(inputs: VethPairInputs, made?: LinkInfo): Promise<VethPairState> {
    const [first, second] = ends(inputs);
    const [home] = homeAndAway(inputs);
    const echoed = made?.ifname === home.device && made.address !== undefined ? made : undefined;
    const read = (end: End) =>
      echoed !== undefined && end.device === home.device && end.netns === home.netns
        ? Promise.resolve(echoed)
        : this.showVeth(end, inputs.owner);
    const [a, b] = await Promise.all([read(first), read(second)]);
    if (a === undefined || b === undefined) {
      throw new Error(`veth pair ${first.device}/${second.device} vanished right after it was set up`);
    }
    return { ...inputs, ifindex: a.ifindex, mac: a.address ?? "", peerIfindex: b.ifindex, peerMac: b.address ?? "" };
  }
}

/**
 * The end whose namespace the pair is made in, and the end sent away from there: `netns` cannot
 * name the root namespace, so when one end belongs there, the command runs there.
 */
function homeAndAway(p: VethPairInputs): [End, End] {
  const [first, second] = ends(p);
  return first.netns !== undefined && second.netns === undefined ? [second, first] : [first, second];
}

/** The name of the journal's note of a create under way (journal.ts, withIntent). */
function intentOf(p: VethPairInputs): string {
  const [home] = homeAndAway(p);
  return `veth/${home.netns ?? "@root"}/${home.device}`;
}
