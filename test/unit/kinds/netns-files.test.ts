import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { parseHosts, parseResolvConf, renderHosts, renderResolvConf } from "../../../provider/commands/netns-files.js";
import HostsFileProvider from "../../../provider/kinds/hosts-file.js";
import ResolvConfProvider from "../../../provider/kinds/resolv-conf.js";
import { JOURNAL_ROOT } from "../../../provider/records/journal.js";
import { FakeSystem, fakeMachine } from "../../support/fake-system.js";

describe("hosts and resolv.conf text", () => {
  it("reads back what it writes, loopback lines and all", () => {
    const entries = [{ address: "10.1.1.2", names: ["web", "web.lab"] }];
    const text = renderHosts("pulumi-netns:lab/dev:hosts", entries, true);
    assert.match(
      text,
      /^# pulumi-netns:lab\/dev:hosts\n#.*\n127\.0\.0\.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n10\.1\.1\.2\tweb web\.lab\n$/,
    );
    assert.deepEqual(parseHosts(text), { entries, loopback: true });
    assert.deepEqual(parseHosts(renderHosts("m", entries, false)), { entries, loopback: false });
    const resolver = { nameservers: ["10.1.1.1", "fd00::1"], search: ["lab"], options: ["ndots:2"] };
    assert.deepEqual(parseResolvConf(renderResolvConf("m", resolver)), resolver);
    assert.deepEqual(parseResolvConf("domain a\nsearch b c # note\noptions edns0\noptions ndots:1\n"), {
      nameservers: [],
      search: ["b", "c"],
      options: ["edns0", "ndots:1"],
    });
  });
});

describe("HostsFile and ResolvConf check", () => {
  const hosts = new HostsFileProvider(fakeMachine());
  const resolv = new ResolvConfProvider(fakeMachine());
  const bad: Array<[HostsFileProvider | ResolvConfProvider, Record<string, unknown>, string, RegExp]> = [
    [hosts, { entries: [{ address: "10.1.1.2", names: ["bad_name"] }] }, "entries.0.names.0", /host name.*"bad_name"/],
    [hosts, { entries: [{ address: "10.1.1.2", names: ["-web"] }] }, "entries.0.names.0", /host name/],
    [hosts, { entries: [{ address: "10.1.1.2", names: [] }] }, "entries.0.names", /at least one name/],
    [hosts, { entries: [{ address: "10.1.1.0/24", names: ["net"] }] }, "entries.0.address", /IPv4 or IPv6 address/],
    [hosts, { netns: "a/b" }, "netns", /only ASCII letters/],
    [resolv, { nameservers: ["dns.example"] }, "nameservers.0", /a nameserver is an address/],
    [resolv, { nameservers: [] }, "nameservers", /at least one/],
    [resolv, { nameservers: ["1.1.1.1", "1.0.0.1", "8.8.8.8", "9.9.9.9"] }, "nameservers", /at most 3/],
    [resolv, { search: ["lab..x"] }, "search.0", /host name/],
    [resolv, { options: ["ndots 2"] }, "options.0", /resolver option/],
  ];
  for (const [provider, override, property, why] of bad) {
    it(`refuses ${JSON.stringify(override)}`, async () => {
      const result = await provider.check({}, { netns: "a", nameservers: ["10.1.1.1"], ...override });
      assert.equal(result.failures?.[0]?.property, property, JSON.stringify(result.failures));
      assert.match(result.failures?.[0]?.reason ?? "", why);
    });
  }
});

