import assert from "node:assert/strict";
import { describe, it } from "node:test";
import SysctlProvider from "../../../provider/kinds/sysctl.js";
import { FakeSystem, failure, fakeMachine } from "../../support/fake-system.js";

const path = "/proc/sys/net/ipv4/ip_forward";

describe("Sysctl check", () => {
  const provider = new SysctlProvider(fakeMachine());
  it("takes a whole number as its text, and folds white space", async () => {
    assert.deepEqual((await provider.check({}, { key: "net.ipv4.ip_forward", value: 1 })).inputs, {
      key: "net.ipv4.ip_forward",
      value: "1",
    });
    assert.equal(
      (await provider.check({}, { key: "net.ipv4.tcp_rmem", value: " 4096\t87380  6291456 " })).inputs?.value,
      "4096 87380 6291456",
    );
  });
  const bad: Array<[Record<string, unknown>, string, RegExp]> = [
    [{ key: "net/ipv4/ip_forward" }, "key", /only ASCII letters/],
    [{ key: "net.ipv4..ip_forward" }, "key", /empty segments/],
    [{ key: ".net.ipv4" }, "key", /empty segments/],
    [{ key: "net" }, "key", /at least two/],
    [{ key: "net.ipv4.conf.../x" }, "key", /empty segments|only ASCII/],
    [{ key: "kernel.hostname", netns: "a" }, "key", /must start with "net\." when netns is set/],
    [{ value: "1\n0" }, "value", /one line/],
    [{ value: "1\u00000" }, "value", /one line/],
    [{ value: "" }, "value", /must not be empty/],
    [{ value: 1.5 }, "value", /must be a string, got 1\.5/],
    [{ value: true }, "value", /must be a string, got true/],
  ];
  for (const [override, property, why] of bad) {
    it(`refuses ${JSON.stringify(override)}`, async () => {
      const result = await provider.check({}, { key: "net.ipv4.ip_forward", value: "1", ...override });
      assert.equal(result.failures?.[0]?.property, property);
      assert.match(result.failures?.[0]?.reason ?? "", why);
    });
  }
});

describe("Sysctl in the root namespace (fake /proc/sys)", () => {
  it("records the old value, writes, verifies, and restores it on delete", async () => {
    const runner = new FakeSystem();
    runner.files.set(path, "0\n");
    const provider = new SysctlProvider(runner.machine);
    const { outs } = await provider.create({ key: "net.ipv4.ip_forward", value: "1" });
    assert.deepEqual(outs, { key: "net.ipv4.ip_forward", value: "1", previous: "0" });
    assert.equal(runner.files.get(path), "1");
    await provider.delete("id", outs);
    assert.equal(runner.files.get(path), "0");
  });

  it("takes the value a killed run recorded, but not a record it left empty", async () => {
    const record = "/run/pulumi-netns/sysctl/@root/net.ipv4.ip_forward/lab%2Fdev%3Afwd";
    for (const [left, previous] of [
      ["0", "0"],
      ["", "1"],
    ]) {
      const runner = new FakeSystem();
      runner.files.set(path, "1");
      runner.files.set(record, left as string);
      const inputs = { key: "net.ipv4.ip_forward", value: "2", owner: "lab/dev:fwd" };
      const { outs } = await new SysctlProvider(runner.machine).create(inputs);
      assert.equal(outs.previous, previous, `a record holding ${JSON.stringify(left)}`);
    }
  });

  it("restores the journal's value when only the inputs are known (a sweep)", async () => {
    const runner = new FakeSystem();
    runner.files.set(path, "0");
    const inputs = { key: "net.ipv4.ip_forward", value: "1", owner: "lab/dev:fwd" };
    await new SysctlProvider(runner.machine).create(inputs);
    await new SysctlProvider(runner.machine).delete("/net.ipv4.ip_forward", inputs);
    assert.equal(runner.files.get(path), "0");
  });

  it("fails on a key that does not exist, writing nothing", async () => {
    const runner = new FakeSystem();
    await assert.rejects(
      new SysctlProvider(runner.machine).create({ key: "net.ipv4.nope", value: "1" }),
      /does not exist \(no \/proc\/sys\/net\/ipv4\/nope\)/,
    );
    assert.equal(
      runner.calls.some((c) => c[0] === "writeFile"),
      false,
    );
  });

  it("puts the old value back when the kernel keeps another", async () => {
    const runner = new FakeSystem();
    runner.files.set(path, "0");
    runner.keeps = (_path, written) => (written === "7" ? "1" : written);
    await assert.rejects(
      new SysctlProvider(runner.machine).create({ key: "net.ipv4.ip_forward", value: "7" }),
      /reads back "1"/,
    );
    assert.equal(runner.files.get(path), "0");
  });
});

describe("Sysctl in a namespace", () => {
  it("reads with cat and writes with tee inside it", async () => {
    const runner = new FakeSystem((argv) => (argv.includes("cat") ? { stdout: "0\n" } : undefined));
    await new SysctlProvider(runner.machine).update(
      "id",
      { key: "net.ipv4.ip_forward", value: "0", netns: "a", previous: "0" },
      { key: "net.ipv4.ip_forward", value: "1", netns: "a" },
    );
    assert.deepEqual(runner.commands, ["ip netns exec a tee /proc/sys/net/ipv4/ip_forward"]);
    assert.deepEqual(runner.inputs, ["1"]);
  });

  it("puts the value back with one write on delete, and none when there is nothing to put back", async () => {
    const runner = new FakeSystem();
    const provider = new SysctlProvider(runner.machine);
    await provider.delete("id", { key: "net.ipv4.ip_forward", value: "1", netns: "a", previous: "0" });
    assert.deepEqual(runner.commands, ["ip netns exec a tee /proc/sys/net/ipv4/ip_forward"]);
    assert.deepEqual(runner.inputs, ["0"]);
    const unowned = new FakeSystem();
    await new SysctlProvider(unowned.machine).delete("id", { key: "net.ipv4.ip_forward", value: "1", netns: "a" });
    assert.deepEqual(unowned.commands, []);
  });

  it("reads a vanished namespace as gone and deletes without complaint", async () => {
    const runner = new FakeSystem(() => failure('Cannot open network namespace "a": No such file or directory'));
    const props = { key: "net.ipv4.ip_forward", value: "1", netns: "a", previous: "0" };
    assert.deepEqual(await new SysctlProvider(runner.machine).read("id", props), {});
    await new SysctlProvider(runner.machine).delete("id", props);
  });
});
