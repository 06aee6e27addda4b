/**
 * Another machine a resource lives on, reached with the user's own OpenSSH client: the rules for a
 * `host` input and the argv of `ssh` that runs one command there. Pure, no I/O.
 *
 * The one place an argv becomes a string: ssh sends the remote command as one line, which the
 * remote user's shell splits again. {@link remoteCommand} single-quotes every argument, so that the
 * shell gives back exactly the argv we built, whatever it holds. The only other shell text is fixed
 * scripts (the kept-open shell, the fitness check, the start of a process) whose inputs all come
 * as their positional parameters or on their standard input, never in their text.
 */
import { type Problem, problem } from "../rule.js";

/** A host as the user declares it: an ssh destination (a `Host` alias of ssh_config, a name or an address), or its parts. */
export type HostInput = string | HostParts;

export interface HostParts {
  /** What `ssh` connects to: a `Host` alias of ssh_config, a DNS name or an IP address. */
  address: string;
  /** The remote user (`ssh -l`); by default ssh's (ssh_config's `User`, or the local user's name). */
  user?: string | undefined;
  /** The SSH port (`ssh -p`); by default ssh's (22, or ssh_config's `Port`). */
  port?: number | undefined;
  /** A private key file (`ssh -i`): its path is stored, never what it holds. */
  identityFile?: string | undefined;
  /** An ssh_config file to read instead of ~/.ssh/config (`ssh -F`). */
  configFile?: string | undefined;
}

/** A checked host: always its parts, so that two spellings of one host compare equal. */
export type Host = HostParts;

/** Letters, digits and the punctuation of names, addresses and `[v6]` forms; no white space, no quotes. */
const ADDRESS = /^[A-Za-z0-9_.:%[\]-]+$/;
const USER = /^[A-Za-z0-9_.][A-Za-z0-9_.-]*$/;

/** A `host` input, checked and normalised to its parts; or the problem, naming the part. */
export function hostRule(value: unknown): Host | Problem {
  if (typeof value !== "string" && (typeof value !== "object" || value === null || Array.isArray(value))) {
    return problem("must be an ssh destination (a string) or { address, user, port, identityFile, configFile }");
  }
  const parts: Record<string, unknown> = typeof value === "string" ? { address: value } : { ...value };
  const unknown = Object.keys(parts).filter(
    (key) => !["address", "user", "port", "identityFile", "configFile"].includes(key),
  );
  if (unknown.length > 0) return problem(`has no property ${unknown.map((k) => JSON.stringify(k)).join(", ")}`);
  const { address, user, port, identityFile, configFile } = parts;
  if (typeof address !== "string") return problem("address: must be a string");
  const at = address.lastIndexOf("@");
  // "root@lab1" is ssh's own way to name the user; it is kept apart so that it compares equal to { user }.
  const [name, login] = at > 0 && user === undefined ? [address.slice(at + 1), address.slice(0, at)] : [address, user];
  if (name.length === 0) return problem("address: must not be empty");
  if (name.startsWith("-")) return problem(`address: must not start with "-" (ssh would read it as an option)`);
  if (!ADDRESS.test(name) || Buffer.byteLength(name) > 255) {
    return problem("address: must be an ssh_config alias, a DNS name or an IP address (no white space or quotes)");
  }
  if (login !== undefined && (typeof login !== "string" || !USER.test(login) || login.length > 32)) {
    return problem(`user: must be a user name (letters, digits, '_', '.', '-', not starting with "-")`);
  }
  if (port !== undefined && (typeof port !== "number" || !Number.isInteger(port) || port < 1 || port > 65535)) {
    return problem("port: must be a whole number from 1 to 65535");
  }
  for (const [key, path] of [
    ["identityFile", identityFile],
    ["configFile", configFile],
  ] as const) {
    if (path !== undefined && (typeof path !== "string" || !path.startsWith("/") || /[\0\n]/.test(path))) {
      return problem(`${key}: must be an absolute path`);
    }
  }
  return {
    address: name,
    ...(login === undefined ? {} : { user: login }),
    ...(port === undefined ? {} : { port }),
    ...(identityFile === undefined ? {} : { identityFile: identityFile as string }),
    ...(configFile === undefined ? {} : { configFile: configFile as string }),
  };
}

