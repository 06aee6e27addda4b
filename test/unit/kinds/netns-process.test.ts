import assert from "node:assert/strict";
import { describe, it } from "node:test";
import NetnsProcessProvider, {
  LOG_ROOT,
  type NetnsProcessInputs,
  type NetnsProcessState,
} from "../../../provider/kinds/netns-process.js";
import { FakeSystem, fakeMachine } from "../../support/fake-system.js";

const owner = "lab/dev:web";
const inputs: NetnsProcessInputs = {
  command: ["/usr/bin/sleep", "60"],
  netns: "a",
  env: { GREETING: "hi" },
  readyTimeout: 10,
  stopTimeout: 1,
  owner,
};

/** A fake machine whose processes are all in namespace "a" (or in `netns`), as `ip netns identify` says. */
function machineIn(netns = "a"): FakeSystem {
  return new FakeSystem((argv) => (argv[2] === "identify" ? { stdout: `${netns}\n` } : undefined));
}

/** The pids the fake runs (those whose /proc/PID/stat is there). */
function running(system: FakeSystem): number[] {
  return [...system.files.keys()].flatMap((f) => /^\/proc\/(\d+)\/stat$/.exec(f)?.[1] ?? []).map(Number);
}

describe("NetnsProcess check", () => {
  const provider = new NetnsProcessProvider(fakeMachine());
  it("fills in the defaults, and finds a program on PATH", async () => {
    const checked = await provider.check({}, { command: ["sleep", "5"] });
    assert.deepEqual(checked.inputs, { command: ["sleep", "5"], env: {}, readyTimeout: 10, stopTimeout: 5 });
  });
  const bad: Array<[Record<string, unknown>, string, RegExp]> = [
    [{ command: [] }, "command", /at least the program/],
    [{ command: "sleep 5" }, "command", /list of strings \(argv; no shell reads it\)/],
    [{ command: ["nosuch-program"] }, "command", /names no program on PATH .*got "nosuch-program"/],
    [{ command: ["./server"] }, "command", /is a relative path/],
    [{ command: ["./server"], cwd: "/srv" }, "command", /is not found \(no \/srv\/server\)/],
    [{ command: ["/usr/bin/nosuch"] }, "command", /is not found/],
    [{ command: ["/usr/bin/sleep", "a\u0000b"] }, "command.1", /NUL/],
    [{ env: { "BAD NAME": "x" } }, "env.BAD NAME", /variable name/],
    [{ env: { PULUMI_NETNS_OWNER: "x" } }, "env.PULUMI_NETNS_OWNER", /mark of the process as ours/],
    [{ cwd: "srv" }, "cwd", /absolute path/],
    [{ readyPort: 0 }, "readyPort", /from 1 to 65535/],
    [{ readyAddress: "127.0.0.1" }, "readyAddress", /only with readyPort/],
    [
      { readyPort: 80, readyAddress: "10.0.0.1/24" },
      "readyAddress",
      /without a prefix length\); got "10\.0\.0\.1\/24"/,
    ],
    [{ stopTimeout: 0 }, "stopTimeout", /from 1 to 60 seconds/],
  ];
  for (const [override, property, why] of bad) {
    it(`refuses ${JSON.stringify(override)}`, async () => {
      const result = await provider.check({}, { command: ["/usr/bin/sleep", "60"], ...override });
      assert.equal(result.failures?.[0]?.property, property, JSON.stringify(result.failures));
      assert.match(result.failures?.[0]?.reason ?? "", why);
    });
  }
});

