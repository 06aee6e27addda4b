import assert from "node:assert/strict";
import { describe, it } from "node:test";
import ReachabilitySetProvider, { type ReachabilitySetState } from "../../../provider/kinds/reachability-set.js";
import { FakeSystem, failure, fakeMachine } from "../../support/fake-system.js";

/** A fake where `ping` answers for the addresses of `up` only, and the namespace is there. */
function fake(up: string[]) {
  return new FakeSystem((argv) => {
    if (argv.includes("ping")) {
      const address = argv[argv.length - 1] as string;
      return up.includes(address)
        ? {
            stdout:
              "64 bytes from x: icmp_seq=1 ttl=64 time=0.042 ms\n1 packets transmitted, 1 received, 0% packet loss\n",
          }
        : { exitCode: 1, stdout: "1 packets transmitted, 0 received, 100% packet loss\n" };
    }
    if (argv.includes("get")) return failure("RTNETLINK answers: Network is unreachable");
    if (argv.includes("show")) return { stdout: "[]" };
    return undefined;
  });
}

const inputs = { netns: "a", destinations: { "b-v4": "10.0.0.2", "c-v6": "fd00::3" }, tries: 2, timeout: 1 };

describe("ReachabilitySet", () => {
  it("checks its destinations and their names, with defaults for how", async () => {
    const provider = new ReachabilitySetProvider(fakeMachine());
    assert.deepEqual((await provider.check({}, { destinations: { "b-v4": "10.0.0.2" } })).inputs, {
      destinations: { "b-v4": "10.0.0.2" },
      tries: 3,
      timeout: 1,
    });
    const bad = await provider.check({}, { destinations: { "b-v4": "10.0.0.2/24" } });
    assert.equal(bad.failures?.[0]?.property, "destinations.b-v4");
    assert.match(bad.failures?.[0]?.reason ?? "", /without a prefix length/);
  });

  it("probes every destination and keeps each round trip by its name", async () => {
    const system = fake(["10.0.0.2", "fd00::3"]);
    const { outs } = await new ReachabilitySetProvider(system.machine).create(inputs);
    assert.deepEqual(outs.rtts, { "b-v4": 0.042, "c-v6": 0.042 });
    assert.equal(system.calls.filter((argv) => argv.includes("ping")).length, 2);
  });

  it("fails naming each destination that did not answer, and its likely cause", async () => {
    const system = fake(["10.0.0.2"]);
    await assert.rejects(new ReachabilitySetProvider(system.machine).create(inputs), (e: Error) => {
      assert.match(
        e.message,
        /^ReachabilitySet from a: 1 of 2 destinations did not answer:\n- c-v6: fd00::3 \(ICMP echo\) did not answer from namespace "a" \(2 tries/,
      );
      assert.match(e.message, /has no route to fd00::3/);
      return true;
    });
    assert.equal(system.calls.filter((argv) => argv.includes("ping") && argv.includes("fd00::3")).length, 2);
  });

  it("shows a destination that stopped answering as drift on that destination", async () => {
    const state: ReachabilitySetState = { ...inputs, rtts: { "b-v4": 0.04, "c-v6": 0.04 } };
    const read = await new ReachabilitySetProvider(fake(["10.0.0.2"]).machine).read("a/icmp", state);
    assert.deepEqual(read.inputs?.destinations, { "b-v4": "10.0.0.2" });
    const provider = new ReachabilitySetProvider(fakeMachine());
    assert.equal((await provider.diff("a/icmp", read.props as ReachabilitySetState, inputs)).changes, true);
  });
});
