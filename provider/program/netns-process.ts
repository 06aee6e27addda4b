/**
 * NetnsProcess, program half: a long-running program (a server, a client loop) started inside a
 * namespace, which outlives `pulumi up` and is stopped on delete.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { NetnsProcessState } from "../kinds/netns-process.js";
import { NetnsResource, type OnHost, type Wire } from "./resource.js";

export interface NetnsProcessArgs extends OnHost {
  /**
   * The program and its arguments, as argv (`["/usr/bin/python3", "-m", "http.server", "80"]`): no
   * shell reads them. The program is an absolute path, a name on PATH, or a path relative to `cwd`;
   * it is looked for at preview. Changing it restarts the process.
   */
  command: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * The namespace it runs in (`ip netns exec NETNS …`). Changing it replaces the resource.
   * @default the root namespace
   */
  netns?: pulumi.Input<string> | undefined;
  /**
   * Its environment beyond `PATH` (`/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
   * which this may replace): nothing of the `pulumi` command's own environment reaches it.
   * Changing it restarts the process.
   */
  env?: pulumi.Input<Record<string, pulumi.Input<string>>> | undefined;
  /** Its working directory, an absolute path. Changing it restarts the process. @default "/" */
  cwd?: pulumi.Input<string> | undefined;
  /**
   * A TCP port in its namespace that must accept a connection before `up` goes on: what depends
   * on the process then finds it serving.
   */
  readyPort?: pulumi.Input<number> | undefined;
  /** The address the readiness check connects to. @default "127.0.0.1" */
  readyAddress?: pulumi.Input<string> | undefined;
  /** How long it may take to get ready, 1–300 seconds; if it is not, it is stopped and `up` fails. @default 10 */
  readyTimeout?: pulumi.Input<number> | undefined;
  /** How long it is given to end after SIGTERM before SIGKILL, 1–60 seconds. @default 5 */
  stopTimeout?: pulumi.Input<number> | undefined;
}

/**
 * A process running inside a namespace, with its output in a log file. Found dead (or its pid
 * taken by another process) on refresh, it shows as gone, and `up` starts it again. Deleting it
 * stops it and every process it started: SIGTERM, then SIGKILL after `stopTimeout`.
 *
 * Equivalent to: `setsid ip netns exec NETNS COMMAND… >>LOG 2>&1 &`.
 */
export class NetnsProcess extends NetnsResource {
  declare readonly command: pulumi.Output<string[]>;
  declare readonly netns: pulumi.Output<string | undefined>;
  declare readonly env: pulumi.Output<Record<string, string>>;
  declare readonly cwd: pulumi.Output<string | undefined>;
  declare readonly readyPort: pulumi.Output<number | undefined>;
  declare readonly readyAddress: pulumi.Output<string | undefined>;
  declare readonly readyTimeout: pulumi.Output<number>;
  declare readonly stopTimeout: pulumi.Output<number>;
  /** Its process id. */
  declare readonly pid: pulumi.Output<number>;
  /** When it started (/proc/PID/stat field 22): with the pid, which process it is. */
  declare readonly startTime: pulumi.Output<string>;
  /** The file its standard output and error are appended to, under /var/log/pulumi-netns. */
  declare readonly logFile: pulumi.Output<string>;

  constructor(name: string, args: NetnsProcessArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      "NetnsProcess",
      name,
      {
        host: args.host,
        command: args.command,
        netns: args.netns,
        env: args.env,
        cwd: args.cwd,
        readyPort: args.readyPort,
        readyAddress: args.readyAddress,
        readyTimeout: args.readyTimeout,
        stopTimeout: args.stopTimeout,
        pid: undefined,
        startTime: undefined,
        logFile: undefined,
      } satisfies Wire<NetnsProcessState>,
      opts,
    );
  }
}
