/**
 * IpAddress, program half: an IPv4 or IPv6 address on a device, as added by
 * `ip address add CIDR dev DEVICE`.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { IpAddressState } from "../kinds/ip-address.js";
import { NetnsResource, type OnHost, type Wire } from "./resource.js";

export interface IpAddressArgs extends OnHost {
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
  /**
   * IPv6 only: skip duplicate address detection (`nodad`), so the address is usable at once instead
   * of tentative for a second or two; for lab networks, where nothing else claims it. Updated in place
   * (`ip address change`).
   * @default false
   */
  nodad?: pulumi.Input<boolean> | undefined;
}

/**
 * An IP address on a network device.
 *
 * Equivalent to: `ip -n NETNS address add ADDRESS/PREFIX dev DEVICE [nodad]`.
 */
export class IpAddress extends NetnsResource {
  /** The address as iproute2 spells it, with its prefix length. */
  declare readonly address: pulumi.Output<string>;
  declare readonly device: pulumi.Output<string>;
  declare readonly netns: pulumi.Output<string | undefined>;
  declare readonly nodad: pulumi.Output<true | undefined>;

  constructor(name: string, args: IpAddressArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      "IpAddress",
      name,
      {
        host: args.host,
        address: args.address,
        device: args.device,
        netns: args.netns,
        nodad: args.nodad,
      } satisfies Wire<IpAddressState>,
      opts,
    );
  }
}
