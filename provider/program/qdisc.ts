/**
 * Qdisc, program half: a link shaped on its way out, by the queueing discipline on its root: a
 * rate (tbf), or delay, jitter, loss, duplication and corruption (netem).
 */
import type * as pulumi from "@pulumi/pulumi";
import type { QdiscState } from "../kinds/qdisc.js";
import { NetnsResource, type OnHost, type Wire } from "./resource.js";

export interface QdiscArgs extends OnHost {
  /** The link shaped: what leaves it by this end. Changing it replaces the resource. */
  device: pulumi.Input<string>;
  /** Its namespace. Changing it replaces the resource. @default the root namespace */
  netns?: pulumi.Input<string> | undefined;
  /** The most it sends, as tc writes rates: `512kbit`, `10mbit`, `1gbit`. */
  rate?: pulumi.Input<string> | undefined;
  /** tbf's bucket, the most sent at once at full speed, in bytes: `32kb`. @default 32kb */
  burst?: pulumi.Input<string> | undefined;
  /** tbf's longest wait for a packet before it is dropped: `50ms`. @default 50ms */
  latency?: pulumi.Input<string> | undefined;
  /** netem: how long each packet is held: `10ms`. */
  delay?: pulumi.Input<string> | undefined;
  /** netem: how much the delay varies, either way: `2ms`. */
  jitter?: pulumi.Input<string> | undefined;
  /** netem: the share of packets dropped: `1%`. */
  loss?: pulumi.Input<string> | undefined;
  /** netem: the share of packets sent twice. */
  duplicate?: pulumi.Input<string> | undefined;
  /** netem: the share of packets with a bit flipped. */
  corrupt?: pulumi.Input<string> | undefined;
}

/**
 * A link shaped on its way out. With a rate alone it is `tbf`; with any of delay, jitter, loss,
 * duplicate or corrupt it is `netem` (which a kernel may lack: then `up` says so, changing
 * nothing). A shaping removed or changed by hand shows in `preview`, and `up` puts it back; delete
 * gives the link back its own qdisc. Shape both ends of a veth pair to shape both directions.
 *
 * Equivalent to: `tc -n NETNS qdisc replace dev DEVICE root tbf rate RATE burst BURST latency LATENCY`.
 */
export class Qdisc extends NetnsResource {
  declare readonly device: pulumi.Output<string>;
  declare readonly netns: pulumi.Output<string | undefined>;
  declare readonly rate: pulumi.Output<string | undefined>;

  constructor(name: string, args: QdiscArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      "Qdisc",
      name,
      {
        host: args.host,
        device: args.device,
        netns: args.netns,
        rate: args.rate,
        burst: args.burst,
        latency: args.latency,
        delay: args.delay,
        jitter: args.jitter,
        loss: args.loss,
        duplicate: args.duplicate,
        corrupt: args.corrupt,
      } satisfies Wire<QdiscState>,
      opts,
    );
  }
}
