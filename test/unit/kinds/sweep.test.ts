import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { providerFor } from "../../../provider/kinds/index.js";
import { sweep } from "../../../provider/kinds/sweep.js";
import { madeBy, noteMade } from "../../../provider/records/ledger.js";
import { FakeSystem, failure } from "../../support/fake-system.js";

const FORWARD = "/proc/sys/net/ipv4/ip_forward";

/**
 * A kernel that knows which namespaces exist and the alias of each one's lo, and one sysctl. A name
 * in `bare` has its file under /run/netns but no namespace on it, as a killed `ip netns add` leaves
 * it; one in `stuck` cannot be deleted.
 */
function fakeKernel({ bare = new Set<string>(), stuck = new Set<string>() } = {}): FakeSystem {
  const namespaces = new Map<string, string | undefined>();
  const system = new FakeSystem((argv) => {
    const [, first, second, third] = argv;
    if (first === "netns" && second === "add") {
      if (namespaces.has(third as string) || bare.has(third as string))
        return failure(`Cannot create namespace file "/run/netns/${third}": File exists`);
      namespaces.set(third as string, undefined);
      return undefined;
    }
    if (first === "netns" && second === "delete") {
      if (stuck.has(third as string)) return failure("Something the kernel will not say");
      if (!namespaces.delete(third as string) && !bare.delete(third as string))
        return failure(`Cannot remove namespace file "/run/netns/${third}": No such file or directory`);
      return undefined;
    }
    if (first === "-n") {
      const name = second as string;
      if (bare.has(name)) return failure(`setting the network namespace "${name}" failed: Invalid argument`, 255);
      if (!namespaces.has(name))
        return failure(`Cannot open network namespace "${name}": No such file or directory`, 255);
      const alias = argv.indexOf("alias");
      if (alias > 0) namespaces.set(name, argv[alias + 1]);
      if (argv.includes("show")) {
        const ifalias = namespaces.get(name);
        return {
          stdout: JSON.stringify([
            { ifindex: 1, ifname: "lo", flags: ["UP"], mtu: 65536, ...(ifalias ? { ifalias } : {}) },
          ]),
        };
      }
    }
    return undefined;
  });
  system.files.set(FORWARD, "0");
  return system;
}

const owner = (name: string) => `lab/dev:${name}`;

describe("the ledger", () => {
  it("holds what a stack made from its create until its delete", async () => {
    const kernel = fakeKernel();
    const namespaces = providerFor("NetNamespace", kernel.machine);
    const inputs = { name: "a", loopbackUp: true, owner: owner("a") };
    await namespaces.create(inputs);
    assert.deepEqual(await madeBy(kernel.machine, "lab/dev"), [{ kind: "NetNamespace", id: "a", inputs }]);
    await namespaces.delete("a", inputs);
    assert.deepEqual(await madeBy(kernel.machine, "lab/dev"), []);
  });

  it("forgets a create that failed, and records nothing without an owner", async () => {
    const kernel = fakeKernel();
    const namespaces = providerFor("NetNamespace", kernel.machine);
    await namespaces.create({ name: "taken", loopbackUp: true });
    await assert.rejects(namespaces.create({ name: "taken", loopbackUp: true, owner: owner("b") }), /already exists/);
    assert.deepEqual(await madeBy(kernel.machine, "lab/dev"), []);
    assert.deepEqual([...kernel.files.keys()], [FORWARD], "no record, no note left");
  });
  it("forgets what a refresh finds gone, which the engine then drops without a delete", async () => {
    const kernel = fakeKernel();
    const inputs = { name: "a", loopbackUp: true, owner: owner("a") };
    await providerFor("NetNamespace", kernel.machine).create(inputs);
    await kernel.run(["ip", "netns", "delete", "a"]);
    const next = new FakeSystem(() => failure('Cannot open network namespace "a": No such file or directory', 255));
    for (const [path, text] of kernel.files) next.files.set(path, text);
    assert.deepEqual(await providerFor("NetNamespace", next.machine).read("a", inputs), {});
    assert.deepEqual(await madeBy(next.machine, "lab/dev"), []);
  });

  it("keeps the record of a process found gone while its log is there, for the sweep to remove", async () => {
    const system = new FakeSystem((argv) => (argv[2] === "identify" ? { stdout: "a\n" } : undefined));
    const processes = providerFor("NetnsProcess", system.machine);
    const inputs = {
      command: ["/usr/bin/sleep", "60"],
      netns: "a",
      readyTimeout: 10,
      stopTimeout: 1,
      owner: owner("web"),
    };
    const { id, outs } = await processes.create(inputs);
    system.files.delete(`/proc/${outs.pid}/stat`); // it ended
    assert.deepEqual(await processes.read(id, outs), {});
    assert.ok(system.files.has(outs.logFile), "its log stays, to be read");
    assert.deepEqual(
      (await madeBy(system.machine, "lab/dev")).map((m) => m.id),
      [id],
    );
    // The engine dropped it; the program no longer declares it: the sweep removes what it left.
    const { deleted } = await sweep(system.machine, "lab/dev", []);
    assert.deepEqual(
      deleted.map((m) => m.id),
      [id],
    );
    assert.equal(system.files.has(outs.logFile), false);
    assert.deepEqual(await madeBy(system.machine, "lab/dev"), []);
  });
});

