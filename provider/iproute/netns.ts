/**
 * `ip netns` argv builders and parsers: pure, no I/O.
 */

/** `ip netns add NAME` */
export function netnsAdd(name: string): string[] {
  return ["netns", "add", name];
}

/** `ip netns delete NAME` */
export function netnsDelete(name: string): string[] {
  return ["netns", "delete", name];
}

/** `ip -json netns list` */
export function netnsList(): string[] {
  return ["-json", "netns", "list"];
}

/**
 * Names from `ip -json netns list`. Depending on the iproute2 version, no namespaces print nothing,
 * `null` or `[]`.
 */
export function parseNetnsList(stdout: string): string[] {
  const text = stdout.trim();
  if (text === "" || text === "null") return [];
  const parsed: unknown = JSON.parse(text);
  if (!Array.isArray(parsed)) throw new Error(`unexpected output of 'ip -json netns list': ${text.slice(0, 200)}`);
  return parsed.map((entry: unknown) => {
    const name = (entry as { name?: unknown } | null)?.name;
    if (typeof name !== "string") {
      throw new Error(`unexpected entry in 'ip -json netns list': ${JSON.stringify(entry)}`);
    }
    return name;
  });
}
