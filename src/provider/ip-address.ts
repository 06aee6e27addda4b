/**
 * IpAddress, provider half: an IPv4 or IPv6 address on a device, as added by
 * `ip address add CIDR dev DEVICE`.
 */
import { addressAdd, addressDelete, cidr } from "../iproute/address.js";
import { interfaceName } from "../iproute/names.js";
import { checkInputs, netnsInput, ownerInput, text } from "./inputs.js";
import type { Created, KindProvider, Updated } from "./kind.js";
import { createOrAdopt, ignoreNotFound } from "./lifecycle.js";
import type { Machine } from "./machine.js";
import { isSameStack, readMark } from "./ownership.js";
import { linkIn } from "./reads.js";

export interface IpAddressInputs {
  address: string;
  device: string;
  netns?: string | undefined;
  /** Who made it (see ownership.ts). */
  owner?: string | undefined;
}

export type IpAddressState = IpAddressInputs;

export default class IpAddressProvider implements KindProvider<IpAddressInputs, IpAddressState> {
  constructor(private readonly machine: Machine) {}

  id(p: IpAddressInputs): string {
    return `${p.netns ?? ""}/${p.device}/${p.address}`;
  }

  async check(_olds: unknown, news: Record<string, unknown>) {
    return checkInputs<IpAddressInputs>(
      (z) =>
        z.object({
          address: text(z, cidr),
          device: text(z, interfaceName),
          netns: netnsInput(z),
          owner: ownerInput(z),
        }),
      news,
    );
  }

  async diff(_id: string, olds: IpAddressState, news: IpAddressInputs) {
    const replaces = (["address", "device", "netns"] as const).filter((key) => olds[key] !== news[key]);
    // The same address with another prefix length on the same device would clash: remove first.
    return { changes: replaces.length > 0, replaces, deleteBeforeReplace: true };
  }

  async create(inputs: IpAddressInputs): Promise<Created<IpAddressState>> {
    const netns = this.machine.netns(inputs.netns);
    await createOrAdopt(
      `Address ${inputs.address} on ${inputs.device}`,
      netns.argv(addressDelete(inputs.address, inputs.device)),
      () => netns.change(addressAdd(inputs.address, inputs.device)),
      // Left by a run of this stack that was cut short: exactly this address, on a device the stack made.
      async () =>
        isSameStack(await readMark(netns, inputs.device), inputs.owner) &&
        (await this.read("", inputs)).id !== undefined,
    );
    return { id: this.id(inputs), outs: { ...inputs } };
  }

  async read(id: string, props: IpAddressState) {
    const link = await linkIn(this.machine.netns(props.netns), props.device);
    if (link === undefined || !link.addresses.includes(props.address)) return {};
    return { id, props: { ...props }, inputs: { ...props } };
  }

  async update(_id: string, _olds: IpAddressState, news: IpAddressInputs): Promise<Updated<IpAddressState>> {
    // Every property replaces; nothing changes in place.
    return { outs: { ...news } };
  }

  async delete(_id: string, props: IpAddressState) {
    await ignoreNotFound(() => this.machine.netns(props.netns).change(addressDelete(props.address, props.device)));
  }
}
