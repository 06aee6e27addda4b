/**
 * Reachability against the real kernel: probes between two namespaces of the test's own, joined by
 * a veth pair (10.99.0.1 and fd00:99::1 in the first, .2 and ::2 in the second), and a TCP listener
 * the test starts in the second and stops. Nothing is sent anywhere else.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import ReachabilityProvider, { type ReachabilityInputs } from "../../provider/kinds/reachability.js";
import { ip, realMachine, stopProcess, tcpListener, withJoinedPair } from "../support/kernel.js";

/** The two namespaces of these tests: 10.99.0.1 and fd00:99::1 in the first, .2 and ::2 in the second. */
const withPair = (body: (a: string, b: string) => Promise<void>) => withJoinedPair("10.99.0", "fd00:99", body);

const check = (netns: string, override: Partial<ReachabilityInputs> = {}): ReachabilityInputs => ({
  address: "10.99.0.2",
  netns,
  expect: "reachable",
  protocol: "icmp",
  tries: 1,
  timeout: 1,
  ...override,
});

describe("Reachability on the kernel", () => {
  it("reaches the far end over IPv4 and IPv6, and sees it lost when the link goes down", async () => {
    await withPair(async (a) => {
      const provider = new ReachabilityProvider(realMachine());
      const { outs } = await provider.create(check(a));
      assert.ok(outs.rtt !== undefined && outs.rtt > 0, `a round trip was measured: ${outs.rtt}`);
      assert.equal(outs.attempts, 1);
      // Right after a link comes up, IPv6's first echo can go unanswered: what `tries` is for.
      await provider.create(check(a, { address: "fd00:99::2", tries: 3 }));
      ip("-n", a, "link", "set", "dev", "p0", "down");
      assert.equal((await new ReachabilityProvider(realMachine()).read("id", outs)).props?.expect, "unreachable");
      await assert.rejects(provider.update("id", outs, check(a)), /has no route to 10\.99\.0\.2/);
    });
  });

  it("holds an isolation check to an address no route leads to, and refuses to call it reachable", async () => {
    await withPair(async (a) => {
      const provider = new ReachabilityProvider(realMachine());
      const { outs } = await provider.create(check(a, { address: "10.98.0.1", expect: "unreachable" }));
      assert.equal(outs.attempts, 1);
      await assert.rejects(provider.create(check(a, { address: "10.98.0.1" })), /has no route to 10\.98\.0\.1/);
    });
  });

  it("says nothing answers on the far end's network for an address no one there has", async () => {
    await withPair(async (a) => {
      await assert.rejects(
        new ReachabilityProvider(realMachine()).create(check(a, { address: "10.99.0.9" })),
        /10\.99\.0\.9 is on p0's network, but nothing there answers for it/,
      );
    });
  });

  it("connects over TCP to a listener, and says when nothing listens any more", async () => {
    await withPair(async (a, b) => {
      const provider = new ReachabilityProvider(realMachine());
      const tcp = check(a, { protocol: "tcp", port: 8099 });
      const server = await tcpListener(b, 8099);
      try {
        const { outs } = await provider.create(tcp);
        assert.ok(outs.rtt !== undefined && outs.rtt > 0);
      } finally {
        await stopProcess(server);
      }
      await assert.rejects(provider.update("id", { ...tcp, attempts: 1 }, tcp), /nothing listens on port 8099/);
    });
  });
});
