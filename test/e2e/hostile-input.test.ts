/**
 * Hostile and malformed input, through the real engine: for each case `pulumi preview` and
 * `pulumi up` fail, the message names the resource, the property, the bad value and the rule, and
 * the machine's network state is exactly as before. Then the environment: no privileges, no `ip`,
 * a namespace that does not exist.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import type { Stack } from "@pulumi/pulumi/automation";
import type { Kind } from "../../provider/registry.js";
import { repoRoot, type TestStack, testStack, toolchainDir } from "../support/engine.js";
import { machineState, uniqueName } from "../support/kernel.js";

const project = path.join(repoRoot, "test/e2e/programs/one-resource");

interface Case {
  what: string;
  kind: Kind;
  args: Record<string, unknown>;
  property: string;
  /** The bad value as the message shows it after "got". */
  shown: string;
  rule: RegExp;
}

const ns = (name: unknown): Case["args"] => ({ name });
const veth = (override: Record<string, unknown>) => ({
  name: "hv0",
  peerName: "hv1",
  netns: "hostile-ns",
  ...override,
});
const addr = (override: Record<string, unknown>) => ({
  address: "10.1.10.2/24",
  device: "hv0",
  netns: "hostile-ns",
  ...override,
});
const route = (override: Record<string, unknown>) => ({
  destination: "10.1.20.0/24",
  via: "10.1.10.1",
  netns: "hostile-ns",
  ...override,
});
const sysctl = (override: Record<string, unknown>) => ({
  key: "net.ipv4.ip_forward",
  value: "1",
  netns: "hostile-ns",
  ...override,
});
const q = (text: string) => JSON.stringify(text);

