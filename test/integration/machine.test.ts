/**
 * The machine (provider/machine/machine.ts) on this machine, through the local system: its file
 * primitives (node:fs, in-process) in a temporary folder, and its process capabilities (each one
 * command or one fixed script, the same commands a host runs over ssh) on processes of the test's
 * own. What the journal, the ledger, the namespace files and NetnsProcess rest on.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { isFailure } from "../../provider/errors.js";
import { realSystem } from "../../provider/machine/local.js";
import { Machine, TEMPORARY_MARK } from "../../provider/machine/machine.js";

const machine = new Machine(realSystem);

describe("the machine's files, on this machine", () => {
  const root = mkdtempSync(path.join(tmpdir(), "pulumi-netns-machine-"));
  after(() => rmSync(root, { recursive: true, force: true }));

  it("makes a file, with its folders, and reads it back", async () => {
    const file = path.join(root, "made/stack/record.json");
    await machine.writeFile(file, "first", { create: true });
    await machine.writeFile(file, "second", { create: true });
    assert.equal(readFileSync(file, "utf8"), "second");
    assert.equal(await machine.readFile(file), "second");
    assert.deepEqual(readdirSync(path.dirname(file)), ["record.json"]);
    assert.deepEqual(await machine.listFiles(path.dirname(file)), ["record.json"]);
    assert.deepEqual(await machine.listFolders(path.join(root, "made")), ["stack"]);
  });

  it("never makes a file it was not asked to make, and says a missing one is not found", async () => {
    await assert.rejects(machine.writeFile(path.join(root, "absent"), "1"), (e: unknown) => isFailure(e, "not-found"));
    assert.equal(existsSync(path.join(root, "absent")), false);
    await assert.rejects(machine.readFile(path.join(root, "absent")), (e: unknown) => isFailure(e, "not-found"));
    writeFileSync(path.join(root, "present"), "0");
    await machine.writeFile(path.join(root, "present"), "1");
    assert.equal(readFileSync(path.join(root, "present"), "utf8"), "1");
  });

  it("replaces a whole file through a temporary beside it, readable by all, leaving no temporary", async () => {
    const file = path.join(root, "etc/netns/x/hosts");
    await machine.replaceFile(file, "# one\n");
    await machine.replaceFile(file, "# two\n127.0.0.1\tlocalhost\n");
    assert.equal(readFileSync(file, "utf8"), "# two\n127.0.0.1\tlocalhost\n");
    assert.equal(statSync(file).mode & 0o777, 0o644);
    assert.deepEqual(readdirSync(path.dirname(file)), ["hosts"]);
    assert.ok(!readdirSync(path.dirname(file)).some((f) => f.includes(TEMPORARY_MARK)));
  });

  it("lists nothing in a folder that is not there, and tells what is at a path", async () => {
    assert.deepEqual(await machine.listFiles(path.join(root, "nowhere")), []);
    assert.deepEqual(await machine.listFolders(path.join(root, "nowhere")), []);
    assert.equal(await machine.pathKind(root), "folder");
    assert.equal(await machine.pathKind(path.join(root, "present")), "file");
    assert.equal(await machine.pathKind("/bin/sh"), "executable");
    assert.equal(await machine.pathKind(path.join(root, "nowhere")), undefined);
  });

  it("removes a file, then its folders up to the root while they are empty", async () => {
    const file = path.join(root, "a/b/c.json");
    await machine.writeFile(file, "x", { create: true });
    await machine.writeFile(path.join(root, "a/kept.json"), "x", { create: true });
    await machine.removeFile(file, root);
    assert.equal(existsSync(path.join(root, "a/b")), false);
    assert.equal(existsSync(path.join(root, "a/kept.json")), true);
    await machine.removeFile(path.join(root, "a/kept.json"), root);
    assert.equal(existsSync(path.join(root, "a")), false);
    assert.equal(existsSync(root), true, "never the root itself");
    await machine.removeFile(path.join(root, "a/kept.json"), root);
  });
});

describe("the machine's processes, on this machine", () => {
  const root = mkdtempSync(path.join(tmpdir(), "pulumi-netns-machine-"));
  after(() => rmSync(root, { recursive: true, force: true }));

  it("starts a process that outlives the command, finds it by its mark, and stops it", async () => {
    const log = path.join(root, "logs/sleeper.log");
    const mark = `PULUMI_NETNS_OWNER=machine-test/${process.pid}:${Date.now()}`;
    const [name, value] = mark.split("=") as [string, string];
    const pid = await machine.start(["sh", "-c", 'echo "started in $(pwd) with $PULUMI_NETNS_OWNER"; exec sleep 30'], {
      env: { PATH: "/usr/bin:/bin", [name]: value },
      cwd: root,
      log,
    });
    try {
      assert.ok(pid > 0);
      for (let i = 0; i < 50 && !readFileSync(log, "utf8").includes("started"); i++) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      assert.equal(readFileSync(log, "utf8"), `started in ${root} with ${value}\n`);
      assert.equal(statSync(log).mode & 0o777, 0o640, "its log readable by its owner and group only");
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const session = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[3]);
      assert.equal(session, pid, "a session of its own");
      assert.deepEqual(await machine.processesWith(mark), [pid]);
      assert.deepEqual(await machine.processesWith(`${mark}x`), [], "the whole entry, not a prefix of one");
      assert.equal(await machine.signal(pid, "SIGTERM"), true);
      for (
        let i = 0;
        i < 100 && existsSync(`/proc/${pid}/stat`) && !/\) Z /.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
        i++
      ) {
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
      assert.deepEqual(await machine.processesWith(mark), []);
    } finally {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // gone already
      }
    }
    assert.equal(await machine.signal(2 ** 22 + 1, "SIGTERM"), false, "no such process");
  });
});
