/**
 * Naming rules for the names the kernel and iproute2 accept, stricter where a looser name could be
 * read as an option or a path. Each is a {@link Rule}: the name, or the problem with it.
 */

import { type Problem, problem } from "../rule.js";
import { normaliseSysctlValue } from "./sysctl.js";

/**
 * A namespace name becomes a file in /run/netns and an argument of `ip netns` / `ip -n`. iproute2
 * refuses empty names, names with `/`, `.` and `..`, and names over NAME_MAX (255 bytes). We also
 * refuse a leading `-` (it would read as an option) and anything outside letters, digits, `_`, `.`,
 * `-`, so a name is safe in every command and message.
 */
export function netnsName(name: string): string | Problem {
  if (name.length === 0) return problem("must not be empty");
  if (Buffer.byteLength(name) > 255)
    return problem(`must be at most 255 bytes (iproute2's limit), not ${Buffer.byteLength(name)}`);
  if (name === "." || name === "..") return problem(`must not be "." or ".." (it names a directory, not a namespace)`);
  if (name.startsWith("-")) return problem(`must not start with "-" (ip would read it as an option)`);
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) return problem("may contain only ASCII letters, digits, '_', '.' and '-'");
  return name;
}

/**
 * An interface name: the kernel takes 1 to 15 bytes (IFNAMSIZ less the NUL) without `/`, `:` or
 * white space, and not `.` or `..`. We also refuse `%` (printf-style names), a leading `-` or `.`,
 * and anything beyond ASCII letters, digits, `_`, `.` and `-`.
 */
export function interfaceName(name: string): string | Problem {
  if (name.length === 0) return problem("must not be empty");
  const bytes = Buffer.byteLength(name);
  if (bytes > 15) return problem(`must be at most 15 bytes (the kernel's IFNAMSIZ), not ${bytes}`);
  if (name.startsWith("-")) return problem(`must not start with "-" (ip would read it as an option)`);
  if (name.startsWith(".")) return problem(`must not start with "." ("." and ".." are not interface names)`);
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) {
    return problem("may contain only ASCII letters, digits, '_', '.' and '-' (no '/', ':', '%' or white space)");
  }
  return name;
}

/**
 * A sysctl key in dotted form (net.ipv4.ip_forward), which becomes a path under /proc/sys. Each
 * segment is letters, digits, `_` or `-`, so no key can climb out of /proc/sys. (Interface names
 * with a `.` cannot be written in this form.)
 */
export function sysctlKey(key: string): string | Problem {
  if (key.length === 0) return problem("must not be empty");
  if (!/^[A-Za-z0-9_.-]+$/.test(key))
    return problem("may contain only ASCII letters, digits, '_', '-' and '.' between segments (no '/')");
  const segments = key.split(".");
  if (segments.length < 2) return problem("must have at least two dot-separated segments, like net.ipv4.ip_forward");
  if (segments.some((s) => s === ""))
    return problem("must not have empty segments (no leading, trailing or doubled '.')");
  if (!segments.every((s) => /^[A-Za-z0-9_][A-Za-z0-9_-]*$/.test(s))) {
    return problem("segments may contain only ASCII letters, digits, '_' and '-' (no '/' or '..')");
  }
  return key;
}

/** A sysctl value: one line of text, its white space folded as the kernel's own values are compared. */
export function sysctlValue(value: string): string | Problem {
  if (value.trim().length === 0) return problem("must not be empty");
  if (/[\n\r\0]/.test(value)) return problem("must be one line (no newline, carriage return or NUL)");
  if (Buffer.byteLength(value) > 4096) return problem("must be at most 4096 bytes");
  return normaliseSysctlValue(value);
}

/**
 * An import id of the form `[NETNS/]REST` (`ns0/veth12`, `veth11`): the namespace (undefined for
 * the root one, also when the id starts with `/`, as the kinds' own ids do) and REST, which has
 * `parts` parts separated by `/` (an address's `DEVICE/ADDRESS/PREFIX` has 3). Each part must pass
 * its rule, in order; a problem is thrown with the id and `form`, the form the kind takes.
 */
export function importId(id: string, form: string, rules: ((part: string) => string | Problem)[]) {
  const all = id.split("/");
  const parts = rules.length;
  const given = all.length > parts ? all.slice(0, all.length - parts).join("/") : "";
  const netns = given === "" ? undefined : given;
  const rest = all.slice(-parts);
  const problems = [
    ...(netns === undefined ? [] : [netnsName(netns)]),
    ...rest.map((part, i) => (rules[i] as (part: string) => string | Problem)(part)),
  ].filter((checked) => typeof checked !== "string");
  if (all.length < parts || all.length > parts + 1 || problems.length > 0) {
    const why = problems.map((p) => `: ${(p as Problem).problem}`).join("");
    throw new Error(`import id ${JSON.stringify(id)} must have the form ${form}${why}`);
  }
  return { netns, rest };
}
