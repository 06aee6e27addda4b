/**
 * Bridge, provider half: a software switch in a namespace, as made by `ip link add NAME type bridge`.
 * Link ends join it as its ports through their own `master` (see veth-pair.ts).
 */
import type * as pulumi from "@pulumi/pulumi";
import { type BridgeOptions, bridgeAdd, bridgeSet, linkSet } from "../commands/link.js";
import { importId, interfaceName } from "../commands/names.js";
import type { Machine } from "../machine/machine.js";
import { markerOf, refuseOthers } from "../records/ownership.js";
import { wholeNumber } from "../rule.js";
import { checkInputs, flag, known, netnsInput, number, ownerInput, text } from "./base/inputs.js";
import type { Created, KindProvider, Updated } from "./base/kind.js";
import { createLink, deleteLink, readLink, showLink, updateLink } from "./base/made-link.js";

export interface BridgeInputs extends BridgeOptions {
  name: string;
  netns?: string | undefined;
  mtu: number;
  up: boolean;
  /** Who made it (see ownership.ts); its mark goes on the bridge's alias. */
  owner?: string | undefined;
}

export interface BridgeState extends BridgeInputs {
  /** Interface index of the bridge in its namespace. */
  ifindex: number;
  /** MAC address of the bridge. */
  mac: string;
}

/** The kernel's limits on the forward delay with STP on (BR_MIN/MAX_FORWARD_DELAY), in hundredths of a second. */
const STP_DELAY = { min: 200, max: 3000 };

export default class BridgeProvider implements KindProvider<BridgeInputs, BridgeState> {
  constructor(private readonly machine: Machine) {}

  id(p: BridgeInputs): string {
    return `${p.netns ?? ""}/${p.name}`;
  }

  async check(_olds: unknown, news: Record<string, unknown>): Promise<pulumi.dynamic.CheckResult<BridgeInputs>> {
    return checkInputs<BridgeInputs>(
      (z) =>
        z.object({
          name: text(z, interfaceName),
          netns: netnsInput(z),
          mtu: number(z, wholeNumber(68, 65535, " (the range a bridge takes)")).default(1500),
          up: flag(z, true),
          stp: flag(z, false),
          forwardDelay: number(z, wholeNumber(0, STP_DELAY.max, " hundredths of a second")).default(1500),
          owner: ownerInput(z),
        }),
      news,
      ({ stp, forwardDelay }) =>
        stp === true && known(forwardDelay) && forwardDelay < STP_DELAY.min
          ? [
              {
                property: "forwardDelay",
                reason: `must be from ${STP_DELAY.min} to ${STP_DELAY.max} (2 to 30 s) when stp is on, the kernel's range; got ${forwardDelay}`,
              },
            ]
          : [],
    );
  }

  async diff(_id: string, olds: BridgeState, news: BridgeInputs) {
    const replaces = (["name", "netns"] as const).filter((key) => olds[key] !== news[key]);
    const updates = (["mtu", "up", "stp", "forwardDelay"] as const).filter((key) => olds[key] !== news[key]);
    // Interface names are unique per namespace: the old bridge must go before the new one can come.
    return { changes: replaces.length + updates.length > 0, replaces, deleteBeforeReplace: true };
  }

  async create(inputs: BridgeInputs): Promise<Created<BridgeState>> {
    const { name, mtu } = inputs;
    const live = await createLink(this.machine, inputs, "bridge", {
      // Made with an MTU one off the declared one, which the next command sets: a bridge keeps an
      // MTU only when it was set by a change (otherwise it follows its lowest port's), and the
      // kernel ignores a change to the MTU a device has already. No port sees the detour.
      add: bridgeAdd(name, mtu > 68 ? mtu - 1 : mtu + 1, inputs),
      settle: async (found) => {
        if (found?.bridge !== undefined) await this.setOptions(inputs, found.bridge);
        await this.machine
          .netns(inputs.netns)
          .change(linkSet(name, { alias: markerOf(inputs.owner), mtu, up: inputs.up }));
      },
    });
    return { id: this.id(inputs), outs: { ...inputs, ifindex: live.ifindex, mac: live.address ?? "" } };
  }

  async read(id: string, props: BridgeState) {
    const link = await readLink(this.machine, props, "bridge");
    if (link?.bridge === undefined) return {};
    const live: BridgeState = {
      ...props,
      mtu: link.mtu,
      up: link.up,
      stp: link.bridge.stp,
      forwardDelay: link.bridge.forwardDelay,
      ifindex: link.ifindex,
      mac: link.address ?? "",
    };
    const { ifindex: _i, mac: _m, ...inputs } = live;
    return { id, props: live, inputs };
  }

  /** Imported as `[NETNS/]NAME`: the mark goes on its alias. */
  async adopt(id: string, owner: string | undefined): Promise<BridgeState | undefined> {
    const { netns, rest } = importId(id, "[NETNS/]NAME", [interfaceName]);
    const name = rest[0] as string;
    const link = await showLink(this.machine, { name, netns }, "bridge", undefined);
    if (link === undefined) return undefined;
    const where = netns === undefined ? "" : ` -n ${netns}`;
    refuseOthers(`Bridge "${name}"`, link.alias, owner, `ip${where} link set dev ${name} alias ""`);
    if (owner !== undefined) await this.machine.netns(netns).change(linkSet(name, { alias: markerOf(owner) }));
    const read = await this.read(id, { name, ...(netns === undefined ? {} : { netns }), owner } as BridgeState);
    return read.props as BridgeState | undefined;
  }

  async update(_id: string, olds: BridgeState, news: BridgeInputs): Promise<Updated<BridgeState>> {
    await this.setOptions(news, olds);
    await updateLink(this.machine, olds, news);
    return { outs: { ...news, ifindex: olds.ifindex, mac: olds.mac } };
  }

  async delete(_id: string, props: BridgeInputs) {
    // Its ports leave it as it goes; they stay, for their own deletes.
    await deleteLink(this.machine, props, "bridge");
  }

  /** Changes the bridge's options from `from` to those of `to`, only those that differ. */
  private async setOptions(to: BridgeInputs, from: BridgeOptions): Promise<void> {
    const netns = this.machine.netns(to.netns);
    const stp = to.stp !== from.stp ? to.stp : undefined;
    const forwardDelay = to.forwardDelay !== from.forwardDelay ? to.forwardDelay : undefined;
    // The kernel takes a delay outside 2–30 s only with STP off: STP goes off before the delay
    // changes, and comes on with it (the kernel applies the delay first).
    if (stp === false) await netns.change(bridgeSet(to.name, { stp }));
    if (forwardDelay !== undefined || stp === true) {
      await netns.change(bridgeSet(to.name, { forwardDelay, stp: stp === true ? true : undefined }));
    }
  }
}
