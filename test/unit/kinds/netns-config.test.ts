import assert from "node:assert/strict";
import { describe, it } from "node:test";
import NetnsConfigProvider, {
  type NetnsConfigInputs,
  type NetnsConfigState,
} from "../../../provider/kinds/netns-config.js";
import { FakeSystem, failure, fakeMachine } from "../../support/fake-system.js";

const declared = {
  netns: "a",
  addresses: { "10.1.10.2/24": "v1", "FD00:10::2/64": "v1" },
  routes: { default: { via: "10.1.10.1" }, "::/0": { via: "fd00:10::1" } },
  sysctls: { "net.ipv4.ip_forward": 1 },
  nodad: true,
};

async function checked(inputs: Record<string, unknown>): Promise<NetnsConfigInputs> {
  const result = await new NetnsConfigProvider(fakeMachine()).check({}, inputs);
  assert.equal(result.failures, undefined, JSON.stringify(result.failures));
  return result.inputs as NetnsConfigInputs;
}

describe("NetnsConfig check", () => {
  const provider = new NetnsConfigProvider(fakeMachine());

  it("keys each object as iproute2 spells it, and leaves out what is not given", async () => {
    assert.deepEqual(await checked(declared), {
      netns: "a",
      addresses: { "10.1.10.2/24": "v1", "fd00:10::2/64": "v1" },
      routes: { default: { via: "10.1.10.1" }, "::/0": { via: "fd00:10::1" } },
      sysctls: { "net.ipv4.ip_forward": "1" },
      nodad: true,
    });
    assert.deepEqual(await checked({ netns: "a" }), { netns: "a", addresses: {}, routes: {}, sysctls: {} });
  });

  const bad: Array<[Record<string, unknown>, string, RegExp]> = [
    [{ addresses: { "10.1.10.2": "v1" } }, "addresses.10.1.10.2", /the key "10\.1\.10\.2" .*CIDR/],
    [{ addresses: { "10.1.10.2/24": "a b" } }, "addresses.10.1.10.2/24", /only ASCII letters/],
    [
      { addresses: { "fd00::2/64": "v1", "FD00::2/64": "v2" } },
      "addresses.FD00::2/64",
      /names the same as "fd00::2\/64"/,
    ],
    [{ routes: { "10.1.20.5/24": { via: "10.1.10.1" } } }, "routes.10.1.20.5/24", /host bits set/],
    [{ routes: { "10.1.20.0/24": {} } }, "routes.10.1.20.0/24", /needs a gateway \(via\), a device, or both/],
    [
      { routes: { default: { via: "fd00::1" } } },
      "routes.default.via",
      /IPv4 address.*IPv6's default route is "::\/0"/,
    ],
    [{ routes: { "10.1.20.0/24": { gateway: "10.1.10.1" } } }, "routes.10.1.20.0/24", /must be \{ via, device \}/],
    [{ sysctls: { "kernel.hostname": "x" } }, "sysctls.kernel.hostname", /must start with "net\."/],
    [{ netns: undefined, sysctls: { "net.ipv4.ip_forward": "1" } }, "sysctls", /a named namespace's only/],
    [{ addresses: ["10.1.10.2/24"] }, "addresses", /must be a map of names to values/],
  ];
  for (const [override, property, why] of bad) {
    it(`refuses ${JSON.stringify(override)}`, async () => {
      const result = await provider.check({}, { netns: "a", ...override });
      assert.equal(result.failures?.[0]?.property, property, JSON.stringify(result.failures));
      assert.match(result.failures?.[0]?.reason ?? "", why);
    });
  }
});

describe("NetnsConfig diff, create, update, delete", () => {
  /** A fake whose /proc/sys reads say `value`, and whose batches fail as `batch` says. */
  function fake(batch: (input: string) => ReturnType<typeof failure> | undefined = () => undefined) {
    // The namespace's /proc/sys: 0 until written (`tee` under `ip netns exec`).
    const procSys = new Map<string, string>();
    return new FakeSystem((argv, input) => {
      if (argv.includes("-batch")) return batch(input ?? "");
      if (argv.includes("tee")) for (const path of argv.slice(argv.indexOf("tee") + 1)) procSys.set(path, input ?? "");
      if (argv.includes("cat")) {
        const paths = argv.slice(argv.indexOf("cat") + 1);
        return { stdout: `${paths.map((path) => procSys.get(path) ?? "0").join("\n")}\n` };
      }
      if (argv.includes("address") && argv.includes("show")) {
        const lo = { ifname: "lo", ifindex: 1, flags: ["UP"], ifalias: "pulumi-netns:p/s:ns" };
        return { stdout: JSON.stringify([lo]) };
      }
      return undefined;
    });
  }

  it("replaces only for another namespace, and compares maps by their content", async () => {
    const provider = new NetnsConfigProvider(fakeMachine());
    const olds = { ...(await checked(declared)), previous: {} };
    const reordered = { ...olds, addresses: { "fd00:10::2/64": "v1", "10.1.10.2/24": "v1" } };
    assert.deepEqual(await provider.diff("a", olds, reordered), {
      changes: false,
      replaces: [],
      deleteBeforeReplace: true,
    });
    assert.deepEqual((await provider.diff("a", olds, { ...olds, netns: "b" })).replaces, ["netns"]);
    assert.equal((await provider.diff("a", olds, { ...olds, routes: {} })).changes, true);
  });

  it("puts everything in with one batch, after the sysctls, IPv6 without DAD", async () => {
    const system = fake();
    const { outs } = await new NetnsConfigProvider(system.machine).create(await checked(declared));
    const batches = system.calls.filter((argv) => argv.includes("-batch"));
    assert.deepEqual(batches, [["ip", "-n", "a", "-force", "-batch", "-"]]);
    assert.equal(
      system.inputs[system.inputs.length - 1],
      [
        "address add 10.1.10.2/24 dev v1",
        "address add fd00:10::2/64 dev v1 nodad",
        "route add 0.0.0.0/0 via 10.1.10.1 metric 0 table 254",
        "route add ::/0 via fd00:10::1 metric 1024 table 254",
        "",
      ].join("\n"),
    );
    assert.deepEqual(outs.previous, { "net.ipv4.ip_forward": "0" });
  });

  it("writes sysctls of one value with one tee, and puts them back the same way", async () => {
    const system = fake();
    const forwarding = { "net.ipv4.ip_forward": "1", "net.ipv6.conf.all.forwarding": "1", "net.ipv4.ip_ttl": "32" };
    const { outs } = await new NetnsConfigProvider(system.machine).create(
      await checked({ netns: "a", sysctls: forwarding }),
    );
    const tees = () => system.calls.filter((argv) => argv.includes("tee")).map((argv) => argv.slice(4).join(" "));
    assert.deepEqual(tees(), [
      "tee /proc/sys/net/ipv4/ip_forward /proc/sys/net/ipv6/conf/all/forwarding",
      "tee /proc/sys/net/ipv4/ip_ttl",
    ]);
    system.calls.length = 0;
    await new NetnsConfigProvider(system.machine).delete("a", outs);
    assert.deepEqual(tees(), [
      "tee /proc/sys/net/ipv4/ip_forward /proc/sys/net/ipv6/conf/all/forwarding /proc/sys/net/ipv4/ip_ttl",
    ]);
  });

  it("adopts what its stack made (the namespace carries the mark), and hands it over", async () => {
    const system = fake((input) =>
      input.startsWith("address add") ? failure("RTNETLINK answers: File exists\nCommand failed -:1\n") : undefined,
    );
    await new NetnsConfigProvider(system.machine).create(
      await checked({ ...declared, sysctls: {}, owner: "p/s:node" }),
    );
    assert.ok(
      [...system.files.keys()].some((path) => path.includes("/handed-over/p%2Fs/")),
      "a note of the handover for the IpAddress that made it",
    );
  });

  it("refuses what another made, naming it, and takes out what went in", async () => {
    const system = fake((input) =>
      input.startsWith("address add")
        ? failure("Error: Nexthop has invalid gateway.\nCommand failed -:3\n")
        : undefined,
    );
    await assert.rejects(
      new NetnsConfigProvider(system.machine).create(await checked({ ...declared, sysctls: {} })),
      /1 of 4 changes failed; what went in was taken out again:\n- route to default: Error: Nexthop has invalid gateway\. \(ip -n a route add 0\.0\.0\.0\/0 via 10\.1\.10\.1 metric 0 table 254\)/,
    );
    assert.equal(
      system.inputs[system.inputs.length - 1],
      "address delete 10.1.10.2/24 dev v1\naddress delete fd00:10::2/64 dev v1\nroute delete ::/0 metric 1024 table 254\n",
    );
  });

  it("changes only what changed: a route replaced, an address moved, a sysctl put back", async () => {
    const system = fake();
    const olds: NetnsConfigState = { ...(await checked(declared)), previous: { "net.ipv4.ip_forward": "0" } };
    const news = await checked({
      ...declared,
      addresses: { "10.1.10.2/24": "v2", "fd00:10::2/64": "v1" },
      routes: { default: { via: "10.1.10.9" } },
      sysctls: {},
    });
    const { outs } = await new NetnsConfigProvider(system.machine).update("a", olds, news);
    assert.deepEqual(system.inputs, [
      "route delete ::/0 metric 1024 table 254\naddress delete 10.1.10.2/24 dev v1\n",
      "address add 10.1.10.2/24 dev v2\nroute replace 0.0.0.0/0 via 10.1.10.9 metric 0 table 254\n",
      "0",
    ]);
    assert.deepEqual(outs.previous, {});
  });

  it("deletes with one batch, a thing already gone is no failure, and a namespace gone is nothing to do", async () => {
    const system = fake(() => failure("RTNETLINK answers: No such process\nCommand failed -:1\n"));
    const props: NetnsConfigState = { ...(await checked({ ...declared, sysctls: {} })), previous: {} };
    await new NetnsConfigProvider(system.machine).delete("a", props);
    assert.equal(system.calls.filter((argv) => argv.includes("-batch")).length, 1);
    const gone = new FakeSystem((argv) =>
      argv.includes("show") ? failure('Cannot open network namespace "a": No such file or directory') : undefined,
    );
    await new NetnsConfigProvider(gone.machine).delete("a", props);
    assert.equal(gone.calls.filter((argv) => argv.includes("-batch")).length, 0);
  });
});
