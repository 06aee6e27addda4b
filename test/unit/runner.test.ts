import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { classify, isIpError } from "../../provider/errors.js";
import { type IpOptions, type IpResult, type Runner, runIp, sharedRead } from "../../provider/runner.js";
import { FakeRunner, failure } from "../support/fake-runner.js";

describe("runIp", () => {
  it("retries a transient failure with a bounded backoff, then succeeds", async () => {
    let calls = 0;
    const runner = new FakeRunner(() =>
      ++calls < 3 ? failure("Cannot remove namespace file: Device or resource busy") : { stdout: "ok" },
    );
    assert.equal(await runIp(runner, ["netns", "delete", "a"]), "ok");
    assert.equal(calls, 3);
  });

  it("gives up after six tries and reports the kernel's words", async () => {
    const runner = new FakeRunner(() => failure("Dump was interrupted and may be inconsistent."));
    const started = Date.now();
    await assert.rejects(
      runIp(runner, ["-json", "link", "show"]),
      (e: unknown) => isIpError(e) && e.reason === "transient",
    );
    assert.equal(runner.calls.length, 6);
    assert.ok(Date.now() - started < 2000, "bounded: under two seconds");
  });

  it("does not retry other failures", async () => {
    const runner = new FakeRunner(() => failure('Cannot find device "x"'));
    await assert.rejects(runIp(runner, ["link", "show", "dev", "x"]));
    assert.equal(runner.calls.length, 1);
  });

  const cases: Array<[string, string]> = [
    ["RTNETLINK answers: File exists", "already-exists"],
    ["Error: ipv4: Address already assigned.", "already-exists"],
    ['Cannot open network namespace "a": No such file or directory', "not-found"],
    ['Cannot find device "x"', "not-found"],
    ["RTNETLINK answers: No such process", "not-found"],
    ["Error: ipv4: Address not found.", "not-found"],
    ["RTNETLINK answers: Operation not permitted", "permission-denied"],
    ["mount --make-shared /run/netns failed: Permission denied", "permission-denied"],
    ["Device or resource busy", "transient"],
    ["Error: Nexthop has invalid gateway.", "other"],
  ];
  for (const [stderr, reason] of cases) {
    it(`classifies "${stderr}" as ${reason}`, () => assert.equal(classify(stderr), reason));
  }
});

describe("sharedRead", () => {
  const lines = (stdout: string) => stdout.split("\n");

  it("runs a read once for everyone who asks for it, until a change", async () => {
    const runner = new FakeRunner((argv) => ({ stdout: argv.join(" ") }));
    const reads = await Promise.all([
      sharedRead(runner, ["-json", "address", "show"], { netns: "a" }, lines),
      sharedRead(runner, ["-json", "address", "show"], { netns: "a" }, lines),
      sharedRead(runner, ["-json", "address", "show"], { netns: "b" }, lines),
    ]);
    await sharedRead(runner, ["-json", "address", "show"], { netns: "a" }, lines);
    assert.deepEqual(reads[0], ["ip -n a -json address show"]);
    assert.equal(reads[0], reads[1], "the same parsed answer");
    assert.equal(runner.commands.length, 2, "one per namespace");

    await runIp(runner, ["address", "add", "10.0.0.1/24", "dev", "v"], { netns: "a" });
    await sharedRead(runner, ["-json", "address", "show"], { netns: "a" }, lines);
    await sharedRead(runner, ["-json", "address", "show"], { netns: "b" }, lines);
    assert.deepEqual(runner.commands.slice(2), [
      "ip -n a address add 10.0.0.1/24 dev v",
      "ip -n a -json address show",
      "ip -n b -json address show",
    ]);
  });

  it("never hands a read that began before a change ended to one that begins after it", async () => {
    // A kernel whose first read and whose change each hang until released, so reads overlap them.
    const gates: Record<string, () => void> = {};
    const hold = (name: string) => new Promise<void>((resolve) => (gates[name] = resolve));
    let reads = 0;
    const runner: Runner = {
      async ip(args: readonly string[], _options?: IpOptions): Promise<IpResult> {
        if (!args.includes("show")) {
          await hold("change");
          return { exitCode: 0, stdout: "", stderr: "" };
        }
        const nth = ++reads;
        if (nth === 1) await hold("first read");
        return { exitCode: 0, stdout: `read ${nth}`, stderr: "" };
      },
      readFile: async () => "",
      writeFile: async () => {},
      removeFile: async () => {},
    };
    const tick = () => new Promise((resolve) => setImmediate(resolve));
    const before = sharedRead(runner, ["address", "show"], {}, String);
    await tick();
    const change = runIp(runner, ["link", "set", "dev", "v", "up"]);
    await tick();
    const during = sharedRead(runner, ["address", "show"], {}, String);
    await tick();
    gates.change?.();
    await change;
    const after = sharedRead(runner, ["address", "show"], {}, String);
    gates["first read"]?.();
    assert.deepEqual(await Promise.all([before, during, after]), ["read 1", "read 2", "read 3"]);
  });

  it("shares a failure too, without running the read again", async () => {
    const runner = new FakeRunner(() => failure('Cannot open network namespace "a": No such file or directory'));
    for (let i = 0; i < 3; i++) {
      await assert.rejects(
        sharedRead(runner, ["address", "show"], { netns: "a" }, String),
        (e: unknown) => isIpError(e) && e.reason === "not-found",
      );
    }
    assert.equal(runner.calls.length, 1);
  });
});
