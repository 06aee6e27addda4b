/**
 * Other "hosts" on this machine, for the tests of resources on a `host`: each is a namespace of
 * the test's own standing in for a host's root namespace, with a real OpenSSH server (Debian's
 * sshd) listening there on its underlay address, and its own /run and /var/log (a private mount
 * namespace, so its `ip netns add`, its journal and its logs are its own, as on another machine).
 * The hosts' underlays (192.0.2.0/24, TEST-NET-1) are joined by a bridge in one more namespace of
 * the test's, where ssh's connections come in through a ProxyCommand: nothing is sent anywhere but
 * into these namespaces, and the root namespace is not touched. A throwaway key per run, a host
 * key per host, and an ssh_config naming each host by its alias; all of it goes with `dispose`.
 */
import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { removeNamespace, uniqueName } from "./kernel.js";

export interface FakeHost {
  /** Its ssh_config alias, and the namespace that stands in for its root namespace. */
  alias: string;
  netns: string;
  /** Its address on the underlay, where sshd listens and the tunnels run. */
  underlay: string;
  /** Runs a program on the host, as it sees the world (its namespaces, its /run): for the tests' own looks. */
  run(argv: string[]): string;
  /** The namespaces the host has (its `ip netns list`). */
  namespaces(): string[];
  /** The files under its /run/pulumi-netns (the journal there). */
  journal(): string[];
  /** The files and folders under its /etc/netns and /var/log/pulumi-netns (the folders on its disk). */
  files(): string[];
  /** How many SSH logins its sshd has accepted so far. */
  logins(): number;
  /**
   * Takes the host down: every process on it ends, and with them all that lived only in its
   * memory (its namespaces, its /run); its own root namespace goes too. Its /etc stays, as a disk.
   */
  down(): Promise<void>;
  /** Boots it again after {@link down}: a fresh root namespace (the kernel's defaults), an empty /run, sshd. */
  boot(): Promise<void>;
}

export interface FakeHosts {
  hosts: FakeHost[];
  /** The ssh_config that names every host (`configFile` of a host input). */
  configFile: string;
  dispose(): Promise<void>;
}

/** Whether `from` (a namespace on `host`) gets an answer from `address`. */
export function pings(host: FakeHost, from: string, address: string): boolean {
  try {
    host.run(["ip", "netns", "exec", from, "ping", "-c", "1", "-W", "2", address]);
    return true;
  } catch {
    return false;
  }
}

/**
 * What a host has that a lab could leave: its namespaces, its records, the links of its root
 * namespace, its forwarding, its folders, and the web server of test/e2e/programs/two-hosts.
 */
export function hostState(host: FakeHost) {
  return {
    namespaces: host.namespaces().sort(),
    journal: host.journal().sort(),
    links: host
      .run(["ip", "-br", "link", "show"])
      .split("\n")
      // Without the peer's index (`eth0@if4`), which a reboot gives anew.
      .map((l) => l.split(/\s+/)[0]?.split("@")[0])
      .sort(),
    forwarding: host.run(["cat", "/proc/sys/net/ipv4/ip_forward"]).trim(),
    files: host.files().sort(),
    processes: host
      .run(["ps", "-e", "-o", "args="])
      .split("\n")
      .filter((p) => p.includes("hello from h3")),
  };
}

/** The config of test/e2e/programs/two-hosts for its lab on the first two of `lab`'s hosts. */
export function twoHostsConfig(lab: FakeHosts, prefix: string): Record<string, string> {
  const [a, b] = lab.hosts as [FakeHost, FakeHost];
  return {
    prefix,
    sshConfig: lab.configFile,
    hostA: a.alias,
    hostB: b.alias,
    underlayA: a.underlay,
    underlayB: b.underlay,
  };
}

/**
 * What each host runs: its own /run and /var/log, its own root's home, empty as on a host of its
 * own (this machine's root may have dotfiles: here a ~/.bashrc that starts pyenv, 0.5 s that bash
 * would spend at every session opened on every host), its own /etc (this machine's, with its writes
 * kept apart in an overlay: /etc/netns is the host's, and so is a user of its own, not root,
 * `pulumi-netns-lab`), then sshd in the foreground. A host `without-ip` has its `ip` hidden, one
 * `without-node` its `node` (an empty file bound over it, which no one can run).
 */
