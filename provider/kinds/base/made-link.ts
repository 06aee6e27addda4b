/**
 * What the kinds that are one link made by one `ip link add` (Bridge, MacVlan, Vxlan) share: made
 * all or nothing under a note of intent, marked on its alias, adopted when a run of ours was cut
 * short, refused when it is anyone else's, looked up by kind and mark, and deleted only when ours.
 * (A veth pair is two links made by one command: veth-pair.ts makes and deletes them itself, and
 * looks each end up with the look-ups here.)
 */
import type * as pulumi from "@pulumi/pulumi";
import { type LinkInfo, linkDelete, linkSet, linkShowDetails, parseLinks } from "../../commands/link.js";
import { ignoreNotFound, undefinedIfNotFound } from "../../errors.js";
import type { Machine, Netns } from "../../machine/machine.js";
import { linkIn } from "../../machine/reads.js";
import { deleteOurs, withIntent } from "../../records/journal.js";
import { isOwnedBy, markerOf } from "../../records/ownership.js";
import { createOrAdopt, undoOnFailure } from "./lifecycle.js";

/** The identity of such a link: its name, the namespace it lives in, and who made it. */
export interface OneLink {
  name: string;
  netns?: string | undefined;
  owner?: string | undefined;
}

/**
 * A link made in another namespace than the one it lives in (`parentNetns` of a macvlan,
 * `underlayNetns` of a VXLAN link) is sent to `netns` by name, which the root namespace has not.
 */
export function madeElsewhereProblems(
  p: { netns?: string | undefined },
  made: string | undefined,
  key: string,
): pulumi.dynamic.CheckFailure[] {
  if (p.netns !== undefined || made === undefined) return [];
  const reason = `must be given when ${key} is: a link made elsewhere cannot be sent to the root namespace by name`;
  return [{ property: "netns", reason }];
}

/** The checked inputs without `key` when it names the link's own namespace: it defaults to `netns`, stored only where it differs. */
export function withoutOwnNamespace<T extends { netns?: string | undefined }, K extends keyof T>(inputs: T, key: K): T {
  if (inputs[key] !== undefined && inputs[key] !== inputs.netns) return inputs;
  const { [key]: _, ...rest } = inputs;
  return rest as T;
}

/** The kind of link, as `ip -details` names it (`info_kind`); a veth end is looked up here too. */
export type LinkKind = "bridge" | "macvlan" | "vxlan" | "veth";

export interface Making {
  /** The `ip link add` argv; it makes the link in `p.netns`, or there from `runsIn` (`… netns NETNS`). */
  add: readonly string[];
  /** Where `add` runs, when not in the link's own namespace: where its parent or underlay is. */
  runsIn?: Netns | undefined;
  /**
   * What follows the add, in the link's namespace: the mark and the declared state. `found` is
   * the link that was there already, when it was adopted.
   */
  settle: (found: LinkInfo | undefined) => Promise<void>;
}

/** Makes (or adopts) the link and settles it; returns it as the kernel has it then. */
export async function createLink(machine: Machine, p: OneLink, kind: LinkKind, making: Making): Promise<LinkInfo> {
  const home = machine.netns(p.netns);
  const runsIn = making.runsIn ?? home;
  const marker = markerOf(p.owner);
  let found: LinkInfo | undefined;
  let echoed: LinkInfo | undefined;
  return withIntent(machine, intentOf(p, kind), marker, async (leftByKilledRun) => {
    const { adopted } = await createOrAdopt(
      `An interface named "${p.name}" in the namespace of this ${kind}`,
      home.argv(linkDelete(p.name)),
      async () => {
        const stdout = await runsIn.change(making.add);
        // With `-echo`, the kernel (6.3 and newer) answers with the link it made, when it made it
        // where the command ran; otherwise it answers nothing useful, and the link is read.
        if (runsIn === home && making.add.includes("-echo")) echoed = parseLinks(stdout)[0];
      },
      async () => {
        found = await showLink(machine, p, kind, undefined);
        if (marker === undefined || found === undefined) return false;
        return found.alias === marker || (found.alias === undefined && leftByKilledRun);
      },
    );
    return undoOnFailure(
      async () => {
        await making.settle(adopted ? found : undefined);
        const live = echoed?.address !== undefined ? echoed : await showLink(machine, p, kind, p.owner);
        if (live === undefined) throw new Error(`${kind} ${p.name} vanished right after it was set up`);
        return live;
      },
      // Ours for sure (just made, or adopted): removed without looking for the mark.
      () => ignoreNotFound(() => home.change(linkDelete(p.name))),
    );
  });
}

/** What an update changes of any such link, besides its kind's own options. */
interface MtuAndState {
  mtu?: number | undefined;
  up: boolean;
}

/** Sets the link's MTU and state where `news` differs from `olds`: one `ip link set`, or none. */
export async function updateLink(machine: Machine, olds: MtuAndState, news: OneLink & MtuAndState): Promise<void> {
  const mtu = news.mtu !== olds.mtu ? news.mtu : undefined;
  const up = news.up !== olds.up ? news.up : undefined;
  if (mtu !== undefined || up !== undefined) await machine.netns(news.netns).change(linkSet(news.name, { mtu, up }));
}

/** Deletes the link if it is ours (journal.ts, deleteOurs). */
export async function deleteLink(machine: Machine, p: OneLink, kind: LinkKind): Promise<void> {
  await deleteOurs(machine, intentOf(p, kind), p.owner, async (isOurs) => {
    const link = await showLink(machine, p, kind, undefined);
    if (link === undefined || !isOurs(link.alias)) return;
    await ignoreNotFound(() => machine.netns(p.netns).change(linkDelete(p.name)));
  });
}

/** The link, looked up by itself (after a change of ours), if it is {@link ofKind}. */
export async function showLink(
  machine: Machine,
  p: OneLink,
  kind: LinkKind,
  owner: string | undefined,
): Promise<LinkInfo | undefined> {
  const stdout = await undefinedIfNotFound(() => machine.netns(p.netns).read(linkShowDetails(p.name)));
  return ofKind(stdout === undefined ? undefined : parseLinks(stdout)[0], kind, owner);
}

/** The link, from the read of its namespace that a refresh shares, if it is {@link ofKind} and ours. */
export async function readLink(machine: Machine, p: OneLink, kind: LinkKind): Promise<LinkInfo | undefined> {
  return ofKind(await linkIn(machine.netns(p.netns), p.name), kind, p.owner);
}

/** The link when it is there, is of `kind` and (with an owner) carries the owner's mark. */
function ofKind(link: LinkInfo | undefined, kind: LinkKind, owner: string | undefined): LinkInfo | undefined {
  return link?.kind === kind && isOwnedBy(link.alias, owner) ? link : undefined;
}

/** The name of the journal's note of a create under way (journal.ts, withIntent). */
function intentOf(p: OneLink, kind: LinkKind): string {
  return `${kind}/${p.netns ?? "@root"}/${p.name}`;
}
