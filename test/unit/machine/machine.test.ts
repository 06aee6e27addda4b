import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { type Exit, isFailure, isIpError } from "../../../provider/errors.js";
import { Machine, type System } from "../../../provider/machine/machine.js";
import { FakeSystem, failure } from "../../support/fake-system.js";

describe("a namespace's commands", () => {
  it("run as ip -n NAME …, and in the root namespace as plain ip …", async () => {
    const system = new FakeSystem();
    await system.machine.netns("a").change(["link", "set", "dev", "lo", "up"]);
    await system.machine.netns(undefined).read(["-json", "link", "show"]);
    assert.deepEqual(system.commands, ["ip -n a link set dev lo up", "ip -json link show"]);
  });

  it("retry a transient failure with a bounded backoff, then succeed", async () => {
    let calls = 0;
    const system = new FakeSystem(() =>
      ++calls < 3 ? failure("Cannot remove namespace file: Device or resource busy") : { stdout: "ok" },
    );
    assert.equal(await system.machine.netns(undefined).change(["netns", "delete", "a"]), "ok");
    assert.equal(calls, 3);
  });

  it("give up after six tries and report the kernel's words", async () => {
    const system = new FakeSystem(() => failure("Dump was interrupted and may be inconsistent."));
    const started = Date.now();
    await assert.rejects(
      system.machine.netns("a").read(["-json", "link", "show"]),
      (e: unknown) => isIpError(e) && e.reason === "transient" && /ip -n a -json link show/.test(e.message),
    );
    assert.equal(system.calls.length, 6);
    assert.ok(Date.now() - started < 2000, "bounded: under two seconds");
  });

  it("do not retry other failures", async () => {
    const system = new FakeSystem(() => failure('Cannot find device "x"'));
    await assert.rejects(system.machine.netns(undefined).change(["link", "show", "dev", "x"]));
    assert.equal(system.calls.length, 1);
  });

  it("say to install iproute2 when ip cannot start", async () => {
    const system = new FakeSystem(() => ({ exitCode: undefined, stderr: "spawn ip ENOENT" }));
    await assert.rejects(
      system.machine.netns(undefined).change(["netns", "add", "a"]),
      (e: unknown) => isFailure(e, "ip-missing") && /Could not run `ip` \(spawn ip ENOENT\)/.test(e.message),
    );
  });

  it("are one handle per namespace", () => {
    const machine = new FakeSystem().machine;
    assert.equal(machine.netns("a"), machine.netns("a"));
    assert.equal(machine.netns(undefined), machine.netns(undefined));
    assert.notEqual(machine.netns("a"), machine.netns(undefined));
  });
});