const HOST_SCRIPT = `set -e
mount -t tmpfs -o mode=0755 pulumi-netns-test /run
mkdir -m 0755 /run/sshd
mount -t tmpfs -o mode=0755 pulumi-netns-test /var/log
mount -t tmpfs -o mode=0700 pulumi-netns-test /root
mkdir -p "$2/etc" "$2/work"
mount -t overlay pulumi-netns-test -o "lowerdir=/etc,upperdir=$2/etc,workdir=$2/work" /etc
echo 'pulumi-netns-lab:x:64123:64123:pulumi-netns test user:/tmp:/bin/sh' >>/etc/passwd
echo 'pulumi-netns-lab:*:19000:0:99999:7:::' >>/etc/shadow
if [ "$3" = without-ip ]; then : >"$2/no-ip"; mount --bind "$2/no-ip" "$(readlink -f "$(command -v ip)")"; fi
if [ "$3" = without-node ]; then : >"$2/no-node"; mount --bind "$2/no-node" "$(readlink -f "$(command -v node)")"; fi
exec /usr/sbin/sshd -D -e -f "$1"
`;

/** A relay from ssh's ProxyCommand to a TCP port: standard input and output to the connection. */
const RELAY = `const socket = require("node:net").connect(Number(process.argv[3]), process.argv[2]);
process.stdin.pipe(socket);
socket.pipe(process.stdout);
socket.on("error", (e) => { console.error("relay: " + e.message); process.exit(1); });
socket.on("close", () => process.exit(0));
`;

/**
 * `count` fake hosts, up and answering ssh; `dispose` removes them all, whatever state they are
 * in. `kinds[i]` makes host i+1 one `without-ip` or `without-node`, or one whose sshd allows 3
 * sessions on a connection (`few-sessions`). Each host is also named `ALIAS-user` in the
 * ssh_config: the same host, logged into as its user that is not root.
 */
