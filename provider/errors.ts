/**
 * Errors raised when `ip` fails, classified in one place so that every resource reacts to the
 * same kernel message the same way.
 *
 * Serialized provider code re-creates classes, so callers test errors with {@link isIpError} and
 * the `reason` field, never with `instanceof`.
 */

/** Why an `ip` command failed, as far as the kernel's words tell. */
export type IpFailureReason =
  /** The object, its device or its namespace does not exist. */
  | "not-found"
  /** An object with that name or key exists already. */
  | "already-exists"
  /** The caller lacks root or CAP_NET_ADMIN. */
  | "permission-denied"
  /** The kernel was busy (EBUSY) or a dump was interrupted: worth retrying. */
  | "transient"
  /** The `ip` program itself could not be started. */
  | "ip-missing"
  | "other";

const brand = "pulumi-netns:IpCommandError";

/** A failed `ip` command: the argv, the namespace it ran in, the exit code and the kernel's words. */
export class IpCommandError extends Error {
  readonly brand = brand;
  override readonly name = "IpCommandError";

  constructor(
    readonly argv: readonly string[],
    readonly exitCode: number | undefined,
    readonly stderr: string,
    readonly reason: IpFailureReason,
  ) {
    super(describe(argv, exitCode, stderr, reason));
  }
}

export function isIpError(e: unknown): e is IpCommandError {
  return typeof e === "object" && e !== null && (e as { brand?: unknown }).brand === brand;
}

/** True when `e` is an `ip` failure with one of the given reasons. */
export function isIpFailure(e: unknown, ...reasons: IpFailureReason[]): e is IpCommandError {
  return isIpError(e) && reasons.includes(e.reason);
}

// Ordered: the first match wins. The patterns are iproute2's and the kernel's own messages
// (strerror texts and netlink extended acks), matched case-insensitively.
const patterns: ReadonlyArray<[RegExp, IpFailureReason]> = [
  [/operation not permitted|permission denied/i, "permission-denied"],
  [/file exists|already exists|already assigned/i, "already-exists"],
  [
    // "No such process" (ESRCH) is how the kernel says a route to delete is not there, and
    // "Cannot assign requested address" (EADDRNOTAVAIL) an address.
    /cannot find device|does not exist|no such file or directory|no such device|no such process|cannot open network namespace|address not found|cannot assign requested address/i,
    "not-found",
  ],
  [/device or resource busy|dump was interrupted|resource temporarily unavailable/i, "transient"],
];

/** Classifies a failure from the kernel's words; decided only after the exit code said it failed. */
export function classify(stderr: string): IpFailureReason {
  for (const [pattern, reason] of patterns) {
    if (pattern.test(stderr)) return reason;
  }
  return "other";
}

const hints: Record<IpFailureReason, string> = {
  "not-found": "The namespace, device or object named in the command does not exist.",
  "already-exists": "",
  "permission-denied":
    "Managing network namespaces needs root or CAP_NET_ADMIN (and CAP_SYS_ADMIN for `ip netns`): run pulumi as root.",
  transient: "The kernel was busy; running the command again usually succeeds.",
  "ip-missing":
    "Install iproute2 (Debian/Ubuntu: apt-get install iproute2; Fedora: dnf install iproute) and make sure `ip` is on PATH.",
  other: "",
};

function describe(
  argv: readonly string[],
  exitCode: number | undefined,
  stderr: string,
  reason: IpFailureReason,
): string {
  const command = argv.map(quoteForDisplay).join(" ");
  const head =
    reason === "ip-missing"
      ? `Could not run \`ip\` (${stderr.trim() || "not found"}): ${command}`
      : `Command failed with exit code ${exitCode ?? "?"}: ${command}`;
  const words = reason === "ip-missing" ? "" : stderr.trim();
  return [head, words, hints[reason]].filter((line) => line !== "").join("\n");
}

/** Quotes an argument for a message only; commands are always run from argv, never a shell. */
function quoteForDisplay(arg: string): string {
  return /^[A-Za-z0-9_./:=@+%,-]+$/.test(arg) ? arg : JSON.stringify(arg);
}
