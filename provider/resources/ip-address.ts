/**
 * IpAddress: an IPv4 or IPv6 address on a device, as added by `ip address add CIDR dev DEVICE`.
 */
import * as pulumi from "@pulumi/pulumi";
import {
  type Created,
  checkInputs,
  forwarder,
  netnsField,
  parsedString,
  ruleString,
  type Updated,
} from "../dynamic.js";
import { addressAdd, addressDelete, parseCidr } from "../iproute/address.js";
import { interfaceNameProblem } from "../iproute/names.js";
import { createOrAdopt, ignoreNotFound } from "../lifecycle.js";
import { ownerOf } from "../owner.js";
import { isSameStack, readMark } from "../ownership.js";
import { linkIn } from "../reads.js";
import { ipArgv, type Runner, runIp } from "../runner.js";

export interface IpAddressArgs {
  /**
   * The address with its prefix length, IPv4 or IPv6 (`10.1.10.2/24`, `fd00::2/64`). Stored as
   * iproute2 prints it (IPv6 compressed, lowercase). Changing it replaces the address.
   */
  address: pulumi.Input<string>;
  /** The device it goes on (`dev DEVICE`). Changing it replaces the address. */
  device: pulumi.Input<string>;
  /**
   * The namespace the device is in (`ip -n NETNS …`). Changing it replaces the address.
   * @default the root namespace
   */
  netns?: pulumi.Input<string> | undefined;
}

export interface IpAddressInputs {
  address: string;
  device: string;
  netns?: string | undefined;
  /** Who made it (see ownership.ts). */
  owner?: string | undefined;
}

export type IpAddressState = IpAddressInputs;

/** `ADDRESS/PREFIX` in iproute2's spelling, or why the text is not one. */
export function normaliseCidr(text: string): string | { problem: string } {
  const cidr = parseCidr(text);
  return typeof cidr === "string" ? { problem: cidr } : `${cidr.address}/${cidr.prefixLength}`;
}

export class IpAddressProvider implements pulumi.dynamic.ResourceProvider {
  constructor(private readonly runner: Runner) {}

  async check(_olds: unknown, news: Record<string, unknown>): Promise<pulumi.dynamic.CheckResult<IpAddressInputs>> {
    return checkInputs<IpAddressInputs>(
      (z) =>
        z.object({
          address: parsedString(z, normaliseCidr),
          device: ruleString(z, interfaceNameProblem),
          netns: netnsField(z),
          owner: z.string().optional(),
        }),
      news,
    );
  }

  async diff(_id: string, olds: IpAddressState, news: IpAddressInputs): Promise<pulumi.dynamic.DiffResult> {
    const replaces = (["address", "device", "netns"] as const).filter((key) => olds[key] !== news[key]);
    // The same address with another prefix length on the same device would clash: remove first.
    return { changes: replaces.length > 0, replaces, deleteBeforeReplace: true };
  }

  async create(inputs: IpAddressInputs): Promise<Created<IpAddressState>> {
    await createOrAdopt(
      `Address ${inputs.address} on ${inputs.device}`,
      ipArgv(addressDelete(inputs.address, inputs.device), { netns: inputs.netns }),
      () => runIp(this.runner, addressAdd(inputs.address, inputs.device), { netns: inputs.netns }),
      // Left by a run of this stack that was cut short: exactly this address, on a device the stack made.
      async () =>
        isSameStack(await readMark(this.runner, inputs.device, inputs.netns), inputs.owner) &&
        (await this.read("", inputs)).id !== undefined,
    );
    return { id: addressId(inputs), outs: { ...inputs } };
  }

  async read(id: string, props: IpAddressState): Promise<pulumi.dynamic.ReadResult<IpAddressState>> {
    const link = await linkIn(this.runner, props.netns, props.device);
    if (link === undefined || !link.addresses.includes(props.address)) return {};
    return { id, props: { ...props }, inputs: { ...props } };
  }

  async update(_id: string, _olds: IpAddressState, news: IpAddressInputs): Promise<Updated<IpAddressState>> {
    // Every property replaces; nothing changes in place.
    return { outs: { ...news } };
  }

  async delete(_id: string, props: IpAddressState): Promise<void> {
    await ignoreNotFound(() => runIp(this.runner, addressDelete(props.address, props.device), { netns: props.netns }));
  }
}

function addressId(p: IpAddressInputs): string {
  return `${p.netns ?? ""}/${p.device}/${p.address}`;
}

/**
 * An IP address on a network device.
 *
 * Equivalent to: `ip -n NETNS address add ADDRESS/PREFIX dev DEVICE`.
 */
export class IpAddress extends pulumi.dynamic.Resource {
  /** The address as iproute2 spells it, with its prefix length. */
  declare readonly address: pulumi.Output<string>;
  declare readonly device: pulumi.Output<string>;
  declare readonly netns: pulumi.Output<string | undefined>;

  constructor(name: string, args: IpAddressArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      forwarder("IpAddress"),
      name,
      { address: args.address, device: args.device, netns: args.netns, owner: ownerOf(name) },
      opts,
      "netns",
      "IpAddress",
    );
  }
}