describe("shared reads", () => {
  const lines = (stdout: string) => stdout.split("\n");

  it("run once per namespace for everyone who asks, until a change", async () => {
    const system = new FakeSystem((argv) => ({ stdout: argv.join(" ") }));
    const { machine } = system;
    const reads = await Promise.all([
      machine.netns("a").shared(["-json", "address", "show"], lines),
      machine.netns("a").shared(["-json", "address", "show"], lines),
      machine.netns("b").shared(["-json", "address", "show"], lines),
    ]);
    await machine.netns("a").shared(["-json", "address", "show"], lines);
    assert.deepEqual(reads[0], ["ip -n a -json address show"]);
    assert.equal(reads[0], reads[1], "the same parsed answer");
    assert.equal(system.commands.length, 2, "one per namespace");

    await machine.netns("a").change(["address", "add", "10.0.0.1/24", "dev", "v"]);
    await machine.netns("a").shared(["-json", "address", "show"], lines);
    await machine.netns("b").shared(["-json", "address", "show"], lines);
    assert.deepEqual(system.commands.slice(2), [
      "ip -n a address add 10.0.0.1/24 dev v",
      "ip -n a -json address show",
      "ip -n b -json address show",
    ]);
  });

  it("are forgotten in every namespace after a change in one (a veth end may have been sent there)", async () => {
    const system = new FakeSystem((argv) => ({ stdout: argv.join(" ") }));
    const { machine } = system;
    await machine.netns("b").shared(["-json", "address", "show"], String);
    await machine.netns("a").change(["link", "add", "va", "type", "veth", "peer", "name", "vb", "netns", "b"]);
    await machine.netns("b").shared(["-json", "address", "show"], String);
    assert.equal(system.commands.filter((c) => c === "ip -n b -json address show").length, 2);
  });

  it("are forgotten after a write of a file (a sysctl can take addresses away)", async () => {
    const system = new FakeSystem((argv) => ({ stdout: argv.join(" ") }));
    system.files.set("/proc/sys/net/ipv6/conf/all/disable_ipv6", "0");
    const root = system.machine.netns(undefined);
    await root.shared(["-json", "address", "show"], String);
    await root.writeFile("/proc/sys/net/ipv6/conf/all/disable_ipv6", "1");
    await root.shared(["-json", "address", "show"], String);
    assert.equal(system.commands.length, 2);
  });

  it("are not shared between two machines (two pulumi commands)", async () => {
    const system = new FakeSystem((argv) => ({ stdout: argv.join(" ") }));
    await system.machine.netns("a").shared(["address", "show"], String);
    await new Machine(system).netns("a").shared(["address", "show"], String);
    assert.equal(system.commands.length, 2);
  });

  it("never hand a read that began before a change ended to one that begins after it", async () => {
    // A kernel whose first read and whose change each hang until released, so reads overlap them.
    const gates: Record<string, () => void> = {};
    const hold = (name: string) => new Promise<void>((resolve) => (gates[name] = resolve));
    let reads = 0;
    const system: System = {
      async run(argv: readonly string[]): Promise<Exit> {
        if (!argv.includes("show")) {
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
      listFiles: async () => [],
      ...notUsed,
    };
    const root = new Machine(system).netns(undefined);
    const tick = () => new Promise((resolve) => setImmediate(resolve));
    const before = root.shared(["address", "show"], String);
    await tick();
    const change = root.change(["link", "set", "dev", "v", "up"]);
    await tick();
    const during = root.shared(["address", "show"], String);
    await tick();
    gates.change?.();
    await change;
    const after = root.shared(["address", "show"], String);
    gates["first read"]?.();
    assert.deepEqual(await Promise.all([before, during, after]), ["read 1", "read 2", "read 3"]);
  });

  it("share a failure too, without running the read again", async () => {
    const system = new FakeSystem(() => failure('Cannot open network namespace "a": No such file or directory'));
    for (let i = 0; i < 3; i++) {
      await assert.rejects(
        system.machine.netns("a").shared(["address", "show"], String),
        (e: unknown) => isIpError(e) && e.reason === "not-found",
      );
    }
    assert.equal(system.calls.length, 1);
  });
});

describe("a namespace's files", () => {
  it("are the host's own in the root namespace", async () => {
    const system = new FakeSystem();
    system.files.set("/proc/sys/net/ipv4/ip_forward", "0");
    const root = system.machine.netns(undefined);
    assert.equal(await root.readFile("/proc/sys/net/ipv4/ip_forward"), "0");
    await root.writeFile("/proc/sys/net/ipv4/ip_forward", "1");
    assert.equal(system.files.get("/proc/sys/net/ipv4/ip_forward"), "1");
    assert.deepEqual(system.commands, []);
  });

  it("are read with cat and written with tee under ip netns exec in a named namespace", async () => {
    const system = new FakeSystem((argv) => (argv.includes("cat") ? { stdout: "0" } : undefined));
    const a = system.machine.netns("a");
    assert.equal(await a.readFile("/proc/sys/net/ipv4/ip_forward"), "0");
    await a.writeFile("/proc/sys/net/ipv4/ip_forward", "1");
    assert.deepEqual(system.commands, [
      "ip netns exec a cat /proc/sys/net/ipv4/ip_forward",
      "ip netns exec a tee /proc/sys/net/ipv4/ip_forward",
    ]);
    assert.deepEqual(system.inputs, ["1"]);
  });

  it("fail classified like ip's: a missing file is not-found, in either kind of namespace", async () => {
    const system = new FakeSystem(() => failure("cat: /proc/sys/net/nope: No such file or directory"));
    for (const netns of [undefined, "a"]) {
      await assert.rejects(system.machine.netns(netns).readFile("/proc/sys/net/nope"), (e: unknown) =>
        isFailure(e, "not-found"),
      );
    }
  });

  it("say that root is needed when the host refuses a write", async () => {
    const refusing: System = {
      run: async () => ({ exitCode: 0, stdout: "", stderr: "" }),
      readFile: async () => "0",
      writeFile: async (path) => {
        throw Object.assign(new Error(`EACCES: permission denied, open '${path}'`), { code: "EACCES" });
      },
      removeFile: async () => {},
      listFiles: async () => [],
      ...notUsed,
    };
    await assert.rejects(
      new Machine(refusing).netns(undefined).writeFile("/proc/sys/net/ipv4/ip_forward", "1"),
      (e: unknown) =>
        isFailure(e, "permission-denied") &&
        /Could not write "1" to \/proc\/sys\/net\/ipv4\/ip_forward: EACCES.*need root/.test(e.message),
    );
  });
});

/** The parts of a System these tests never reach. */
const notUsed: Pick<System, "listFolders" | "replaceFile" | "pathKind"> = {
  listFolders: async () => [],
  replaceFile: async () => {},
  pathKind: async () => undefined,
};