describe("NetnsProcess on a fake machine", () => {
  it("starts the command in the namespace with PATH, its variables and the mark, and logs to a file of its own", async () => {
    const system = machineIn();
    const provider = new NetnsProcessProvider(system.machine);
    const { id, outs } = await provider.create(inputs);
    assert.equal(id, "a/lab/dev:web");
    assert.deepEqual(system.commands, ["start ip netns exec a /usr/bin/sleep 60"]);
    assert.equal(outs.logFile, `${LOG_ROOT}/lab%2Fdev%3Aweb.log`);
    const environ = system.files.get(`/proc/${outs.pid}/environ`)?.split("\0");
    assert.deepEqual(
      environ?.filter((e) => e !== ""),
      [
        "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        "GREETING=hi",
        `PULUMI_NETNS_OWNER=${owner}`,
      ],
    );
    assert.deepEqual((await provider.read(id, outs)).props, outs);
  });

  it("reads it gone when it died, and when its pid belongs to another process", async () => {
    const system = machineIn();
    const provider = new NetnsProcessProvider(system.machine);
    const { id, outs } = await provider.create(inputs);
    const stat = `/proc/${outs.pid}/stat`;
    const original = system.files.get(stat) as string;
    system.files.set(stat, original.replace(/ \d+ 0$/, " 999999 0"));
    assert.deepEqual(await provider.read(id, outs), {}, "same pid, another start time: not ours");
    system.files.set(stat, original.replace(") S ", ") Z "));
    assert.deepEqual(await provider.read(id, outs), {}, "a zombie has stopped");
    system.files.delete(stat);
    assert.deepEqual(await provider.read(id, outs), {});
  });

  it("reads it gone when its namespace was deleted under it, where it runs on unnamed", async () => {
    let where = "a";
    const system = new FakeSystem((argv) => (argv[2] === "identify" ? { stdout: `${where}\n` } : undefined));
    const provider = new NetnsProcessProvider(system.machine);
    const { id, outs } = await provider.create(inputs);
    assert.equal((await provider.read(id, outs)).id, id);
    where = "";
    assert.deepEqual(await provider.read(id, outs), {});
  });

  it("fails a create whose process exits at once, with its log, leaving nothing", async () => {
    const system = machineIn();
    const provider = new NetnsProcessProvider(system.machine);
    system.afterStart = (pid, log) => {
      system.files.set(log, 'Cannot open network namespace "a": No such file or directory\n');
      system.files.delete(`/proc/${pid}/stat`);
    };
    await assert.rejects(
      provider.create(inputs),
      /exited as it started\.\nThe end of its log \(.*\):\nCannot open network namespace "a"/,
    );
    assert.equal(system.files.has(`${LOG_ROOT}/lab%2Fdev%3Aweb.log`), false, "the log went with it");
    assert.deepEqual(running(system), []);
  });

  it("restarts on a new command, and keeps the process when only how it is stopped changes", async () => {
    const system = machineIn();
    const provider = new NetnsProcessProvider(system.machine);
    const { id, outs } = await provider.create(inputs);
    const kept = await provider.update(id, outs, { ...inputs, stopTimeout: 2 });
    assert.equal(kept.outs.pid, outs.pid);
    assert.deepEqual((await provider.diff(id, outs, { ...inputs, command: ["/usr/bin/sleep", "90"] })).replaces, []);
    const restarted = await provider.update(id, kept.outs, { ...inputs, command: ["/usr/bin/sleep", "90"] });
    assert.notEqual(restarted.outs.pid, outs.pid);
    assert.deepEqual(running(system), [restarted.outs.pid]);
    assert.deepEqual((await provider.diff(id, outs, { ...inputs, netns: "b" })).replaces, ["netns"]);
  });

  it("stops every marked process on delete, from the inputs alone as a sweep has them, with SIGKILL for one that stays", async () => {
    const system = machineIn();
    const provider = new NetnsProcessProvider(system.machine);
    const { id, outs } = await provider.create(inputs);
    // A child of it, which inherited the mark, and a process of someone else.
    const child = system.spawn(["/usr/bin/sleep", "1"], { PULUMI_NETNS_OWNER: owner });
    const other = system.spawn(["/usr/bin/sleep", "1"], { PULUMI_NETNS_OWNER: "x/y:z" });
    system.stubborn.add(child);
    const { pid: _pid, startTime: _startTime, logFile: _logFile, ...only } = outs as NetnsProcessState;
    await provider.delete(id, only);
    assert.deepEqual(running(system), [other]);
    assert.ok(system.calls.some((c) => c.join(" ") === `signal ${child} SIGKILL`));
    assert.ok(!system.calls.some((c) => c.join(" ").startsWith(`signal ${other}`)), "another's process is left alone");
    assert.equal(system.files.has(outs.logFile), false);
  });
});
