/**
 * IpAddress, provider half: an IPv4 or IPv6 address on a device, as added by
 * `ip address add CIDR dev DEVICE`.
 */
import { addressAdd, addressChange, addressDelete, cidr, familyOf } from "../commands/address.js";
import { importId, interfaceName } from "../commands/names.js";
import { ignoreNotFound } from "../errors.js";
import type { Machine } from "../machine/machine.js";
import { linkIn } from "../machine/reads.js";
import { isSameStack, readMark } from "../records/ownership.js";
import { isProblem } from "../rule.js";
import { checkInputs, known, netnsInput, onlyWhenTrue, ownerInput, text } from "./base/inputs.js";
import type { Created, KindProvider, Updated } from "./base/kind.js";
import { createOrAdopt } from "./base/lifecycle.js";

export interface IpAddressInputs {
  address: string;
  device: string;
  netns?: string | undefined;
  /** IPv6 only: usable at once, without duplicate address detection. Stored only when true. */
  nodad?: true | undefined;
  /** Who made it (see ownership.ts). */
  owner?: string | undefined;
}

export type IpAddressState = IpAddressInputs;

/** An address's id: what its ledger record, and a NetnsConfig taking it over, know it by. */
export function addressId(p: Pick<IpAddressInputs, "netns" | "device" | "address">): string {
  return `${p.netns ?? ""}/${p.device}/${p.address}`;
}

export default class IpAddressProvider implements KindProvider<IpAddressInputs, IpAddressState> {
  constructor(private readonly machine: Machine) {}

  id(p: IpAddressInputs): string {
    return addressId(p);
  }

  async check(_olds: unknown, news: Record<string, unknown>) {
    return checkInputs<IpAddressInputs>(
      (z) =>
        z.object({
          address: text(z, cidr),
          device: text(z, interfaceName),
          netns: netnsInput(z),
          nodad: onlyWhenTrue(z),
          owner: ownerInput(z),
        }),
      news,
      (inputs) =>
        inputs.nodad === true && known(inputs.address) && familyOf(inputs.address) === 4
          ? [{ property: "nodad", reason: "applies to IPv6 addresses only; IPv4 has no duplicate address detection" }]
          : [],
    );
  }

  async diff(_id: string, olds: IpAddressState, news: IpAddressInputs) {
    const replaces = (["address", "device", "netns"] as const).filter((key) => olds[key] !== news[key]);
    // The same address with another prefix length on the same device would clash: remove first.
    const changes = replaces.length > 0 || olds.nodad !== news.nodad;
    return { changes, replaces, deleteBeforeReplace: true };
  }

  async create(inputs: IpAddressInputs): Promise<Created<IpAddressState>> {
    const netns = this.machine.netns(inputs.netns);
    await createOrAdopt(
      `Address ${inputs.address} on ${inputs.device}`,
      netns.argv(addressDelete(inputs.address, inputs.device)),
      () => netns.change(addressAdd(inputs.address, inputs.device, inputs.nodad)),
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
    const { nodad: _, ...rest } = props;
    const live: IpAddressState = link.nodad.includes(props.address) ? { ...rest, nodad: true } : rest;
    return { id, props: live, inputs: live };
  }

  async update(_id: string, olds: IpAddressState, news: IpAddressInputs): Promise<Updated<IpAddressState>> {
    // Only the flag changes in place (`ip address change` sets the flags anew); the rest replaces.
    if (olds.nodad !== news.nodad) {
      await this.machine.netns(news.netns).change(addressChange(news.address, news.device, news.nodad === true));
    }
    return { outs: { ...news } };
  }

  /**
   * Imported as `[NETNS/]DEVICE/ADDRESS/PREFIX` (the id it has in the state). An address has no
   * mark of its own: it is the stack's as long as the state holds it.
   */
  async adopt(id: string, owner: string | undefined): Promise<IpAddressState | undefined> {
    const form = "[NETNS/]DEVICE/ADDRESS/PREFIX";
    const any = (part: string) => part;
    const { netns, rest } = importId(id, form, [interfaceName, any, any]);
    const [device, ...address] = rest as [string, string, string];
    const normalised = cidr(address.join("/"));
    if (isProblem(normalised))
      throw new Error(`import id ${JSON.stringify(id)} must have the form ${form}: ${normalised.problem}`);
    const found: IpAddressState = { address: normalised, device, owner };
    if (netns !== undefined) found.netns = netns;
    const read = await this.read(id, found);
    return read.props as IpAddressState | undefined;
  }

  /** Taken over by a NetnsConfig (records/handover.ts): nothing of its own to forget. */
  async release() {}

  async delete(_id: string, props: IpAddressState) {
    await ignoreNotFound(() => this.machine.netns(props.netns).change(addressDelete(props.address, props.device)));
  }
}
