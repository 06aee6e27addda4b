/**
 * The launcher (provider/machine/launcher.ts), with real processes: harmless programs (echo, cat, ls,
 * sleep), nothing that touches the network. Each test makes a launcher of its own.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, it } from "node:test";
import { Launcher } from "../../provider/machine/launcher.js";

/** The processes whose parent is `pid`. */
function childrenOf(pid: number): number[] {
  return readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
        return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) === pid;
      } catch {
        return false; // exited meanwhile
      }
    })
    .map(Number);
}

function commandLine(pid: number): string {
  return readFileSync(`/proc/${pid}/cmdline`, "utf8").replaceAll("\0", " ");
}

describe("the launcher", () => {
  it("answers each of many commands at once with that command's own output", async () => {
    const launcher = new Launcher();
    const exits = await Promise.all(Array.from({ length: 50 }, (_, i) => launcher.run(["echo", `line ${i}`])));
    assert.deepEqual(
      exits.map((exit) => exit.stdout),
      Array.from({ length: 50 }, (_, i) => `line ${i}`),
    );
    assert.ok(exits.every((exit) => exit.exitCode === 0 && exit.stderr === ""));
  });

  it("gives a command its standard input, and reports its exit code and error output", async () => {
    const launcher = new Launcher();
    assert.equal((await launcher.run(["cat"], "from the provider\n")).stdout, "from the provider");
    const failed = await launcher.run(["ls", "/pulumi-netns-nowhere"]);
    assert.equal(failed.exitCode, 2);
    assert.match(failed.stderr, /No such file or directory/);
  });

  it("reports a program that cannot start as an exit without a code", async () => {
    const exit = await new Launcher().run(["/pulumi-netns-nowhere/ip", "link"]);
    assert.equal(exit.exitCode, undefined);
    assert.match(exit.stderr, /ENOENT/);
  });

  it("fails what it had not answered when it ends, saying so, and a new one takes the next command", async () => {
    const launchers = () => childrenOf(process.pid).filter((pid) => commandLine(pid).includes("launcher.js"));
    const before = new Set(launchers()); // the other tests' launchers, idle
    const launcher = new Launcher();
    await launcher.run(["true"]);
    const [started] = launchers().filter((pid) => !before.has(pid));
    assert.ok(started !== undefined, "the launcher runs as a child of this process");
    const waiting = launcher.run(["sleep", "30"]);
    let sleeping: number[] = [];
    for (let tries = 0; sleeping.length === 0; tries++) {
      assert.ok(tries < 500, "the launcher started `sleep` within 10 s");
      await new Promise((resolve) => setTimeout(resolve, 20));
      sleeping = childrenOf(started);
    }
    process.kill(started, "SIGKILL");
    for (const pid of sleeping) process.kill(pid, "SIGKILL"); // the killed launcher's child, left to us

    const exit = await waiting;
    assert.equal(exit.exitCode, 1);
    assert.match(exit.stderr, /the launcher that runs sleep for pulumi-netns ended \(SIGKILL\) before it answered/);
    assert.equal((await launcher.run(["echo", "again"])).stdout, "again");
  });

  it("does not keep the process that started it alive once it has answered", () => {
    const module = path.resolve(__dirname, "../../provider/machine/launcher.js");
    const script = `new (require(${JSON.stringify(module)}).Launcher)().run(["echo", "done"]).then((exit) => console.log(exit.stdout));`;
    // Bounded: a launcher that held its starter up would make this time out.
    const output = execFileSync(process.execPath, ["-e", script], { encoding: "utf8", timeout: 20_000 });
    assert.equal(output.trim(), "done");
  });
});