const cases: Case[] = [
  // Interface names.
  {
    what: "an empty interface name",
    kind: "VethPair",
    args: veth({ name: "" }),
    property: "name",
    shown: q(""),
    rule: /must not be empty/,
  },
  {
    what: "a 16-byte interface name",
    kind: "VethPair",
    args: veth({ name: "x".repeat(16) }),
    property: "name",
    shown: q("x".repeat(16)),
    rule: /at most 15 bytes/,
  },
  {
    what: "an interface name with /",
    kind: "VethPair",
    args: veth({ peerName: "a/b" }),
    property: "peerName",
    shown: q("a/b"),
    rule: /only ASCII letters/,
  },
  {
    what: "an interface name with a space",
    kind: "VethPair",
    args: veth({ name: "a b" }),
    property: "name",
    shown: q("a b"),
    rule: /no .* white space/,
  },
  {
    what: "an interface name with a tab",
    kind: "IpAddress",
    args: addr({ device: "a\tb" }),
    property: "device",
    shown: q("a\tb"),
    rule: /only ASCII letters/,
  },
  {
    what: "an interface name with :",
    kind: "VethPair",
    args: veth({ name: "eth0:1" }),
    property: "name",
    shown: q("eth0:1"),
    rule: /only ASCII letters/,
  },
  {
    what: "an interface name with %",
    kind: "VethPair",
    args: veth({ name: "veth%d" }),
    property: "name",
    shown: q("veth%d"),
    rule: /only ASCII letters/,
  },
  {
    what: "an interface name starting with -",
    kind: "VethPair",
    args: veth({ name: "-help" }),
    property: "name",
    shown: q("-help"),
    rule: /must not start with "-"/,
  },
  {
    what: "the interface name .",
    kind: "Route",
    args: route({ device: "." }),
    property: "device",
    shown: q("."),
    rule: /must not start with "\."/,
  },
  {
    what: "the interface name ..",
    kind: "VethPair",
    args: veth({ peerName: ".." }),
    property: "peerName",
    shown: q(".."),
    rule: /must not start with "\."/,
  },
  {
    what: "a non-ASCII interface name",
    kind: "VethPair",
    args: veth({ name: "vëth" }),
    property: "name",
    shown: q("vëth"),
    rule: /only ASCII letters/,
  },
  // Namespace names.
  {
    what: "an empty namespace name",
    kind: "NetNamespace",
    args: ns(""),
    property: "name",
    shown: q(""),
    rule: /must not be empty/,
  },
  {
    what: "a namespace name with /",
    kind: "NetNamespace",
    args: ns("../../etc"),
    property: "name",
    shown: q("../../etc"),
    rule: /only ASCII letters/,
  },
  {
    what: "a namespace name with NUL",
    kind: "NetNamespace",
    args: ns("a\u0000b"),
    property: "name",
    shown: q("a\u0000b"),
    rule: /only ASCII letters/,
  },
  {
    what: "the namespace name .",
    kind: "NetNamespace",
    args: ns("."),
    property: "name",
    shown: q("."),
    rule: /must not be "\." or "\.\."/,
  },
  {
    what: "the namespace name ..",
    kind: "IpAddress",
    args: addr({ netns: ".." }),
    property: "netns",
    shown: q(".."),
    rule: /must not be "\." or "\.\."/,
  },
  {
    what: "a namespace name starting with -",
    kind: "NetNamespace",
    args: ns("-all"),
    property: "name",
    shown: q("-all"),
    rule: /must not start with "-"/,
  },
  {
    what: "a namespace name over 255 bytes",
    kind: "NetNamespace",
    args: ns("n".repeat(256)),
    property: "name",
    // Long values are cut in messages.
    shown: `"${"n".repeat(76)}...`,
    rule: /at most 255 bytes/,
  },
  // Addresses.
  {
    what: "an IPv4 octet over 255",
    kind: "IpAddress",
    args: addr({ address: "10.1.10.300/24" }),
    property: "address",
    shown: q("10.1.10.300/24"),
    rule: /not a valid IPv4 address/,
  },
  {
    what: "an IPv4 prefix of 33",
    kind: "IpAddress",
    args: addr({ address: "10.1.10.2/33" }),
    property: "address",
    shown: q("10.1.10.2/33"),
    rule: /prefix length from 0 to 32/,
  },
  {
    what: "an IPv6 prefix of 129",
    kind: "IpAddress",
    args: addr({ address: "fd00::2/129" }),
    property: "address",
    shown: q("fd00::2/129"),
    rule: /prefix length from 0 to 128/,
  },
  {
    what: "a malformed IPv6 address",
    kind: "IpAddress",
    args: addr({ address: "fd00:::2/64" }),
    property: "address",
    shown: q("fd00:::2/64"),
    rule: /not a valid IPv6 address/,
  },
  {
    what: "an IPv4 address with an IPv6 prefix length",
    kind: "IpAddress",
    args: addr({ address: "10.1.10.2/64" }),
    property: "address",
    shown: q("10.1.10.2/64"),
    rule: /from 0 to 32 for an IPv4 address/,
  },
  {
    what: "an address without a prefix length",
    kind: "IpAddress",
    args: addr({ address: "10.1.10.2" }),
    property: "address",
    shown: q("10.1.10.2"),
    rule: /CIDR notation/,
  },
  // Routes.
  {
    what: "a destination with host bits set",
    kind: "Route",
    args: route({ destination: "10.1.20.5/24" }),
    property: "destination",
    shown: q("10.1.20.5/24"),
    rule: /host bits set; the network is 10\.1\.20\.0\/24/,
  },
  {
    what: "a gateway of another family",
    kind: "Route",
    args: route({ via: "fd00::1" }),
    property: "via",
    shown: q("fd00::1"),
    rule: /must be an IPv4 address like the destination/,
  },
  {
    what: "neither via nor device",
    kind: "Route",
    args: route({ via: undefined }),
    property: "via",
    shown: "neither",
    rule: /needs a gateway \(via\), a device, or both/,
  },
  {
    what: "a destination that is no network",
    kind: "Route",
    args: route({ destination: "-6" }),
    property: "destination",
    shown: q("-6"),
    rule: /or be "default"/,
  },
  // Sysctls.
  {
    what: "a sysctl key with /",
    kind: "Sysctl",
    args: sysctl({ key: "net/ipv4/ip_forward" }),
    property: "key",
    shown: q("net/ipv4/ip_forward"),
    rule: /no '\/'/,
  },
  {
    what: "a sysctl key with ..",
    kind: "Sysctl",
    args: sysctl({ key: "net.ipv4..ip_forward" }),
    property: "key",
    shown: q("net.ipv4..ip_forward"),
    rule: /empty segments/,
  },
  {
    what: "a sysctl key climbing out",
    kind: "Sysctl",
    args: sysctl({ key: "../../etc/passwd" }),
    property: "key",
    shown: q("../../etc/passwd"),
    rule: /no '\/'/,
  },
  {
    what: "a sysctl key with an empty segment at the end",
    kind: "Sysctl",
    args: sysctl({ key: "net.ipv4." }),
    property: "key",
    shown: q("net.ipv4."),
    rule: /empty segments/,
  },
  {
    what: "a key outside net. in a namespace",
    kind: "Sysctl",
    args: sysctl({ key: "kernel.hostname" }),
    property: "key",
    shown: q("kernel.hostname"),
    rule: /must start with "net\." when netns is set/,
  },
  {
    what: "a sysctl value with a newline",
    kind: "Sysctl",
    args: sysctl({ value: "1\n0" }),
    property: "value",
    shown: q("1\n0"),
    rule: /one line/,
  },
  {
    what: "a sysctl value with NUL",
    kind: "Sysctl",
    args: sysctl({ value: "1\u0000" }),
    property: "value",
    shown: q("1\u0000"),
    rule: /one line/,
  },
  // Numbers.
  {
    what: "a negative MTU",
    kind: "VethPair",
    args: veth({ mtu: -1 }),
    property: "mtu",
    shown: "-1",
    rule: /whole number from 68 to 65535/,
  },
  {
    what: "an absurd MTU",
    kind: "VethPair",
    args: veth({ mtu: 1e12 }),
    property: "mtu",
    shown: "1000000000000",
    rule: /whole number from 68 to 65535/,
  },
  {
    what: "a fractional MTU",
    kind: "VethPair",
    args: veth({ mtu: 1500.5 }),
    property: "mtu",
    shown: "1500.5",
    rule: /whole number from 68 to 65535/,
  },
  {
    what: "a negative metric",
    kind: "Route",
    args: route({ metric: -5 }),
    property: "metric",
    shown: "-5",
    rule: /whole number from 0 to 4294967295/,
  },
  {
    what: "an absurd metric",
    kind: "Route",
    args: route({ metric: 2 ** 40 }),
    property: "metric",
    shown: String(2 ** 40),
    rule: /whole number from 0 to 4294967295/,
  },
  {
    what: "table 0",
    kind: "Route",
    args: route({ table: 0 }),
    property: "table",
    shown: "0",
    rule: /whole number from 1 to 4294967295/,
  },
  {
    what: "an absurd table",
    kind: "Route",
    args: route({ table: 2 ** 33 }),
    property: "table",
    shown: String(2 ** 33),
    rule: /whole number from 1 to 4294967295/,
  },
  // Wrong types.
  {
    what: "a number for a namespace name",
    kind: "NetNamespace",
    args: ns(7),
    property: "name",
    shown: "7",
    rule: /must be a string/,
  },
  {
    what: "a number for an interface name",
    kind: "IpAddress",
    args: addr({ device: 12 }),
    property: "device",
    shown: "12",
    rule: /must be a string/,
  },
  {
    what: "text for an MTU",
    kind: "VethPair",
    args: veth({ mtu: "1500" }),
    property: "mtu",
    shown: q("1500"),
    rule: /whole number/,
  },
  {
    what: "text for a flag",
    kind: "NetNamespace",
    args: { name: "ok", loopbackUp: "yes" },
    property: "loopbackUp",
    shown: q("yes"),
    rule: /must be true or false/,
  },
  {
    what: "a list for an address",
    kind: "IpAddress",
    args: addr({ address: ["10.1.10.2/24"] }),
    property: "address",
    shown: "",
    rule: /must be a string/,
  },
  // Bridges and their ports.
  {
    what: "a forward delay the kernel refuses with STP on",
    kind: "Bridge",
    args: { name: "hbr0", netns: "hostile-ns", stp: true, forwardDelay: 100 },
    property: "forwardDelay",
    shown: "100",
    rule: /from 200 to 3000 \(2 to 30 s\) when stp is on/,
  },
  {
    what: "a VNI outside 24 bits",
    kind: "Vxlan",
    args: { name: "hvx0", netns: "hostile-ns", vni: 16777216, remote: "10.1.10.1" },
    property: "vni",
    shown: "16777216",
    rule: /whole number from 1 to 16777215/,
  },
  {
    what: "a multicast address as a tunnel's remote",
    kind: "Vxlan",
    args: { name: "hvx0", netns: "hostile-ns", vni: 42, remote: "239.1.1.1" },
    property: "remote",
    shown: q("239.1.1.1"),
    rule: /must be a unicast address/,
  },
  {
    what: "a macvlan mode the kernel does not have",
    kind: "MacVlan",
    args: { name: "hmv0", netns: "hostile-ns", parent: "hv0", mode: "switch" },
    property: "mode",
    shown: q("switch"),
    rule: /must be one of bridge, private, vepa, passthru/,
  },
  // Reachability checks: refused before anything is sent.
  {
    what: "a check's destination that is not an address",
    kind: "Reachability",
    args: { address: "ns1.example", netns: "hostile-ns" },
    property: "address",
    shown: q("ns1.example"),
    rule: /is not an IPv4 or IPv6 address/,
  },
  {
    what: "a check's TCP port outside 1-65535",
    kind: "Reachability",
    args: { address: "10.1.20.2", protocol: "tcp", port: 65536 },
    property: "port",
    shown: "65536",
    rule: /whole number from 1 to 65535/,
  },
  {
    what: "a check's timeout over 30 s",
    kind: "Reachability",
    args: { address: "10.1.20.2", timeout: 600 },
    property: "timeout",
    shown: "600",
    rule: /from 1 to 30 seconds/,
  },
  {
    what: "a check with no tries",
    kind: "Reachability",
    args: { address: "10.1.20.2", tries: 0 },
    property: "tries",
    shown: "0",
    rule: /from 1 to 10/,
  },
  {
    what: "a check from a namespace named like an option",
    kind: "Reachability",
    args: { address: "10.1.20.2", netns: "-n" },
    property: "netns",
    shown: q("-n"),
    rule: /must not start with "-"/,
  },
  {
    what: "a port's bridge named with a slash",
    kind: "VethPair",
    args: veth({ master: "br/0" }),
    property: "master",
    shown: q("br/0"),
    rule: /only ASCII letters/,
  },
  // Processes, names and NAT: refused before anything starts or is written.
  {
    what: "a process with an empty command",
    kind: "NetnsProcess",
    args: { command: [], netns: "hostile-ns" },
    property: "command",
    shown: "[]",
    rule: /must hold at least the program to run/,
  },
  {
    what: "a process whose command is a shell string",
    kind: "NetnsProcess",
    args: { command: "sleep 5; rm -rf /", netns: "hostile-ns" },
    property: "command",
    shown: q("sleep 5; rm -rf /"),
    rule: /list of strings \(argv; no shell reads it\)/,
  },
  {
    what: "a process whose relative command path is not found",
    kind: "NetnsProcess",
    args: { command: ["./no-such-server", "--port", "80"], cwd: "/tmp", netns: "hostile-ns" },
    property: "command",
    shown: q("./no-such-server"),
    rule: /is not found \(no \/tmp\/no-such-server\)/,
  },
  {
    what: "a process with an environment variable that cannot be one",
    kind: "NetnsProcess",
    args: { command: ["sleep", "5"], env: { "X=Y": "1" }, netns: "hostile-ns" },
    property: "env.X=Y",
    shown: "",
    rule: /must be a variable name/,
  },
  {
    what: "a nameserver that is not an address",
    kind: "ResolvConf",
    args: { netns: "hostile-ns", nameservers: ["dns.example"] },
    property: "nameservers.0",
    shown: q("dns.example"),
    rule: /a nameserver is an address/,
  },
  {
    what: "a hosts entry with a bad name",
    kind: "HostsFile",
    args: { netns: "hostile-ns", entries: [{ address: "10.1.10.2", names: ["web server"] }] },
    property: "entries.0.names.0",
    shown: q("web server"),
    rule: /must be a host name/,
  },
  {
    what: "a NAT source network with host bits set",
    kind: "Nat",
    args: { netns: "hostile-ns", device: "up0", sources: ["10.1.10.7/24"] },
    property: "sources.0",
    shown: q("10.1.10.7/24"),
    rule: /has host bits set; the network is 10\.1\.10\.0\/24/,
  },
  // One resource per namespace and per source of checks (issue 24): each object is a key, named.
  {
    what: "a namespace's address without its prefix length",
    kind: "NetnsConfig",
    args: { netns: "hostile-ns", addresses: { "10.1.10.2": "hv0" } },
    property: "addresses.10.1.10.2",
    shown: "",
    rule: /the key "10\.1\.10\.2" .*CIDR/,
  },
  {
    what: "an IPv6 gateway for IPv4's default route",
    kind: "NetnsConfig",
    args: { netns: "hostile-ns", routes: { default: { via: "fd00::1" } } },
    property: "routes.default.via",
    shown: q("fd00::1"),
    rule: /IPv6's default route is "::\/0"/,
  },
  {
    what: "a destination of a check with a prefix length",
    kind: "ReachabilitySet",
    args: { netns: "hostile-ns", destinations: { b: "10.0.0.2/24" } },
    property: "destinations.b",
    shown: q("10.0.0.2/24"),
    rule: /without a prefix length/,
  },
  // Startup commands (NetnsExec): argv lists only, programs that exist, never the root namespace.
  {
    what: "a startup command that is a shell string",
    kind: "NetnsExec",
    args: { netns: "hostile-ns", commands: ["ip link set lo up; reboot"] },
    property: "commands.0",
    shown: q("ip link set lo up; reboot"),
    rule: /a command as a list of strings \(argv; no shell reads it\)/,
  },
  {
    what: "a startup command whose program is not found",
    kind: "NetnsExec",
    args: { netns: "hostile-ns", commands: [["ip", "link", "set", "dev", "lo", "up"], ["nosuchprogram"]] },
    property: "commands.1",
    shown: q("nosuchprogram"),
    rule: /names no program on PATH/,
  },
  {
    what: "startup commands in the root namespace",
    kind: "NetnsExec",
    args: { commands: [["ip", "link", "set", "dev", "lo", "up"]] },
    property: "netns",
    shown: "",
    rule: /must name a namespace: what the commands do is undone only by the namespace going/,
  },
  // Link shaping (Qdisc): tc's own units, and netem's parameters as netem takes them.
  {
    what: "a rate in bytes where tc takes bits",
    kind: "Qdisc",
    args: { netns: "hostile-ns", device: "v0", rate: "10mb" },
    property: "rate",
    shown: q("10mb"),
    rule: /must be a rate in bits per second as tc writes it/,
  },
  {
    what: "a loss over 100%",
    kind: "Qdisc",
    args: { netns: "hostile-ns", device: "v0", loss: "150%" },
    property: "loss",
    shown: q("150%"),
    rule: /must be a percentage from 0% to 100%/,
  },
  {
    what: "a jitter without a delay",
    kind: "Qdisc",
    args: { netns: "hostile-ns", device: "v0", jitter: "2ms", loss: "1%" },
    property: "jitter",
    shown: "",
    rule: /varies the delay: give delay too/,
  },
  // Hosts (issue 16): what ssh would read as an option, or a key that is not a path.
  {
    what: "a host named like an ssh option",
    kind: "NetNamespace",
    args: { name: "hostile-ns", host: "--host" },
    property: "host",
    shown: q("--host"),
    rule: /address: must not start with "-" \(ssh would read it as an option\)/,
  },
  {
    what: "a host whose key file is not an absolute path",
    kind: "VethPair",
    args: veth({ host: { address: "lab1", identityFile: "id_ed25519" } }),
    property: "host",
    shown: "",
    rule: /identityFile: must be an absolute path/,
  },
];

