import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { classify, isIpError } from "../../provider/errors.js";
import { runIp } from "../../provider/runner.js";
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
