/**
 * The SSH system, against a FakeSystem standing in for this machine (which would run `ssh`): what
 * is run there, how argv survives the remote shell, and how each way a host can fail is told.
 * (The host rules and ssh's argv: test/unit/commands/host.test.ts.)
 */
import assert from "node:assert/strict";
import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { describe, it } from "node:test";
import { SHELL_SCRIPT } from "../../../provider/commands/host.js";
import { type LineSession, Machine, type System } from "../../../provider/machine/machine.js";
import { SshSystem } from "../../../provider/machine/ssh.js";
import { FakeSystem, type Responder } from "../../support/fake-system.js";

const FIT = "CapEff:\t000001ffffffffff\nip=yes";

/** An SSH system over a fake local one; `remote` answers the commands run on the host (argv as sent). */
function sshOver(remote: Responder, preflight = FIT) {
  const local = new FakeSystem((argv, input) => {
    const command = argv.at(-1) as string;
    if (command.includes("CapEff")) return { stdout: preflight };
    // What the remote shell would run: the quoted line, split back by a real sh.
    const words = execFileSync("sh", ["-c", `printf '%s\\0' ${command}`], { encoding: "utf8" }).split("\0");
    return remote(words.slice(3, -1), input); // past `env LC_ALL=C PATH=…`
  });
  const system = new SshSystem({ address: "lab1" }, local, "/tmp/pulumi-netns-test-%C");
  return { local, system, machine: new Machine(system) };
}

