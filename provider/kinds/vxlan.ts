/**
 * Vxlan, provider half: an Ethernet segment tunnelled over UDP (VXLAN), as made by
 * `ip link add NAME type vxlan id VNI …`. Its socket lives where its underlay is (`underlayNetns`),
 * the link itself where its addresses go (`netns`): a tunnel between two hosts' namespaces can
 * join two other namespaces.
 */
import type * as pulumi from "@pulumi/pulumi";
import { ipAddress, isMulticast } from "../commands/address.js";
import { linkSet, type VxlanOptions, vxlanAdd, vxlanSetLearning } from "../commands/link.js";
import { interfaceName } from "../commands/names.js";
import type { Machine } from "../machine/machine.js";
import { markerOf } from "../records/ownership.js";
import { wholeNumber } from "../rule.js";
import { checkInputs, flag, known, netnsInput, number, ownerInput, text } from "./base/inputs.js";
import type { Created, KindProvider, Updated } from "./base/kind.js";
import {
  createLink,
  deleteLink,
  madeElsewhereProblems,
  readLink,
  updateLink,
  withoutOwnNamespace,
} from "./base/made-link.js";

export interface VxlanInputs extends VxlanOptions {
  name: string;
  netns?: string | undefined;
  /** Where `device` and `local` are, and the tunnel's socket; absent: the same as `netns`. */
  underlayNetns?: string | null | undefined;
  /** The underlay device the tunnel's packets leave by (`dev`). */
  device?: string | undefined;
  /** Set and watched when declared; otherwise the kernel's (the underlay's less 50 bytes). */
  mtu?: number | undefined;
  /** The bridge it is a port of, in `netns`. */
  master?: string | undefined;
  up: boolean;
  /** Who made it (see ownership.ts); its mark goes on the link's alias. */
  owner?: string | undefined;
}

export interface VxlanState extends VxlanInputs {
  ifindex: number;
  mac: string;
}

/** What identifies the tunnel: a change to any of these makes a new link. */
const identity = ["name", "netns", "underlayNetns", "vni", "local", "remote", "group", "dstport", "device"] as const;

export default class VxlanProvider implements KindProvider<VxlanInputs, VxlanState> {
  constructor(private readonly machine: Machine) {}

  id(p: VxlanInputs): string {
    return `${p.netns ?? ""}/${p.name}`;
  }

  async check(_olds: unknown, news: Record<string, unknown>): Promise<pulumi.dynamic.CheckResult<VxlanInputs>> {
    const result = await checkInputs<VxlanInputs>(
      (z) =>
        z.object({
          name: text(z, interfaceName),
          netns: netnsInput(z),
          // null: the root namespace, the machine's own (a tunnel between machines runs there).
          underlayNetns: netnsInput(z).nullable(),
          vni: number(z, wholeNumber(1, 16777215, " (24 bits)")),
          local: text(z, ipAddress).optional(),
          remote: text(z, ipAddress).optional(),
          group: text(z, ipAddress).optional(),
          dstport: number(z, wholeNumber(1, 65535)).default(4789),
          device: text(z, interfaceName).optional(),
          learning: flag(z, true),
          mtu: number(z, wholeNumber(68, 65535)).optional(),
          master: text(z, interfaceName).optional(),
          up: flag(z, true),
          owner: ownerInput(z),
        }),
      news,
      tunnelProblems,
    );
    return result.inputs === undefined ? result : { inputs: withoutOwnNamespace(result.inputs, "underlayNetns") };
  }

  async diff(_id: string, olds: VxlanState, news: VxlanInputs) {
    const replaces = identity.filter((key) => olds[key] !== news[key]);
    const updates = (["learning", "mtu", "master", "up"] as const).filter((key) => olds[key] !== news[key]);
    return { changes: replaces.length + updates.length > 0, replaces, deleteBeforeReplace: true };
  }

