/**
 * Bridge, program half: a software switch in a namespace, as made by `ip link add NAME type bridge`.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { BridgeState } from "../kinds/bridge.js";
import { NetnsResource, type OnHost, type Wire } from "./resource.js";

export interface BridgeArgs extends OnHost {
  /** The bridge's interface name (1–15 bytes). Changing it replaces the bridge. */
  name: pulumi.Input<string>;
  /**
   * The namespace the bridge lives in (`ip -n NETNS …`); its ports must be there too. Changing it
   * replaces the bridge.
   * @default the root namespace
   */
  netns?: pulumi.Input<string> | undefined;
  /**
   * The bridge's own MTU (`ip link set dev NAME mtu MTU`), from 68 to 65535. It is set, so the
   * kernel keeps it when ports with another MTU join (a bridge whose MTU was never set follows its
   * lowest port's). Updated in place, and watched for drift.
   * @default 1500
   */
  mtu?: pulumi.Input<number> | undefined;
  /**
   * The bridge administratively up (`ip link set dev NAME up`). Updated in place.
   * @default true
   */
  up?: pulumi.Input<boolean> | undefined;
  /**
   * The spanning tree protocol (`type bridge stp_state 1`), which a lab with a loop of bridges
   * needs. Updated in place.
   * @default false
   */
  stp?: pulumi.Input<boolean> | undefined;
  /**
   * How long a new port listens and learns before it forwards, in hundredths of a second as `ip`
   * takes it (`type bridge forward_delay 1500` is 15 s), from 0 to 3000; with `stp` on, the kernel
   * takes 200 to 3000. Updated in place.
   * @default 1500, the kernel's
   */
  forwardDelay?: pulumi.Input<number> | undefined;
}

/**
 * A Linux bridge: a switch that joins the link ends made its ports (their `master`) into one
 * Ethernet segment.
 *
 * Equivalent to: `ip -n NETNS link add NAME type bridge forward_delay D stp_state S`, then
 * `ip -n NETNS link set dev NAME mtu MTU up`.
 */
export class Bridge extends NetnsResource {
  /** The bridge's name; pass it as a port's `master` to carry the dependency. */
  declare readonly name: pulumi.Output<string>;
  /** The bridge's namespace (undefined: the root namespace). */
  declare readonly netns: pulumi.Output<string | undefined>;
  declare readonly mtu: pulumi.Output<number>;
  declare readonly up: pulumi.Output<boolean>;
  declare readonly stp: pulumi.Output<boolean>;
  declare readonly forwardDelay: pulumi.Output<number>;
  declare readonly ifindex: pulumi.Output<number>;
  declare readonly mac: pulumi.Output<string>;

  constructor(name: string, args: BridgeArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      "Bridge",
      name,
      {
        host: args.host,
        name: args.name,
        netns: args.netns,
        mtu: args.mtu,
        up: args.up,
        stp: args.stp,
        forwardDelay: args.forwardDelay,
        ifindex: undefined,
        mac: undefined,
      } satisfies Wire<BridgeState>,
      opts,
    );
  }
}
