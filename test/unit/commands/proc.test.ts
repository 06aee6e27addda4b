/** What /proc says of a process (commands/proc.ts), on files the kernel wrote (test/fixtures/proc). */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseStat, stopped } from "../../../provider/commands/proc.js";
import { recorded } from "../../support/recorded.js";

describe("/proc/PID/stat", () => {
  it("reads state, session and start time past a name holding a space and parentheses", () => {
    const { stdout } = recorded("proc/stat-running");
    assert.match(stdout, /^\d+ \(a\) \(b c\) /, "the recorded name is the awkward one");
    const stat = parseStat(stdout);
    assert.ok(stat !== undefined);
    assert.equal(stat.state, "S");
    assert.ok(Number.isInteger(stat.session) && stat.session > 0);
    assert.match(stat.startTime, /^\d+$/);
    assert.equal(stopped(stat), false);
  });

  it("knows a zombie has stopped running", () => {
    const stat = parseStat(recorded("proc/stat-zombie").stdout);
    assert.equal(stat?.state, "Z");
    assert.equal(stopped(stat as NonNullable<typeof stat>), true);
  });

  it("reads nothing from text that is not a stat line", () => {
    assert.equal(parseStat(""), undefined);
    assert.equal(parseStat("4000 (sleep) S 1"), undefined);
  });
});
