/**
 * The provider text Pulumi stores in state must evaluate in a fresh module and work: it may capture
 * nothing that fails to serialize (zod, execa) and must reach the installed implementation.
 */
import assert from "node:assert/strict";
import Module from "node:module";
import { after, describe, it } from "node:test";
import * as pulumi from "@pulumi/pulumi";
import { providerFor, useMachine } from "../../../provider/kinds/index.js";
import { forwarder } from "../../../provider/program/forwarder.js";
import { type Kind, kindNames } from "../../../provider/registry.js";
import { FakeSystem } from "../../support/fake-system.js";

/** Evaluates serialized text the way Pulumi's dynamic-provider process does (require-from-string). */
function rehydrate(text: string, exportName: string): pulumi.dynamic.ResourceProvider {
  type Compilable = Module & { _compile(code: string, filename: string): void };
  const m = new Module("", undefined) as Compilable;
  m.filename = "";
  m.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(process.cwd());
  m._compile(text, "");
  return (m.exports as Record<string, () => pulumi.dynamic.ResourceProvider>)[
    exportName
  ]?.() as pulumi.dynamic.ResourceProvider;
}

async function serialize(kind: Kind) {
  const provider = forwarder(kind);
  return pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true });
}

const kindByName: Record<string, string> = { br: "bridge", mv: "macvlan", vx: "vxlan" };

/** Answers reads as a kernel where every link exists, the one sysctl starts at 0, every ping is answered and nftables is empty. */
function fakeKernel(): FakeSystem {
  let sysctl = "0";
  return new FakeSystem((argv, input) => {
    if (argv.includes("cat")) return { stdout: `${sysctl}\n` };
    // No table of ours yet.
    if (argv.includes("nft") && argv.includes("list"))
      return { exitCode: 1, stderr: "Error: No such file or directory\n" };
    if (argv.includes("ping")) return { stdout: "64 bytes from 10.1.10.1: icmp_seq=1 ttl=64 time=0.05 ms\n" };
    if (argv.includes("tee")) sysctl = input ?? sysctl;
    // A batch that ends by showing one device (a veth pair's create).
    const shownLast = /link show dev (\S+)\n$/.exec(input ?? "")?.[1];
    if ((argv.includes("show") && !argv.includes("route")) || shownLast !== undefined) {
      // One device (`link show dev NAME`), or the whole namespace (`address show`).
      const names = shownLast !== undefined ? [shownLast] : argv.includes("link") ? [argv.at(-1)] : ["lo", "va", "vb"];
      const link = (ifname: string | undefined, ifindex: number) => ({
        ifindex,
        ifname,
        flags: ["UP"],
        mtu: 1500,
        address: "02:00:00:00:00:03",
        // The kind its name says: br… a bridge, mv… a macvlan, vx… a VXLAN link, the rest veth ends.
        linkinfo: { info_kind: kindByName[ifname?.slice(0, 2) ?? ""] ?? "veth", info_data: {} },
        addr_info: [{ local: "10.1.10.2", prefixlen: 24 }],
      });
      return { stdout: JSON.stringify(names.map((name, i) => link(name, i + 1))) };
    }
    return undefined;
  });
}

describe("serialized providers", () => {
  after(() => useMachine(undefined));

  // One case for every kind of the registry: a kind added without one does not compile.
  const cases: Record<Kind, [Record<string, unknown>, string]> = {
    NetNamespace: [{ name: "lab0", loopbackUp: true }, "lab0"],
    VethPair: [{ name: "va", peerName: "vb", netns: "a", peerNetns: "a" }, "a/va:a/vb"],
    IpAddress: [{ address: "10.1.10.2/24", device: "va", netns: "a" }, "a/va/10.1.10.2/24"],
    Route: [{ destination: "10.1.20.0/24", via: "10.1.10.1", netns: "a" }, "a/table 254/10.1.20.0/24/metric 0"],
    Sysctl: [{ key: "net.ipv4.ip_forward", value: "1", netns: "a" }, "a/net.ipv4.ip_forward"],
    Bridge: [{ name: "br0", netns: "a" }, "a/br0"],
    MacVlan: [{ name: "mv0", netns: "a", parent: "va" }, "a/mv0"],
    Vxlan: [{ name: "vx0", netns: "a", vni: 42, remote: "10.1.10.1" }, "a/vx0"],
    Reachability: [{ address: "10.1.10.1", netns: "a" }, "a/icmp/10.1.10.1"],
    NetnsProcess: [{ command: ["/usr/bin/sleep", "60"], netns: "a" }, "a//usr/bin/sleep 60"],
    HostsFile: [{ netns: "a", entries: [{ address: "10.1.10.1", names: ["gw"] }] }, "/etc/netns/a/hosts"],
    ResolvConf: [{ netns: "a", nameservers: ["10.1.10.1"] }, "/etc/netns/a/resolv.conf"],
    Nat: [{ netns: "a", device: "va", sources: ["10.1.10.0/24"] }, "a/nat_035fc24ed30c9085"],
    NetnsConfig: [{ netns: "a", addresses: { "10.1.10.2/24": "va" }, routes: { default: { via: "10.1.10.1" } } }, "a"],
    ReachabilitySet: [{ netns: "a", destinations: { gw: "10.1.10.1" } }, "a/icmp"],
    NetnsExec: [{ netns: "a", commands: [["/usr/bin/sleep", "0"]] }, "a/exec"],
    Qdisc: [{ netns: "a", device: "va", rate: "10mbit" }, "a/va/root"],
  };
  for (const kind of kindNames) {
    const [inputs, id] = cases[kind];
    it(`${kind}: stays small, captures no runtime dependency and runs against a fake runner`, async () => {
      const serialized = await serialize(kind);
      assert.ok(serialized.text.length < 4000, `serialized provider is ${serialized.text.length} characters`);
      assert.doesNotMatch(serialized.text, /zod|execa|Runner/);

      const runner = fakeKernel();
      useMachine(runner.machine);
      const provider = rehydrate(serialized.text, serialized.exportName);
      const checked = await provider.check?.({}, inputs);
      assert.equal(checked?.failures, undefined);
      const created = await provider.create(checked?.inputs ?? {});
      assert.equal(created.id, id);
      // The rehydrated forwarder reached the same implementation a direct call does.
      const direct = fakeKernel();
      await providerFor(kind, direct.machine).create(checked?.inputs ?? {});
      assert.deepEqual(runner.calls, direct.calls);
      assert.ok(runner.calls.length > 0);
      await provider.delete?.(id, created.outs);
    });
  }

  it("shares one serialized text among all resources of a kind", () => {
    assert.equal(forwarder("NetNamespace"), forwarder("NetNamespace"));
  });
});

describe("what providers hand to Pulumi", () => {
  it("never holds undefined, which Pulumi's wire format cannot carry", async () => {
    const provider = providerFor("VethPair", fakeKernel().machine);
    const { outs } = await provider.create({ name: "va", peerName: "vb", mtu: 1500, up: true });
    const read = await provider.read("id", outs);
    for (const result of [outs, read.props, read.inputs]) {
      assert.equal(JSON.stringify(result).length > 2, true);
      for (const [key, value] of Object.entries(result ?? {})) assert.notEqual(value, undefined, `${key} is undefined`);
    }
    assert.equal("netns" in (read.props ?? {}), false, "the root namespace is an absent netns");
  });
});
