/**
 * Sysctl, provider half: one kernel parameter under /proc/sys, set for as long as the resource
 * exists and put back to the value it found when the resource is deleted.
 */
import { importId, sysctlKey } from "../commands/names.js";
import { normaliseSysctlValue, sysctlPath } from "../commands/sysctl.js";
import { ignoreNotFound, undefinedIfNotFound } from "../errors.js";
import type { Machine } from "../machine/machine.js";
import { forget, recall, remember, sysctlRecord } from "../records/journal.js";
import { checkInputs, describeValue, known, netnsInput, ownerInput, sysctlValueInput, text } from "./base/inputs.js";
import type { Created, KindProvider, Updated } from "./base/kind.js";

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

export default class SysctlProvider implements KindProvider<SysctlInputs, SysctlState> {
  constructor(private readonly machine: Machine) {}

  id(p: SysctlInputs): string {
    return `${p.netns ?? ""}/${p.key}`;
  }

  async check(_olds: unknown, news: Record<string, unknown>) {
    return checkInputs<SysctlInputs>(
      (z) =>
        z.object({
          key: text(z, sysctlKey),
          value: sysctlValueInput(z),
          netns: netnsInput(z),
          owner: ownerInput(z),
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

  async diff(_id: string, olds: SysctlState, news: SysctlInputs) {
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
    const previous = (record === undefined ? undefined : await recall(this.machine, record)) ?? found;
    if (record !== undefined) await remember(this.machine, record, previous);
    await this.writeValue(inputs, inputs.value);
    const now = await this.readValue(inputs);
    if (now !== inputs.value) {
      await this.writeValue(inputs, previous);
      if (record !== undefined) await forget(this.machine, record);
      throw new Error(
        `The kernel did not take ${inputs.key} = "${inputs.value}"${where(inputs)}: it reads back "${now}". ` +
          `The previous value "${previous}" was put back.`,
      );
    }
    return { id: this.id(inputs), outs: { ...inputs, previous } };
  }

  async read(id: string, props: SysctlState) {
    const value = await this.readValue(props);
    if (value === undefined) {
      // The key went with its namespace (or device): nothing is left to restore, so neither is
      // the record. (Refresh drops the resource without calling delete.)
      const record = recordName(props);
      if (record !== undefined) await forget(this.machine, record);
      return {};
    }
    const live = { ...props, value };
    const { previous: _previous, ...inputs } = live;
    return { id, props: live, inputs };
  }

  async update(_id: string, olds: SysctlState, news: SysctlInputs): Promise<Updated<SysctlState>> {
    // A machine that rebooted lost its journal, and the kernel its value: the value to put back is
    // still the state's, recorded again before ours is written (never the one found now, which is
    // the boot's, and never ours).
    const record = recordName(news);
    if (record !== undefined && (await recall(this.machine, record)) === undefined) {
      await remember(this.machine, record, olds.previous);
    }
    await this.writeValue(news, news.value);
    return { outs: { ...news, previous: olds.previous } };
  }

  async delete(_id: string, props: SysctlInputs & Partial<SysctlState>) {
    // Put back what was there; when the namespace or the key is gone, there is nothing to restore.
    // A sweep knows only the inputs (ledger.ts): the value to put back is then the journal's.
    const record = recordName(props);
    const previous = props.previous ?? (record === undefined ? undefined : await recall(this.machine, record));
    if (previous !== undefined) await ignoreNotFound(() => this.writeValue(props, previous));
    if (record !== undefined) await forget(this.machine, record);
  }

  /**
   * Imported as `[NETNS/]KEY`: the value found is also the one destroy puts back, recorded in the
   * journal like a create's (a sysctl has no mark).
   */
  async adopt(id: string, owner: string | undefined): Promise<SysctlState | undefined> {
    const { netns, rest } = importId(id, "[NETNS/]KEY", [sysctlKey]);
    const inputs: SysctlInputs = { key: sysctlKey(rest[0] as string) as string, value: "", owner };
    if (netns !== undefined) inputs.netns = netns;
    const value = await this.readValue(inputs);
    if (value === undefined) return undefined;
    const record = recordName(inputs);
    if (record !== undefined) await remember(this.machine, record, value);
    return { ...inputs, value, previous: value };
  }

  /** Taken over by a NetnsConfig, which keeps the value to put back: the record goes, the value stays. */
  async release(_id: string, props: SysctlInputs) {
    const record = recordName(props);
    if (record !== undefined) await forget(this.machine, record);
  }

  /** The current value, normalised; undefined when the key or the namespace does not exist. */
  private async readValue(p: SysctlInputs): Promise<string | undefined> {
    const text = await undefinedIfNotFound(() => this.machine.netns(p.netns).readFile(sysctlPath(p.key)));
    return text === undefined ? undefined : normaliseSysctlValue(text);
  }

  private writeValue(p: SysctlInputs, value: string): Promise<void> {
    return this.machine.netns(p.netns).writeFile(sysctlPath(p.key), value);
  }
}

function where(p: SysctlInputs): string {
  return p.netns === undefined ? "" : ` in namespace "${p.netns}"`;
}

/** The journal record of this resource's value to restore (journal.ts); none without an owner. */
function recordName(p: SysctlInputs): string | undefined {
  return p.owner === undefined ? undefined : sysctlRecord(p.netns, p.key, p.owner);
}
