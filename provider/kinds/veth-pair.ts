/**
 * VethPair, provider half: two virtual Ethernet devices joined back to back, each end in a
 * namespace of its own choosing, as made by `ip link add NAME type veth peer name PEER netns PEER_NETNS`.
 */
import type * as pulumi from "@pulumi/pulumi";
import {
  DETAILS_JSON,
  type LinkChanges,
  type LinkInfo,
  linkDelete,
  linkSet,
  linkShow,
  parseLinks,
  vethAdd,
} from "../commands/link.js";
import { importId, interfaceName } from "../commands/names.js";
import { netnsList, parseNetnsList } from "../commands/netns.js";
import { ignoreNotFound } from "../errors.js";
import type { Machine } from "../machine/machine.js";
import { linksIn } from "../machine/reads.js";
import { deleteOurs, withIntent } from "../records/journal.js";
import { markerOf, refuseOthers } from "../records/ownership.js";
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
    const marker = markerOf(inputs.owner);
    const runsIn = this.machine.netns(home.netns);
    // Both ends as the kernel has them once made and settled; none when the pair was adopted.
    let made: Made | undefined;
    const state = await withIntent(this.machine, intentOf(inputs), marker, async (leftByKilledRun) => {
      const { adopted } = await createOrAdopt(
        `An interface named "${home.device}" or "${away.device}" in the namespaces of this veth pair`,
        runsIn.argv(linkDelete(home.device)),
        async () => {
          made = await this.make(inputs, marker);
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
      if (!adopted) return this.describe(inputs, made);
      return undoOnFailure(
        async () => {
          // One command per end: the mark, and the declared bridge, MTU and state.
          await this.setEnds([first, second], (end) => ({
            alias: marker,
            mtu: inputs.mtu,
            master: end.master ?? null,
            up: inputs.up,
          }));
          return this.describe(inputs);
        },
        // Ours for sure (adopted): removed without looking for the mark.
        () => ignoreNotFound(() => runsIn.change(linkDelete(home.device))),
      );
    });
    return { id: this.id(inputs), outs: state };
  }

  /**
   * Makes the pair, settles each end (its mark, its bridge, up) and reads it back: one `ip -batch`
   * in each end's namespace, where a process per step took four. A failed add is thrown as it is,
   * for createOrAdopt; a failure after it deletes the pair again.
   */
  private async make(inputs: VethPairInputs, marker: string | undefined): Promise<Made> {
    const [home, away] = homeAndAway(inputs);
    const here = this.machine.netns(home.netns);
    const settle = (end: End): string[][] => {
      const changes: LinkChanges = { alias: marker, master: end.master, up: inputs.up ? true : undefined };
      return nothingToChange(changes) ? [] : [linkSet(end.device, changes)];
    };
    const sendAway = away.netns === home.netns ? undefined : away.netns;
    const add = vethAdd(home.device, away.device, sendAway, inputs.mtu);
    const made = await here.sequence([add, ...settle(home), linkShow(home.device)], DETAILS_JSON);
    if (made.failed?.step === 0) throw made.failed.error;
    return undoOnFailure(
      async () => {
        if (made.failed !== undefined) throw made.failed.error;
        const sent = await this.machine
          .netns(away.netns)
          .sequence([...settle(away), linkShow(away.device)], DETAILS_JSON);
        if (sent.failed !== undefined) throw sent.failed.error;
        return { home: vethEnd(made.stdout, home), away: vethEnd(sent.stdout, away) };
      },
      () => ignoreNotFound(() => here.change(linkDelete(home.device))),
    );
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
      if (nothingToChange(change)) continue;
      await this.machine.netns(end.netns).change(linkSet(end.device, change));
    }
  }

  /**
   * Imported by one end, `[NETNS/]NAME`: the other end is its peer, found by name in the same
   * namespace, or else by its index in whichever named namespace (or the root one) holds it. Both
   * ends get the mark.
   */
  async adopt(id: string, owner: string | undefined): Promise<VethPairState | undefined> {
    const { netns, rest } = importId(id, "[NETNS/]NAME, one end of the pair", [interfaceName]);
    const end: End = { device: rest[0] as string, netns, master: undefined };
    const a = await this.showVeth(end, undefined);
    if (a === undefined) return undefined;
    const peer = await this.peerOf(end, a);
    if (peer === undefined) return undefined;
    const [first, second] = [
      { ...end, master: a.master },
      { device: peer.link.ifname, netns: peer.netns, master: peer.link.master },
    ];
    const clear = (e: End) => `ip${e.netns === undefined ? "" : ` -n ${e.netns}`} link set dev ${e.device} alias ""`;
    refuseOthers(`veth end "${first.device}"`, a.alias, owner, clear(first));
    refuseOthers(`veth end "${second.device}"`, peer.link.alias, owner, clear(second));
    if (owner !== undefined) await this.setEnds([first, second], () => ({ alias: markerOf(owner) }));
    const inputs: VethPairInputs = {
      name: first.device,
      peerName: second.device,
      mtu: a.mtu,
      up: a.up && peer.link.up,
      owner,
    };
    // Absent where check leaves them out: the root namespace, no bridge.
    if (first.netns !== undefined) inputs.netns = first.netns;
    if (second.netns !== undefined) inputs.peerNetns = second.netns;
    if (first.master !== undefined) inputs.master = first.master;
    if (second.master !== undefined) inputs.peerMaster = second.master;
    return this.describe(inputs);
  }

  /** The peer of veth end `end` (read as `link`) and its namespace; undefined when it cannot be found. */
  private async peerOf(end: End, link: LinkInfo): Promise<{ link: LinkInfo; netns: string | undefined } | undefined> {
    if (link.linkName !== undefined) {
      const found = await this.showVeth({ device: link.linkName, netns: end.netns, master: undefined }, undefined);
      return found === undefined ? undefined : { link: found, netns: end.netns };
    }
    const named = parseNetnsList(await this.machine.netns(undefined).read(netnsList()));
    for (const netns of [undefined, ...named].filter((n) => n !== end.netns)) {
      const found = (await linksIn(this.machine.netns(netns)))?.find(
        (l) => l.kind === "veth" && l.ifindex === link.link && l.link === link.ifindex,
      );
      if (found !== undefined) return { link: found, netns };
    }
    return undefined;
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
   * The state after create or update: the inputs plus each end's ifindex and MAC, from `made` when
   * a create made the pair, else read.
   */
  private async describe(inputs: VethPairInputs, made?: Made): Promise<VethPairState> {
    const [first, second] = ends(inputs);
    const [home] = homeAndAway(inputs);
    const read = async (end: End) =>
      made === undefined
        ? this.showVeth(end, inputs.owner)
        : end.device === home.device && end.netns === home.netns
          ? made.home
          : made.away;
    const [a, b] = await Promise.all([read(first), read(second)]);
    if (a === undefined || b === undefined) {
      throw new Error(`veth pair ${first.device}/${second.device} vanished right after it was set up`);
    }
    return { ...inputs, ifindex: a.ifindex, mac: a.address ?? "", peerIfindex: b.ifindex, peerMac: b.address ?? "" };
  }
}

/** The two ends of a pair just made, as the kernel showed them: the one made where the command ran, and the one sent away. */
interface Made {
  home: LinkInfo;
  away: LinkInfo;
}

/** The end that `ip -details -json link show` printed, checked to be that veth end. */
function vethEnd(stdout: string, end: End): LinkInfo {
  const link = parseLinks(stdout)[0];
  if (link?.ifname !== end.device || link.kind !== "veth") {
    throw new Error(`veth end ${end.device} vanished right after it was set up`);
  }
  return link;
}

/** True when a `LinkChanges` changes nothing: no `ip link set` is run for it. */
function nothingToChange(changes: LinkChanges): boolean {
  return Object.values(changes).every((v) => v === undefined);
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
