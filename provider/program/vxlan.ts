/**
 * Vxlan, program half: an Ethernet segment tunnelled over UDP, as made by
 * `ip link add NAME type vxlan id VNI …`.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { VxlanState } from "../kinds/vxlan.js";
import { NetnsResource, type OnHost, type Wire } from "./resource.js";

export interface VxlanArgs extends OnHost {
  /** The link's interface name (1–15 bytes). Changing it replaces the link. */
  name: pulumi.Input<string>;
  /**
   * The namespace the link lives in, where its addresses go. Changing it replaces the link.
   * @default the root namespace
   */
  netns?: pulumi.Input<string> | undefined;
  /**
   * The namespace of the underlay: where `device` and `local` are and the tunnel's UDP socket
   * lives (`ip -n UNDERLAY link add … netns NETNS type vxlan …`); `null` for the root namespace
   * (`ip link add … netns NETNS …`), where a machine's own network is. Changing it replaces the link.
   * @default the same as `netns`
   */
  underlayNetns?: pulumi.Input<string | null> | undefined;
  /** The VXLAN network identifier (`id VNI`), 1–16777215. Changing it replaces the link. */
  vni: pulumi.Input<number>;
  /** The tunnel's source address (`local`), in the underlay. Changing it replaces the link. */
  local?: pulumi.Input<string> | undefined;
  /** The far end of a point-to-point tunnel (`remote`), unicast. Changing it replaces the link. */
  remote?: pulumi.Input<string> | undefined;
  /**
   * The multicast group of a tunnel with many ends (`group`); needs `device`, excludes `remote`.
   * Changing it replaces the link.
   */
  group?: pulumi.Input<string> | undefined;
  /**
   * The UDP port (`dstport`). Changing it replaces the link.
   * @default 4789, IANA's (the kernel's own default without it is 8472)
   */
  dstport?: pulumi.Input<number> | undefined;
  /** The underlay device the tunnel's packets leave by (`dev`). Changing it replaces the link. */
  device?: pulumi.Input<string> | undefined;
  /**
   * Learn unknown source MACs into the forwarding database (`learning` / `nolearning`). Updated in place.
   * @default true
   */
  learning?: pulumi.Input<boolean> | undefined;
  /**
   * The link's MTU, from 68 to 65535; set and watched when given. Updated in place.
   * @default the kernel's: the underlay device's less 50 bytes (1450 without one)
   */
  mtu?: pulumi.Input<number> | undefined;
  /**
   * The bridge, in `netns`, the link is a port of (`master BRIDGE`): how a tunnel joins a
   * segment. Updated in place.
   */
  master?: pulumi.Input<string> | undefined;
  /**
   * The link administratively up. Updated in place.
   * @default true
   */
  up?: pulumi.Input<boolean> | undefined;
}

/**
 * A VXLAN tunnel endpoint: the Ethernet frames sent into it travel as UDP to its `remote` (or its
 * `group`) and come out of the other end's link.
 *
 * Equivalent to: `ip -n UNDERLAY link add NAME netns NETNS type vxlan id VNI local A remote B
 * dstport 4789 dev DEVICE`, then `ip -n NETNS link set dev NAME up`.
 */
export class Vxlan extends NetnsResource {
  declare readonly name: pulumi.Output<string>;
  declare readonly netns: pulumi.Output<string | undefined>;
  declare readonly underlayNetns: pulumi.Output<string | null | undefined>;
  declare readonly vni: pulumi.Output<number>;
  declare readonly local: pulumi.Output<string | undefined>;
  declare readonly remote: pulumi.Output<string | undefined>;
  declare readonly group: pulumi.Output<string | undefined>;
  declare readonly dstport: pulumi.Output<number>;
  declare readonly device: pulumi.Output<string | undefined>;
  declare readonly learning: pulumi.Output<boolean>;
  declare readonly mtu: pulumi.Output<number | undefined>;
  declare readonly master: pulumi.Output<string | undefined>;
  declare readonly up: pulumi.Output<boolean>;
  declare readonly ifindex: pulumi.Output<number>;
  declare readonly mac: pulumi.Output<string>;

  constructor(name: string, args: VxlanArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      "Vxlan",
      name,
      {
        host: args.host,
        name: args.name,
        netns: args.netns,
        underlayNetns: args.underlayNetns,
        vni: args.vni,
        local: args.local,
        remote: args.remote,
        group: args.group,
        dstport: args.dstport,
        device: args.device,
        learning: args.learning,
        mtu: args.mtu,
        master: args.master,
        up: args.up,
        ifindex: undefined,
        mac: undefined,
      } satisfies Wire<VxlanState>,
      opts,
    );
  }
}
