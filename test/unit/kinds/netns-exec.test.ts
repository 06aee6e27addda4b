import assert from "node:assert/strict";
import { describe, it } from "node:test";
import NetnsExecProvider, { type NetnsExecState } from "../../../provider/kinds/netns-exec.js";
import { FakeSystem, failure } from "../../support/fake-system.js";

/** A fake where every command succeeds printing its last word, but those named in `failing`, and the namespace is there. */
function fake(failing: string[] = []) {
  const system = new FakeSystem((argv) => {
    if (argv.includes("show")) return { stdout: "[]" };
    const word = argv[argv.length - 1] as string;
    if (failing.includes(word)) return { exitCode: 2, stdout: "", stderr: `${word}: it went wrong\n` };
    return { stdout: `${word}\n` };
  });
  system.executables.add("/usr/sbin/ip");
  system.executables.add("/usr/sbin/sysctl");
  return system;
}

/** The commands the fake ran, each as run: under `ip netns exec` and `timeout`. */
const ran = (system: FakeSystem) => system.commands.filter((c) => c.includes(" exec "));

const inputs = {
  netns: "a",
  commands: [
    ["ip", "link", "set", "dev", "lo", "up"],
    ["sysctl", "-w", "net.ipv4.ip_ttl=32"],
  ],
  timeout: 30,
};

describe("NetnsExec", () => {
  it("checks its commands as argv lists and looks for each program, with a timeout by default", async () => {
    const provider = new NetnsExecProvider(fake().machine);
    assert.deepEqual((await provider.check({}, { netns: "a", commands: inputs.commands })).inputs, inputs);
    const refused = async (news: Record<string, unknown>) =>
      (await provider.check({}, news)).failures?.map((f) => `${f.property}: ${f.reason}`);
    assert.deepEqual(await refused({ netns: "a", commands: [["nosuchprogram", "x"]] }), [
      'commands.0: names no program on PATH (/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin); got "nosuchprogram"',
    ]);
    assert.deepEqual(await refused({ netns: "a", commands: ["ip link set lo up"] }), [
      'commands.0: must be a command as a list of strings (argv; no shell reads it), got "ip link set lo up"',
    ]);
    assert.deepEqual(await refused({ netns: "a", commands: [] }), ["commands: must hold at least one command; got []"]);
    assert.match((await refused({ commands: inputs.commands }))?.[0] ?? "", /^netns: must name a namespace/);
  });

  it("runs every command in order in its namespace, each bounded by its timeout, and keeps what each printed", async () => {
    const system = fake();
    const { id, outs } = await new NetnsExecProvider(system.machine).create(inputs);
    assert.equal(id, "a/exec");
    assert.deepEqual(ran(system), [
      "ip netns exec a timeout 30 ip link set dev lo up",
      "ip netns exec a timeout 30 sysctl -w net.ipv4.ip_ttl=32",
    ]);
    assert.deepEqual(outs.outputs, ["up", "net.ipv4.ip_ttl=32"]);
  });

  it("fails at the first command that fails, with all it printed, and runs none after it", async () => {
    const system = fake(["net.ipv4.ip_ttl=32"]);
    await assert.rejects(
      new NetnsExecProvider(system.machine).create({ ...inputs, commands: [...inputs.commands, ["ip", "-V"]] }),
      (e: Error) => {
        assert.equal(
          e.message,
          'NetnsExec in namespace "a": commands[1] ("sysctl" "-w" "net.ipv4.ip_ttl=32") failed with exit code 2:\n' +
            "net.ipv4.ip_ttl=32: it went wrong\ncommands[0] ran before it. The next `up` runs the commands from commands[0] on again.",
        );
        return true;
      },
    );
    assert.equal(ran(system).length, 2, "the third command did not run");
  });

  it("runs again from the first command that changed, and replaces only for another namespace", async () => {
    const provider = new NetnsExecProvider(fake().machine);
    const olds: NetnsExecState = { ...inputs, outputs: ["up", "net.ipv4.ip_ttl=32"] };
    const news = { ...inputs, commands: [inputs.commands[0] as string[], ["sysctl", "-w", "net.ipv4.ip_ttl=40"]] };
    assert.deepEqual(await provider.diff("a/exec", olds, news), { changes: true, replaces: [] });
    assert.deepEqual(await provider.diff("a/exec", olds, { ...inputs }), { changes: false, replaces: [] });
    assert.deepEqual((await provider.diff("a/exec", olds, { ...inputs, netns: "b" })).replaces, ["netns"]);
    const system = fake();
    const { outs } = await new NetnsExecProvider(system.machine).update("a/exec", olds, news);
    assert.deepEqual(ran(system), ["ip netns exec a timeout 30 sysctl -w net.ipv4.ip_ttl=40"]);
    assert.deepEqual(outs.outputs, ["up", "net.ipv4.ip_ttl=40"]);
  });

  it("is gone when its namespace is, and has nothing to undo on delete", async () => {
    const state: NetnsExecState = { ...inputs, outputs: ["", ""] };
    const gone = new FakeSystem(() => failure('Cannot open network namespace "a": No such file or directory'));
    assert.deepEqual(await new NetnsExecProvider(gone.machine).read("a/exec", state), {});
    const there = fake();
    const read = await new NetnsExecProvider(there.machine).read("a/exec", state);
    assert.deepEqual(read.inputs, inputs);
    await new NetnsExecProvider(there.machine).delete();
    assert.deepEqual(ran(there), []);
  });
});
