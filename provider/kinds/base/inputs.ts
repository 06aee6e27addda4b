/**
 * Input checking for every kind: its schema is a zod object whose fields are built from rules
 * (rule.ts: the normalised value, or the problem), and {@link checkInputs} turns every problem into
 * a failure that names its property. Zod is imported here, at run time, inside `check`.
 */
import type * as pulumi from "@pulumi/pulumi";
import type * as zod from "zod";
import { netnsName, sysctlValue } from "../../commands/names.js";
import { isProblem, type Rule } from "../../rule.js";

/** What the engine passes for an input whose value is not known yet (during preview). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** True when a value is known (not the preview placeholder). */
export function known<T>(value: T): value is Exclude<T, typeof UNKNOWN> {
  return value !== UNKNOWN;
}

export type Zod = typeof zod.z;

/**
 * Where the package's schema build (build/schema.ts) receives each kind's zod object as its
 * `check` builds it: the schema's inputs come from the rules that check them.
 */
export const builtRules: { seen?: ((schema: zod.ZodObject) => void) | undefined } = {};

/**
 * Validates and normalises `news` with the zod object schema `build` makes. Properties whose value
 * is not known yet are passed through untouched (they are checked once known, at `up`); every
 * problem becomes one failure naming its property. `crossChecks` then look at several properties
 * together.
 */
export async function checkInputs<T extends object>(
  build: (z: Zod) => zod.ZodObject,
  news: Record<string, unknown>,
  crossChecks?: (inputs: T) => pulumi.dynamic.CheckFailure[],
): Promise<pulumi.dynamic.CheckResult<T>> {
  const { z } = await import("zod");
  const schema = build(z);
  builtRules.seen?.(schema);
  const unknownKeys = Object.keys(schema.shape).filter((key) => news[key] === UNKNOWN);
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

/** A string input: `rule` normalises it or names its problem, and the message shows the bad value. */
export function text(z: Zod, rule: Rule<string>): zod.ZodType<string> {
  return z
    .string({ error: (issue) => `must be a string, got ${describeValue(issue.input)}` })
    .transform(applying(z, rule, "; got"));
}

/**
 * A whole-number input checked by `rule` (like `wholeNumber` of rule.ts; every number a kind takes
 * is whole, and the package's schema says so: an integer). A value that is no whole number gets
 * the rule's own words for NaN, which states the rule (`must be a whole number from 68 to 65535`).
 */
export function number(z: Zod, rule: Rule<number>): zod.ZodType<number> {
  const refused = rule(Number.NaN);
  const words = isProblem(refused) ? refused.problem : "must be a whole number";
  return z
    .int({ error: (issue) => `${words}, got ${describeValue(issue.input)}` })
    .transform(applying(z, rule, ", got"));
}

/** A flag with a default. */
export function flag(z: Zod, byDefault: boolean) {
  return z.boolean({ error: (issue) => `must be true or false, got ${describeValue(issue.input)}` }).default(byDefault);
}

/** One of a few words, with a default. */
export function choice<const T extends readonly [string, ...string[]]>(z: Zod, values: T, byDefault: T[number]) {
  return z
    .enum(values, { error: (issue) => `must be one of ${values.join(", ")}, got ${describeValue(issue.input)}` })
    .default(byDefault as never);
}

/** `netns`: a namespace name, or absent for the root namespace. */
export function netnsInput(z: Zod) {
  return text(z, netnsName).optional();
}

/**
 * A flag stored only when true (`nodad`): absent otherwise, so the state of a stack made before the
 * flag existed compares equal.
 */
export function onlyWhenTrue(z: Zod) {
  return z
    .boolean({ error: (issue) => `must be true or false, got ${describeValue(issue.input)}` })
    .optional()
    .transform((on) => (on === true ? true : undefined));
}

/** A sysctl's value; a whole number is taken as its decimal text (`1` means "1"). */
export function sysctlValueInput(z: Zod) {
  return z.preprocess((v) => (typeof v === "number" && Number.isInteger(v) ? String(v) : v), text(z, sysctlValue));
}

/** `owner`: who made the resource (see ownership.ts); the program half fills it in. */
export function ownerInput(z: Zod) {
  return z.string().optional();
}

/**
 * A map input whose keys are objects' names (addresses, destinations, sysctl keys): each key is
 * normalised by `rule`, a problem names its key, and two keys that mean the same object are refused.
 */
export function keyed<V extends zod.ZodType>(z: Zod, rule: Rule<string>, value: V) {
  return z
    .record(z.string(), value, {
      error: (issue) => `must be a map of names to values, got ${describeValue(issue.input)}`,
    })
    .default({})
    .transform((map, ctx) => {
      const normalised: Record<string, zod.output<V>> = {};
      const spelled = new Map<string, string>();
      for (const [key, v] of Object.entries(map)) {
        const checked = rule(key);
        if (isProblem(checked)) {
          ctx.addIssue({ code: "custom", path: [key], message: `the key ${describeValue(key)} ${checked.problem}` });
          continue;
        }
        const earlier = spelled.get(checked);
        if (earlier !== undefined) {
          ctx.addIssue({ code: "custom", path: [key], message: `names the same as ${describeValue(earlier)}` });
        }
        spelled.set(checked, key);
        normalised[checked] = v as zod.output<V>;
      }
      return normalised;
    });
}

/** Applies `rule` in a zod transform; a problem becomes an issue that ends `<got> <the value>`. */
function applying<T>(z: Zod, rule: Rule<T>, got: string) {
  return (value: T, ctx: zod.RefinementCtx): T => {
    const checked = rule(value);
    if (!isProblem(checked)) return checked;
    ctx.addIssue({ code: "custom", message: `${checked.problem}${got} ${describeValue(value)}` });
    return z.NEVER;
  };
}

/** A bounded, printable rendering of a bad value for messages. */
export function describeValue(value: unknown): string {
  const shown =
    typeof value === "string"
      ? JSON.stringify(value)
      : value === undefined
        ? "nothing"
        : (JSON.stringify(value) ?? String(value));
  return shown.length > 80 ? `${shown.slice(0, 77)}...` : shown;
}
