/**
 * NetnsExec, program half: commands run once in a namespace, in order, once what they need is up
 * (containerlab's `exec`, mininet's `cmd`); NetnsProcess is for a program that keeps running.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { NetnsExecState } from "../kinds/netns-exec.js";
import { NetnsResource, type OnHost, type Wire } from "./resource.js";

export interface NetnsExecArgs extends OnHost {
  /** The namespace they run in (`ip netns exec NETNS …`); never the root one. Changing it replaces the resource. */
  netns: pulumi.Input<string>;
  /**
   * The commands, each the program and its arguments as a list (argv: no shell reads it), run in
   * this order: `[["ip", "link", "set", "dev", "eth1", "mtu", "9000"], ["sysctl", "-w", "net.ipv4.ip_ttl=32"]]`.
   * When they change, `up` runs them again from the first that changed.
   */
  commands: pulumi.Input<pulumi.Input<string>[][]>;
  /** How long each command may take, 1–600 seconds, before it is stopped and fails. @default 30 */
  timeout?: pulumi.Input<number> | undefined;
}

/**
 * Commands run once in a namespace, in order. A command that fails fails the step with all it
 * printed. Nothing is undone on delete: what the commands did goes with the namespace. Make it
 * depend on what the commands need (`dependsOn`), as Topology does for a node's `exec`.
 *
 * Equivalent to: `ip netns exec NETNS timeout TIMEOUT COMMAND…` for each command.
 */
export class NetnsExec extends NetnsResource {
  declare readonly netns: pulumi.Output<string>;
  declare readonly commands: pulumi.Output<string[][]>;
  declare readonly timeout: pulumi.Output<number>;
  /** What each command printed on its standard output, trimmed (at most 4 KiB each). */
  declare readonly outputs: pulumi.Output<string[]>;

  constructor(name: string, args: NetnsExecArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      "NetnsExec",
      name,
      {
        host: args.host,
        netns: args.netns,
        commands: args.commands,
        timeout: args.timeout,
        outputs: undefined,
      } satisfies Wire<NetnsExecState>,
      opts,
    );
  }
}
