/**
 * MacVlan, program half: a link with a MAC address of its own on top of a parent device, as made by
 * `ip link add NAME link PARENT type macvlan mode MODE`.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { MacVlanState } from "../kinds/mac-vlan.js";
import { NetnsResource, type OnHost, type Wire } from "./resource.js";

export interface MacVlanArgs extends OnHost {
  /** The link's interface name (1–15 bytes). Changing it replaces the link. */
  name: pulumi.Input<string>;
  /**
   * The namespace the link lives in (`… netns NETNS`). Changing it replaces the link.
   * @default the root namespace
   */
  netns?: pulumi.Input<string> | undefined;
  /**
   * The device it sits on (`link PARENT`): an Ethernet-like device, not a macvlan itself. Changing
   * it replaces the link.
   */
  parent: pulumi.Input<string>;
  /**
   * The namespace `parent` is in. Changing it replaces the link.
   * @default the same as `netns`
   */
  parentNetns?: pulumi.Input<string> | undefined;
  /**
   * How it reaches its siblings on the same parent (`mode`): `bridge` (directly), `private` (not
   * at all), `vepa` (through the switch beyond the parent) or `passthru` (one link takes the
   * parent over). Changing it replaces the link.
   * @default "bridge"
   */
  mode?: pulumi.Input<"bridge" | "private" | "vepa" | "passthru"> | undefined;
  /**
   * The link's MTU, at most its parent's; set and watched when given. Updated in place.
   * @default the parent's
   */
  mtu?: pulumi.Input<number> | undefined;
  /**
   * The link administratively up. Updated in place.
   * @default true
   */
  up?: pulumi.Input<boolean> | undefined;
}

/**
 * A macvlan link: a second (third, …) Ethernet interface on one device, each with a MAC address of
 * its own, usually given to another namespace.
 *
 * Equivalent to: `ip -n PARENT_NETNS link add NAME link PARENT netns NETNS type macvlan mode MODE`,
 * then `ip -n NETNS link set dev NAME up`.
 */
export class MacVlan extends NetnsResource {
  declare readonly name: pulumi.Output<string>;
  declare readonly netns: pulumi.Output<string | undefined>;
  declare readonly parent: pulumi.Output<string>;
  declare readonly parentNetns: pulumi.Output<string | undefined>;
  declare readonly mode: pulumi.Output<string>;
  declare readonly mtu: pulumi.Output<number | undefined>;
  declare readonly up: pulumi.Output<boolean>;
  declare readonly ifindex: pulumi.Output<number>;
  declare readonly mac: pulumi.Output<string>;

  constructor(name: string, args: MacVlanArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      "MacVlan",
      name,
      {
        host: args.host,
        name: args.name,
        netns: args.netns,
        parent: args.parent,
        parentNetns: args.parentNetns,
        mode: args.mode,
        mtu: args.mtu,
        up: args.up,
        ifindex: undefined,
        mac: undefined,
      } satisfies Wire<MacVlanState>,
      opts,
    );
  }
}
