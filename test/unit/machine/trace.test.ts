import assert from "node:assert/strict";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, it } from "node:test";
import { traced } from "../../../provider/machine/trace.js";

describe("the trace of commands (PULUMI_NETNS_TRACE)", () => {
  let dir = "";
  const saved = process.env.PULUMI_NETNS_TRACE;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), "pulumi-netns-trace-"));
  });
  afterEach(() => {
    if (saved === undefined) delete process.env.PULUMI_NETNS_TRACE;
    else process.env.PULUMI_NETNS_TRACE = saved;
    rmSync(dir, { recursive: true, force: true });
  });

  it("appends each command, where it ran, its exit code and its time, and gives back its exit", async () => {
    const file = path.join(dir, "trace");
    process.env.PULUMI_NETNS_TRACE = file;
    const exit = await traced("lab1", ["ip", "netns", "add", "a"], async () => ({
      exitCode: 0,
      stdout: "",
      stderr: "",
    }));
    assert.deepEqual(exit, { exitCode: 0, stdout: "", stderr: "" });
    await traced("here", ["nosuch"], async () => ({ exitCode: undefined, stdout: "", stderr: "ENOENT" }));
    const lines = readFileSync(file, "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    assert.deepEqual(
      lines.map(({ where, argv, exit }) => ({ where, argv, exit })),
      [
        { where: "lab1", argv: ["ip", "netns", "add", "a"], exit: 0 },
        { where: "here", argv: ["nosuch"], exit: null },
      ],
    );
    assert.ok(lines.every((l) => typeof l.ms === "number" && l.ms >= 0));
  });
});
