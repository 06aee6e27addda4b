/**
 * The Pulumi package `netns`: every kind of the registry, served to every language (YAML, Go,
 * Python, TypeScript…) through Pulumi's provider protocol as `netns:index:<Kind>`. It is the second
 * front door to the same provider half that the dynamic resources use (kinds/index.ts,
 * providerFor): one implementation of each kind, the same ledger, journal and marks.
 *
 * What differs from the dynamic front door, and why:
 * - `owner`, which the program half adds in TypeScript (program/resource.ts, ownerOf), is taken
 *   here from the resource's URN, which carries the same project, stack and name.
 * - `read` works (the engine finds this provider by package, not by code in the state), so
 *   `pulumi import` does: a read with no owner in the state is an import, and the kind's `adopt`
 *   puts the importing resource's mark on the object ({@link importResource}).
 * - The engine hands a native provider secrets wrapped and unknown values as the same
 *   placeholder the dynamic one gets; secrets are unwrapped here, since no kind keeps one.
 */
import type * as pulumiProvider from "@pulumi/pulumi/provider";
import { processMachine, providerClass, providerFor, withoutUndefined } from "../kinds/index.js";
import { type Component, componentNames, type Kind, kindNames, kindOf, PACKAGE, packageToken } from "../registry.js";

/** The kind of the resource `urn` names (its type is the URN's last type, after its parents'). */
export function kindOfUrn(urn: string): Kind {
  const type = urn.split("::")[2]?.split("$").pop();
  const kind = kindOf(type);
  if (kind === undefined) throw new Error(`pulumi-netns: the package ${PACKAGE} has no resource type ${type}`);
  return kind;
}

/**
 * The owner of the resource `urn` (`urn:pulumi:STACK::PROJECT::TYPE::NAME`): `PROJECT/STACK:NAME`,
 * what the program half's `ownerOf` makes from the same three.
 */
export function ownerOfUrn(urn: string): string {
  const [head = "", project = "", , ...name] = urn.split("::");
  return `${project}/${head.slice("urn:pulumi:".length)}:${name.join("::")}`;
}

/** Pulumi's wrapper of a secret value on the wire (its signature key and value). */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const SECRET = "1b47061264138c4ac30d75fd1eb44270";

/** Plain data with every secret unwrapped, at any depth. */
export function unwrapped(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(unwrapped);
  if (value === null || typeof value !== "object") return value;
  const record = value as Record<string, unknown>;
  if (record[SECRET_SIG] === SECRET) return unwrapped(record.value);
  return Object.fromEntries(Object.entries(record).map(([k, v]) => [k, unwrapped(v)]));
}

type Props = Record<string, unknown>;

/** The provider `main` serves: `schema` is the package's schema.json, as text. */
export function nativeProvider(version: string, schema: string): pulumiProvider.Provider {
  const resources = (JSON.parse(schema) as { resources: Record<string, { properties?: object }> }).resources;
  return {
    version,
    schema,
    async check(urn, olds, news) {
      const given = { ...(unwrapped(news) as Props), owner: ownerOfUrn(urn) };
      return providerFor(kindOfUrn(urn)).check(unwrapped(olds), given);
    },
    async diff(id, urn, olds, news) {
      return providerFor(kindOfUrn(urn)).diff(id, unwrapped(olds) as Props, unwrapped(news) as Props);
    },
    async create(urn, inputs) {
      const created = await providerFor(kindOfUrn(urn)).create(unwrapped(inputs) as Props);
      return { id: created.id, outs: created.outs };
    },
    async read(id, urn, props) {
      const state = unwrapped(props ?? {}) as Props;
      if (state.owner === undefined) return importResource(kindOfUrn(urn), id, ownerOfUrn(urn));
      // Gone: no id, which the engine takes as deleted (the wire has no undefined: kinds/index.ts).
      return (await providerFor(kindOfUrn(urn)).read(id, state)) as pulumiProvider.ReadResult;
    },
    async update(id, urn, olds, news) {
      return providerFor(kindOfUrn(urn)).update(id, unwrapped(olds) as Props, unwrapped(news) as Props);
    },
    async delete(id, urn, props) {
      await providerFor(kindOfUrn(urn)).delete(id, unwrapped(props) as Props);
    },
    // A component is built here by its TypeScript class; its children are the package's own
    // resources (registry.ts, frontDoor), each served by this provider like any other.
    async construct(name, type, inputs, options) {
      const component = componentNames.find((c) => packageToken(c) === type);
      if (component === undefined) throw new Error(`pulumi-netns: the package ${PACKAGE} has no component ${type}`);
      const Component = componentClass(component);
      const made = new Component(name, unwrapped(inputs) as never, options) as unknown as Record<string, unknown>;
      const outputs = Object.keys(resources[type]?.properties ?? {});
      return {
        urn: made.urn as pulumiProvider.ConstructResult["urn"],
        state: Object.fromEntries(outputs.map((o) => [o, made[o]])),
      };
    },
  };
}

/**
 * The class of a component, loaded when first built: the program half reads `frontDoor` as it
 * is loaded, which native/main.ts has set by then.
 */
function componentClass(component: Component): new (name: string, args: never, opts: object) => unknown {
  if (component === "Topology")
    return (
      require("../program/components/topology/topology.js") as typeof import("../program/components/topology/topology.js")
    ).Topology;
  return (require("../program/components/star-lab.js") as typeof import("../program/components/star-lab.js")).StarLab;
}

/**
 * `pulumi import` (and a `get` from another language, which reads the same way): the object that
 * `id` names on this machine, taken by `owner` (kind's `adopt`). Its inputs leave `owner` out:
 * they become the program the import writes, and `check` adds it back.
 */
async function importResource(kind: Kind, id: string, owner: string): Promise<pulumiProvider.ReadResult> {
  const Provider = providerClass(kind);
  const kindProvider = new Provider(processMachine());
  if (kindProvider.adopt === undefined) {
    throw new Error(`pulumi-netns: a ${kind} cannot be imported: the package imports ${importable().join(", ")}`);
  }
  const state = (await kindProvider.adopt(id, owner)) as Props | undefined;
  if (state === undefined) throw new Error(`pulumi-netns: no ${kind} "${id}" on this machine to import`);
  // Read back as a refresh would: the kind says which of its state are inputs.
  const read = await kindProvider.read(kindProvider.id(state), state);
  if (read.id === undefined) throw new Error(`pulumi-netns: the ${kind} "${id}" went away while it was imported`);
  const { owner: _, ...inputs } = (read.inputs ?? {}) as Props;
  return withoutUndefined({ id: read.id, props: read.props, inputs });
}

/** The kinds whose provider has `adopt`. */
export function importable(): Kind[] {
  return kindNames.filter((kind) => providerClass(kind).prototype.adopt !== undefined);
}
