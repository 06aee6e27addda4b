import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { providerFor } from "../../../provider/kinds/index.js";
import { madeBy } from "../../../provider/records/ledger.js";
import { FakeSystem } from "../../support/fake-system.js";

describe("the provider as the engine calls it", () => {
  it("keeps the owner an object was made by through an update, as a renamed (aliased) resource needs", async () => {
    const system = new FakeSystem();
    const olds = { name: "a", loopbackUp: true, owner: "lab/dev:star-left" };
    const news = { name: "a", loopbackUp: false, owner: "lab/dev:lab-left" };
    const { outs } = await providerFor("NetNamespace", system.machine).update("a", olds, news);
    assert.deepEqual(outs, { name: "a", loopbackUp: false, owner: "lab/dev:star-left" });
    assert.deepEqual(system.calls, [["ip", "-n", "a", "link", "set", "dev", "lo", "down"]]);
  });

  it("keeps no ledger record of a check, which makes nothing to sweep", async () => {
    const system = new FakeSystem((argv) =>
      argv.includes("ping") ? { stdout: "64 bytes from 10.1.10.1: icmp_seq=1 ttl=64 time=0.05 ms\n" } : undefined,
    );
    const check = { address: "10.1.10.1", netns: "a", expect: "reachable", protocol: "icmp", tries: 1, timeout: 1 };
    const { outs } = await providerFor("Reachability", system.machine).create({ ...check, owner: "lab/dev:check" });
    await providerFor("Reachability", system.machine).delete("id", outs);
    assert.deepEqual(
      system.calls.filter(([first]) => first !== "ip"),
      [],
      "no file written or removed, only the probe run",
    );
    assert.deepEqual(await madeBy(system.machine, "lab/dev"), []);
  });

  it("leaves a resource made before owners existed without one", async () => {
    const system = new FakeSystem();
    const { outs } = await providerFor("NetNamespace", system.machine).update(
      "a",
      { name: "a", loopbackUp: true },
      { name: "a", loopbackUp: false, owner: "lab/dev:lab-left" },
    );
    assert.deepEqual(outs, { name: "a", loopbackUp: false });
  });
});