describe("the sweep", () => {
  it("deletes what the stack made that its state does not hold, and nothing else", async () => {
    const kernel = fakeKernel();
    const { machine } = kernel;
    await providerFor("NetNamespace", machine).create({ name: "kept", loopbackUp: true, owner: owner("kept") });
    await providerFor("NetNamespace", machine).create({ name: "gone", loopbackUp: true, owner: owner("gone") });
    await providerFor("Sysctl", machine).create({ key: "net.ipv4.ip_forward", value: "1", owner: owner("fwd") });
    // Another stack's namespace, and one nobody's stack made.
    await providerFor("NetNamespace", machine).create({ name: "theirs", loopbackUp: true, owner: "lab/prod:x" });
    await providerFor("NetNamespace", machine).create({ name: "foreign", loopbackUp: true });
    const before = kernel.commands.length;

    // What a run killed while writing a record leaves: the file, empty.
    const folder = "/run/pulumi-netns/made/lab%2Fdev";
    kernel.files.set(`${folder}/unwritten.json`, "");

    const { deleted, failed } = await sweep(machine, "lab/dev", [{ kind: "NetNamespace", id: "kept" }]);
    assert.equal(kernel.files.has(`${folder}/unwritten.json`), false, "the unwritten record is gone");

    assert.deepEqual(failed, []);
    assert.deepEqual(deleted.map((m) => `${m.kind} ${m.id}`).sort(), [
      "NetNamespace gone",
      "Sysctl /net.ipv4.ip_forward",
    ]);
    assert.ok(kernel.commands.slice(before).includes("ip netns delete gone"));
    assert.ok(!kernel.commands.some((c) => /netns delete (kept|theirs|foreign)/.test(c)));
    assert.equal(kernel.files.get(FORWARD), "0", "the sysctl is back to the machine's own value");
    assert.deepEqual(
      (await madeBy(machine, "lab/dev")).map((m) => m.id),
      ["kept"],
    );
    assert.equal((await madeBy(machine, "lab/prod")).length, 1, "another stack's ledger is left alone");
  });

  it("goes on past an object it cannot delete, which stays in the ledger, and says why", async () => {
    const kernel = fakeKernel({ stuck: new Set(["a"]) });
    const { machine } = kernel;
    for (const name of ["a", "b"])
      await providerFor("NetNamespace", machine).create({ name, loopbackUp: true, owner: owner(name) });

    const { deleted, failed } = await sweep(machine, "lab/dev", []);

    assert.deepEqual(
      deleted.map((m) => m.id),
      ["b"],
    );
    assert.deepEqual(
      failed.map(({ made }) => made.id),
      ["a"],
    );
    assert.match(String(failed[0]?.error), /ip netns delete a\nSomething the kernel will not say/);
    assert.deepEqual(
      (await madeBy(machine, "lab/dev")).map((m) => m.id),
      ["a"],
    );
  });

  it("forgets the note of a create cut short after its mark, with the namespace it deletes", async () => {
    const kernel = fakeKernel();
    const { machine } = kernel;
    const inputs = { name: "marked", loopbackUp: true, owner: owner("marked") };
    await kernel.run(["ip", "netns", "add", "marked"]);
    await kernel.run(["ip", "-n", "marked", "link", "set", "dev", "lo", "alias", `pulumi-netns:${owner("marked")}`]);
    kernel.files.set("/run/pulumi-netns/creating/netns/marked", `pulumi-netns:${owner("marked")}`);
    await noteMade(machine, { kind: "NetNamespace", id: "marked", inputs });

    await sweep(machine, "lab/dev", []);

    assert.ok(kernel.commands.includes("ip netns delete marked"));
    assert.deepEqual([...kernel.files.keys()], [FORWARD]);
  });

  it("deletes an unmarked namespace whose create by the stack was cut short, and forgets its note", async () => {
    const kernel = fakeKernel();
    const { machine } = kernel;
    const inputs = { name: "half", loopbackUp: true, owner: owner("half") };
    // What a run killed between `ip netns add` and the mark leaves: the namespace, the record, the note.
    await kernel.run(["ip", "netns", "add", "half"]);
    kernel.files.set("/run/pulumi-netns/creating/netns/half", `pulumi-netns:${owner("half")}`);
    await noteMade(machine, { kind: "NetNamespace", id: "half", inputs });

    await sweep(machine, "lab/dev", []);

    assert.ok(kernel.commands.includes("ip netns delete half"));
    assert.deepEqual([...kernel.files.keys()], [FORWARD]);
  });
});