export async function fakeHosts(
  count: number,
  kinds: Array<"plain" | "without-ip" | "without-node" | "few-sessions"> = [],
): Promise<FakeHosts> {
  // The library's files in the temporary folder (the sockets' folders of provider processes, the
  // kept-open shells' scratch folders, which the hosts put in this machine's /tmp): those of
  // other runs, there before, are not this test's to judge.
  const ours = (f: string) => f.startsWith("pulumi-netns-ssh.") || f.startsWith("pulumi-netns-shell.");
  const before = new Set(readdirSync(tmpdir()).filter(ours));
  const dir = mkdtempSync(path.join(tmpdir(), "pulumi-netns-hosts-"));
  // The hosts' own user, not root, reads the public key here (sshd opens it as that user).
  chmodSync(dir, 0o711);
  const lan = uniqueName("fl");
  const made: string[] = [];
  /** Each host's sshd now, and its mount namespace (`mnt:[inode]`), by the host's namespace. */
  const servers = new Map<string, ChildProcess>();
  const mountOf = new Map<string, string>();
  const hosts: FakeHost[] = [];
  /**
   * Ends every process in `namespaces` (the hosts' sshd, their sessions, the shells kept open
   * there), so that each host's mount namespace, and with it its namespaces and their links, goes;
   * then removes the namespaces. Asked first (a kept-open shell then removes its scratch folder,
   * in this machine's /tmp), killed if still there.
   */
  const stopAll = async (namespaces: string[]) => {
    // A host's processes: those in its root namespace, and those in its mount namespace (a
    // process it started in one of its own namespaces).
    const mounts = namespaces.flatMap((netns) => mountOf.get(netns) ?? []);
    const pids = () => [...namespaces.flatMap(pidsIn), ...pidsWithMount(mounts)];
    const signal = (name: NodeJS.Signals) => {
      for (const pid of pids()) {
        try {
          process.kill(pid, name);
        } catch {}
      }
    };
    signal("SIGTERM");
    await waitFor(() => pids().length === 0, 3000).catch(() => signal("SIGKILL"));
    await Promise.all(
      namespaces.map((netns) => {
        const s = servers.get(netns);
        return s !== undefined && s.exitCode === null && s.signalCode === null ? once(s, "exit") : null;
      }),
    );
    for (const netns of namespaces) removeNamespace(netns);
  };
  const dispose = async () => {
    await stopAll(made);
    rmSync(dir, { recursive: true, force: true });
    // Every provider process closed its connections and removed their folder when it ended; the
    // kept-open shells removed their scratch folders when their sessions ended.
    const left = () => readdirSync(tmpdir()).filter((f) => ours(f) && !before.has(f));
    await waitFor(
      () => left().length === 0,
      5000,
      () => `left in ${tmpdir()}: ${left().join(", ")}`,
    );
  };
  try {
    const ip = (...args: string[]) => execFileSync("ip", args, { stdio: "pipe" });
    ip("netns", "add", lan);
    made.push(lan);
    // A MAC address of its own: a bridge otherwise takes its lowest port's, which changes as hosts reboot.
    ip("-n", lan, "link", "add", "lan", "address", "02:00:00:00:01:00", "type", "bridge");
    ip("-n", lan, "link", "set", "lan", "up");
    ip("-n", lan, "address", "add", "192.0.2.254/24", "dev", "lan");
    const key = path.join(dir, "id");
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "pulumi-netns test", "-f", key]);
    writeFileSync(path.join(dir, "relay.js"), RELAY);
    writeFileSync(path.join(dir, "host.sh"), HOST_SCRIPT);
    const knownHosts: string[] = [];
    const config: string[] = [];
    for (let i = 1; i <= count; i++) {
      const netns = uniqueName("fh");
      const alias = `fake-host-${i}`;
      const underlay = `192.0.2.${i}`;
      made.push(netns);
      const hostKey = path.join(dir, `host${i}`);
      execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", hostKey]);
      const sshdConfig = path.join(dir, `sshd${i}.conf`);
      writeFileSync(
        sshdConfig,
        [
          `ListenAddress ${underlay}:22`,
          `HostKey ${hostKey}`,
          `AuthorizedKeysFile ${key}.pub`,
          "PermitRootLogin prohibit-password",
          "PasswordAuthentication no",
          "KbdInteractiveAuthentication no",
          "UsePAM no",
          "StrictModes no",
          "PidFile none",
          // Fewer sessions on a connection than the library opens by default (8).
          ...(kinds[i - 1] === "few-sessions" ? ["MaxSessions 3"] : []),
          "",
        ].join("\n"),
      );
      const own = path.join(dir, `host${i}.d`);
      mkdirSync(own);
      const kind = kinds[i - 1] ?? "plain";
      let said = "";
      let server: ChildProcess | undefined;
      const boot = async () => {
        ip("netns", "add", netns);
        // The same MAC addresses at each boot, as a real NIC and switch port keep: neighbour entries stay right.
        const mac = (n: number) => `02:00:00:00:0${n}:${i.toString(16).padStart(2, "0")}`;
        ip(
          "-n",
          lan,
          "link",
          "add",
          `p${i}`,
          "address",
          mac(1),
          "type",
          "veth",
          "peer",
          "name",
          "eth0",
          "address",
          mac(0),
          "netns",
          netns,
        );
        ip("-n", lan, "link", "set", `p${i}`, "master", "lan", "up");
        ip("-n", netns, "link", "set", "lo", "up");
        ip("-n", netns, "link", "set", "eth0", "up");
        ip("-n", netns, "address", "add", `${underlay}/24`, "dev", "eth0");
        const started = spawn("ip", ["netns", "exec", netns, "sh", path.join(dir, "host.sh"), sshdConfig, own, kind], {
          stdio: ["ignore", "ignore", "pipe"],
        });
        server = started;
        servers.set(netns, started);
        const from = said.length;
        started.stderr?.setEncoding("utf8");
        started.stderr?.on("data", (text: string) => {
          said += text;
        });
        await waitFor(
          () => said.slice(from).includes("Server listening"),
          10000,
          () => `sshd on ${alias}: ${said.slice(from)}`,
        );
        mountOf.set(netns, readlinkSync(`/proc/${started.pid}/ns/mnt`));
        // Up when it answers as ssh will reach it: through the relay, with sshd's banner.
        const banner = `const s = require("node:net").connect(22, "${underlay}");
          s.setTimeout(1000, () => process.exit(1)); s.once("data", () => process.exit(0)); s.on("error", () => process.exit(1));`;
        await waitFor(
          () => spawnSync("ip", ["netns", "exec", lan, process.execPath, "-e", banner]).status === 0,
          10000,
          () => `${alias} does not answer on ${underlay}:22`,
        );
        // Booted again: up when logins go through, as a user waits for a host to come back (right
        // after a reboot, while the kernel still tears down the old boot's namespaces, the first
        // connections have been seen to time out in the banner exchange; once, one did after a
        // login had gone through, so three in a row are asked for).
        const config = path.join(dir, "ssh_config");
        if (existsSync(config)) {
          const login = ["-F", config, "-o", "BatchMode=yes", "-o", "ConnectTimeout=5", alias, "true"];
          let inARow = 0;
          await waitFor(
            () => {
              inARow = spawnSync("ssh", login).status === 0 ? inARow + 1 : 0;
              return inARow >= 3;
            },
            30000,
            () => `${alias} takes no three logins in a row after its boot`,
          );
        }
      };
      await boot();
      knownHosts.push(`${alias} ${readFileSync(`${hostKey}.pub`, "utf8").trim()}`);
      config.push(
        `Host ${alias}-user`,
        "  User pulumi-netns-lab",
        `Host ${alias} ${alias}-user`,
        `  HostName ${underlay}`,
        "  User root",
        `  IdentityFile ${key}`,
        "  IdentitiesOnly yes",
        `  HostKeyAlias ${alias}`,
        `  UserKnownHostsFile ${path.join(dir, "known_hosts")}`,
        "  StrictHostKeyChecking yes",
        `  ProxyCommand ip netns exec ${lan} ${process.execPath} ${path.join(dir, "relay.js")} %h %p`,
      );
      // `ip netns exec … sh host.sh` execs sh, which execs sshd: the server's pid is sshd's, in the host's namespaces.
      const run = (argv: string[]) =>
        execFileSync("nsenter", ["-t", String(server?.pid), "-m", "-n", ...argv], { encoding: "utf8", stdio: "pipe" });
      hosts.push({
        alias,
        netns,
        underlay,
        run,
        namespaces: () =>
          run(["ip", "netns", "list"])
            .split("\n")
            .filter(Boolean)
            .map((l) => l.split(" ")[0] as string),
        journal: () => run(["find", "/run", "-path", "/run/pulumi-netns/*", "-type", "f"]).split("\n").filter(Boolean),
        files: () =>
          run(["sh", "-c", "find /etc/netns /var/log/pulumi-netns 2>/dev/null; true"]).split("\n").filter(Boolean),
        logins: () => said.split("\n").filter((line) => line.startsWith("Accepted publickey")).length,
        down: () => stopAll([netns]),
        boot,
      });
    }
    writeFileSync(path.join(dir, "known_hosts"), `${knownHosts.join("\n")}\n`);
    const configFile = path.join(dir, "ssh_config");
    writeFileSync(configFile, `${config.join("\n")}\n`);
    return { hosts, configFile, dispose };
  } catch (e) {
    await dispose();
    throw e;
  }
}

/** The pids of the processes in any of the mount namespaces `mounts` (`mnt:[inode]` each). */
function pidsWithMount(mounts: string[]): number[] {
  if (mounts.length === 0) return [];
  return readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return mounts.includes(readlinkSync(`/proc/${pid}/ns/mnt`));
      } catch {
        return false; // gone meanwhile
      }
    })
    .map(Number);
}

/** The pids of the processes in a namespace. */
function pidsIn(netns: string): number[] {
  try {
    return execFileSync("ip", ["netns", "pids", netns], { encoding: "utf8" }).split("\n").filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

async function waitFor(done: () => boolean, ms: number, why: () => string = () => "timed out"): Promise<void> {
  const until = Date.now() + ms;
  while (!done()) {
    if (Date.now() > until) throw new Error(why());
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
