/**
 * Sysctl: one kernel parameter under /proc/sys, set for as long as the resource exists and put
 * back to the value it found when the resource is deleted.
 */
import * as pulumi from "@pulumi/pulumi";
import {
  type Created,
  checkInputs,
  describeValue,
  forwarder,
  known,
  netnsField,
  parsedString,
  ruleString,
  type Updated,
} from "../dynamic.js";
import { isIpFailure } from "../errors.js";
import { sysctlKeyProblem, sysctlValueProblem } from "../iproute/names.js";
import { normaliseSysctlValue, sysctlPath, sysctlRead, sysctlWrite } from "../iproute/sysctl.js";
import { forget, recall, remember } from "../journal.js";
import { ownerOf } from "../owner.js";
import { type Runner, readIp, runIp } from "../runner.js";

export interface SysctlArgs {
  /** The key in dotted form, like `net.ipv4.ip_forward`. Changing it replaces the resource. */
  key: pulumi.Input<string>;
  /** The value to set (`1`, or words like `4096 131072 6291456`). Updated in place. */
  value: pulumi.Input<string | number>;
  /**
   * The namespace to set it in (`ip netns exec NETNS …`); only `net.*` keys are per namespace, so
   * only they are accepted here. Changing it replaces the resource.
   * @default the root namespace
   */
  netns?: pulumi.Input<string> | undefined;
}

export interface SysctlInputs {
  key: string;
  value: string;
  netns?: string | undefined;
  /** Who set it (see ownership.ts); names its record in the journal. */
  owner?: string | undefined;
}

export interface SysctlState extends SysctlInputs {
  /** The value found before the first write; written back on delete. */
  previous: string;
}

export class SysctlProvider implements pulumi.dynamic.ResourceProvider {
  constructor(private readonly runner: Runner) {}

  async check(_olds: unknown, news: Record<string, unknown>): Promise<pulumi.dynamic.CheckResult<SysctlInputs>> {
    return checkInputs<SysctlInputs>(
      (z) =>
        z.object({
          key: ruleString(z, sysctlKeyProblem),
          // A whole number is taken as its decimal text: `value: 1` means "1".
          value: z.preprocess(
            (v) => (typeof v === "number" && Number.isInteger(v) ? String(v) : v),
            parsedString(z, (v) => {
              const problem = sysctlValueProblem(v);
              return problem === undefined ? normaliseSysctlValue(v) : { problem };
            }),
          ),
          netns: netnsField(z),
          owner: z.string().optional(),
        }),
      news,
      (inputs) =>
        inputs.netns !== undefined && known(inputs.netns) && known(inputs.key) && !inputs.key.startsWith("net.")
          ? [
              {
                property: "key",
                reason: `must start with "net." when netns is set: other sysctls are not per namespace, so setting one there would change the whole machine; got ${describeValue(inputs.key)}`,
              },
            ]
          : [],
    );
  }

  async diff(_id: string, olds: SysctlState, news: SysctlInputs): Promise<pulumi.dynamic.DiffResult> {
    const replaces = (["key", "netns"] as const).filter((k) => olds[k] !== news[k]);
    return { changes: replaces.length > 0 || olds.value !== news.value, replaces };
  }

  async create(inputs: SysctlInputs): Promise<Created<SysctlState>> {
    const found = await this.readValue(inputs);
    if (found === undefined) {
      throw new Error(`Sysctl ${inputs.key} does not exist${where(inputs)} (no ${sysctlPath(inputs.key)}).`);
    }
    // The value to restore is recorded before the first write, so that a retry after a run killed
    // between the write and the saving of the state still knows the machine's own value.
    const record = recordName(inputs);
    const previous = (record === undefined ? undefined : await recall(this.runner, record)) ?? found;
    if (record !== undefined) await remember(this.runner, record, previous);
    await this.writeValue(inputs, inputs.value);
    const now = await this.readValue(inputs);
    if (now !== inputs.value) {
      await this.writeValue(inputs, previous);
      if (record !== undefined) await forget(this.runner, record);
      throw new Error(
        `The kernel did not take ${inputs.key} = "${inputs.value}"${where(inputs)}: it reads back "${now}". ` +
          `The previous value "${previous}" was put back.`,
      );
    }
    return { id: sysctlId(inputs), outs: { ...inputs, previous } };
  }

