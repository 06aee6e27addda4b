/**
 * HostsFile and ResolvConf against the real machine: files under /etc/netns/NAME for namespaces
 * of the test's own, as `ip netns exec` shows them to a program. A user's file beside ours, and a
 * folder that was there before, stay.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { describe, it } from "node:test";
import HostsFileProvider from "../../provider/kinds/hosts-file.js";
import ResolvConfProvider from "../../provider/kinds/resolv-conf.js";
import { journalFiles, realMachine, withNamespaces } from "../support/kernel.js";

const hosts = new HostsFileProvider(realMachine());
const resolv = new ResolvConfProvider(realMachine());

function inside(netns: string, ...argv: string[]): string {
  return execFileSync("ip", ["netns", "exec", netns, ...argv], { encoding: "utf8" });
}

describe("a namespace's own hosts and resolv.conf", () => {
  it("are what programs in it read, and go with their folders, leaving the machine as it was", async () => {
    await withNamespaces(1, async ([netns]) => {
      const n = netns as string;
      const etcNetnsBefore = existsSync("/etc/netns");
      const journalBefore = journalFiles();
      const h = {
        netns: n,
        entries: [{ address: "10.1.1.2", names: ["web", "web.lab"] }],
        loopback: true,
        owner: "it/test:h",
      };
      const r = { netns: n, nameservers: ["10.1.1.53"], search: ["lab"], options: ["ndots:1"], owner: "it/test:r" };
      try {
        const made = await hosts.create(h);
        await resolv.create(r);
        assert.equal(made.outs.path, `/etc/netns/${n}/hosts`);
        assert.match(inside(n, "getent", "hosts", "web.lab"), /^10\.1\.1\.2\s+web web\.lab/);
        assert.match(inside(n, "getent", "hosts", "localhost"), /127\.0\.0\.1|::1/);
        assert.match(inside(n, "cat", "/etc/resolv.conf"), /nameserver 10\.1\.1\.53\nsearch lab\noptions ndots:1/);
        // An edit by hand is drift; update puts the file back.
        const file = `/etc/netns/${n}/hosts`;
        writeFileSync(file, readFileSync(file, "utf8").replace("10.1.1.2", "10.1.1.99"));
        const drifted = await new HostsFileProvider(realMachine()).read(file, made.outs);
        assert.deepEqual(drifted.props?.entries, [{ address: "10.1.1.99", names: ["web", "web.lab"] }]);
        await hosts.update(file, made.outs, h);
        assert.match(inside(n, "getent", "hosts", "web"), /^10\.1\.1\.2\s/);
      } finally {
        await hosts.delete("id", h);
        await resolv.delete("id", r);
      }
      assert.equal(existsSync(`/etc/netns/${n}`), false);
      assert.equal(existsSync("/etc/netns"), etcNetnsBefore);
      assert.deepEqual(journalFiles(), journalBefore);
    });
  });

  it("leave a user's file, and the user's folder, where they are", async () => {
    await withNamespaces(1, async ([netns]) => {
      const n = netns as string;
      const folder = `/etc/netns/${n}`;
      const madeEtcNetns = !existsSync("/etc/netns");
      mkdirSync(folder, { recursive: true });
      writeFileSync(`${folder}/resolv.conf`, "nameserver 10.9.9.9\n");
      try {
        const r = { netns: n, nameservers: ["10.1.1.53"], search: [], options: [], owner: "it/test:r" };
        await assert.rejects(resolv.create(r), /resolv\.conf exists and this stack did not write it/);
        await resolv.delete("id", r);
        const h = { netns: n, entries: [], loopback: true, owner: "it/test:h" };
        await hosts.create(h);
        await hosts.delete("id", h);
        assert.equal(readFileSync(`${folder}/resolv.conf`, "utf8"), "nameserver 10.9.9.9\n");
        assert.equal(existsSync(`${folder}/hosts`), false);
      } finally {
        rmSync(folder, { recursive: true, force: true });
        if (madeEtcNetns) rmSync("/etc/netns", { recursive: true, force: true });
      }
    });
  });
});