/** One string per host, equal for equal hosts: the key of its connection and of comparisons. */
export function hostKey(host: Host | undefined): string {
  if (host === undefined) return "";
  const { address, user, port, identityFile, configFile } = host;
  return JSON.stringify([address, user ?? null, port ?? null, identityFile ?? null, configFile ?? null]);
}

/** The host as people write it, for messages: `user@address:port`. */
export function hostLabel(host: Host): string {
  return `${host.user === undefined ? "" : `${host.user}@`}${host.address}${host.port === undefined ? "" : `:${host.port}`}`;
}

/** How long (s) ssh waits for a host to answer before it gives up. */
export const CONNECT_TIMEOUT_S = 10;

/** How every connection to a host is made, whatever the user's configuration says. */
export interface Connection {
  /** ssh's ControlPath: the socket of the connection that every command of one operation shares. */
  controlPath: string;
  /** How long (s) the shared connection stays after its last command. */
  persist: number;
  /** How long (s) to wait for the host to answer. */
  connectTimeout: number;
}

/**
 * `ssh … -- DESTINATION COMMAND`: one command on `host`, over the connection that `connection`
 * shares. BatchMode: never a prompt (a password, a passphrase, an unknown host key), which nobody
 * would see; such a host fails with ssh's words instead.
 */
export function sshArgv(host: Host, connection: Connection, argv: readonly string[]): string[] {
  return [
    ...client(host, connection.connectTimeout),
    "-o",
    "ControlMaster=auto",
    "-o",
    `ControlPath=${connection.controlPath}`,
    "-o",
    `ControlPersist=${connection.persist}`,
    "-T",
    "--",
    host.address,
    remoteCommand(argv),
  ];
}

/**
 * `ssh … -- DESTINATION true`: the connection to `host` exactly as the library makes it (every
 * option it passes), without the shared connection: what a user runs to see why a host fails.
 */
export function checkArgv(host: Host, connectTimeout: number): string[] {
  return [...client(host, connectTimeout), "-T", "--", host.address, "true"];
}

/** `ssh` with the host's own options and the library's fixed ones. */
function client(host: Host, connectTimeout: number): string[] {
  return [
    "ssh",
    ...(host.configFile === undefined ? [] : ["-F", host.configFile]),
    ...(host.identityFile === undefined ? [] : ["-i", host.identityFile]),
    ...(host.user === undefined ? [] : ["-l", host.user]),
    ...(host.port === undefined ? [] : ["-p", String(host.port)]),
    "-o",
    "BatchMode=yes",
    "-o",
    `ConnectTimeout=${connectTimeout}`,
  ];
}

/** `ssh -O exit`: closes the shared connection to `host` at `controlPath` (and every session on it). */
export function closeArgv(host: Host, controlPath: string): string[] {
  return [...client(host, 1), "-o", `ControlPath=${controlPath}`, "-O", "exit", "--", host.address];
}

/** What every remote command runs with: a PATH that has `ip` (in /sbin for many), and iproute2's words in English. */
export const REMOTE_ENV = ["LC_ALL=C", "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"];

/** `argv` as one line for the remote shell, each argument single-quoted, run by `env` with {@link REMOTE_ENV}. */
export function remoteCommand(argv: readonly string[]): string {
  return ["env", ...REMOTE_ENV, ...argv].map(shellQuote).join(" ");
}

/** One word for a POSIX shell, whatever it holds: inside single quotes nothing is special but `'`, written `'\''`. */
export function shellQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/** ssh's own failures (exit 255) sorted by what the user must do: reach the host, or be let in. */
export function sshFailureKind(stderr: string): "refused-login" | "unreachable" {
  return /permission denied|host key verification failed|authentication|no more authentication methods|too many authentication failures|host key .*changed/i.test(
    stderr,
  )
    ? "refused-login"
    : "unreachable";
}

