/** What a reachability check runs and reads (commands/probe.ts), on what the kernel printed (test/fixtures). */
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createServer } from "node:net";
import { describe, it } from "node:test";
import {
  bashTcpProbeArgv,
  neighbourAnswered,
  neighShow,
  parseBashTcpProbe,
  parseRouteGet,
  pingArgv,
  pingRtt,
  routeGet,
} from "../../../provider/commands/probe.js";
import { recorded } from "../../support/recorded.js";

describe("ping", () => {
  it("sends one echo request, numeric, waiting the timeout", () => {
    assert.deepEqual(pingArgv("10.1.10.1", 2), ["ping", "-n", "-c", "1", "-W", "2", "10.1.10.1"]);
    assert.deepEqual(recorded("ping/answered").argv.slice(-7), pingArgv("10.1.10.1", 2));
  });

  it("reads the round trip of an answered echo, IPv4 and IPv6", () => {
    for (const name of ["ping/answered", "ping/answered-6"]) {
      const { exitCode, stdout } = recorded(name);
      assert.equal(exitCode, 0, name);
      const rtt = pingRtt(stdout);
      assert.ok(rtt !== undefined && rtt > 0 && rtt < 1000, `${name}: ${rtt}`);
    }
  });

  it("reads no round trip from an echo nobody answered, or one with no way out", () => {
    for (const name of ["ping/unanswered", "ping/unreachable"]) {
      const { exitCode, stdout } = recorded(name);
      assert.notEqual(exitCode, 0, name);
      assert.equal(pingRtt(stdout), undefined, name);
    }
    assert.match(recorded("ping/unanswered").stdout, /100% packet loss/);
  });
});

describe("ip route get", () => {
  it("names the gateway and the device of a routed address", () => {
    assert.deepEqual(routeGet("10.1.20.5"), ["-json", "route", "get", "10.1.20.5"]);
    assert.deepEqual(parseRouteGet(recorded("route-get-via-gateway").stdout), { gateway: "10.1.10.1", device: "vb" });
  });

  it("names no gateway for an address on a connected network", () => {
    assert.deepEqual(parseRouteGet(recorded("route-get-connected").stdout), { gateway: undefined, device: "vb" });
  });

  it("fails, with the kernel's words, where there is no route", () => {
    const fixture = recorded("route-get-no-route");
    assert.equal(fixture.exitCode, 2);
    assert.match(fixture.stderr, /Network is unreachable/);
  });
});

describe("ip neigh show", () => {
  it("counts a neighbour that answered, and not one that never did or is unknown", () => {
    assert.deepEqual(neighShow("10.1.10.1", "vb"), ["-json", "neigh", "show", "10.1.10.1", "dev", "vb"]);
    assert.equal(neighbourAnswered(recorded("neigh-show-reachable").stdout), true);
    assert.equal(neighbourAnswered(recorded("neigh-show-failed").stdout), false);
    assert.equal(neighbourAnswered(recorded("neigh-show-none").stdout), false);
  });
});

describe("the TCP probe of other hosts (bash)", () => {
  /** Runs the probe here, as a host would, and reads its answer. */
  const probe = async (port: number) => {
    const argv = bashTcpProbeArgv("127.0.0.1", port, 2);
    const child = spawn(argv[0] as string, argv.slice(1), { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    await once(child, "close");
    return parseBashTcpProbe(out);
  };

  it("reaches a port that listens on loopback, with a round trip of a connection, not of a process start", async () => {
    // A server that answers with a word, and one that says nothing and waits for us to close first.
    const errors: string[] = [];
    const talking = createServer((s) => s.end("hello\n")).listen(0, "127.0.0.1");
    const silent = createServer((s) => {
      s.on("error", (e: NodeJS.ErrnoException) => errors.push(e.code ?? e.message));
      s.on("end", () => s.end());
    }).listen(0, "127.0.0.1");
    await Promise.all([once(talking, "listening"), once(silent, "listening")]);
    try {
      for (const server of [talking, silent]) {
        const answer = await probe((server.address() as { port: number }).port);
        assert.equal(answer?.reached, true);
        assert.ok((answer?.rtt ?? 99) < 10, `a loopback connection in ${answer?.rtt} ms`);
      }
      assert.deepEqual(errors, [], "closed with a FIN, not a reset");
    } finally {
      talking.close();
      silent.close();
    }
  });

  it("names a refused connection as Node's probe does, and reads nothing it would not print", async () => {
    const closed = createServer().listen(0, "127.0.0.1");
    await once(closed, "listening");
    const { port } = closed.address() as { port: number };
    closed.close();
    await once(closed, "close");
    assert.deepEqual(await probe(port), { reached: false, error: "ECONNREFUSED" });
    assert.equal(parseBashTcpProbe("bash: line 1: timeout: command not found"), undefined);
  });
});
