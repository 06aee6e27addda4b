/**
 * VethPair, program half: two virtual Ethernet devices joined back to back, each end in a
 * namespace of its own choosing, as made by `ip link add NAME type veth peer name PEER netns PEER_NETNS`.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { VethPairState } from "../kinds/veth-pair.js";
import { NetnsResource, type OnHost, type Wire } from "./resource.js";

export interface VethPairArgs extends OnHost {
  /** The first end's interface name (1–15 bytes). Changing it replaces the pair. */
  name: pulumi.Input<string>;
  /** The other end's interface name (1–15 bytes). Changing it replaces the pair. */
  peerName: pulumi.Input<string>;
  /**
   * The namespace `name` lives in (`ip -n NETNS …`). Changing it replaces the pair.
   * @default the root namespace
   */
  netns?: pulumi.Input<string> | undefined;
  /**
   * The namespace `peerName` lives in (`… peer name PEER netns PEER_NETNS`). Changing it replaces the pair.
   * @default the same as `netns`
   */
  peerNetns?: pulumi.Input<string> | undefined;
  /**
   * The MTU of both ends (`ip link set dev NAME mtu MTU`), from 68 to 65535. Updated in place,
   * and watched for drift like every other property.
   * @default 1500, the kernel's default for a veth device
   */
  mtu?: pulumi.Input<number> | undefined;
  /**
   * Both ends administratively up (`ip link set dev NAME up`). Updated in place.
   * @default true
   */
  up?: pulumi.Input<boolean> | undefined;
  /**
   * The bridge `name` is a port of (`ip link set dev NAME master BRIDGE`), a `Bridge`'s `name`
   * in the same namespace. Updated in place (`nomaster` when removed); a port taken off its bridge
   * by hand shows as drift.
   * @default none
   */
  master?: pulumi.Input<string> | undefined;
  /**
   * The bridge `peerName` is a port of, in `peerNetns`; as `master`.
   * @default none
   */
  peerMaster?: pulumi.Input<string> | undefined;
}

/**
 * A pair of veth devices: whatever enters one end leaves the other. Put the ends in two namespaces
 * to join them.
 *
 * Equivalent to: `ip -n NETNS link add NAME type veth peer name PEER netns PEER_NETNS`, then
 * `ip link set dev … up` on both ends.
 */
export class VethPair extends NetnsResource {
  /** The first end's name; pass it as `device` to carry the dependency. */
  declare readonly name: pulumi.Output<string>;
  declare readonly peerName: pulumi.Output<string>;
  /** The first end's namespace (undefined: the root namespace). */
  declare readonly netns: pulumi.Output<string | undefined>;
  declare readonly peerNetns: pulumi.Output<string | undefined>;
  declare readonly mtu: pulumi.Output<number>;
  declare readonly up: pulumi.Output<boolean>;
  declare readonly master: pulumi.Output<string | undefined>;
  declare readonly peerMaster: pulumi.Output<string | undefined>;
  declare readonly ifindex: pulumi.Output<number>;
  declare readonly mac: pulumi.Output<string>;
  declare readonly peerIfindex: pulumi.Output<number>;
  declare readonly peerMac: pulumi.Output<string>;

  constructor(name: string, args: VethPairArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      "VethPair",
      name,
      {
        host: args.host,
        name: args.name,
        peerName: args.peerName,
        netns: args.netns,
        peerNetns: args.peerNetns,
        mtu: args.mtu,
        up: args.up,
        master: args.master,
        peerMaster: args.peerMaster,
        ifindex: undefined,
        mac: undefined,
        peerIfindex: undefined,
        peerMac: undefined,
      } satisfies Wire<VethPairState>,
      opts,
    );
  }
}
