/**
 * MacVlan, provider half: a link with a MAC address of its own on top of a parent device, as made by
 * `ip link add NAME link PARENT type macvlan mode MODE`; with `netns`, it lives in another
 * namespace than its parent, the way a container gets a leg on the host's network.
 */
import type * as pulumi from "@pulumi/pulumi";
import { linkSet, linkShowDetails, type MacvlanMode, macvlanAdd, macvlanModes, parseLinks } from "../commands/link.js";
import { interfaceName } from "../commands/names.js";
import { undefinedIfNotFound } from "../errors.js";
import type { Machine } from "../machine/machine.js";
import { markerOf } from "../records/ownership.js";
import { wholeNumber } from "../rule.js";
import { checkInputs, choice, flag, netnsInput, number, ownerInput, text } from "./base/inputs.js";
import type { Created, KindProvider, Updated } from "./base/kind.js";
import {
  createLink,
  deleteLink,
  madeElsewhereProblems,
  readLink,
  updateLink,
  withoutOwnNamespace,
} from "./base/made-link.js";

export interface MacVlanInputs {
  name: string;
  netns?: string | undefined;
  /** The device it sits on (`link PARENT`). */
  parent: string;
  /** Where `parent` is; absent: the same as `netns`. */
  parentNetns?: string | undefined;
  mode: MacvlanMode;
  /** Set and watched when declared; otherwise the kernel's (the parent's). */
  mtu?: number | undefined;
  up: boolean;
  /** Who made it (see ownership.ts); its mark goes on the link's alias. */
  owner?: string | undefined;
}

export interface MacVlanState extends MacVlanInputs {
  ifindex: number;
  mac: string;
}

export default class MacVlanProvider implements KindProvider<MacVlanInputs, MacVlanState> {
  constructor(private readonly machine: Machine) {}

  id(p: MacVlanInputs): string {
    return `${p.netns ?? ""}/${p.name}`;
  }

  async check(_olds: unknown, news: Record<string, unknown>): Promise<pulumi.dynamic.CheckResult<MacVlanInputs>> {
    const result = await checkInputs<MacVlanInputs>(
      (z) =>
        z.object({
          name: text(z, interfaceName),
          netns: netnsInput(z),
          parent: text(z, interfaceName),
          parentNetns: netnsInput(z),
          mode: choice(z, macvlanModes, "bridge"),
          mtu: number(z, wholeNumber(68, 65535)).optional(),
          up: flag(z, true),
          owner: ownerInput(z),
        }),
      news,
      (p) => madeElsewhereProblems(p, p.parentNetns, "parentNetns"),
    );
    return result.inputs === undefined ? result : { inputs: withoutOwnNamespace(result.inputs, "parentNetns") };
  }

  async diff(_id: string, olds: MacVlanState, news: MacVlanInputs) {
    // The kernel moves a macvlan between some modes in place but not to or from passthru: a new
    // mode makes a new link, always.
    const replaces = (["name", "netns", "parent", "parentNetns", "mode"] as const).filter(
      (key) => olds[key] !== news[key],
    );
    const updates = (["mtu", "up"] as const).filter((key) => olds[key] !== news[key]);
    return { changes: replaces.length + updates.length > 0, replaces, deleteBeforeReplace: true };
  }

  async create(inputs: MacVlanInputs): Promise<Created<MacVlanState>> {
    const { name, netns, parent, parentNetns } = inputs;
    const parentHome = this.machine.netns(parentNetns ?? netns);
    // On a macvlan parent the kernel would quietly use that macvlan's own parent instead.
    const stdout = await undefinedIfNotFound(() => parentHome.read(linkShowDetails(parent)));
    if (stdout !== undefined && parseLinks(stdout)[0]?.kind === "macvlan") {
      throw new Error(
        `MacVlan ${name}: property parent value "${parent}" has a problem: must not be a macvlan itself ` +
          "(the kernel would put the new link on that macvlan's own parent); name the device below it",
      );
    }
    const live = await createLink(this.machine, inputs, "macvlan", {
      add: macvlanAdd(
        name,
        { link: parent, mtu: inputs.mtu, into: parentNetns === undefined ? undefined : netns },
        inputs.mode,
      ),
      runsIn: parentNetns === undefined ? undefined : parentHome,
      settle: async (found) => {
        const mtu = found === undefined ? undefined : inputs.mtu;
        await this.machine.netns(netns).change(linkSet(name, { alias: markerOf(inputs.owner), mtu, up: inputs.up }));
      },
    });
    return { id: this.id(inputs), outs: { ...inputs, ifindex: live.ifindex, mac: live.address ?? "" } };
  }

  async read(id: string, props: MacVlanState) {
    const link = await readLink(this.machine, props, "macvlan");
    if (link?.macvlan === undefined) return {};
    const live: MacVlanState = {
      ...props,
      mode: link.macvlan.mode as MacvlanMode,
      up: link.up,
      ifindex: link.ifindex,
      mac: link.address ?? "",
      ...(props.mtu === undefined ? {} : { mtu: link.mtu }),
    };
    const { ifindex: _i, mac: _m, ...inputs } = live;
    return { id, props: live, inputs };
  }

  async update(_id: string, olds: MacVlanState, news: MacVlanInputs): Promise<Updated<MacVlanState>> {
    await updateLink(this.machine, olds, news);
    return { outs: { ...news, ifindex: olds.ifindex, mac: olds.mac } };
  }

  async delete(_id: string, props: MacVlanInputs) {
    await deleteLink(this.machine, props, "macvlan");
  }
}
