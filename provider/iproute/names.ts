/**
 * Naming rules for the names the kernel and iproute2 accept, stricter where a looser name could be
 * read as an option or a path. Each rule returns the reason a value breaks it, or undefined.
 */

/**
 * A namespace name becomes a file in /run/netns and an argument of `ip netns` / `ip -n`. iproute2
 * refuses empty names, names with `/`, `.` and `..`, and names over NAME_MAX (255 bytes). We also
 * refuse a leading `-` (it would read as an option) and anything outside letters, digits, `_`, `.`,
 * `-`, so a name is safe in every command and message.
 */
export function netnsNameProblem(name: string): string | undefined {
  if (name.length === 0) return "must not be empty";
  if (Buffer.byteLength(name) > 255)
    return `must be at most 255 bytes (iproute2's limit), got ${Buffer.byteLength(name)}`;
  if (name === "." || name === "..") return `must not be "." or ".." (it names a directory, not a namespace)`;
  if (name.startsWith("-")) return `must not start with "-" (ip would read it as an option)`;
  if (!/^[A-Za-z0-9_.-]+$/.test(name)) return "may contain only ASCII letters, digits, '_', '.' and '-'";
  return undefined;
}
