/**
 * NetNamespace: a named network namespace, as made by `ip netns add NAME`.
 */
import * as pulumi from "@pulumi/pulumi";
import { type Created, checkInputs, flag, forwarder, ruleString, type Updated } from "../dynamic.js";
import { type LinkInfo, linkSet } from "../iproute/link.js";
import { netnsNameProblem } from "../iproute/names.js";
import { netnsAdd, netnsDelete } from "../iproute/netns.js";
import { withIntent } from "../journal.js";
import { createOrAdopt, ignoreNotFound, undoOnFailure } from "../lifecycle.js";
import { ownerOf } from "../owner.js";
import { isOwnedBy, markerOf } from "../ownership.js";
import { linkIn } from "../reads.js";
import { ipArgv, type Runner, runIp } from "../runner.js";

export interface NetNamespaceArgs {
  /**
   * The namespace's name: `ip netns add NAME`, then `ip -n NAME …` for everything inside it.
   * Changing it replaces the namespace (and so everything in it).
   */
  name: pulumi.Input<string>;
  /**
   * Bring the loopback device up inside the namespace (`ip -n NAME link set dev lo up`). A new
   * namespace starts with `lo` down, so even 127.0.0.1 is unreachable there.
   * @default true
   */
  loopbackUp?: pulumi.Input<boolean> | undefined;
}

/** Inputs after `check`: validated, defaults filled in. */
export interface NetNamespaceInputs {
  name: string;
  loopbackUp: boolean;
  /** Who made it (see ownership.ts); its mark goes on the namespace's `lo`. */
  owner?: string | undefined;
}

/** What the state holds: the inputs, as `diff` compares them. */
export type NetNamespaceState = NetNamespaceInputs;

export class NetNamespaceProvider implements pulumi.dynamic.ResourceProvider {
  constructor(private readonly runner: Runner) {}

  async check(_olds: unknown, news: Record<string, unknown>): Promise<pulumi.dynamic.CheckResult<NetNamespaceInputs>> {
    return checkInputs<NetNamespaceInputs>(
      (z) =>
        z.object({
          name: ruleString(z, netnsNameProblem),
          loopbackUp: flag(z, true),
          owner: z.string().optional(),
        }),
      news,
    );
  }

  async diff(_id: string, olds: NetNamespaceState, news: NetNamespaceInputs): Promise<pulumi.dynamic.DiffResult> {
    const replaces = olds.name !== news.name ? ["name"] : [];
    const changed = replaces.length > 0 || olds.loopbackUp !== news.loopbackUp;
    return { changes: changed, replaces };
  }

  async create(inputs: NetNamespaceInputs): Promise<Created<NetNamespaceState>> {
    const { name, owner } = inputs;
    const marker = markerOf(owner);
    await withIntent(this.runner, `netns/${name}`, marker, async (leftByKilledRun) => {
      const { adopted } = await createOrAdopt(
        `Network namespace "${name}"`,
        ipArgv(netnsDelete(name)),
        () => runIp(this.runner, netnsAdd(name)),
        async () => {
          if (marker === undefined) return false;
          const alias = (await this.loopback(name))?.alias;
          // Marked by us, or made by a run of ours killed before it could mark it.
          return alias === marker || (alias === undefined && leftByKilledRun);
        },
      );
      await undoOnFailure(
        async () => {
          // A new namespace's lo is down: only "up" (or an adopted one's state) needs saying.
          const up = inputs.loopbackUp || adopted ? inputs.loopbackUp : undefined;
          if (marker !== undefined || up !== undefined) {
            await runIp(this.runner, linkSet("lo", { alias: marker, up }), { netns: name });
          }
        },
        // Ours for sure (just made, or adopted): removed without looking for the mark.
        () => ignoreNotFound(() => runIp(this.runner, netnsDelete(name))),
      );
    });
    return { id: name, outs: { ...inputs } };
  }

  async read(id: string, props?: NetNamespaceState): Promise<pulumi.dynamic.ReadResult<NetNamespaceState>> {
    const lo = await this.loopback(id);
    // Gone, or a namespace of that name that is not the one this stack made.
    if (lo === undefined || !isOwnedBy(lo.alias, props?.owner)) return {};
    const live: NetNamespaceState = { ...props, name: id, loopbackUp: lo.up };
    return { id, props: live, inputs: live };
  }

  async update(id: string, _olds: NetNamespaceState, news: NetNamespaceInputs): Promise<Updated<NetNamespaceState>> {
    await runIp(this.runner, linkSet("lo", { up: news.loopbackUp }), { netns: id });
    return { outs: { ...news } };
  }

  async delete(id: string, props?: NetNamespaceState): Promise<void> {
    // Only the namespace this stack made: one of the same name made by someone else since is not ours.
    if (props?.owner !== undefined && !isOwnedBy((await this.loopback(id))?.alias, props.owner)) return;
    await ignoreNotFound(() => runIp(this.runner, netnsDelete(id)));
  }

  /** The namespace's `lo`, which carries our mark; undefined when the namespace does not exist. */
  private async loopback(netns: string): Promise<LinkInfo | undefined> {
    return linkIn(this.runner, netns, "lo");
  }
}

/**
 * A Linux network namespace managed with iproute2.
 *
 * Equivalent to: `ip netns add NAME && ip -n NAME link set dev lo up`.
 */
export class NetNamespace extends pulumi.dynamic.Resource {
  /** The namespace's name, for `netns` inputs of other resources (this carries the dependency). */
  declare readonly name: pulumi.Output<string>;
  /** Whether `lo` is up inside the namespace. */
  declare readonly loopbackUp: pulumi.Output<boolean>;

  constructor(name: string, args: NetNamespaceArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      forwarder("NetNamespace"),
      name,
      { name: args.name, loopbackUp: args.loopbackUp, owner: ownerOf(name) },
      opts,
      "netns",
      "NetNamespace",
    );
  }
}
