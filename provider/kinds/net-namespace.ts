/**
 * NetNamespace, provider half: a named network namespace, as made by `ip netns add NAME`.
 */
import { type LinkInfo, linkSet } from "../commands/link.js";
import { importId, netnsName } from "../commands/names.js";
import { netnsAdd, netnsDelete } from "../commands/netns.js";
import { ignoreNotFound } from "../errors.js";
import type { Machine } from "../machine/machine.js";
import { linkIn } from "../machine/reads.js";
import { deleteOurs, withIntent } from "../records/journal.js";
import { isOwnedBy, markerOf, refuseOthers } from "../records/ownership.js";
import { checkInputs, flag, ownerInput, text } from "./base/inputs.js";
import type { Created, KindProvider, Updated } from "./base/kind.js";
import { createOrAdopt, undoOnFailure } from "./base/lifecycle.js";

/** Inputs after `check`: validated, defaults filled in. */
export interface NetNamespaceInputs {
  name: string;
  loopbackUp: boolean;
  /** Who made it (see ownership.ts); its mark goes on the namespace's `lo`. */
  owner?: string | undefined;
}

/** What the state holds: the inputs, as `diff` compares them. */
export type NetNamespaceState = NetNamespaceInputs;

export default class NetNamespaceProvider implements KindProvider<NetNamespaceInputs, NetNamespaceState> {
  constructor(private readonly machine: Machine) {}

  id(inputs: NetNamespaceInputs): string {
    return inputs.name;
  }

  async check(_olds: unknown, news: Record<string, unknown>) {
    return checkInputs<NetNamespaceInputs>(
      (z) => z.object({ name: text(z, netnsName), loopbackUp: flag(z, true), owner: ownerInput(z) }),
      news,
    );
  }

  async diff(_id: string, olds: NetNamespaceState, news: NetNamespaceInputs) {
    const replaces = olds.name !== news.name ? ["name"] : [];
    const changed = replaces.length > 0 || olds.loopbackUp !== news.loopbackUp;
    return { changes: changed, replaces };
  }

  async create(inputs: NetNamespaceInputs): Promise<Created<NetNamespaceState>> {
    const { name, owner } = inputs;
    const root = this.machine.netns(undefined);
    const marker = markerOf(owner);
    await withIntent(this.machine, `netns/${name}`, marker, async (leftByKilledRun) => {
      const { adopted } = await createOrAdopt(
        `Network namespace "${name}"`,
        root.argv(netnsDelete(name)),
        () => root.change(netnsAdd(name)),
        async () => {
          if (marker === undefined) return false;
          const lo = await this.loopback(name);
          if (lo === undefined) {
            // The name without a namespace on it: a run of ours killed inside `ip netns add`,
            // between making the name's file and mounting the namespace there. Made again.
            if (!leftByKilledRun) return false;
            await ignoreNotFound(() => root.change(netnsDelete(name)));
            await root.change(netnsAdd(name));
            return true;
          }
          // Marked by us, or made by a run of ours killed before it could mark it.
          return lo.alias === marker || (lo.alias === undefined && leftByKilledRun);
        },
      );
      await undoOnFailure(
        async () => {
          // A new namespace's lo is down: only "up" (or an adopted one's state) needs saying.
          const up = inputs.loopbackUp || adopted ? inputs.loopbackUp : undefined;
          if (marker !== undefined || up !== undefined) {
            await this.machine.netns(name).change(linkSet("lo", { alias: marker, up }));
          }
        },
        // Ours for sure (just made, or adopted): removed without looking for the mark.
        () => ignoreNotFound(() => root.change(netnsDelete(name))),
      );
    });
    return { id: this.id(inputs), outs: { ...inputs } };
  }

  async read(id: string, props?: NetNamespaceState) {
    const lo = await this.loopback(id);
    // Gone, or a namespace of that name that is not the one this stack made.
    if (lo === undefined || !isOwnedBy(lo.alias, props?.owner)) return {};
    const live: NetNamespaceState = { ...props, name: id, loopbackUp: lo.up };
    return { id, props: live, inputs: live };
  }

  async update(id: string, _olds: NetNamespaceState, news: NetNamespaceInputs): Promise<Updated<NetNamespaceState>> {
    await this.machine.netns(id).change(linkSet("lo", { up: news.loopbackUp }));
    return { outs: { ...news } };
  }

  async delete(id: string, props?: NetNamespaceState) {
    // Only the namespace this stack made: one of the same name made by someone else since is not ours.
    await deleteOurs(this.machine, `netns/${id}`, props?.owner, async (isOurs) => {
      if (props?.owner !== undefined && !isOurs((await this.loopback(id))?.alias)) return;
      await ignoreNotFound(() => this.machine.netns(undefined).change(netnsDelete(id)));
    });
  }

  /** Imported by name: the mark goes on its `lo`. */
  async adopt(id: string, owner: string | undefined): Promise<NetNamespaceState | undefined> {
    const { rest } = importId(id, "NAME", [netnsName]);
    const name = rest[0] as string;
    const lo = await this.loopback(name);
    if (lo === undefined) return undefined;
    refuseOthers(`Network namespace "${name}"`, lo.alias, owner, `ip -n ${name} link set dev lo alias ""`);
    if (owner !== undefined) await this.machine.netns(name).change(linkSet("lo", { alias: markerOf(owner) }));
    return { name, loopbackUp: lo.up, owner };
  }

  /** The namespace's `lo`, which carries our mark; undefined when the namespace does not exist. */
  private loopback(name: string): Promise<LinkInfo | undefined> {
    return linkIn(this.machine.netns(name), "lo");
  }
}
