/**
 * Failures of the machine, classified in one place so that every resource reacts to the same
 * kernel message the same way: an `ip` command that failed, and a file (/proc/sys, the journal)
 * that could not be read or written. Both carry a {@link IpFailureReason}.
 *
 * Serialized provider code re-creates classes, so callers test errors with {@link isIpError},
 * {@link isFailure} and the `reason` field, never with `instanceof`.
 */

/** Why a command or a file access failed, as far as the kernel's words tell. */
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
  /** The command never reached its host: ssh could not connect or log in, or the host is unfit (no `ip`, no root). */
  | "unreachable"
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

const fileBrand = "pulumi-netns:FileError";

/** A file of the machine that could not be read, written or removed. */
export class FileError extends Error {
  readonly brand = fileBrand;
  override readonly name = "FileError";

  constructor(
    readonly path: string,
    /** Node's error code (`ENOENT`, `EACCES`…), when it gave one. */
    readonly code: string | undefined,
    readonly reason: IpFailureReason,
    message: string,
  ) {
    super(message);
  }
}

export function isFileError(e: unknown): e is FileError {
  return typeof e === "object" && e !== null && (e as { brand?: unknown }).brand === fileBrand;
}

/** True when `e` is a failure of `ip` or of a file with one of the given reasons. */
export function isFailure(e: unknown, ...reasons: IpFailureReason[]): e is IpCommandError | FileError {
  return (isIpError(e) || isFileError(e)) && reasons.includes(e.reason);
}

/** How one run of a program ended; `exitCode` undefined: it never started, and `stderr` says why. */
export interface Exit {
  exitCode: number | undefined;
  stdout: string;
  stderr: string;
  /** Set when the command never reached the host of that name; `stderr` then says why, in full. */
  unreachable?: string | undefined;
}

/** How a command ends that never reached its host: `problem` names the host and what to do. */
export function hostFailure(host: string, problem: string): Exit {
  return { exitCode: 255, stdout: "", stderr: problem, unreachable: host };
}

/** The classified error of a command that did not exit 0. */
export function commandFailure(argv: readonly string[], exit: Exit): IpCommandError {
  if (exit.unreachable !== undefined) return new IpCommandError(argv, exit.exitCode, exit.stderr, "unreachable");
  if (exit.exitCode === undefined) return new IpCommandError(argv, undefined, exit.stderr, "ip-missing");
  return new IpCommandError(argv, exit.exitCode, exit.stderr, classify(exit.stderr));
}

const errnoReasons: Record<string, IpFailureReason> = {
  ENOENT: "not-found",
  ENOTDIR: "not-found",
  // A file under /proc/PID of a process that ended while it was read.
  ESRCH: "not-found",
  EACCES: "permission-denied",
  EPERM: "permission-denied",
  EROFS: "permission-denied",
  EBUSY: "transient",
  EAGAIN: "transient",
};

/**
 * The classified error of a file access that failed; `what` says what was being done
 * (`write "1" to`), for the message.
 */
export function fileFailure(what: string, path: string, error: unknown): FileError {
  const code = (error as { code?: unknown } | null)?.code;
  const reason = (typeof code === "string" ? errnoReasons[code] : undefined) ?? "other";
  const words = error instanceof Error ? error.message : String(error);
  const hint = reason === "permission-denied" ? fileHint : "";
  return new FileError(
    path,
    typeof code === "string" ? code : undefined,
    reason,
    `Could not ${what} ${path}: ${words}.${hint}`,
  );
}

const fileHint = " Setting sysctls and keeping pulumi-netns's records under /run need root.";

// Ordered: the first match wins. The patterns are iproute2's and the kernel's own messages
// (strerror texts and netlink extended acks), matched case-insensitively.
const patterns: ReadonlyArray<[RegExp, IpFailureReason]> = [
  // `ip netns exec` could not start the program: it is not installed (not that an object is missing).
  [/exec of "[^"]*" failed/i, "ip-missing"],
  [/operation not permitted|permission denied/i, "permission-denied"],
  [/file exists|already exists|already assigned/i, "already-exists"],
  [
    // "No such process" (ESRCH) is how the kernel says a route to delete is not there, and
    // "Cannot assign requested address" (EADDRNOTAVAIL) an address.
    /cannot find device|does not exist|no such file or directory|no such device|no such process|cannot open network namespace|address not found|cannot assign requested address/i,
    "not-found",
  ],
  [
    // setns(2) refusing the file under /run/netns (EINVAL): the name is there but no namespace is
    // mounted on it, as `ip netns add` leaves it when killed between making the file and the
    // mount. Nothing of a namespace exists; `ip netns delete` removes the name.
    /setting the network namespace "[^"]*" failed: invalid argument/i,
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
  unreachable: "",
  other: "",
};

