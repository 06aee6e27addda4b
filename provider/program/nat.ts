/**
 * Nat, program half: a router namespace that translates the source address of traffic from a
 * lab's networks as it leaves, so that hosts behind it reach networks that have no route back.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { NatState } from "../kinds/nat.js";
import { NetnsResource, type OnHost, type Wire } from "./resource.js";

export interface NatArgs extends OnHost {
  /**
   * The router's namespace. Changing it replaces the resource.
   * @default the root namespace
   */
  netns?: pulumi.Input<string> | undefined;
  /** The device the traffic leaves through, toward the outside. Updated in place. */
  device: pulumi.Input<string>;
  /** The networks (CIDR, no host bits; IPv4, IPv6 or both) whose traffic is translated. Updated in place. */
  sources: pulumi.Input<pulumi.Input<string>[]>;
}

/**
 * Source NAT (masquerade): traffic from `sources` leaving through `device` takes the device's
 * address. Written to nftables in the library's own table, `inet pulumi_netns`, in a chain of its
 * own; rules by anyone else are left alone, and a rule deleted by hand shows as drift. Forwarding
 * must be on in the namespace (a Sysctl) for traffic to pass through it at all.
 *
 * Equivalent to: `ip netns exec NETNS nft add rule inet pulumi_netns CHAIN oifname DEVICE ip saddr
 * { SOURCES } masquerade`, in a chain of type nat at hook postrouting.
 */
export class Nat extends NetnsResource {
  declare readonly netns: pulumi.Output<string | undefined>;
  declare readonly device: pulumi.Output<string>;
  declare readonly sources: pulumi.Output<string[]>;
  /** The resource's chain in table `inet pulumi_netns`. */
  declare readonly chain: pulumi.Output<string>;

  constructor(name: string, args: NatArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      "Nat",
      name,
      {
        host: args.host,
        netns: args.netns,
        device: args.device,
        sources: args.sources,
        chain: undefined,
      } satisfies Wire<NatState>,
      opts,
    );
  }
}
