/**
 * A server, names and NAT through the real engine (test/e2e/programs/services): a host reaches a
 * server upstream by name, through the router's masquerade, and the server sees the router's
 * address. Drift of each kind (the process killed by hand, the hosts file and resolv.conf edited,
 * the NAT rule flushed) shows in a refreshing preview and `up` repairs it; a new greeting restarts the server;
 * destroy leaves nothing of ours and the user's file in /etc/netns/NAME where it was.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { previewChanges, repoRoot, testStack } from "../support/engine.js";
import { machineState, namespaces, removeNamespace, stackProcesses, uniqueName } from "../support/kernel.js";

/** What a client in `netns` reads from `upstream` port 8090, the name resolved from its hosts file. */
function askUpstream(netns: string): string {
  const client =
    'require("dns").lookup("upstream", 4, (e, a) => { if (e) throw e; require("net").connect(8090, a).on("data", (d) => process.stdout.write(d)); });';
  return execFileSync("ip", ["netns", "exec", netns, process.execPath, "-e", client], {
    encoding: "utf8",
    timeout: 10000,
  });
}

describe("a server, names and NAT through the engine", () => {
  it("serve a host upstream by name through NAT, repair drift of each, restart on a change and leave nothing", async () => {
    const prefix = uniqueName("sv").slice(0, 9);
    const host = `${prefix}h`;
    // A file of the user's own in the host's folder, there before the stack.
    const userFolder = `/etc/netns/${host}`;
    const madeEtcNetns = !existsSync("/etc/netns");
    mkdirSync(userFolder, { recursive: true });
    writeFileSync(`${userFolder}/motd`, "the user's own\n");
    const before = machineState();
    const logsBefore = existsSync("/var/log/pulumi-netns") ? readdirSync("/var/log/pulumi-netns") : [];
    const { stack, dispose } = await testStack(path.join(repoRoot, "test/e2e/programs/services"), { prefix });
    try {
      const up = await stack.up();
      const pid = Number(up.outputs.pid?.value);
      assert.equal(askUpstream(host), "hello 10.81.2.1", "the server sees the router's address");
      assert.equal(up.outputs.hostsPath?.value, `${userFolder}/hosts`);
      assert.match(readFileSync(String(up.outputs.logFile?.value), "utf8"), /serving on 8090/);
      await stack.preview({ refresh: true, expectNoChanges: true });

      // Drift of each kind at once, then one up repairs it all.
      process.kill(pid, "SIGKILL");
      const hostsFile = `${userFolder}/hosts`;
      writeFileSync(hostsFile, readFileSync(hostsFile, "utf8").replace("10.81.2.2", "10.81.2.9"));
      const resolvConf = `${userFolder}/resolv.conf`;
      writeFileSync(
        resolvConf,
        readFileSync(resolvConf, "utf8").replace("nameserver 10.81.1.1", "nameserver 10.81.1.53"),
      );
      execFileSync("ip", [
        "netns",
        "exec",
        `${prefix}r`,
        "nft",
        "flush",
        "chain",
        "inet",
        "pulumi_netns",
        String(up.outputs.chain?.value),
      ]);
      assert.deepEqual(await previewChanges(stack), [
        "create u-server",
        "update h-hosts",
        "update h-reaches-server",
        "update h-resolv",
        "update r-nat",
      ]);
      const repaired = await stack.up({ refresh: true });
      assert.notEqual(Number(repaired.outputs.pid?.value), pid, "a new server");
      assert.equal(askUpstream(host), "hello 10.81.2.1");
      const resolver = execFileSync("ip", ["netns", "exec", host, "cat", "/etc/resolv.conf"], { encoding: "utf8" });
      assert.match(resolver, /^nameserver 10\.81\.1\.1\nsearch lab$/m, "what a program in the namespace reads");
      await stack.preview({ refresh: true, expectNoChanges: true });

      // A new greeting is a new command environment: the server restarts, in place.
      await stack.setConfig("greeting", { value: "howdy" });
      assert.deepEqual(await previewChanges(stack), ["update u-server (env: ~GREETING)"]);
      const restarted = await stack.up();
      assert.notEqual(restarted.outputs.pid?.value, repaired.outputs.pid?.value);
      assert.equal(askUpstream(host), "howdy 10.81.2.1");
      assert.equal(stackProcesses(stack.name).length, 1, "the old server is gone");

      await stack.destroy();
      assert.deepEqual(stackProcesses(stack.name), [], "no process of ours is left");
      assert.deepEqual(machineState(), before, "the machine is exactly as it was before up");
      assert.deepEqual(readdirSync(userFolder), ["motd"], "the user's file stays, alone");
      assert.deepEqual(existsSync("/var/log/pulumi-netns") ? readdirSync("/var/log/pulumi-netns") : [], logsBefore);
    } finally {
      await dispose();
      for (const ns of namespaces().filter((n) => n.startsWith(prefix))) removeNamespace(ns);
      rmSync(userFolder, { recursive: true, force: true });
      if (madeEtcNetns) rmSync("/etc/netns", { recursive: true, force: true });
    }
  });
});
