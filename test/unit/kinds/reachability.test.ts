import assert from "node:assert/strict";
import { describe, it } from "node:test";
import type { Exit } from "../../../provider/errors.js";
import ReachabilityProvider, { type ReachabilityInputs } from "../../../provider/kinds/reachability.js";
import { FakeSystem, failure } from "../../support/fake-system.js";

const check: ReachabilityInputs = {
  address: "10.1.20.2",
  netns: "ns0",
  expect: "reachable",
  protocol: "icmp",
  tries: 3,
  timeout: 1,
};
const REPLY = "64 bytes from 10.1.20.2: icmp_seq=1 ttl=63 time=0.071 ms\n";
const LOST = "1 packets transmitted, 0 received, 100% packet loss, time 0ms\n";

/** A namespace ns0 whose pings are answered from `replies` in turn, and whose `ip` answers `ip`. */
function lab(replies: Array<"reply" | "lost">, ip: (args: string[]) => Partial<Exit> = () => ({})) {
  const queue = [...replies];
  return new FakeSystem((argv) => {
    if (argv.includes("ping")) return queue.shift() === "reply" ? { stdout: REPLY } : { stdout: LOST, exitCode: 1 };
    return ip(argv);
  });
}

describe("Reachability check", () => {
  const provider = new ReachabilityProvider(new FakeSystem().machine);

  it("fills in ICMP, three tries of a second, and expecting an answer", async () => {
    assert.deepEqual((await provider.check({}, { address: "10.1.20.2" })).inputs, {
      address: "10.1.20.2",
      expect: "reachable",
      protocol: "icmp",
      tries: 3,
      timeout: 1,
    });
  });

  const bad: Array<[Record<string, unknown>, string, RegExp]> = [
    [{ address: "10.1.20.300" }, "address", /not a valid IPv4 address/],
    [{ address: "10.1.20.2/24" }, "address", /without a prefix length/],
    [{ netns: "-x" }, "netns", /must not start with "-"/],
    [{ protocol: "tcp" }, "port", /is needed with protocol tcp/],
    [{ port: 80 }, "port", /applies to protocol tcp only/],
    [{ protocol: "tcp", port: 70000 }, "port", /from 1 to 65535/],
    [{ protocol: "udp" }, "protocol", /must be one of icmp, tcp, got "udp"/],
    [{ expect: "maybe" }, "expect", /must be one of reachable, unreachable/],
    [{ tries: 0 }, "tries", /from 1 to 10/],
    [{ timeout: 31 }, "timeout", /from 1 to 30 seconds/],
  ];
  for (const [override, property, why] of bad) {
    it(`refuses ${JSON.stringify(override)}, naming ${property}`, async () => {
      const result = await provider.check({}, { address: "10.1.20.2", ...override });
      assert.equal(result.inputs, undefined);
      assert.equal(result.failures?.[0]?.property, property);
      assert.match(result.failures?.[0]?.reason ?? "", why);
    });
  }

  it("changes how it checks in place, and what it checks by replacing", async () => {
    const olds = { ...check, attempts: 1 };
    assert.deepEqual(await provider.diff("id", olds, { ...check, tries: 1, expect: "unreachable" }), {
      changes: true,
      replaces: [],
    });
    assert.deepEqual((await provider.diff("id", olds, { ...check, address: "10.1.20.3" })).replaces, ["address"]);
    assert.equal((await provider.diff("id", olds, check)).changes, false);
  });
});