  async read(id: string, props: SysctlState): Promise<pulumi.dynamic.ReadResult<Partial<SysctlState>>> {
    const value = await this.readValue(props);
    if (value === undefined) {
      // The key went with its namespace (or device): nothing is left to restore, so neither is
      // the record. (Refresh drops the resource without calling delete.)
      const record = recordName(props);
      if (record !== undefined) await forget(this.runner, record);
      return {};
    }
    const live = { ...props, value };
    const { previous: _previous, ...inputs } = live;
    return { id, props: live, inputs };
  }

  async update(_id: string, olds: SysctlState, news: SysctlInputs): Promise<Updated<SysctlState>> {
    await this.writeValue(news, news.value);
    return { outs: { ...news, previous: olds.previous } };
  }

  async delete(_id: string, props: SysctlState): Promise<void> {
    // Put back what was there; when the namespace or the key is gone, there is nothing to restore.
    if ((await this.readValue(props)) !== undefined) await this.writeValue(props, props.previous);
    const record = recordName(props);
    if (record !== undefined) await forget(this.runner, record);
  }

  /** The current value, normalised; undefined when the key or the namespace does not exist. */
  private async readValue(p: SysctlInputs): Promise<string | undefined> {
    try {
      const text =
        p.netns === undefined
          ? await this.runner.readFile(sysctlPath(p.key))
          : await readIp(this.runner, sysctlRead(p.netns, p.key));
      return normaliseSysctlValue(text);
    } catch (e) {
      if (isIpFailure(e, "not-found") || (e as { code?: unknown }).code === "ENOENT") return undefined;
      throw e;
    }
  }

  private async writeValue(p: SysctlInputs, value: string): Promise<void> {
    if (p.netns !== undefined) {
      await runIp(this.runner, sysctlWrite(p.netns, p.key), { input: value });
      return;
    }
    try {
      await this.runner.writeFile(sysctlPath(p.key), value);
    } catch (e) {
      const hint = (e as { code?: unknown }).code === "EACCES" ? " Setting sysctls needs root." : "";
      throw new Error(`Could not write "${value}" to ${sysctlPath(p.key)}: ${(e as Error).message}.${hint}`);
    }
  }
}

function where(p: SysctlInputs): string {
  return p.netns === undefined ? "" : ` in namespace "${p.netns}"`;
}

/** The journal record of this resource's value to restore: one per owner, namespace and key. */
function recordName(p: SysctlInputs): string | undefined {
  if (p.owner === undefined) return undefined;
  return `sysctl/${p.netns ?? "@root"}/${p.key}/${encodeURIComponent(p.owner)}`;
}

function sysctlId(p: SysctlInputs): string {
  return `${p.netns ?? ""}/${p.key}`;
}

/**
 * A kernel parameter (sysctl), restored to the value it had when the resource is deleted.
 *
 * Equivalent to: `sysctl -w KEY=VALUE`, or `ip netns exec NETNS sysctl -w KEY=VALUE`.
 */
export class Sysctl extends pulumi.dynamic.Resource {
  declare readonly key: pulumi.Output<string>;
  declare readonly value: pulumi.Output<string>;
  declare readonly netns: pulumi.Output<string | undefined>;
  /** The value found before the first write, put back on delete. */
  declare readonly previous: pulumi.Output<string>;

  constructor(name: string, args: SysctlArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      forwarder("Sysctl"),
      name,
      { key: args.key, value: args.value, netns: args.netns, previous: undefined, owner: ownerOf(name) },
      opts,
      "netns",
      "Sysctl",
    );
  }
}
