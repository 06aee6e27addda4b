/**
 * NetnsProcess against the real kernel: Node's own programs run inside namespaces of the test's
 * own, listening only there.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { describe, it } from "node:test";
import NetnsProcessProvider, { type NetnsProcessInputs } from "../../provider/kinds/netns-process.js";
import { ip, markedProcesses, namespaces, realMachine, uniqueName, withNamespaces } from "../support/kernel.js";

const provider = new NetnsProcessProvider(realMachine());

/**
 * A TCP server on `port` that answers each connection with "hello" and, when `child` is set,
 * starts a child of its own that outlives nothing: stopping the server must stop it too.
 */
function server(port: number, options: { child?: boolean; ignoreTerm?: boolean } = {}): string[] {
  const lines = [
    // No handler for socket errors, as in many small servers: the readiness probe must close
    // politely, or the reset it sends kills the server it waits for.
    `require("net").createServer((s) => s.end("hello")).listen(${port}, () => console.log("listening on ${port}"));`,
    options.child ? `require("child_process").spawn("sleep", ["300"], { stdio: "ignore" });` : "",
    options.ignoreTerm ? `process.on("SIGTERM", () => console.log("ignoring SIGTERM"));` : "",
  ];
  return [process.execPath, "-e", lines.join("\n")];
}

function inputs(netns: string, command: string[], more: Partial<NetnsProcessInputs> = {}): NetnsProcessInputs {
  return { command, netns, env: {}, readyTimeout: 10, stopTimeout: 5, owner: `it/test:${uniqueName("p")}`, ...more };
}

/** What a client in `netns` reads from `address`:`port`. */
function fetchText(netns: string, address: string, port: number): string {
  const client = `const s = require("net").connect(${port}, "${address}"); s.on("data", (d) => process.stdout.write(d));`;
  return execFileSync("ip", ["netns", "exec", netns, process.execPath, "-e", client], { encoding: "utf8" });
}

describe("NetnsProcess on the kernel", () => {
  it("runs a server in the namespace, ready when create returns, logging to its file", async () => {
    await withNamespaces(1, async ([netns]) => {
      const n = netns as string;
      ip("-n", n, "link", "set", "lo", "up");
      const p = inputs(n, server(8081), { readyPort: 8081 });
      const { id, outs } = await provider.create(p);
      try {
        assert.equal(fetchText(n, "127.0.0.1", 8081), "hello");
        assert.equal(ip("netns", "identify", String(outs.pid)).trim(), n, "it runs in the namespace");
        assert.match(readFileSync(outs.logFile, "utf8"), /listening on 8081/);
        assert.deepEqual((await provider.read(id, outs)).props, outs);
      } finally {
        await provider.delete(id, outs);
      }
      assert.deepEqual(markedProcesses(p.owner as string), []);
      assert.equal(existsSync(outs.logFile), false);
    });
  });

  it("reads it gone once killed by hand, and a create starts it again", async () => {
    await withNamespaces(1, async ([netns]) => {
      const n = netns as string;
      const p = inputs(n, ["sleep", "300"]);
      const { id, outs } = await provider.create(p);
      process.kill(outs.pid, "SIGKILL");
      for (let i = 0; i < 50 && (await new NetnsProcessProvider(realMachine()).read(id, outs)).id !== undefined; i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      assert.deepEqual(await new NetnsProcessProvider(realMachine()).read(id, outs), {});
      const again = await provider.create(p);
      assert.notEqual(again.outs.pid, outs.pid);
      await provider.delete(id, again.outs);
      assert.deepEqual(markedProcesses(p.owner as string), []);
    });
  });

  it("reads it gone when its namespace is deleted under it, and stops it though it runs on unnamed", async () => {
    const n = uniqueName();
    ip("netns", "add", n);
    const p = inputs(n, ["sleep", "300"]);
    const { id, outs } = await provider.create(p);
    try {
      ip("netns", "delete", n);
      assert.deepEqual(markedProcesses(p.owner as string), [outs.pid], "it runs on, in a namespace without a name");
      assert.deepEqual(await new NetnsProcessProvider(realMachine()).read(id, outs), {});
    } finally {
      await provider.delete(id, outs);
      if (namespaces().includes(n)) ip("netns", "delete", n);
    }
    assert.deepEqual(markedProcesses(p.owner as string), []);
  });

  it("stops its children with it, and one that ignores SIGTERM with SIGKILL; leaves other processes alone", async () => {
    await withNamespaces(1, async ([netns]) => {
      const n = netns as string;
      const p = inputs(n, server(8082, { child: true, ignoreTerm: true }), { readyPort: 8082, stopTimeout: 1 });
      ip("-n", n, "link", "set", "lo", "up");
      const { id, outs } = await provider.create(p);
      const other = inputs(n, ["sleep", "300"]);
      const bystander = await provider.create(other);
      try {
        assert.equal(markedProcesses(p.owner as string).length, 2, "the server and its child carry the mark");
        // What a sweep has: the inputs alone.
        await provider.delete(id, p);
        assert.deepEqual(markedProcesses(p.owner as string), []);
        assert.match(readFileSync(bystander.outs.logFile, "utf8"), /^$/);
        assert.deepEqual(markedProcesses(other.owner as string), [bystander.outs.pid]);
      } finally {
        await provider.delete(id, outs);
        await provider.delete(bystander.id, bystander.outs);
      }
    });
  });

  it("fails a create that is not ready in time, with its log, and leaves nothing", async () => {
    await withNamespaces(1, async ([netns]) => {
      const n = netns as string;
      const p = inputs(n, [process.execPath, "-e", 'console.log("not listening"); setInterval(() => {}, 1000)'], {
        readyPort: 8083,
        readyTimeout: 1,
      });
      await assert.rejects(
        provider.create(p),
        /nothing accepted a connection to 127\.0\.0\.1 port 8083 within 1 s \(readyTimeout\); it was stopped\.\nThe end of its log \(.*\):\nnot listening/,
      );
      assert.deepEqual(markedProcesses(p.owner as string), []);
      await assert.rejects(
        provider.create(inputs(uniqueName(), ["sleep", "300"])),
        /exited as it started[\s\S]*Cannot open network namespace/,
      );
    });
  });
});
