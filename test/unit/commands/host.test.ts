/**
 * Host inputs, ssh's argv and the one place argv becomes a line of shell (commands/host.ts): pure,
 * with a real `sh` to prove the quoting.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { describe, it } from "node:test";
import {
  checkArgv,
  closeArgv,
  commandLine,
  hostKey,
  hostLabel,
  hostRule,
  preflightProblem,
  remoteCommand,
  shellQuote,
  sshArgv,
  sshFailureKind,
  sshProblem,
} from "../../../provider/commands/host.js";
import { isProblem } from "../../../provider/rule.js";

describe("host inputs", () => {
  it("takes an ssh destination or its parts, and gives both spellings one key", () => {
    assert.deepEqual(hostRule("root@lab1"), { address: "lab1", user: "root" });
    assert.deepEqual(hostRule({ address: "lab1", user: "root" }), { address: "lab1", user: "root" });
    assert.equal(
      hostKey(hostRule("root@lab1") as never),
      hostKey(hostRule({ address: "lab1", user: "root" }) as never),
    );
    assert.deepEqual(hostRule({ address: "10.0.0.2", port: 2222, identityFile: "/root/.ssh/lab" }), {
      address: "10.0.0.2",
      port: 2222,
      identityFile: "/root/.ssh/lab",
    });
  });

  it("refuses what ssh would read as an option, or the shell as more than a name, naming the part", () => {
    const problems = [
      ["--host", 'address: must not start with "-" (ssh would read it as an option)'],
      ["-oProxyCommand=touch /tmp/x", 'address: must not start with "-" (ssh would read it as an option)'],
      ["lab1; reboot", "address: must be an ssh_config alias, a DNS name or an IP address (no white space or quotes)"],
      [
        { address: "lab1", user: "-l" },
        "user: must be a user name (letters, digits, '_', '.', '-', not starting with \"-\")",
      ],
      [{ address: "lab1", port: 0 }, "port: must be a whole number from 1 to 65535"],
      [{ address: "lab1", identityFile: "id_rsa" }, "identityFile: must be an absolute path"],
      [{ address: "lab1", password: "x" }, 'has no property "password"'],
      [42, "must be an ssh destination (a string) or { address, user, port, identityFile, configFile }"],
    ] as const;
    for (const [value, words] of problems) {
      const checked = hostRule(value);
      assert.ok(isProblem(checked), JSON.stringify(value));
      assert.equal(checked.problem, words);
    }
  });

  it("quotes each argument so that a POSIX shell gives back exactly the argv", () => {
    const argv = ["printf", "%s|", "it's", "$(id)", "a b", "`x`", "\\", ""];
    const line = argv.map(shellQuote).join(" ");
    const back = execFileSync("sh", ["-c", `for a in ${line}; do printf '%s\\0' "$a"; done`], { encoding: "utf8" });
    assert.deepEqual(back.split("\0").slice(0, -1), argv);
    assert.equal(remoteCommand(["ip", "-V"]).startsWith("'env' 'LC_ALL=C' 'PATH="), true);
  });

  it("builds ssh's argv: the user's options, never a prompt, one shared connection, then the destination", () => {
    const argv = sshArgv(
      { address: "lab1", user: "root", port: 2222, identityFile: "/k", configFile: "/c" },
      { controlPath: "/tmp/cp-%C", persist: 30, connectTimeout: 10 },
      ["ip", "-V"],
    );
    assert.deepEqual(argv.slice(0, 9), ["ssh", "-F", "/c", "-i", "/k", "-l", "root", "-p", "2222"]);
    assert.ok(
      argv.includes("BatchMode=yes") && argv.includes("ControlMaster=auto") && argv.includes("ControlPath=/tmp/cp-%C"),
    );
    assert.deepEqual(argv.slice(-3, -1), ["--", "lab1"]);
  });

  it("gives a failing host's check as a command to paste: every option the library passes, quoted where a shell needs it", () => {
    const host = { address: "lab1", user: "root", port: 2222, identityFile: "/my keys/lab", configFile: "/c" };
    const check = checkArgv(host, 10);
    assert.deepEqual(
      check.slice(0, 9),
      sshArgv(host, { controlPath: "/x", persist: 30, connectTimeout: 10 }, []).slice(0, 9),
    );
    assert.equal(
      commandLine(check),
      "ssh -F /c -i '/my keys/lab' -l root -p 2222 -o BatchMode=yes -o ConnectTimeout=10 -T -- lab1 true",
    );
    const back = execFileSync("sh", ["-c", `printf '%s\\n' ${commandLine(check)}`], { encoding: "utf8" });
    assert.deepEqual(back.trim().split("\n"), check, "a shell gives back the argv");
    assert.match(
      sshProblem(host, "ssh: connect to host lab1 port 2222: Connection refused"),
      /: ssh -F \/c -i '\/my keys\/lab' .* lab1 true$/,
    );
    assert.deepEqual(closeArgv(host, "/tmp/s/0").slice(-5), ["ControlPath=/tmp/s/0", "-O", "exit", "--", "lab1"]);
  });
});

describe("what a host answers", () => {
  it("tells a refused login from an unreachable host by ssh's words", () => {
    assert.equal(sshFailureKind("root@lab1: Permission denied (publickey)."), "refused-login");
    assert.equal(sshFailureKind("ssh: connect to host lab1 port 22: Connection refused"), "unreachable");
  });

  it("finds a host fit with CAP_NET_ADMIN and CAP_SYS_ADMIN and ip, and names what is missing otherwise", () => {
    const host = { address: "lab1" };
    assert.equal(preflightProblem(host, "CapEff:\t000001ffffffffff\nip=yes"), undefined);
    assert.match(preflightProblem(host, "CapEff:\t000001ffffffffff\n") ?? "", /^Host "lab1" has no `ip` command/);
    // CAP_NET_ADMIN (bit 12) without CAP_SYS_ADMIN (bit 21), as a user granted only the first has.
    assert.match(preflightProblem(host, "CapEff:\t0000000000001000\nip=yes") ?? "", /lacks root \(CAP_NET_ADMIN/);
    assert.equal(hostLabel({ address: "lab1", user: "root", port: 2222 }), "root@lab1:2222");
  });
});
