import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { JOURNAL_ROOT } from "../../../provider/records/journal.js";
import { forgetSweptOn, hostsOf, livingOn, noteOnHost } from "../../../provider/records/roster.js";
import { FakeSystem } from "../../support/fake-system.js";

const lab1 = { address: "lab1", configFile: "/labs/ssh_config" };
const lab2 = { address: "10.0.0.2", user: "lab", port: 2222 };
const owner = (name: string) => `lab/dev:${name}`;

describe("the roster of what a stack has on other hosts", () => {
  it("names each host the stack made something on, with every part the sweep needs to reach it", async () => {
    const { machine } = new FakeSystem();
    await noteOnHost(machine, lab1, "NetNamespace", "a", owner("a"));
    await noteOnHost(machine, lab1, "VethPair", "a/a0", owner("a0"));
    await noteOnHost(machine, lab2, "NetNamespace", "b", owner("b"));
    await noteOnHost(machine, lab2, "NetNamespace", "c", "other/dev:c");
    const hosts = await hostsOf(machine, "lab/dev");
    assert.deepEqual(hosts.map((h) => JSON.stringify(h)).sort(), [JSON.stringify(lab1), JSON.stringify(lab2)].sort());
    assert.deepEqual(await livingOn(machine, lab1, owner("x")), ["NetNamespace a", "VethPair a0"]);
    assert.deepEqual(await hostsOf(machine, "lab/prod"), []);
  });

  it("after a sweep of a host, keeps only the records of what the state holds there", async () => {
    const system = new FakeSystem();
    const { machine } = system;
    await noteOnHost(machine, lab1, "NetNamespace", "a", owner("a"));
    await noteOnHost(machine, lab1, "NetNamespace", "gone", owner("gone"));
    await noteOnHost(machine, lab2, "NetNamespace", "b", owner("b"));
    await forgetSweptOn(machine, "lab/dev", lab1, [{ kind: "NetNamespace", id: "a" }]);
    assert.deepEqual(await livingOn(machine, lab1, owner("x")), ["NetNamespace a"]);
    assert.deepEqual(await livingOn(machine, lab2, owner("x")), ["NetNamespace b"], "another host's are not touched");
    await forgetSweptOn(machine, "lab/dev", lab1, []);
    await forgetSweptOn(machine, "lab/dev", lab2, []);
    assert.deepEqual(
      [...system.files.keys()].filter((f) => f.startsWith(`${JOURNAL_ROOT}/hosts/`)),
      [],
      "nothing left of the stack",
    );
  });

  it("passes over a record a killed run left half written, which the sweep removes", async () => {
    const system = new FakeSystem();
    await noteOnHost(system.machine, lab1, "NetNamespace", "a", owner("a"));
    const [record] = [...system.files.keys()].filter((f) => f.startsWith(`${JOURNAL_ROOT}/hosts/`));
    system.files.set(record as string, '{"kind":"NetNam');
    assert.deepEqual(await hostsOf(system.machine, "lab/dev"), []);
    assert.deepEqual(await livingOn(system.machine, lab1, owner("x")), []);
    await forgetSweptOn(system.machine, "lab/dev", lab1, []);
    assert.equal(system.files.has(record as string), false, "the sweep of the host removes it");
  });
});
