/**
 * Plumbing shared by the dynamic resources: the serialized forwarder and input checking.
 */
import type * as pulumi from "@pulumi/pulumi";
import type * as zod from "zod";
import type { ResourceKind } from "./providers.js";

/**
 * The provider object each resource hands to Pulumi. Pulumi serializes it to text into the stack's
 * state, and later operations (even `read` and `delete` long after an upgrade) run that text. So
 * it stays a few stable lines that import the implementation installed *now*, by package name, and
 * call it. It captures nothing but the kind's name: no zod, no execa, no module state.
 */
export function forwarder(kind: ResourceKind): pulumi.dynamic.ResourceProvider {
  // One object per kind: Pulumi caches the serialized text by object identity, so every resource
  // of a kind shares one serialization instead of paying for its own.
  let provider = forwarders.get(kind);
  if (provider === undefined) {
    provider = makeForwarder(kind);
    forwarders.set(kind, provider);
  }
  return provider;
}

const forwarders = new Map<ResourceKind, pulumi.dynamic.ResourceProvider>();

function makeForwarder(kind: ResourceKind): pulumi.dynamic.ResourceProvider {
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
  return { inputs: result.data as T };
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
