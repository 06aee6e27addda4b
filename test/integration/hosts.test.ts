/**
 * Resources on another host, over a real OpenSSH connection to a fake host (test/support/fake-hosts.ts):
 * what is made there is there and not here, one connection serves many commands, and a host that
 * cannot be reached, refuses the login or is named like an option fails its check with a message
 * that names it (and a host that went down, what of the stack lives there), before anything changes
 * anywhere; after a reboot, what the host lost reads as gone.
 */
import assert from "node:assert/strict";
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { closeHostMachines, providerFor } from "../../provider/kinds/index.js";
import { type FakeHosts, fakeHosts } from "../support/fake-hosts.js";
import { machineState, stopProcess, tcpListener, uniqueName } from "../support/kernel.js";

describe("resources on another host, over ssh", () => {
  let lab: FakeHosts;
  before(async () => {
    // The second host has no `ip`, the third no `node`; the fourth allows 3 sessions on a connection.
    lab = await fakeHosts(4, ["plain", "without-ip", "without-node", "few-sessions"]);
  });
  after(async () => {
    // As the engine ends a provider process: its connections closed, their sockets' folder removed.
    await closeHostMachines();
    await lab?.dispose();
  });

  it("makes, reads and deletes a namespace, a veth pair and a sysctl there, and nothing here", async () => {
    const [fake] = lab.hosts;
    assert.ok(fake !== undefined);
    const host = { address: fake.alias, configFile: lab.configFile };
    const here = machineState();
    const name = uniqueName("rn");
    const owner = "hosts-test/it:ns";
    const ns = providerFor("NetNamespace");
    const veth = providerFor("VethPair");
    const sysctl = providerFor("Sysctl");
    const checkedNs = await ns.check({}, { host, name, owner });
    assert.deepEqual(checkedNs.failures ?? [], []);
    const created = await ns.create(checkedNs.inputs);
    assert.deepEqual(
      created.outs.host,
      { address: fake.alias, configFile: lab.configFile },
      "the host is in the state",
    );
    assert.deepEqual(fake.namespaces(), [name], "on the host");
    assert.ok(!machineState().namespaces.includes(name), "not here");

    const pair = await veth.check({}, { host, name: "a0", netns: name, peerName: "b0", owner: "hosts-test/it:pair" });
    const made = await veth.create(pair.inputs);
    assert.match(fake.run(["ip", "-n", name, "-br", "link", "show", "dev", "a0"]), /^a0@b0\s+UP/);
    const forwarding = await sysctl.check(
      {},
      { host, key: "net.ipv4.ip_forward", value: "1", owner: "hosts-test/it:fwd" },
    );
    const set = await sysctl.create(forwarding.inputs);
    assert.equal(fake.run(["cat", "/proc/sys/net/ipv4/ip_forward"]).trim(), "1", "the host's own forwarding");
    assert.ok(fake.journal().length > 0, "the host keeps its own records");

    const read = await veth.read(made.id, made.outs);
    assert.equal(read.id, made.id);
    assert.deepEqual(read.props?.host, made.outs.host);
    // Drift made on the host is seen.
    fake.run(["ip", "-n", name, "link", "set", "dev", "a0", "down"]);
    // The next command's provider process: new connections, nothing read before.
    await closeHostMachines();
    assert.equal((await providerFor("VethPair").read(made.id, made.outs)).props?.up, false);

    await providerFor("Sysctl").delete(set.id, set.outs);
    assert.equal(fake.run(["cat", "/proc/sys/net/ipv4/ip_forward"]).trim(), "0", "put back as it was");
    await providerFor("VethPair").delete(made.id, made.outs);
    await providerFor("NetNamespace").delete(created.id, created.outs);
    assert.deepEqual(fake.namespaces(), []);
    assert.deepEqual(fake.journal(), [], "the host's records are gone with its objects");
    assert.deepEqual(machineState(), here, "this machine as it was");
  });

  it("runs every command of one provider process over one connection", async () => {
    const [fake] = lab.hosts;
    assert.ok(fake !== undefined);
    const host = { address: fake.alias, configFile: lab.configFile };
    await closeHostMachines(); // a provider process of its own, with no connection yet
    const loginsBefore = fake.logins();
    const ns = providerFor("NetNamespace");
    const names = Array.from({ length: 12 }, () => uniqueName("rc"));
    const started = Date.now();
    const made = await Promise.all(
      names.map(async (name, i) => {
        const { inputs } = await ns.check({}, { host, name, owner: `hosts-test/it:c${i}` });
        return ns.create(inputs);
      }),
    );
    const took = Date.now() - started;
    try {
      assert.equal(fake.namespaces().length, 12);
      assert.equal(fake.logins() - loginsBefore, 1, "one SSH login on the host for all of them");
      console.log(`# 12 namespaces on the host over one connection in ${took} ms`);
    } finally {
      await Promise.all(made.map((m) => ns.delete(m.id, m.outs)));
    }
    assert.deepEqual(fake.namespaces(), []);
  });

  it("keeps to a server that allows fewer sessions on a connection than the library opens", async () => {
    const few = lab.hosts[3];
    assert.ok(few !== undefined);
    const host = { address: few.alias, configFile: lab.configFile };
    await closeHostMachines();
    const loginsBefore = few.logins();
    const ns = providerFor("NetNamespace");
    const burst = () => {
      const names = Array.from({ length: 12 }, () => uniqueName("rm"));
      const made = Promise.all(
        names.map(async (name, i) =>
          ns.create((await ns.check({}, { host, name, owner: `hosts-test/it:m${i}` })).inputs),
        ),
      );
      return { names, made };
    };
    const first = burst();
    const made = await first.made;
    try {
      assert.deepEqual(few.namespaces().sort(), [...first.names].sort(), "every one made, none refused");
      // The first burst opens eight sessions at once; ssh gives the five the server refuses a
      // connection each, which the library closes once it has seen why. From then on: three.
      const afterFirst = few.logins();
      assert.ok(afterFirst - loginsBefore <= 6, `${afterFirst - loginsBefore} logins`);
      const second = burst();
      made.push(...(await second.made));
      assert.equal(few.logins(), afterFirst, "the next burst within the server's three sessions: no new login");
      assert.equal(few.namespaces().length, 24);
      // The shells kept open there: each has its scratch folder in the (shared) temporary folder.
      const shells = () => readdirSync(tmpdir()).filter((f) => f.startsWith("pulumi-netns-shell.")).length;
      const until = Date.now() + 3000;
      while (shells() > 3 && Date.now() < until) await new Promise((resolve) => setTimeout(resolve, 100));
      assert.equal(shells(), 3, "as many sessions kept open as the server allows");
    } finally {
      await Promise.all(made.map((m) => ns.delete(m.id, m.outs)));
    }
    assert.deepEqual(few.namespaces(), []);
  });

  it("sweeps a host the state names: deletes there what the ledger holds and the state does not", async () => {
    const [fake] = lab.hosts;
    assert.ok(fake !== undefined);
    const host = { address: fake.alias, configFile: lab.configFile };
    const ns = providerFor("NetNamespace");
    const [kept, orphan] = [uniqueName("rs"), uniqueName("rs")];
    const made = [];
    for (const name of [kept, orphan]) {
      const { inputs } = await ns.check({}, { host, name, owner: `sweep-test/dev:${name}` });
      made.push(await ns.create(inputs));
    }
    // The state holds the first only (a killed run never saved the second).
    const state = {
      deployment: {
        resources: [{ type: "pulumi-nodejs:dynamic/netns:NetNamespace", id: kept, outputs: made[0]?.outs }],
      },
    };
    const said = execFileSync(
      process.execPath,
      [path.join(__dirname, "../../provider/cli/sweep.js"), "--stack", "sweep-test/dev"],
      {
        input: JSON.stringify(state),
        encoding: "utf8",
      },
    );
    assert.match(said, new RegExp(`swept NetNamespace ${orphan} on ${fake.alias}`));
    assert.deepEqual(fake.namespaces(), [kept]);
    await ns.delete(kept, made[0]?.outs);
    assert.deepEqual(fake.namespaces(), []);
  });

  it("fails the check of a host that cannot be reached with the command that shows why, and changes nothing", async () => {
    const here = machineState();
    // Nothing listens on port 1 of loopback: the connection is refused at once.
    const check = providerFor("NetNamespace").check(
      {},
      { host: { address: "127.0.0.1", port: 1 }, name: uniqueName("ru"), owner: "hosts-test/it:x" },
    );
    const message = await check.then(
      () => assert.fail("a host that cannot be reached fails the check"),
      (e: Error) => e.message,
    );
    assert.match(message, /^Cannot reach host "127\.0\.0\.1:1" over SSH: .*Connection refused/);
    assert.match(message, /\nNothing was changed on "127\.0\.0\.1:1"\. This stack has nothing there yet/);
    // The command it gives is the one the library runs, port and all: run as given, it fails the same way.
    const given = /works from this machine \(it connects as the library does\): (ssh .*)$/m.exec(message)?.[1];
    assert.equal(given, "ssh -p 1 -o BatchMode=yes -o ConnectTimeout=10 -T -- 127.0.0.1 true");
    const tried = spawnSync("sh", ["-c", given as string], { encoding: "utf8" });
    assert.equal(tried.status, 255);
    assert.match(tried.stderr, /port 1: Connection refused/);
    assert.deepEqual(machineState(), here);
  });

  it("names the stack's resources on a host that went down; after its reboot they read as gone", async () => {
    const [fake] = lab.hosts;
    assert.ok(fake !== undefined);
    const host = { address: fake.alias, configFile: lab.configFile };
    const here = machineState();
    const name = uniqueName("rd");
    const ns = providerFor("NetNamespace");
    const created = await ns.create((await ns.check({}, { host, name, owner: "hosts-test/down:lab-ns" })).inputs);
    await closeHostMachines();
    await fake.down();
    try {
      // The next command: another resource of the same stack on that host.
      const message = await providerFor("NetNamespace")
        .check({}, { host, name: uniqueName("rd"), owner: "hosts-test/down:other" })
        .then(
          () => assert.fail("a host that is down fails the check"),
          (e: Error) => e.message,
        );
      assert.match(message, /^Cannot reach host "fake-host-1" over SSH: /);
      assert.match(message, /: ssh -F \S+\/ssh_config -o BatchMode=yes -o ConnectTimeout=10 -T -- fake-host-1 true\n/);
      assert.match(
        message,
        /Nothing was changed on "fake-host-1"\. This stack's resources there \(1\), none of them touched: NetNamespace lab-ns\.$/,
      );
    } finally {
      await closeHostMachines();
      await fake.boot();
    }
    // Rebooted: the namespace went with the host's memory. The next refresh drops it, and its records go.
    const read = await providerFor("NetNamespace").read(created.id, created.outs);
    assert.equal(read.id, undefined);
    assert.deepEqual(fake.namespaces(), []);
    assert.deepEqual(machineState(), here, "no record left here either");
  });

  it("fails the check of a host that refuses the login, naming it", async () => {
    const [fake] = lab.hosts;
    assert.ok(fake !== undefined);
    const namespacesBefore = fake.namespaces();
    const dir = mkdtempSync(path.join(tmpdir(), "pulumi-netns-key-"));
    try {
      // The lab's ssh_config without its key: only a key the host does not know is offered.
      const stranger = path.join(dir, "id");
      execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", stranger]);
      const configFile = path.join(dir, "ssh_config");
      const config = readFileSync(lab.configFile, "utf8").replace(/^\s*IdentityFile .*$/gm, "");
      writeFileSync(configFile, config);
      await assert.rejects(
        providerFor("NetNamespace").check(
          {},
          { host: { address: fake.alias, configFile, identityFile: stranger }, name: uniqueName("rk"), owner: "o/s:k" },
        ),
        /^Error: Host "fake-host-1" refused the SSH login: .*Permission denied \(publickey\)/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    assert.deepEqual(fake.namespaces(), namespacesBefore);
  });

  it("fails the check of a host without ip, and of one where the SSH user is not root, naming each", async () => {
    const [fake, bare] = lab.hosts;
    assert.ok(fake !== undefined && bare !== undefined);
    const failureOf = async (address: string) => {
      await closeHostMachines(); // each asked afresh, as a new pulumi command would
      return providerFor("NetNamespace")
        .check({}, { host: { address, configFile: lab.configFile }, name: uniqueName("rp"), owner: "hosts-test/it:p" })
        .then(
          () => assert.fail(`${address} fails the check`),
          (e: Error) => e.message,
        );
    };
    assert.match(await failureOf(bare.alias), /^Host "fake-host-2" has no `ip` command\. Install iproute2 there/);
    assert.match(
      await failureOf(`${fake.alias}-user`),
      /^On host "fake-host-1-user" the SSH user lacks root \(CAP_NET_ADMIN and CAP_SYS_ADMIN\)/,
    );
    assert.deepEqual(fake.namespaces(), [], "nothing made there");
    assert.deepEqual(bare.journal(), [], "nor on the host without ip (which cannot list namespaces)");
  });

  it("probes TCP on a host without Node.js: reached, refused, and a port made ready", async () => {
    const bare = lab.hosts[2];
    assert.ok(bare !== undefined);
    assert.throws(() => bare.run(["node", "-e", "0"]), "the host has no node");
    const host = { address: bare.alias, configFile: lab.configFile };
    // A listener in the host's own namespace, started from here (this machine's node).
    const here = machineState();
    const listener = await tcpListener(bare.netns, 47321);
    try {
      const reach = providerFor("Reachability");
      const probe = async (port: number, expect: "reachable" | "unreachable") => {
        const { inputs, failures } = await reach.check(
          {},
          { host, address: "127.0.0.1", protocol: "tcp", port, expect, tries: 1, timeout: 1, owner: "hosts-test/it:r" },
        );
        assert.deepEqual(failures ?? [], []);
        const made = await reach.create(inputs);
        // Deleted as a destroy would: a check makes nothing there, but this machine lists it as the stack's.
        await reach.delete(made.id, made.outs);
        return made;
      };
      const reached = await probe(47321, "reachable");
      assert.ok(
        typeof reached.outs.rtt === "number" && reached.outs.rtt > 0 && reached.outs.rtt < 100,
        `${reached.outs.rtt}`,
      );
      await probe(47322, "unreachable");
      await assert.rejects(probe(47322, "reachable"), /47322.*ECONNREFUSED|ECONNREFUSED.*47322|refused/i);
    } finally {
      await stopProcess(listener);
    }
    assert.deepEqual(machineState(), here, "nothing left here");
  });

  it("refuses a host named like an option before running anything", async () => {
    const checked = await providerFor("NetNamespace").check({}, { host: "--host", name: "x", owner: "o" });
    assert.deepEqual(checked.failures, [
      { property: "host", reason: 'address: must not start with "-" (ssh would read it as an option); got "--host"' },
    ]);
  });
});
