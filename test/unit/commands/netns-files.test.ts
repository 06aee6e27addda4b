/** A namespace's own hosts and resolv.conf (commands/netns-files.ts): rules, and text that reads back as written. */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  hostName,
  markOf,
  nameserver,
  netnsFilesFolder,
  parseHosts,
  parseResolvConf,
  renderHosts,
  renderResolvConf,
  resolverOption,
} from "../../../provider/commands/netns-files.js";
import { isProblem } from "../../../provider/rule.js";

const MARK = "pulumi-netns:lab/dev:hosts";

describe("a namespace's hosts file", () => {
  it("lives in /etc/netns/NAME, where ip netns exec finds it", () => {
    assert.equal(netnsFilesFolder("ns0"), "/etc/netns/ns0");
  });

  it("reads back the entries it was written with, the loopback lines apart, and its mark", () => {
    const entries = [
      { address: "10.1.10.2", names: ["h1", "h1.lab"] },
      { address: "fd00::2", names: ["h2"] },
    ];
    for (const loopback of [true, false]) {
      const text = renderHosts(MARK, entries, loopback);
      assert.equal(markOf(text), MARK);
      assert.deepEqual(parseHosts(text), { entries, loopback });
    }
    assert.equal(markOf("127.0.0.1 localhost\n"), undefined, "a file without our mark is someone else's");
  });

  it("takes RFC 1123 host names only", () => {
    assert.equal(hostName("h1.lab"), "h1.lab");
    for (const bad of ["", "-h", "h_1", "a..b", "x".repeat(64)]) assert.ok(isProblem(hostName(bad)), bad);
  });
});

describe("a namespace's resolv.conf", () => {
  it("reads back what it was written with, as the resolver reads it", () => {
    const r = { nameservers: ["10.1.10.1", "fd00::1"], search: ["lab", "example.test"], options: ["ndots:2", "edns0"] };
    const text = renderResolvConf(MARK, r);
    assert.equal(markOf(text), MARK);
    assert.deepEqual(parseResolvConf(text), r);
    assert.deepEqual(parseResolvConf("search a\nsearch b c\noptions x\noptions y:1\n"), {
      nameservers: [],
      search: ["b", "c"],
      options: ["x", "y:1"],
    });
  });

  it("takes addresses as nameservers and resolv.conf's own option words", () => {
    assert.equal(nameserver("10.1.10.1"), "10.1.10.1");
    assert.ok(isProblem(nameserver("10.1.10.0/24")));
    assert.equal(resolverOption("ndots:2"), "ndots:2");
    assert.ok(isProblem(resolverOption("ndots 2; rm")));
  });
});
