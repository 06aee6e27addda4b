import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { isIpError } from "../../../provider/errors.js";
import { UNKNOWN } from "../../../provider/kinds/base/inputs.js";
import NetNamespaceProvider from "../../../provider/kinds/net-namespace.js";
import { FakeSystem, failure, fakeMachine } from "../../support/fake-system.js";

const loUp = JSON.stringify([{ ifindex: 1, ifname: "lo", flags: ["LOOPBACK", "UP", "LOWER_UP"], mtu: 65536 }]);
const loDown = JSON.stringify([{ ifindex: 1, ifname: "lo", flags: ["LOOPBACK"], mtu: 65536 }]);

describe("NetNamespace check", () => {
  const provider = new NetNamespaceProvider(fakeMachine());

  it("fills in loopbackUp = true", async () => {
    const result = await provider.check({}, { name: "lab0" });
    assert.deepEqual(result, { inputs: { name: "lab0", loopbackUp: true } });
  });

  it("keeps an explicit loopbackUp = false", async () => {
    const result = await provider.check({}, { name: "lab0", loopbackUp: false });
    assert.deepEqual(result.inputs, { name: "lab0", loopbackUp: false });
  });

  const bad: Array<[string, unknown, RegExp]> = [
    ["empty", "", /must not be empty/],
    ["a leading dash", "-n", /must not start with "-"/],
    ["a slash", "a/b", /only ASCII letters/],
    ["dot", ".", /must not be "\." or "\.\."/],
    ["dot-dot", "..", /must not be "\." or "\.\."/],
    ["a NUL byte", "a\u0000b", /only ASCII letters/],
    ["over 255 bytes", "n".repeat(256), /at most 255 bytes/],
    ["a number", 7, /must be a string, got 7/],
    ["nothing", undefined, /must be a string, got nothing/],
  ];
  for (const [what, name, message] of bad) {
    it(`refuses a name with ${what}, naming the property and the value`, async () => {
      const result = await provider.check({}, { name });
      assert.equal(result.inputs, undefined);
      assert.equal(result.failures?.length, 1);
      assert.equal(result.failures?.[0]?.property, "name");
      assert.match(result.failures?.[0]?.reason ?? "", message);
    });
  }

  it("reports every bad property at once", async () => {
    const result = await provider.check({}, { name: "", loopbackUp: "yes" });
    assert.deepEqual(result.failures?.map((f) => f.property).sort(), ["loopbackUp", "name"]);
  });

  it("lets a value not known yet through, unchecked", async () => {
    const result = await provider.check({}, { name: UNKNOWN });
    assert.deepEqual(result.inputs, { name: UNKNOWN, loopbackUp: true });
  });
});

describe("NetNamespace diff", () => {
  const provider = new NetNamespaceProvider(fakeMachine());
  it("sees no change when nothing changed", async () => {
    const result = await provider.diff("a", { name: "a", loopbackUp: true }, { name: "a", loopbackUp: true });
    assert.deepEqual(result, { changes: false, replaces: [] });
  });
  it("updates loopbackUp in place", async () => {
    const result = await provider.diff("a", { name: "a", loopbackUp: true }, { name: "a", loopbackUp: false });
    assert.deepEqual(result, { changes: true, replaces: [] });
  });
  it("replaces on a new name", async () => {
    const result = await provider.diff("a", { name: "a", loopbackUp: true }, { name: "b", loopbackUp: true });
    assert.deepEqual(result, { changes: true, replaces: ["name"] });
  });
});

describe("NetNamespace create", () => {
  it("adds the namespace and brings lo up", async () => {
    const runner = new FakeSystem();
    const result = await new NetNamespaceProvider(runner.machine).create({ name: "lab0", loopbackUp: true });
    assert.deepEqual(runner.commands, ["ip netns add lab0", "ip -n lab0 link set dev lo up"]);
    assert.deepEqual(result, { id: "lab0", outs: { name: "lab0", loopbackUp: true } });
  });

  it("leaves lo down when asked", async () => {
    const runner = new FakeSystem();
    await new NetNamespaceProvider(runner.machine).create({ name: "lab0", loopbackUp: false });
    assert.deepEqual(runner.commands, ["ip netns add lab0"]);
  });

  it("refuses a namespace that exists already and touches nothing", async () => {
    const runner = new FakeSystem((argv) =>
      argv[2] === "add" ? failure('Cannot create namespace file "/run/netns/lab0": File exists') : undefined,
    );
    await assert.rejects(
      new NetNamespaceProvider(runner.machine).create({ name: "lab0", loopbackUp: true }),
      (e: Error) => {
        assert.match(e.message, /"lab0" already exists and this stack did not create it/);
        assert.match(e.message, /Remove it yourself \(ip netns delete lab0\)/);
        assert.match(e.message, /File exists/);
        return true;
      },
    );
    assert.deepEqual(runner.commands, ["ip netns add lab0"]);
  });

  it("removes the namespace again when lo cannot be brought up", async () => {
    const runner = new FakeSystem((argv) =>
      argv.includes("lo") ? failure("RTNETLINK answers: Invalid argument", 2) : undefined,
    );
    await assert.rejects(
      new NetNamespaceProvider(runner.machine).create({ name: "lab0", loopbackUp: true }),
      /Invalid argument/,
    );
    assert.deepEqual(runner.commands, ["ip netns add lab0", "ip -n lab0 link set dev lo up", "ip netns delete lab0"]);
  });

  it("says that root is needed when the kernel refuses", async () => {
    const runner = new FakeSystem(() => failure("mount --make-shared /run/netns failed: Operation not permitted"));
    await assert.rejects(
      new NetNamespaceProvider(runner.machine).create({ name: "lab0", loopbackUp: true }),
      (e: unknown) => {
        assert.ok(isIpError(e));
        assert.equal(e.reason, "permission-denied");
        assert.match(e.message, /^Command failed with exit code 1: ip netns add lab0/);
        assert.match(e.message, /root or CAP_NET_ADMIN/);
        return true;
      },
    );
  });
});

