/**
 * One lab over two hosts through the real engine (test/e2e/programs/two-hosts), each host a fake
 * one of test/support/fake-hosts.ts reached by a real ssh: the lab comes up, its nodes on the two
 * hosts ping each other across the VXLAN tunnels, preview is clean, drift made on a host is seen
 * and repaired, and destroy leaves both hosts (and this machine) as they were. A host that goes
 * down fails the preview as a host, naming what of the stack lives there; rebooted, it is rebuilt
 * by a refreshing up, and after one more reboot destroy forgets what it lost. A lab on a host that
 * cannot be reached fails its preview with a message naming the host, and nothing changes.
 */
import assert from "node:assert/strict";
import path from "node:path";
import { describe, it } from "node:test";
import { previewChanges, repoRoot, testStack } from "../support/engine.js";
import { type FakeHost, fakeHosts, hostState, pings, twoHostsConfig } from "../support/fake-hosts.js";
import { machineState, uniqueName } from "../support/kernel.js";

describe("a lab over two hosts through the engine", () => {
  it("comes up over ssh, pings across the tunnels, repairs drift on a host and leaves both as found", async () => {
    const lab = await fakeHosts(2);
    const [a, b] = lab.hosts as [FakeHost, FakeHost];
    const prefix = uniqueName("th").slice(0, 8);
    const here = machineState();
    const before = [hostState(a), hostState(b)];
    const { stack, dispose } = await testStack(
      path.join(repoRoot, "test/e2e/programs/two-hosts"),
      twoHostsConfig(lab, prefix),
    );
    try {
      const started = Date.now();
      const up = await stack.up();
      console.log(`# up of the two-host lab: ${Date.now() - started} ms`);
      assert.deepEqual(a.namespaces().sort(), [`${prefix}h1`, `${prefix}lan`, `${prefix}r`]);
      assert.deepEqual(b.namespaces().sort(), [`${prefix}h2`, `${prefix}h3`]);
      const nodes = up.outputs.nodes?.value as Record<string, { interfaces: { addresses: string[] }[] }>;
      const addressOf = (node: string) => (nodes[node]?.interfaces[0]?.addresses[0] ?? "").split("/")[0] as string;
      assert.ok(pings(b, `${prefix}h2`, addressOf("h1")), "h2 (host b) reaches h1 (host a) over the segment's tunnel");
      assert.ok(pings(b, `${prefix}h3`, addressOf("h2")), "h3 reaches h2 through r: two tunnels");
      const checks = up.outputs.checks?.value as Array<{ rtt: number }>;
      assert.equal(checks.length, 3);
      assert.ok(
        checks.every((c) => typeof c.rtt === "number"),
        "the lab's own checks, run on the hosts",
      );
      // The tunnel as the kernel has it on host b: a VXLAN link at the underlay less its overhead.
      const [tunnel] = JSON.parse(b.run(["ip", "-n", `${prefix}h2`, "-d", "-j", "link", "show", "dev", "lan"]));
      assert.equal(tunnel.linkinfo.info_kind, "vxlan");
      assert.equal(tunnel.linkinfo.info_data.remote, a.underlay);
      assert.equal(tunnel.mtu, 1450);
      const [port] = JSON.parse(a.run(["ip", "-n", `${prefix}r`, "-j", "link", "show", "dev", "lan"]));
      assert.equal(port.mtu, 1450, "the segment's other members fit the tunnel too");
      assert.match(String(up.outputs.mermaid?.value), /subgraph/);
      // Names and a server across the hosts: h1 (on a) fetches from h3 (on b) by the name its hosts file gives.
      assert.match(
        a.run(["cat", `/etc/netns/${prefix}h1/hosts`]),
        new RegExp(`^${addressOf("h3").replaceAll(".", "\\.")}\\s+h3$`, "m"),
      );
      const fetch =
        'require("http").get("http://h3:8080/", (r) => r.pipe(process.stdout)).on("error", (e) => { throw e; })';
      assert.equal(a.run(["ip", "netns", "exec", `${prefix}h1`, "node", "-e", fetch]), "hello from h3\n");
      assert.equal(typeof up.outputs.webCheck?.value, "number", "the TCP check from h1, run on host a");
      await stack.preview({ refresh: true, expectNoChanges: true });

      // Drift on host b: h3's end of its tunnel to r deleted by hand, and its address and route with it.
      b.run(["ip", "-n", `${prefix}h3`, "link", "delete", "dev", "r"]);
      assert.ok(!pings(b, `${prefix}h3`, addressOf("h2")));
      // The tunnel's end made again, its address and route named in h3's NetnsConfig, and the
      // destinations whose way goes through it named in the checks that stopped reaching them.
      assert.deepEqual(await previewChanges(stack), [
        "create two-r-h3-h3",
        "update h1-reaches-web",
        "update two-h2-checks (destinations: +h3-v4)",
        "update two-h3-checks (destinations: +h1-v4)",
        "update two-h3-config (addresses: +10.70.255.4/24; routes: +default)",
      ]);
      await stack.up({ refresh: true });
      assert.ok(pings(b, `${prefix}h3`, addressOf("h2")), "repaired");
      await stack.preview({ refresh: true, expectNoChanges: true });

      // Host b goes down: one failure, of the host, with the command that shows why and what of
      // the stack lives there (every resource the state puts on b), and host a is left alone.
      const onB = ((await stack.exportStack()).deployment?.resources ?? []).filter(
        (r: { outputs?: { host?: { address?: string } } }) => r.outputs?.host?.address === b.alias,
      ) as Array<{ type: string; urn: string }>;
      const aBefore = hostState(a);
      await b.down();
      const failure = await stack.preview().then(
        () => "the preview of a lab on a host that is down did not fail",
        (e: Error) => e.message,
      );
      const aWhileBDown = hostState(a);
      // It boots again, having lost all it held in memory.
      await b.boot();
      assert.match(failure, /Cannot reach host "fake-host-2" over SSH/);
      assert.ok(
        failure.includes(`: ssh -F ${lab.configFile} -o BatchMode=yes -o ConnectTimeout=10 -T -- fake-host-2 true`),
      );
      const named = new RegExp(
        `This stack's resources there \\(${onB.length}\\), none of them touched: ([^\\n]*)\\.`,
      ).exec(failure);
      assert.ok(named, `names the ${onB.length} resources on b:\n${failure}`);
      assert.ok(named[1]?.includes("NetnsProcess web") && named[1].includes("Sysctl b-forwarding"), named[1]);
      assert.doesNotMatch(failure, /property host value/, "not framed as a bad input");
      assert.deepEqual(aWhileBDown, aBefore, "host a untouched");

      // A refreshing up rebuilds it, and the forwarding it had before the lab is what destroy will
      // put back, not the lab's.
      assert.deepEqual(b.namespaces(), []);
      const rebuilt = await stack.up({ refresh: true });
      assert.ok((rebuilt.summary.resourceChanges?.create ?? 0) > 0, "what b lost is made again");
      assert.ok(pings(b, `${prefix}h3`, addressOf("h2")), "the tunnels carry traffic again");
      assert.ok(pings(b, `${prefix}h2`, addressOf("h1")));
      await stack.preview({ refresh: true, expectNoChanges: true });

      // Rebooted again, then destroyed: what b lost is forgotten without failing.
      await b.down();
      await b.boot();
      await stack.destroy();
      assert.deepEqual([hostState(a), hostState(b)], before, "both hosts as they were");
      assert.deepEqual(machineState(), here, "and this machine");
    } finally {
      try {
        await dispose();
      } finally {
        // Even when the destroy failed: the fake hosts, their sshd and namespaces go.
        await lab.dispose();
      }
    }
  });

  it("fails the preview of a lab on a host that cannot be reached, naming the host, and changes nothing", async () => {
    const here = machineState();
    const prefix = uniqueName("tu").slice(0, 8);
    // Loopback port 1: nothing listens there, so ssh is refused at once.
    const configFile = "/dev/null";
    const { stack, dispose } = await testStack(path.join(repoRoot, "test/e2e/programs/two-hosts"), {
      prefix,
      sshConfig: configFile,
      hostA: "127.0.0.1",
      hostB: "127.0.0.1",
      port: "1",
      underlayA: "192.0.2.1",
      underlayB: "192.0.2.2",
    });
    try {
      await assert.rejects(stack.preview(), (e: Error) => {
        assert.match(e.message, /Cannot reach host "127\.0\.0\.1:1" over SSH/);
        return true;
      });
      await assert.rejects(stack.up(), /Cannot reach host "127\.0\.0\.1:1" over SSH/);
      assert.deepEqual(machineState(), here);
    } finally {
      await dispose();
    }
  });
});
