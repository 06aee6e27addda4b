import assert from "node:assert/strict";
import { describe, it } from "node:test";
import QdiscProvider, { type QdiscInputs } from "../../../provider/kinds/qdisc.js";
import { FakeSystem, failure, fakeMachine } from "../../support/fake-system.js";

/** A fake whose link `v0` has `root` as its root qdisc (JSON of `tc -json qdisc show`). */
function fake(root: string, put?: () => ReturnType<typeof failure> | undefined) {
  return new FakeSystem((argv) => {
    if (argv.includes("show")) return { stdout: root };
    if (argv.includes("replace")) return put?.();
    return undefined;
  });
}
const tbf = (rate: number) => `[{"kind":"tbf","root":true,"options":{"rate":${rate},"burst":4095,"lat":50000}}]`;
const NOQUEUE = '[{"kind":"noqueue","root":true,"options":{}}]';
const shaped: QdiscInputs = { device: "v0", netns: "a", rate: "20mbit" };

describe("Qdisc", () => {
  it("needs a rate or something netem does, and refuses what does not fit the kind", async () => {
    const provider = new QdiscProvider(fakeMachine());
    const failures = async (news: Record<string, unknown>) =>
      (await provider.check({}, news)).failures?.map((f) => `${f.property}: ${f.reason}`);
    assert.deepEqual((await provider.check({}, { device: "v0", rate: "10mbit" })).inputs, {
      device: "v0",
      rate: "10mbit",
    });
    assert.deepEqual(await failures({ device: "v0" }), [
      "rate: or one of delay, loss, duplicate and corrupt must be given",
    ]);
    assert.deepEqual(await failures({ device: "v0", jitter: "1ms", loss: "1%" }), [
      "jitter: varies the delay: give delay too",
    ]);
    assert.deepEqual(await failures({ device: "v0", delay: "10ms", burst: "32kb" }), [
      "burst: is tbf's, which a rate alone uses",
    ]);
    assert.match(
      (await failures({ device: "v0", rate: "10mb" }))?.[0] ?? "",
      /^rate: must be a rate in bits per second/,
    );
  });

  it("shapes a link whose root has its own qdisc, and refuses one shaped by anyone else", async () => {
    const system = fake(NOQUEUE);
    await new QdiscProvider(system.machine).create(shaped);
    assert.deepEqual(
      system.calls.map((argv) => argv.join(" ")),
      [
        "tc -n a -json qdisc show dev v0 root",
        "tc -n a qdisc replace dev v0 root tbf rate 20mbit burst 32kb latency 50ms",
      ],
    );
    const taken = fake(tbf(125_000));
    await assert.rejects(
      new QdiscProvider(taken.machine).create(shaped),
      /its root has a tbf qdisc already, which this stack did not put there; refusing to replace it\. Remove it yourself \(tc -n a qdisc del dev v0 root\)/,
    );
    assert.equal(taken.calls.length, 1, "nothing was changed");
    // The same shaping, left by a run of ours cut short: taken as it is.
    await new QdiscProvider(fake(tbf(2_500_000)).machine).create(shaped);
  });

  it("says a kernel without netem is one, naming what needs it", async () => {
    const system = fake(NOQUEUE, () => failure("Error: Specified qdisc kind is unknown.", 2));
    await assert.rejects(
      new QdiscProvider(system.machine).create({ device: "v0", netns: "a", delay: "10ms" }),
      /this kernel has no netem \(sch_netem\), which delay, jitter, loss, duplicate and corrupt need; .* Nothing was changed\./,
    );
  });

  it("reads a shaping removed or changed by hand as drift, and the link gone as gone", async () => {
    const provider = (root: string) => new QdiscProvider(fake(root).machine);
    assert.deepEqual((await provider(tbf(2_500_000)).read("id", shaped)).props, shaped);
    assert.deepEqual((await provider(NOQUEUE).read("id", shaped)).props, { device: "v0", netns: "a" });
    assert.deepEqual((await provider(tbf(125_000)).read("id", shaped)).props, { ...shaped, rate: "1000000bit" });
    const gone = new FakeSystem(() => failure('Cannot find device "v0"'));
    assert.deepEqual(await new QdiscProvider(gone.machine).read("id", shaped), {});
  });

  it("gives the link back its own qdisc on delete, only while the shaping is there", async () => {
    const system = fake(tbf(2_500_000));
    await new QdiscProvider(system.machine).delete("id", shaped);
    assert.equal(system.calls.at(-1)?.join(" "), "tc -n a qdisc del dev v0 root");
    const unshaped = fake(NOQUEUE);
    await new QdiscProvider(unshaped.machine).delete("id", shaped);
    assert.equal(unshaped.calls.length, 1, "only the read");
  });
});