describe("Reachability probes", () => {
  it("pings once from the namespace when the first answer comes, and keeps the round trip", async () => {
    const system = lab(["reply"]);
    const { id, outs } = await new ReachabilityProvider(system.machine).create(check);
    assert.deepEqual(system.calls, [["ip", "netns", "exec", "ns0", "ping", "-n", "-c", "1", "-W", "1", "10.1.20.2"]]);
    assert.equal(id, "ns0/icmp/10.1.20.2");
    assert.deepEqual([outs.rtt, outs.attempts], [0.071, 1]);
  });

  it("tries again up to `tries` times", async () => {
    const { outs } = await new ReachabilityProvider(lab(["lost", "lost", "reply"]).machine).create(check);
    assert.equal(outs.attempts, 3);
  });

  it("says there is no route when the namespace has none to the address", async () => {
    const system = lab(["lost"], (argv) =>
      argv.includes("route") ? failure("RTNETLINK answers: Network is unreachable", 2) : {},
    );
    await assert.rejects(new ReachabilityProvider(system.machine).create({ ...check, tries: 1 }), (e: Error) => {
      assert.match(
        e.message,
        /10\.1\.20\.2 \(ICMP echo\) did not answer from namespace "ns0" \(1 try, 1 s each; 100% packet loss\)/,
      );
      assert.match(e.message, /has no route to 10\.1\.20\.2: declare a Route to its subnet/);
      return true;
    });
  });

  it("tells a gateway that does not answer from one that answers but does not forward", async () => {
    const route = JSON.stringify([{ dst: "10.1.20.2", gateway: "10.1.10.1", dev: "veth12" }]);
    const neighbour = (state: string) => (argv: string[]) =>
      argv.includes("route") ? { stdout: route } : { stdout: JSON.stringify([{ dst: "10.1.10.1", state: [state] }]) };
    await assert.rejects(
      new ReachabilityProvider(lab(["lost"], neighbour("FAILED")).machine).create({ ...check, tries: 1 }),
      /The gateway 10\.1\.10\.1 on veth12 does not answer/,
    );
    const system = lab(["lost"], neighbour("REACHABLE"));
    await assert.rejects(
      new ReachabilityProvider(system.machine).create({ ...check, tries: 1 }),
      /The gateway 10\.1\.10\.1 \(on veth12\) answers, but the packets get no further: forwarding may be off on that router \(net\.ipv4\.ip_forward\)/,
    );
    assert.deepEqual(system.calls.at(-1), ["ip", "-n", "ns0", "-json", "neigh", "show", "10.1.10.1", "dev", "veth12"]);
  });

  it("fails an isolation check that gets an answer, saying which way the kernel routes it", async () => {
    const route = JSON.stringify([{ dst: "10.1.20.2", gateway: "10.1.10.1", dev: "veth12" }]);
    const system = lab(["reply"], () => ({ stdout: route }));
    await assert.rejects(
      new ReachabilityProvider(system.machine).create({ ...check, expect: "unreachable" }),
      /answered from namespace "ns0" in 0\.071 ms, but it is declared unreachable\. The kernel routes it via 10\.1\.10\.1 on veth12/,
    );
  });

  it("holds an isolation check after every try goes unanswered", async () => {
    const system = lab(["lost", "lost"]);
    const { outs } = await new ReachabilityProvider(system.machine).create({
      ...check,
      expect: "unreachable",
      tries: 2,
    });
    assert.deepEqual([outs.attempts, outs.rtt], [2, undefined]);
  });

  it("reads a check that no longer holds as drift: the state says what holds now", async () => {
    const state = { ...check, rtt: 0.071, attempts: 1 };
    const lost = await new ReachabilityProvider(lab(["lost", "lost", "lost"]).machine).read("id", state);
    assert.equal(lost.props?.expect, "unreachable");
    assert.equal(lost.inputs?.expect, "unreachable");
    const kept = await new ReachabilityProvider(lab(["reply"]).machine).read("id", state);
    // Unchanged while it holds, measurements and all: a refresh of a healthy lab changes nothing.
    assert.deepEqual(kept.props, state);
  });

  it("connects over TCP with Node inside the namespace, and says when nothing listens", async () => {
    const system = new FakeSystem(() => ({ stdout: '{"reached":false,"error":"ECONNREFUSED"}\n' }));
    const tcp = { ...check, protocol: "tcp" as const, port: 8080, tries: 1 };
    await assert.rejects(new ReachabilityProvider(system.machine).create(tcp), /nothing listens on port 8080/);
    const [argv] = system.calls;
    assert.deepEqual(argv?.slice(0, 4), ["ip", "netns", "exec", "ns0"]);
    assert.equal(argv?.[4], process.execPath);
    assert.match(argv?.[5] ?? "", /kinds\/base\/tcp-probe\.js$/);
    assert.deepEqual(argv?.slice(6), ["10.1.20.2", "8080", "1000"]);
  });
});
