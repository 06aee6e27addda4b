/**
 * Nat against the real kernel, between namespaces of the test's own: a host h behind a router r,
 * and an upstream u that has no route back to h's network. Only with the router's masquerade
 * does h reach u, and u sees the router's address as the source.
 */
import assert from "node:assert/strict";
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { once } from "node:events";
import { describe, it } from "node:test";
import NatProvider, { type NatInputs } from "../../provider/kinds/nat.js";
import { ip, ping, realMachine, setSysctl, stopProcess, withNamespaces } from "../support/kernel.js";

const provider = new NatProvider(realMachine());

function nft(netns: string, ...args: string[]): string {
  return execFileSync("ip", ["netns", "exec", netns, "nft", ...args], { encoding: "utf8" });
}

/** h —(10.80.1.0/24)— r —(10.80.2.0/24, r's "up0")— u, with forwarding on in r and no route back in u. */
function wire(h: string, r: string, u: string): void {
  ip("link", "add", "name", "down0", "netns", r, "type", "veth", "peer", "name", "eth0", "netns", h);
  ip("link", "add", "name", "up0", "netns", r, "type", "veth", "peer", "name", "eth0", "netns", u);
  for (const [ns, dev, address] of [
    [r, "down0", "10.80.1.1/24"],
    [h, "eth0", "10.80.1.2/24"],
    [r, "up0", "10.80.2.1/24"],
    [u, "eth0", "10.80.2.2/24"],
  ] as const) {
    ip("-n", ns, "address", "add", address, "dev", dev);
    ip("-n", ns, "link", "set", dev, "up");
  }
  ip("-n", h, "route", "add", "default", "via", "10.80.1.1");
  setSysctl(r, "net.ipv4.ip_forward", "1");
}

/** A server in `netns` that answers each connection with the address it came from. */
async function whoAmI(netns: string): Promise<ChildProcess> {
  const serve =
    'require("net").createServer((s) => s.on("error", () => {}).end(s.remoteAddress)).listen(8090, "0.0.0.0", () => console.log("up"))';
  const server = spawn("ip", ["netns", "exec", netns, process.execPath, "-e", serve], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  await once(server.stdout as NodeJS.ReadableStream, "data");
  return server;
}

function askFrom(netns: string): string {
  const client =
    'const s = require("net").connect(8090, "10.80.2.2"); s.on("data", (d) => process.stdout.write(d)); s.setTimeout(2000, () => process.exit(1));';
  return execFileSync("ip", ["netns", "exec", netns, process.execPath, "-e", client], { encoding: "utf8" });
}

describe("Nat on the kernel", () => {
  it("lets a host reach an upstream with no route back, as the router; drift repaired; the user's rules stay", async () => {
    await withNamespaces(3, async ([h, r, u]) => {
      const [host, router, upstream] = [h as string, r as string, u as string];
      wire(host, router, upstream);
      // A table of the user's own in the router, which must come through untouched.
      nft(router, "add", "table", "ip", "user_filter");
      nft(
        router,
        "add",
        "chain",
        "ip",
        "user_filter",
        "input",
        "{ type filter hook input priority 0; policy accept; }",
      );
      const usersOwn = nft(router, "list", "table", "ip", "user_filter");
      let server: ChildProcess | undefined;
      const p: NatInputs = { netns: router, device: "up0", sources: ["10.80.1.0/24"], owner: "it/test:nat" };
      try {
        assert.equal(ping(host, "10.80.2.2"), false, "without NAT the upstream cannot answer");
        const { id, outs } = await provider.create(p);
        assert.equal(ping(host, "10.80.2.2"), true);
        server = await whoAmI(upstream);
        assert.equal(askFrom(host), "10.80.2.1", "the upstream sees the router's address");
        assert.deepEqual((await new NatProvider(realMachine()).read(id, outs)).props, outs);

        // Our rule flushed by hand: NAT is off, read says so, update puts it back.
        nft(router, "flush", "chain", "inet", "pulumi_netns", outs.chain);
        const drifted = await new NatProvider(realMachine()).read(id, outs);
        assert.deepEqual(drifted.props?.sources, []);
        await provider.update(id, outs, p);
        assert.equal(askFrom(host), "10.80.2.1");

        // A second network updated in place.
        // Adjacent networks too, which nft would merge into one range in a set.
        const wider = { ...p, sources: ["10.80.1.0/24", "10.80.2.0/24", "10.99.0.0/16"] };
        const updated = await provider.update(id, outs, wider);
        const listed = nft(router, "list", "chain", "inet", "pulumi_netns", outs.chain);
        assert.equal(listed.match(/masquerade/g)?.length, 3, "a rule per network");
        const reread = await new NatProvider(realMachine()).read(id, updated.outs);
        assert.deepEqual(reread.props?.sources, wider.sources, "what was declared reads back as it was");

        await provider.delete(id, updated.outs);
        assert.equal(ping(host, "10.80.2.2"), false);
        assert.equal(nft(router, "list", "ruleset").trim(), usersOwn.trim(), "only the user's table is left");
        // Deleting again (a sweep after a delete) finds nothing to do.
        await provider.delete(id, p);
      } finally {
        await stopProcess(server);
      }
    });
  });

  it("leaves a rule of someone else's in its chain alone, on update and on delete", async () => {
    await withNamespaces(1, async ([netns]) => {
      const n = netns as string;
      const p: NatInputs = { netns: n, device: "up0", sources: ["10.80.1.0/24"], owner: "it/test:nat2" };
      const { outs } = await provider.create(p);
      nft(n, "add", "rule", "inet", "pulumi_netns", outs.chain, "counter", "comment", '"the user\'s"');
      const users = /counter packets \d+ bytes \d+ comment "the user's"/;
      const updated = await provider.update("id", outs, { ...p, sources: ["10.80.9.0/24"] });
      const listed = nft(n, "list", "chain", "inet", "pulumi_netns", outs.chain);
      assert.match(listed, users);
      assert.match(listed, /ip saddr 10\.80\.9\.0\/24 masquerade/);
      assert.doesNotMatch(listed, /10\.80\.1\.0/);
      await provider.delete("id", updated.outs);
      const left = nft(n, "list", "ruleset");
      assert.match(left, users, "the user's rule, with the chain and table it needs, stays");
      assert.doesNotMatch(left, /masquerade/);
      nft(n, "delete", "table", "inet", "pulumi_netns");
    });
  });
});