describe("HostsFile and ResolvConf on a fake machine", () => {
  it("refuse a file that is not theirs, and leave it", async () => {
    const system = new FakeSystem();
    system.files.set("/etc/netns/a/hosts", "10.9.9.9 mine\n");
    const provider = new HostsFileProvider(system.machine);
    await assert.rejects(
      provider.create({ netns: "a", entries: [], loopback: true, owner: "lab/dev:h" }),
      /\/etc\/netns\/a\/hosts exists and this stack did not write it/,
    );
    await provider.delete("id", { netns: "a", entries: [], loopback: true, owner: "lab/dev:h" });
    assert.equal(system.files.get("/etc/netns/a/hosts"), "10.9.9.9 mine\n");
  });

  it("note the folders they make, which go with the last of their files, whatever the order", async () => {
    const system = new FakeSystem();
    const hosts = new HostsFileProvider(system.machine);
    const resolv = new ResolvConfProvider(system.machine);
    const h = { netns: "a", entries: [{ address: "10.1.1.2", names: ["web"] }], loopback: true, owner: "lab/dev:h" };
    const r = { netns: "a", nameservers: ["10.1.1.1"], search: [], options: [], owner: "lab/dev:r" };
    await hosts.create(h);
    await resolv.create(r);
    const records = () => [...system.files.keys()].filter((f) => f.startsWith(`${JOURNAL_ROOT}/folders/`)).sort();
    assert.deepEqual(records(), [
      `${JOURNAL_ROOT}/folders/%2Fetc%2Fnetns`,
      `${JOURNAL_ROOT}/folders/%2Fetc%2Fnetns%2Fa`,
    ]);
    await hosts.delete("id", h);
    assert.equal(records().length, 2, "resolv.conf, ours, is still in the folder");
    await resolv.delete("id", r);
    assert.deepEqual(records(), []);
  });

  it("tidy the folders noted by a create that was killed before it wrote its file", async () => {
    const system = new FakeSystem();
    const provider = new HostsFileProvider(system.machine);
    const h = { netns: "a", entries: [], loopback: true, owner: "lab/dev:h" };
    // What the journal holds after a kill between noting the folders and writing the file.
    system.files.set(`${JOURNAL_ROOT}/folders/%2Fetc%2Fnetns`, "made");
    system.files.set(`${JOURNAL_ROOT}/folders/%2Fetc%2Fnetns%2Fa`, "made");
    await provider.delete("id", h);
    assert.deepEqual([...system.files.keys()], []);
  });

  it("remove the temporary file a run killed between its write and its rename left, and so the folders", async () => {
    const system = new FakeSystem();
    const provider = new HostsFileProvider(system.machine);
    const h = { netns: "a", entries: [], loopback: true, owner: "lab/dev:h" };
    await provider.create(h);
    system.files.set("/etc/netns/a/hosts.pulumi-netns-4242-mx56wld1", "# pulumi-netns:lab/dev:h\n");
    system.files.set("/etc/netns/a/hosts.orig", "the user's\n");
    await provider.delete("id", h);
    assert.deepEqual(
      [...system.files.keys()].filter((f) => f.startsWith("/etc/netns")),
      ["/etc/netns/a/hosts.orig"],
    );
  });

  it("found gone, say that a folder they made remains, which only their delete removes", async () => {
    const system = new FakeSystem();
    const provider = new HostsFileProvider(system.machine);
    const h = { netns: "a", entries: [], loopback: true, owner: "lab/dev:h" };
    const { outs } = await provider.create(h);
    system.files.set("/etc/netns/a/notes", "the user's\n");
    system.files.delete("/etc/netns/a/hosts");
    assert.deepEqual(await provider.read(outs.path, outs), {});
    assert.equal(await provider.remains(outs), true, "/etc/netns/a, made by the stack, is still there");
    // A folder that was there before the stack: nothing of it remains.
    const theirs = new FakeSystem();
    theirs.files.set("/etc/netns/a/notes", "the user's\n");
    const other = new HostsFileProvider(theirs.machine);
    const made = await other.create(h);
    theirs.files.delete("/etc/netns/a/hosts");
    assert.equal(await other.remains(made.outs), false);
  });

  it("read an edit as drift, and a file that lost its mark as gone", async () => {
    const system = new FakeSystem();
    const provider = new ResolvConfProvider(system.machine);
    const r = { netns: "a", nameservers: ["10.1.1.1"], search: [], options: [], owner: "lab/dev:r" };
    const { outs } = await provider.create(r);
    const file = "/etc/netns/a/resolv.conf";
    system.files.set(file, (system.files.get(file) as string).replace("10.1.1.1", "10.1.1.53"));
    assert.deepEqual((await provider.read(outs.path, outs)).props?.nameservers, ["10.1.1.53"]);
    system.files.set(file, "nameserver 10.1.1.53\n");
    assert.deepEqual(await provider.read(outs.path, outs), {});
  });
});
