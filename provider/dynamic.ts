/**
 * Plumbing shared by the dynamic resources: the serialized forwarder and input checking.
 */
import type * as pulumi from "@pulumi/pulumi";
import type * as zod from "zod";
import { netnsNameProblem } from "./iproute/names.js";
import type { ResourceKind } from "./providers.js";

/**
 * The provider object each resource hands to Pulumi. Pulumi serializes it to text into the stack's
 * state, and later operations (even `read` and `delete` long after an upgrade) run that text. So
 * it stays a few stable lines that import the implementation installed *now*, by package name, and
 * call it. It captures nothing but the kind's name: no zod, no execa, no module state.
 *
 * Each kind's forwarder is the whole `module.exports` of a small module of its own
 * (provider/forwarders/). Pulumi's serializer writes such an object, when it comes from a package
 * in node_modules, as one `require("pulumi-netns/forwarders/…")` instead of its code: about 300
 * bytes in the state of every resource instead of 2 KB, twice over (inputs and outputs). Inside
 * this repository the module is local and is serialized by value, as before.
 */
export function forwarder(kind: ResourceKind): pulumi.dynamic.ResourceProvider {
  return require(`./forwarders/${forwarderModules[kind]}.js`);
}

const forwarderModules: Record<ResourceKind, string> = {
  NetNamespace: "net-namespace",
  VethPair: "veth-pair",
  IpAddress: "ip-address",
  Route: "route",
  Sysctl: "sysctl",
};

/** The forwarder for `kind`; each module in provider/forwarders/ exports one. */
export function makeForwarder(kind: ResourceKind): pulumi.dynamic.ResourceProvider {
  const load = async (): Promise<
    pulumi.dynamic.ResourceProvider &
      Required<Pick<pulumi.dynamic.ResourceProvider, "check" | "diff" | "read" | "update" | "delete">>
  > => {
    // A variable specifier keeps TypeScript from resolving the package's own build output.
    const specifier = "pulumi-netns/providers";
    const providers: typeof import("./providers.js") = await import(specifier);
    return providers.providerFor(kind);
  };
  return {
    check: async (olds, news) => (await load()).check(olds, news),
    diff: async (id, olds, news) => (await load()).diff(id, olds, news),
    create: async (inputs) => (await load()).create(inputs),
    read: async (id, props) => (await load()).read(id, props),
    update: async (id, olds, news) => (await load()).update(id, olds, news),
    delete: async (id, props) => (await load()).delete(id, props),
  };
}

/** What the engine passes for an input whose value is not known yet (during preview). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

type Zod = typeof zod.z;

/**
 * Validates and normalises inputs with a zod object schema built by `build`. Properties whose value
 * is not known yet are passed through untouched; every problem becomes one failure naming its
 * property. Zod is imported here, at run time, never captured by the serialized provider.
 */
export async function checkInputs<T extends object>(
  build: (z: Zod) => zod.ZodObject,
  news: Record<string, unknown>,
  crossChecks?: (inputs: T) => pulumi.dynamic.CheckFailure[],
): Promise<pulumi.dynamic.CheckResult<T>> {
  const { z } = await import("zod");
  const schema = build(z);
  const unknownKeys = Object.keys(schema.shape).filter((key) => news[key] === UNKNOWN);
  // An unknown value is let through as it is: it is checked once known, at `up`.
  const result = schema.extend(Object.fromEntries(unknownKeys.map((key) => [key, z.literal(UNKNOWN)]))).safeParse(news);
  if (!result.success) {
    return {
      failures: result.error.issues.map((issue) => ({
        property: issue.path.map(String).join(".") || "(inputs)",
        reason: issue.message,
      })),
    };
  }
  const inputs = result.data as T;
  const failures = crossChecks?.(inputs) ?? [];
  return failures.length > 0 ? { failures } : { inputs };
}

/** True when a value is known (not the preview placeholder). */
export function known<T>(value: T): value is Exclude<T, typeof UNKNOWN> {
  return value !== UNKNOWN;
}

/** A reason a value is refused, from a parser that may also normalise it. */
export interface Problem {
  problem: string;
}

/** A zod string parsed (and normalised) by `parse`; the message names the rule and the bad value. */
export function parsedString(z: Zod, parse: (value: string) => string | Problem): zod.ZodType<string> {
  return z
    .string({ error: (issue) => `must be a string, got ${describeValue(issue.input)}` })
    .transform((value, ctx) => {
      const parsed = parse(value);
      if (typeof parsed === "string") return parsed;
      ctx.addIssue({ code: "custom", message: `${parsed.problem}; got ${describeValue(value)}` });
      return z.NEVER;
    });
}

/** A whole number from `min` to `max`. */
export function wholeNumber(z: Zod, min: number, max: number, why = ""): zod.ZodType<number> {
  const rule = `must be a whole number from ${min} to ${max}${why}`;
  return z
    .number({ error: (issue) => `${rule}, got ${describeValue(issue.input)}` })
    .refine((n) => Number.isInteger(n) && n >= min && n <= max, {
      error: (issue) => `${rule}, got ${describeValue(issue.input)}`,
    });
}

/** `netns`: a namespace name, or absent for the root namespace. */
export function netnsField(z: Zod) {
  return ruleString(z, netnsNameProblem).optional();
}

/** A boolean with a default, with a message that names the bad value. */
export function flag(z: Zod, byDefault: boolean) {
  return z.boolean({ error: (issue) => `must be true or false, got ${describeValue(issue.input)}` }).default(byDefault);
}

/**
 * A zod string refined by a naming rule; the message names the rule and the bad value.
 */
export function ruleString(z: Zod, problem: (value: string) => string | undefined): zod.ZodType<string> {
  return z
    .string({ error: (issue) => `must be a string, got ${describeValue(issue.input)}` })
    .superRefine((value, ctx) => {
      const why = problem(value);
      if (why !== undefined) ctx.addIssue({ code: "custom", message: `${why}; got ${describeValue(value)}` });
    });
}

/** A bounded, printable rendering of a bad value for messages. */
export function describeValue(value: unknown): string {
  const text =
    typeof value === "string"
      ? JSON.stringify(value)
      : value === undefined
        ? "nothing"
        : (JSON.stringify(value) ?? String(value));
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** What our creates return: always the full state (Pulumi's own type leaves `outs` optional). */
export interface Created<State> {
  id: string;
  outs: State;
}

/** What our updates return: always the full state. */
export interface Updated<State> {
  outs: State;
}