describe("NetNamespace read", () => {
  it("reports the live loopback state with one command", async () => {
    const runner = new FakeSystem(() => ({ stdout: loDown }));
    const result = await new NetNamespaceProvider(runner.machine).read("lab0");
    assert.deepEqual(result, {
      id: "lab0",
      props: { name: "lab0", loopbackUp: false },
      inputs: { name: "lab0", loopbackUp: false },
    });
    assert.deepEqual(runner.commands, ["ip -n lab0 -details -json address show"]);
  });

  it("reports it gone when the namespace cannot be opened", async () => {
    const runner = new FakeSystem(() => failure('Cannot open network namespace "lab0": No such file or directory'));
    assert.deepEqual(await new NetNamespaceProvider(runner.machine).read("lab0"), {});
  });

  it("reads lo up", async () => {
    const runner = new FakeSystem(() => ({ stdout: loUp }));
    const result = await new NetNamespaceProvider(runner.machine).read("lab0");
    assert.equal(result.props?.loopbackUp, true);
  });

  it("reports a namespace of that name without this stack's mark as gone: it is not ours", async () => {
    const runner = new FakeSystem(() => ({ stdout: loUp }));
    const result = await new NetNamespaceProvider(runner.machine).read("lab0", {
      name: "lab0",
      loopbackUp: true,
      owner: "p/s:ns",
    });
    assert.deepEqual(result, {});
  });
});

describe("NetNamespace ownership", () => {
  const owner = "lab/dev:ns0";
  const marked = JSON.stringify([
    { ifindex: 1, ifname: "lo", flags: ["LOOPBACK"], mtu: 65536, ifalias: `pulumi-netns:${owner}` },
  ]);
  const exists = failure('Cannot create namespace file "/run/netns/lab0": File exists');

  it("marks the namespace it creates on its lo", async () => {
    const runner = new FakeSystem();
    await new NetNamespaceProvider(runner.machine).create({ name: "lab0", loopbackUp: true, owner });
    assert.deepEqual(runner.commands, [
      "ip netns add lab0",
      `ip -n lab0 link set dev lo alias pulumi-netns:${owner} up`,
    ]);
  });

  it("adopts a namespace with its own mark, left by a run that was cut short", async () => {
    const runner = new FakeSystem((argv) => (argv.includes("add") ? exists : { stdout: marked }));
    const { id } = await new NetNamespaceProvider(runner.machine).create({ name: "lab0", loopbackUp: true, owner });
    assert.equal(id, "lab0");
    assert.equal(runner.commands.at(-1), `ip -n lab0 link set dev lo alias pulumi-netns:${owner} up`);
  });

  it("refuses a namespace with another stack's mark, and does not delete it", async () => {
    const other = marked.replace("lab/dev:ns0", "lab/prod:ns0");
    const runner = new FakeSystem((argv) => (argv.includes("add") ? exists : { stdout: other }));
    const provider = new NetNamespaceProvider(runner.machine);
    await assert.rejects(provider.create({ name: "lab0", loopbackUp: true, owner }), /did not create it/);
    await provider.delete("lab0", { name: "lab0", loopbackUp: true, owner });
    assert.equal(
      runner.commands.some((c) => c.includes("netns delete")),
      false,
    );
  });
});

describe("NetNamespace update and delete", () => {
  it("sets lo down in place", async () => {
    const runner = new FakeSystem();
    const result = await new NetNamespaceProvider(runner.machine).update(
      "lab0",
      { name: "lab0", loopbackUp: true },
      { name: "lab0", loopbackUp: false },
    );
    assert.deepEqual(runner.commands, ["ip -n lab0 link set dev lo down"]);
    assert.deepEqual(result.outs, { name: "lab0", loopbackUp: false });
  });

  it("deletes the namespace", async () => {
    const runner = new FakeSystem();
    await new NetNamespaceProvider(runner.machine).delete("lab0");
    assert.deepEqual(runner.commands, ["ip netns delete lab0"]);
  });

  it("succeeds when the namespace is already gone", async () => {
    const runner = new FakeSystem(() =>
      failure('Cannot remove namespace file "/run/netns/lab0": No such file or directory'),
    );
    await new NetNamespaceProvider(runner.machine).delete("lab0");
  });

  it("fails with the kernel's words on any other error", async () => {
    const runner = new FakeSystem(() => failure("Some other failure"));
    await assert.rejects(
      new NetNamespaceProvider(runner.machine).delete("lab0"),
      /ip netns delete lab0\nSome other failure/,
    );
  });
});