/** The message of a failed engine run, whatever shape the Automation API gave it. */
async function failureOf(run: Promise<unknown>): Promise<string> {
  try {
    await run;
  } catch (e) {
    return String((e as Error).message);
  }
  throw new Error("the run succeeded, but it had to fail");
}

/**
 * How many cases run at once, each on a stack of its own. Every case fails in `check`, before
 * anything is made, so they cannot disturb each other's view of the machine. A case's time is the
 * engine and its plugins starting (3.7 s of CPU a run: the program 1.9, the provider 1.1 to 1.5,
 * the engine 0.6), twice; with 3 lanes the table took 587 s on two cores, with 6 it keeps both
 * busy and takes 447 s.
 */
const LANES = 6;

describe("hostile and malformed input", { concurrency: LANES }, () => {
  const stacks: TestStack[] = [];
  const free: TestStack[] = [];
  const waiting: Array<(test: TestStack) => void> = [];
  before(async () => {
    for (let i = 0; i < LANES; i++) {
      const test = await testStack(project, {
        case: JSON.stringify({ kind: "NetNamespace", args: { name: "unused" } }),
      });
      stacks.push(test);
      free.push(test);
    }
  });
  after(async () => {
    for (const test of stacks) await test.dispose();
  });

  /** Runs `body` on a stack no other case is using, waiting for one to be free. */
  async function onFreeStack(body: (stack: Stack) => Promise<void>): Promise<void> {
    const test = free.pop() ?? (await new Promise<TestStack>((resolve) => waiting.push(resolve)));
    try {
      await body(test.stack);
    } finally {
      const next = waiting.shift();
      if (next !== undefined) next(test);
      else free.push(test);
    }
  }

  it(`has at least 40 cases (${cases.length})`, () => assert.ok(cases.length >= 40));

  for (const c of cases) {
    it(`refuses ${c.what} at preview and at up, naming it, and changes nothing`, async () => {
      await onFreeStack(async (stack) => {
        const state = machineState();
        await stack.setConfig("case", { value: JSON.stringify({ kind: c.kind, args: c.args }) });
        for (const run of [() => stack.preview(), () => stack.up()]) {
          const message = await failureOf(run());
          assert.match(message, new RegExp(`dynamic/netns:${c.kind} resource 'bad'`), "names the resource");
          assert.match(message, new RegExp(`property ${c.property} value`), "names the property");
          assert.match(message, c.rule, "states the rule");
          if (c.shown !== "") assert.ok(message.includes(`got ${c.shown}`), `shows the bad value: got ${c.shown}`);
        }
        assert.deepEqual(machineState(), state, "nothing on the machine changed");
      });
    });
  }
});

