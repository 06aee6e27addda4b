/**
 * Reachability as part of the stack, through the real engine: the routed lab's four checks pass on
 * `up`; forwarding turned off by hand makes `preview --expect-no-changes` fail naming the sysctl and
 * the checks it broke, and `up` repairs both; an isolation check holds between two namespaces and
 * fails once routes join them; a TCP check passes against a listener and fails without one. Every
 * namespace and the listener are the test's own.
 */
import assert from "node:assert/strict";
import type { ChildProcess } from "node:child_process";
import path from "node:path";
import { describe, it } from "node:test";
import { previewChanges, repoRoot, testStack } from "../support/engine.js";
import {
  ip,
  machineState,
  namespaces,
  removeNamespace,
  setSysctl,
  stopProcess,
  tcpListener,
  uniqueName,
} from "../support/kernel.js";
import { withLab } from "../support/lab.js";

describe("reachability checks through the engine", () => {
  it("checks the routed lab on up, and fails the gate when forwarding goes off, until up repairs it", async () => {
    const prefix = uniqueName("rc").slice(0, 9);
    const host = `${prefix}host`;
    await withLab(path.join(repoRoot, "examples/routed-lab"), { prefix, hostNetns: host }, prefix, async (stack) => {
      const up = await stack.up();
      const verify = up.outputs.verify?.value as Record<string, string>;
      assert.deepEqual(Object.keys(verify).sort(), [
        `${host} -> 10.1.10.2`,
        `${host} -> 10.1.20.2`,
        `${prefix}ns0 -> 10.1.20.2`,
        `${prefix}ns1 -> 10.1.10.2`,
      ]);
      for (const rtt of Object.values(verify)) assert.match(rtt, /^[0-9.]+ ms$/);

      setSysctl(host, "net.ipv4.ip_forward", "0");
      assert.deepEqual(await previewChanges(stack), [
        "update ip-forward",
        "update ns0-reaches-10.1.20.2",
        "update ns1-reaches-10.1.10.2",
      ]);
      await assert.rejects(stack.preview({ refresh: true, expectNoChanges: true }), (e: Error) => {
        assert.match(e.message, /no changes were expected/);
        assert.match(e.message, /ip-forward/);
        assert.match(e.message, /ns0-reaches-10\.1\.20\.2/);
        return true;
      });
      await stack.up({ refresh: true });
    });
  });

  it("holds an isolation check until routes join the two, and a TCP check while something listens", async () => {
    const prefix = uniqueName("rt").slice(0, 9);
    const [a, b] = [`${prefix}a`, `${prefix}b`];
    const port = 8097;
    const before = machineState();
    const { stack, dispose } = await testStack(path.join(repoRoot, "test/e2e/programs/reachability"), {
      prefix,
      port: String(port),
    });
    let server: ChildProcess | undefined;
    try {
      // The listener needs b, which the stack makes: a first up without it fails on the TCP check alone.
      await assert.rejects(
        stack.up(),
        /10\.70\.2\.2 port 8097 \(TCP\) did not answer[\s\S]*nothing listens on port 8097/,
      );
      server = await tcpListener(b, port);
      const up = await stack.up();
      assert.ok(Number(up.outputs.tcpConnectMs?.value) > 0, "the connection time was measured");
      await stack.preview({ refresh: true, expectNoChanges: true });

      // Routes by hand join a and b through r: the isolation check no longer holds.
      ip("-n", a, "route", "add", "10.70.2.0/24", "via", "10.70.1.1");
      ip("-n", b, "route", "add", "10.70.1.0/24", "via", "10.70.2.1");
      assert.deepEqual(await previewChanges(stack), ["update a-isolated-from-b"]);
      await assert.rejects(
        stack.up({ refresh: true }),
        /10\.70\.2\.2 \(ICMP echo\) answered from namespace "[^"]+" in [0-9.]+ ms, but it is declared unreachable\. The kernel routes it via 10\.70\.1\.1 on uplink/,
      );
      ip("-n", a, "route", "delete", "10.70.2.0/24");
      await stack.up({ refresh: true });

      await stopProcess(server);
      assert.deepEqual(await previewChanges(stack), ["update r-reaches-b-tcp"]);
      await assert.rejects(stack.up({ refresh: true }), /nothing listens on port 8097/);

      await stack.destroy();
      assert.deepEqual(machineState(), before, "the machine is exactly as it was before up");
    } finally {
      await stopProcess(server);
      await dispose();
      for (const ns of namespaces().filter((n) => n.startsWith(prefix))) removeNamespace(ns);
    }
  });
});