describe("the SSH system", () => {
  it("runs ip on the host with its argv intact, after one check of the host", async () => {
    const seen: string[][] = [];
    const { local, machine } = sshOver((argv) => {
      seen.push(argv);
      return { stdout: "ok" };
    });
    assert.equal(await machine.netns("n 1").read(["-j", "link", "show"]), "ok");
    assert.equal(await machine.netns("n 1").read(["-j", "addr", "show"]), "ok");
    assert.deepEqual(seen, [
      ["ip", "-n", "n 1", "-j", "link", "show"],
      ["ip", "-n", "n 1", "-j", "addr", "show"],
    ]);
    assert.equal(local.calls.filter((c) => (c.at(-1) as string).includes("CapEff")).length, 1, "one check");
  });

  it("writes a file there through dd, with the content on its standard input", async () => {
    const seen: Array<[string[], string | undefined]> = [];
    const { system } = sshOver((argv, input) => {
      seen.push([argv, input]);
      return undefined;
    });
    await system.writeFile("/proc/sys/net/ipv4/ip_forward", "1");
    assert.deepEqual(seen, [[["dd", "of=/proc/sys/net/ipv4/ip_forward", "conv=nocreat,notrunc", "status=none"], "1"]]);
  });

  it("makes the folder again when another operation removed it between the mkdir and the write", async () => {
    const seen: Array<[string[], string | undefined]> = [];
    const { system } = sshOver((argv, input) => {
      seen.push([argv, input]);
      if (seen.length === 1) return { exitCode: 1, stderr: "dd: failed to open 'x': No such file or directory" };
      return undefined;
    });
    await system.writeFile("/run/pulumi-netns/creating/netns/x", "mark", { create: true });
    // One round trip a try: the folders and the write in one fixed script, the path its argument.
    assert.equal(seen.length, 2);
    for (const [argv, input] of seen) {
      assert.deepEqual([argv[0], argv[1], argv.slice(3)], ["sh", "-c", ["sh", "/run/pulumi-netns/creating/netns/x"]]);
      assert.match(argv[2] as string, /^mkdir -p .* dd of="\$1"/);
      assert.equal(input, "mark");
    }
  });

  it("writes, replaces and removes files with their folders as node:fs does here, one round trip each", async () => {
    // The "host" runs what it is sent with a real sh, in a folder of the test's own.
    const dir = mkdtempSync(path.join(tmpdir(), "pulumi-netns-files-"));
    let commands = 0;
    const { system } = sshOver((argv, input) => {
      commands++;
      const ran = spawnSync(argv[0] as string, argv.slice(1), { input: input ?? "", encoding: "utf8" });
      return { exitCode: ran.status ?? 1, stdout: ran.stdout, stderr: ran.stderr };
    });
    try {
      const file = `${dir}/run/made/a b/x.json`;
      await system.writeFile(file, "one", { create: true });
      assert.equal(readFileSync(file, "utf8"), "one");
      await system.replaceFile(`${dir}/run/made/a b/y`, "two");
      assert.deepEqual(readdirSync(`${dir}/run/made/a b`).sort(), ["x.json", "y"], "no temporary file left");
      assert.equal(commands, 2);
      await system.removeFile(file, `${dir}/run`);
      assert.ok(existsSync(`${dir}/run/made/a b`), "a folder that holds a file stays");
      await system.removeFile(`${dir}/run/made/a b/y`, `${dir}/run`);
      assert.deepEqual(readdirSync(dir), [], "the empty folders up to the root given went, the root too");
      await system.removeFile(`${dir}/gone/z`, `${dir}/gone`);
      assert.equal(commands, 5);
      await assert.rejects(
        system.replaceFile(`${dir}/f/g`, "x").then(() => system.writeFile(`${dir}/f/g/h`, "y", { create: true })),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("gives a missing file's failure the errno node:fs would, and a missing folder's listing as empty", async () => {
    const { system } = sshOver(() => ({ exitCode: 1, stderr: "cat: /x: No such file or directory" }));
    await assert.rejects(system.readFile("/x"), { code: "ENOENT" });
    assert.deepEqual(await system.listFiles("/run/pulumi-netns/none"), []);
  });

  it("tells a host without ip, and one where the user lacks root, before running anything there", async () => {
    const noIp = sshOver(() => assert.fail("nothing runs"), "CapEff:\t000001ffffffffff");
    assert.match(String(await noIp.system.problem()), /^Host "lab1" has no `ip` command\. Install iproute2 there/);
    const exit = await noIp.system.run(["ip", "link"]);
    assert.equal(exit.unreachable, "lab1");
    const user = sshOver(() => assert.fail("nothing runs"), "CapEff:\t0000000000000000\nip=yes");
    assert.match(String(await user.system.problem()), /^On host "lab1" the SSH user lacks root/);
    await assert.rejects(user.machine.netns(undefined).read(["link"]), (e: Error & { reason?: string }) => {
      assert.equal(e.reason, "unreachable");
      assert.match(e.message, /Nothing was run there; the command was: ip link/);
      return true;
    });
  });

  it("tells a host that cannot be reached from one that refuses the login", async () => {
    const refused = new FakeSystem(() => ({ exitCode: 255, stderr: "root@lab1: Permission denied (publickey)." }));
    const login = new SshSystem({ address: "lab1", user: "root" }, refused, "/tmp/x-%C");
    assert.match(String(await login.problem()), /^Host "root@lab1" refused the SSH login: .*Permission denied/);
    const down = new FakeSystem(() => ({
      exitCode: 255,
      stderr: "ssh: connect to host lab1 port 22: Connection refused",
    }));
    const unreachable = new SshSystem({ address: "lab1" }, down, "/tmp/x-%C");
    assert.match(String(await unreachable.problem()), /^Cannot reach host "lab1" over SSH: .*Connection refused/);
  });

  it("runs at most eight commands at once on one connection (sshd's MaxSessions is ten)", async () => {
    let running = 0;
    let most = 0;
    const local = new FakeSystem();
    local.run = async (argv) => {
      if ((argv.at(-1) as string).includes("CapEff")) return { exitCode: 0, stdout: FIT, stderr: "" };
      running++;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      running--;
      return { exitCode: 0, stdout: "", stderr: "" };
    };
    const system = new SshSystem({ address: "lab1" }, local, "/tmp/x-%C");
    await Promise.all(Array.from({ length: 30 }, () => system.run(["true"])));
    assert.equal(most, 8);
  });
});

/** The kept-open shell's script run by this machine's own sh, as a session: what a host would run. */
async function localShell(children: ChildProcess[]): Promise<LineSession> {
  const child = spawn("sh", ["-c", SHELL_SCRIPT], { stdio: ["pipe", "pipe", "inherit"] });
  children.push(child);
  const lines = createInterface({ input: child.stdout });
  return {
    write: (line) => child.stdin.write(`${line}\n`),
    onLine: (listener) => lines.on("line", listener),
    onEnd: (listener) => void child.once("close", () => listener("it ended")),
    hold: () => {},
    said: () => "",
    close: () => child.stdin.end(),
  };
}

describe("the kept-open shell", () => {
  it("runs each argv exactly, with its input, and answers its output, errors and exit code", async () => {
    const local = new FakeSystem((argv) => ((argv.at(-1) as string).includes("CapEff") ? { stdout: FIT } : undefined));
    const shells: ChildProcess[] = [];
    (local as System).session = () => localShell(shells);
    const system = new SshSystem({ address: "lab1" }, local, "/tmp/x-%C");
    const echo = await system.run(["printf", "%s|", "it's", "$(id)", "a\nb", ""]);
    assert.deepEqual(echo, { exitCode: 0, stdout: "it's|$(id)|a\nb||", stderr: "" });
    const fed = await system.run(["cat"], "line one\nline two\n");
    assert.equal(fed.stdout, "line one\nline two");
    const failed = await system.run(["cat", "/nonexistent/pulumi-netns"]);
    assert.equal(failed.exitCode, 1);
    assert.match(failed.stderr, /No such file or directory/);
    const missing = await system.run(["pulumi-netns-no-such-program"]);
    assert.equal(missing.exitCode, undefined, "not found there: as a program that cannot start here");
    await Promise.all(Array.from({ length: 20 }, (_, i) => system.run(["sh", "-c", `exit ${i % 3}`])));
    assert.ok(shells.length <= 8, `at most eight shells: ${shells.length}`);
    // Its standard input ends: it ends, and removes its folder.
    const closed = shells.map((shell) => once(shell, "close"));
    for (const shell of shells) shell.stdin?.end();
    await Promise.all(closed);
  });
});
