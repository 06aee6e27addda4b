/**
 * The one convention for input rules: a rule takes a value and returns it normalised (as iproute2
 * prints it, so what is stored compares equal to what is read back), or the problem with it.
 * Every kind's schema is built from such rules (kinds/base/inputs.ts turns them into zod).
 */

/** Why a value is refused, in words that finish "property P value V has a problem: …". */
export interface Problem {
  readonly problem: string;
}

/** A value's normalised form, or why it is refused. */
export type Rule<In, Out = In> = (value: In) => Out | Problem;

export function problem(text: string): Problem {
  return { problem: text };
}

export function isProblem(value: unknown): value is Problem {
  return typeof value === "object" && value !== null && typeof (value as Problem).problem === "string";
}

/** A whole number from `min` to `max`; `why` says where the range comes from. */
export function wholeNumber(min: number, max: number, why = ""): Rule<number> {
  return (n) =>
    Number.isInteger(n) && n >= min && n <= max ? n : problem(`must be a whole number from ${min} to ${max}${why}`);
}
