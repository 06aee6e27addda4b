/**
 * NetNamespace: a named network namespace, as made by `ip netns add NAME`.
 */
import * as pulumi from "@pulumi/pulumi";
import { type Created, checkInputs, flag, forwarder, ruleString, type Updated } from "../dynamic.js";
import { linkSetState, linkShow, parseLinks } from "../iproute/link.js";
import { netnsNameProblem } from "../iproute/names.js";
import { netnsAdd, netnsDelete, netnsList, parseNetnsList } from "../iproute/netns.js";
import { createRefusingForeign, ignoreNotFound, undefinedIfNotFound, undoOnFailure } from "../lifecycle.js";
import { type Runner, runIp } from "../runner.js";

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
    await createRefusingForeign(`Network namespace "${inputs.name}"`, `ip netns delete ${inputs.name}`, () =>
      runIp(this.runner, netnsAdd(inputs.name)),
    );
    await undoOnFailure(
      async () => {
        if (inputs.loopbackUp) await runIp(this.runner, linkSetState("lo", true), { netns: inputs.name });
      },
      () => this.delete(inputs.name),
    );
    return { id: inputs.name, outs: { ...inputs } };
  }

  async read(id: string, _props?: NetNamespaceState): Promise<pulumi.dynamic.ReadResult<NetNamespaceState>> {
    const names = parseNetnsList(await runIp(this.runner, netnsList()));
    if (!names.includes(id)) return {};
    // undefined when it was deleted between the two commands.
    const links = await undefinedIfNotFound(async () =>
      parseLinks(await runIp(this.runner, linkShow("lo"), { netns: id })),
    );
    if (links === undefined) return {};
    const live: NetNamespaceState = { name: id, loopbackUp: links[0]?.up ?? false };
    return { id, props: live, inputs: live };
  }

  async update(id: string, _olds: NetNamespaceState, news: NetNamespaceInputs): Promise<Updated<NetNamespaceState>> {
    await runIp(this.runner, linkSetState("lo", news.loopbackUp), { netns: id });
    return { outs: { ...news } };
  }

  async delete(id: string, _props?: NetNamespaceState): Promise<void> {
    await ignoreNotFound(() => runIp(this.runner, netnsDelete(id)));
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
      { name: args.name, loopbackUp: args.loopbackUp },
      opts,
      "netns",
      "NetNamespace",
    );
  }
}