function describe(
  argv: readonly string[],
  exitCode: number | undefined,
  stderr: string,
  reason: IpFailureReason,
): string {
  const command = argv.map(quoteForDisplay).join(" ");
  if (reason === "unreachable") return `${stderr.trim()}\nNothing was run there; the command was: ${command}`;
  const head =
    reason === "ip-missing"
      ? `Could not run \`${programOf(argv)}\` (${stderr.trim() || "not found"}): ${command}`
      : `Command failed with exit code ${exitCode ?? "?"}: ${command}`;
  const words = reason === "ip-missing" ? "" : stderr.trim();
  return [head, words, hintFor(argv, stderr, reason)].filter((line) => line !== "").join("\n");
}

/**
 * What to do, in the lab's terms where the kernel's words say exactly what is missing: the
 * namespace or device that was never made (and how to have the engine make it first), or the
 * address a gateway needs; otherwise the reason's general hint.
 */
function hintFor(argv: readonly string[], stderr: string, reason: IpFailureReason): string {
  if (reason === "ip-missing" && programOf(argv) === "nft") {
    return "Install nftables (Debian/Ubuntu: apt-get install nftables; Fedora: dnf install nftables).";
  }
  const n = argv.indexOf("-n");
  const where = n >= 0 && argv[n + 1] !== undefined ? `namespace "${argv[n + 1]}"` : "the root namespace";
  const namespace = /cannot open network namespace "([^"]*)"|setting the network namespace "([^"]*)"/i.exec(stderr);
  if (namespace !== null) {
    return (
      `The namespace "${namespace[1] ?? namespace[2]}" does not exist. Declare it with a NetNamespace and pass its ` +
      "`name` output as `netns` (`netns: ns.name`), so the engine makes it first."
    );
  }
  const device = /cannot find device "([^"]*)"|device "([^"]*)" does not exist/i.exec(stderr);
  if (device !== null) {
    return (
      `There is no device "${device[1] ?? device[2]}" in ${where}. Declare it (a VethPair, Bridge, MacVlan or Vxlan) ` +
      "and pass its output as the input that names it (`device: pair.name`), so the engine makes it first."
    );
  }
  // With a device the kernel says the gateway is invalid; without one, that its network is unreachable.
  const gatewayOffNet = argv.includes("via") && /network is unreachable/i.test(stderr);
  if (/nexthop has invalid gateway/i.test(stderr) || gatewayOffNet) {
    const via = argv[argv.indexOf("via") + 1];
    return (
      `The gateway ${via ?? ""} is on no subnet of ${where}: a device there needs an address of the gateway's ` +
      "subnet first. Declare that IpAddress and pass its output to the route (`device: address.device`), so the " +
      "engine adds the address before the route."
    );
  }
  return hints[reason];
}

/** The program a command runs: `ip`, or the one it starts with `ip netns exec NAME PROGRAM`. */
function programOf(argv: readonly string[]): string {
  return argv[0] === "ip" && argv[1] === "netns" && argv[2] === "exec" ? (argv[4] ?? "ip") : (argv[0] ?? "ip");
}

/** Quotes an argument for a message only; commands are always run from argv, never a shell. */
function quoteForDisplay(arg: string): string {
  return /^[A-Za-z0-9_./:=@+%,-]+$/.test(arg) ? arg : JSON.stringify(arg);
}

/** Runs `work`, treating "not found" (object, device or namespace gone) as success: for delete. */
export async function ignoreNotFound(work: () => Promise<unknown>): Promise<void> {
  try {
    await work();
  } catch (e) {
    if (!isFailure(e, "not-found")) throw e;
  }
}

/** Runs `work`, returning undefined when what it reads is gone: for read. */
export async function undefinedIfNotFound<T>(work: () => Promise<T>): Promise<T | undefined> {
  try {
    return await work();
  } catch (e) {
    if (isFailure(e, "not-found")) return undefined;
    throw e;
  }
}