  async create(inputs: VxlanInputs): Promise<Created<VxlanState>> {
    const { name, netns, underlayNetns } = inputs;
    const live = await createLink(this.machine, inputs, "vxlan", {
      add: vxlanAdd(
        name,
        { mtu: inputs.mtu, into: underlayNetns === undefined ? undefined : netns },
        inputs.device,
        inputs,
      ),
      runsIn: underlayNetns === undefined ? undefined : this.machine.netns(underlayNetns ?? undefined),
      settle: async (found) => {
        if (found?.vxlan !== undefined && found.vxlan.learning !== inputs.learning) {
          await this.machine.netns(netns).change(vxlanSetLearning(name, inputs.learning));
        }
        const mtu = found === undefined ? undefined : inputs.mtu;
        await this.machine
          .netns(netns)
          .change(linkSet(name, { alias: markerOf(inputs.owner), mtu, master: inputs.master, up: inputs.up }));
      },
    });
    return { id: this.id(inputs), outs: { ...inputs, ifindex: live.ifindex, mac: live.address ?? "" } };
  }

  async read(id: string, props: VxlanState) {
    const link = await readLink(this.machine, props, "vxlan");
    if (link?.vxlan === undefined) return {};
    // The tunnel as the kernel has it: one re-made by hand with other ends is not this one. (Its
    // `device` and `underlayNetns` are not read back: the kernel names the underlay device by its
    // index in another namespace.)
    const { local, remote, group, ...tunnel } = link.vxlan;
    const { local: _l, remote: _r, group: _g, ...rest } = props;
    const live: VxlanState = {
      ...rest,
      ...tunnel,
      ...(local === undefined ? {} : { local }),
      ...(remote === undefined ? {} : { remote }),
      ...(group === undefined ? {} : { group }),
      up: link.up,
      ifindex: link.ifindex,
      mac: link.address ?? "",
    };
    if (props.mtu !== undefined) live.mtu = link.mtu;
    if (link.master !== undefined) live.master = link.master;
    else delete live.master;
    const { ifindex: _i, mac: _m, ...inputs } = live;
    return { id, props: live, inputs };
  }

  async update(_id: string, olds: VxlanState, news: VxlanInputs): Promise<Updated<VxlanState>> {
    const netns = this.machine.netns(news.netns);
    if (news.learning !== olds.learning) await netns.change(vxlanSetLearning(news.name, news.learning));
    if (news.master !== olds.master) await netns.change(linkSet(news.name, { master: news.master ?? null }));
    await updateLink(this.machine, olds, news);
    return { outs: { ...news, ifindex: olds.ifindex, mac: olds.mac } };
  }

  async delete(_id: string, props: VxlanInputs) {
    await deleteLink(this.machine, props, "vxlan");
  }
}

/** What the kernel would refuse, or quietly take to mean something else, about the tunnel's ends. */
function tunnelProblems(p: VxlanInputs): pulumi.dynamic.CheckFailure[] {
  const failures: pulumi.dynamic.CheckFailure[] = [];
  const fail = (property: string, reason: string) => failures.push({ property, reason });
  const { local, remote, group } = p;
  if (remote !== undefined && group !== undefined) {
    fail("group", "must not be given with remote: a tunnel has one far end (remote) or a multicast group");
  }
  if (known(remote) && remote !== undefined && isMulticast(remote)) {
    fail("remote", `must be a unicast address (a multicast one goes in group); got "${remote}"`);
  }
  if (known(group) && group !== undefined && !isMulticast(group)) {
    fail("group", `must be a multicast address (224.0.0.0/4 or ff00::/8); got "${group}"`);
  }
  if (group !== undefined && p.device === undefined) {
    fail("device", "must be given with group: the kernel joins the multicast group on that device");
  }
  const families = [local, remote, group]
    .filter((a): a is string => a !== undefined && known(a))
    .map((a) => a.includes(":"));
  if (new Set(families).size > 1) fail("local", "must be of the same family as remote or group (IPv4 or IPv6)");
  const underlay = p.underlayNetns === null ? "(the root namespace)" : p.underlayNetns;
  return [...failures, ...madeElsewhereProblems(p, underlay, "underlayNetns")];
}