describe("what a run killed inside `ip netns add` leaves: the name, no namespace on it", () => {
  const inputs = { name: "bare", loopbackUp: true, owner: owner("bare") };
  const note = "/run/pulumi-netns/creating/netns/bare";

  it("is made again by the next create of the stack whose note says it was making it", async () => {
    const kernel = fakeKernel({ bare: new Set(["bare"]) });
    kernel.files.set(note, `pulumi-netns:${owner("bare")}`);
    const before = kernel.commands.length;

    await providerFor("NetNamespace", kernel.machine).create(inputs);

    assert.deepEqual(kernel.commands.slice(before, before + 3), [
      "ip netns add bare",
      "ip -n bare -details -json address show",
      "ip netns delete bare",
    ]);
    assert.equal(kernel.commands.slice(before).filter((c) => c === "ip netns add bare").length, 2);
    assert.deepEqual((await providerFor("NetNamespace", kernel.machine).read("bare", inputs)).props, inputs);
    assert.equal(kernel.files.has(note), false, "the note is gone once the create is done");
  });

  it("is refused, and left, by a create with no note of its own", async () => {
    const kernel = fakeKernel({ bare: new Set(["bare"]) });
    await assert.rejects(providerFor("NetNamespace", kernel.machine).create(inputs), /already exists/);
    assert.ok(!kernel.commands.includes("ip netns delete bare"));
  });

  it("is deleted by the sweep, which forgets the note", async () => {
    const kernel = fakeKernel({ bare: new Set(["bare"]) });
    kernel.files.set(note, `pulumi-netns:${owner("bare")}`);
    await noteMade(kernel.machine, { kind: "NetNamespace", id: "bare", inputs });

    await sweep(kernel.machine, "lab/dev", []);

    assert.ok(kernel.commands.includes("ip netns delete bare"));
    assert.deepEqual([...kernel.files.keys()], [FORWARD]);
  });
});