describe("a hostile environment", () => {
  it("without privileges: up fails saying root or CAP_NET_ADMIN is needed, and nothing changes", async () => {
    const name = uniqueName("hp");
    const state = machineState();
    const test = await testStack(project, { case: JSON.stringify({ kind: "NetNamespace", args: { name } }) });
    try {
      // Root without any capability: what a user without CAP_NET_ADMIN/CAP_SYS_ADMIN has.
      const message = await failureOf(
        runCli(["up", "--yes", "--skip-preview", "--stack", test.stack.name], test.env, [
          "setpriv",
          "--bounding-set=-all",
          "--",
        ]),
      );
      assert.match(message, /ip netns add/);
      assert.match(message, /Operation not permitted/);
      assert.match(message, /needs root or CAP_NET_ADMIN/);
      assert.deepEqual(machineState(), state);
    } finally {
      await test.dispose();
    }
  });

  it("without ip on PATH: up fails saying to install iproute2, and nothing changes", async () => {
    const bin = mkdtempSync(path.join(tmpdir(), "pulumi-netns-noip-"));
    const name = uniqueName("hi");
    const state = machineState();
    const test = await testStack(project, { case: JSON.stringify({ kind: "NetNamespace", args: { name } }) });
    try {
      // A PATH with the toolchain and node, and no directory holding `ip`.
      mkdirSync(path.join(bin, "bin"));
      symlinkSync(process.execPath, path.join(bin, "bin", "node"));
      const env = { ...test.env, PATH: `${toolchainDir()}:${path.join(bin, "bin")}` };
      const message = await failureOf(runCli(["up", "--yes", "--skip-preview", "--stack", test.stack.name], env));
      assert.match(message, /Could not run `ip`/);
      assert.match(message, /Install iproute2/);
      assert.deepEqual(machineState(), state);
    } finally {
      await test.dispose();
      rmSync(bin, { recursive: true, force: true });
    }
  });

  it("with a namespace that does not exist: up fails naming it, and nothing changes", async () => {
    const missing = uniqueName("hm");
    const state = machineState();
    const test = await testStack(project, {
      case: JSON.stringify({ kind: "IpAddress", args: { address: "10.1.10.2/24", device: "hv0", netns: missing } }),
    });
    try {
      const message = await failureOf(test.stack.up());
      assert.match(message, new RegExp(`Cannot open network namespace "${missing}"`));
      assert.match(message, new RegExp(`ip -n ${missing} address add 10\\.1\\.10\\.2/24 dev hv0`));
      assert.deepEqual(machineState(), state);
    } finally {
      await test.dispose();
    }
  });
});

/** Runs the stack's pulumi CLI directly (optionally behind a wrapper like setpriv); rejects on failure. */
async function runCli(args: string[], env: Record<string, string>, wrapper: string[] = []): Promise<string> {
  const pulumi = path.join(toolchainDir(), "pulumi");
  const [file, ...rest] = [...wrapper, pulumi, ...args];
  try {
    return execFileSync(file as string, rest, {
      cwd: project,
      env: { ...process.env, ...env },
      encoding: "utf8",
      stdio: "pipe",
    });
  } catch (e) {
    const { stdout = "", stderr = "" } = e as { stdout?: string; stderr?: string };
    throw new Error(`${stdout}\n${stderr}`);
  }
}