/**
 * What the first command on a host prints (see {@link preflightArgv}): the effective capabilities
 * and whether `ip` is there. It needs root, or CAP_NET_ADMIN (links, addresses) and CAP_SYS_ADMIN
 * (`ip netns add`'s mounts).
 */
export function preflightProblem(host: Host, stdout: string): string | undefined {
  const label = hostLabel(host);
  const cap = /^CapEff:\s*([0-9a-f]+)/m.exec(stdout)?.[1];
  if (!/^ip=/m.test(stdout)) {
    return `Host "${label}" has no \`ip\` command. Install iproute2 there (Debian/Ubuntu: apt-get install iproute2; Fedora: dnf install iproute).`;
  }
  const effective = cap === undefined ? 0n : BigInt(`0x${cap}`);
  const NET_ADMIN = 1n << 12n;
  const SYS_ADMIN = 1n << 21n;
  if ((effective & NET_ADMIN) === 0n || (effective & SYS_ADMIN) === 0n) {
    return (
      `On host "${label}" the SSH user lacks root (CAP_NET_ADMIN and CAP_SYS_ADMIN), which network namespaces need. ` +
      `Connect as root (user: "root", or \`User root\` in ssh_config) or grant those capabilities there.`
    );
  }
  return undefined;
}

/**
 * What a kept-open shell on a host runs (see machine/ssh.ts): read a line (the command line and
 * its standard input, each in base64, `-` for no input), run it with `eval` (the line is
 * {@link remoteCommand}'s: every word single-quoted, so it runs as exactly the argv), answer a line
 * (exit code, standard output, standard error, the last two in base64). Its files are in a
 * folder of its own (`pulumi-netns-shell.*` in the host's temporary folder), removed when it ends:
 * when its standard input does, or on a hang-up or SIGTERM; only a SIGKILL leaves it.
 */
export const SHELL_SCRIPT = [
  "t=$(mktemp -d -t pulumi-netns-shell.XXXXXX) || exit 1",
  "trap 'rm -rf \"$t\"' EXIT; trap 'exit 1' HUP INT TERM PIPE",
  "while read -r c i; do",
  '  if [ "$i" = - ]; then : >"$t/i"; else printf %s "$i" | base64 -d >"$t/i"; fi',
  '  eval "$(printf %s "$c" | base64 -d)" <"$t/i" >"$t/o" 2>"$t/e"; r=$?',
  '  printf \'%s %s %s\\n\' "$r" "$(base64 -w0 <"$t/o")" "$(base64 -w0 <"$t/e")"',
  "done",
].join("\n");

/** The first command on a host: its effective capabilities and whether `ip` is on the remote PATH. */
export function preflightArgv(): string[] {
  // A fixed script (no input in it), for the remote `sh`: one round trip answers both questions.
  return ["sh", "-c", "grep '^CapEff:' /proc/self/status; command -v ip >/dev/null 2>&1 && echo ip=yes; exit 0"];
}

/** A problem in words that name the host, for a failure of ssh itself (exit 255). */
export function sshProblem(host: Host, stderr: string): string {
  const label = hostLabel(host);
  const check = commandLine(checkArgv(host, CONNECT_TIMEOUT_S));
  const words = stderr.trim().split("\n").slice(-3).join(" ").replace(/\.$/, "") || "ssh exited with 255";
  if (sshFailureKind(stderr) === "refused-login") {
    return (
      `Host "${label}" refused the SSH login: ${words}. Check the user, the key (identityFile, or your ssh-agent) and ` +
      `that known_hosts holds the host's key: this must work without a prompt: ${check}`
    );
  }
  return (
    `Cannot reach host "${label}" over SSH: ${words}. Check that it is up and that this works from this machine ` +
    `(it connects as the library does): ${check}`
  );
}

/** An argv as a person would type it: words that a shell would change are single-quoted. */
export function commandLine(argv: readonly string[]): string {
  return argv.map((word) => (/^[A-Za-z0-9_@%+=:,./-]+$/.test(word) ? word : shellQuote(word))).join(" ");
}
