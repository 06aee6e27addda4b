/**
 * The `netns` package from Pulumi YAML, through the real engine and the YAML language host: the
 * routed lab up, pinged, previewed clean and destroyed; a Topology lab likewise, built as a
 * component; a namespace and a veth pair made by hand
 * imported, marked, previewed clean and destroyed; and bad input refused at preview with the same
 * words as from TypeScript.
 */
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import type { PlannedNode } from "../../provider/index.js";
import { repoRoot, resourceTypesInState, testStack } from "../support/engine.js";
import { cases } from "../support/hostile-cases.js";
import { ip, machineState, ping, removeNamespace, uniqueName } from "../support/kernel.js";
import { assertRoutedLab, withLab } from "../support/lab.js";
import { familiesPinged, unreachable } from "../support/topology.js";

const routedLab = path.join(repoRoot, "examples/yaml-routed-lab");
const topologyLab = path.join(repoRoot, "examples/yaml-topology");

/** A YAML project of its own in a temporary folder, using this checkout's plugin; removed by the caller. */
function yamlProject(name: string, resources: string): string {
  const dir = mkdtempSync(path.join(tmpdir(), "pulumi-netns-yaml-"));
  const plugin = path.join(repoRoot, "plugin");
  writeFileSync(
    path.join(dir, "Pulumi.yaml"),
    `name: ${name}\nruntime: yaml\nplugins:\n  providers:\n    - name: netns\n      path: ${plugin}\n${resources}`,
  );
  return dir;
}

/** Runs the toolchain's `pulumi` (first on PATH in `env`) in `cwd`; a failure says what pulumi printed. */
function cli(cwd: string, env: Record<string, string>, ...args: string[]): string {
  try {
    return execFileSync("pulumi", [...args, "--non-interactive"], {
      cwd,
      env: { ...process.env, ...env },
      encoding: "utf8",
    });
  } catch (e) {
    const { stdout = "", stderr = "" } = e as { stdout?: string; stderr?: string };
    throw new Error(`pulumi ${args.join(" ")} failed:\n${stdout}\n${stderr}`);
  }
}

/** The alias of `device` in `netns`: where the mark of the stack that owns it is. */
function aliasOf(netns: string | undefined, device: string): string | undefined {
  const shown = JSON.parse(ip(...(netns === undefined ? [] : ["-n", netns]), "-json", "link", "show", "dev", device));
  return shown[0]?.ifalias;
}

describe("the netns package from Pulumi YAML", () => {
  it("brings up the routed lab: ns0 and ns1 ping each other through the host, preview is clean, destroy leaves nothing", async () => {
    const prefix = uniqueName("ya").slice(0, 9);
    await withLab(routedLab, { prefix }, prefix, async (stack) => {
      assertRoutedLab(await stack.up(), prefix);
      // The sweep of scripts/recover knows the package's resources: it deletes none of a stack's.
      const exported = JSON.stringify(await stack.exportStack());
      const swept = execFileSync(
        "node",
        [path.join(repoRoot, "dist/provider/cli/sweep.js"), "--stack", `pulumi-netns-yaml-routed-lab/${stack.name}`],
        {
          input: exported,
          encoding: "utf8",
        },
      );
      assert.match(swept, /: 0 object\(s\) the state does not hold, deleted/);
      assert.ok(ping(`${prefix}ns0`, "10.1.20.2"), "the lab is whole after the sweep");
    });
  });

  it("builds a Topology as a component: its children are the package's resources, and every node reaches every other", async () => {
    const prefix = uniqueName("yt").slice(0, 9);
    await withLab(topologyLab, { prefix }, prefix, async (stack) => {
      const up = await stack.up();
      const nodes = up.outputs.nodes?.value as Record<string, PlannedNode>;
      assert.deepEqual(Object.keys(nodes).sort(), ["h1", "h2", "h3", "r"]);
      assert.deepEqual(unreachable(nodes), [], "every node pings every other, on both families");
      assert.deepEqual(familiesPinged(nodes), { ipv4: 4, ipv6: 4 });
      const checks = up.outputs.checks?.value as Array<{ rtt?: number }>;
      assert.equal(checks.length, 24, "the all-pairs checks: 4 nodes, both families");
      assert.ok(
        checks.every((c) => typeof c.rtt === "number"),
        "each check measured its round trip",
      );
      const types = await resourceTypesInState(stack);
      assert.ok(types.includes("netns:index:Topology"), "the component is the package's");
      assert.deepEqual(
        types.filter((t) => !t.startsWith("netns:index:")),
        [],
        "its children are the package's own resources, not dynamic ones",
      );
    });
  });

  it("imports a namespace and a veth pair made by hand: marks them, previews clean, and destroy deletes them", async () => {
    const prefix = uniqueName("yi").slice(0, 9);
    const [netns, end, peer] = [`${prefix}ns`, `${prefix}a`, `${prefix}b`];
    const before = machineState();
    const dir = yamlProject("netns-import", "resources: {}\n");
    const { stack, env, dispose } = await testStack(dir, {});
    try {
      ip("netns", "add", netns);
      ip("link", "add", end, "type", "veth", "peer", "name", peer, "netns", netns);
      const pulumi = (...args: string[]) => cli(dir, env, ...args, "--stack", stack.name);
      // As a user would: import, then paste the code it wrote into the program.
      for (const [type, name, id] of [
        ["NetNamespace", "lab-ns", netns],
        ["VethPair", "lab-pair", end],
      ] as const) {
        const code = path.join(dir, `${name}.yaml`);
        pulumi("import", `netns:index:${type}`, name, id, "--yes", "--protect=false", "--out", code);
        const program = readFileSync(path.join(dir, "Pulumi.yaml"), "utf8").replace("resources: {}\n", "resources:\n");
        writeFileSync(path.join(dir, "Pulumi.yaml"), program + readFileSync(code, "utf8").replace(/^resources:\n/, ""));
      }
      const owner = (name: string) => `pulumi-netns:netns-import/${stack.name}:${name}`;
      assert.equal(aliasOf(netns, "lo"), owner("lab-ns"), "the namespace carries the stack's mark");
      assert.equal(aliasOf(undefined, end), owner("lab-pair"), "so does one end of the pair");
      assert.equal(aliasOf(netns, peer), owner("lab-pair"), "and the other");

      const preview = await stack.preview({ refresh: true, expectNoChanges: true });
      assert.deepEqual(Object.keys(preview.changeSummary), ["same"]);

      await stack.destroy();
      assert.deepEqual(machineState(), before, "destroy deleted what was imported: the machine is as before");
    } finally {
      try {
        await dispose();
      } finally {
        // Whatever happened above (an import that failed leaves them unheld): nothing made here stays.
        if (JSON.stringify(machineState().links).includes(`"${end}"`)) ip("link", "delete", "dev", end);
        removeNamespace(netns);
        rmSync(dir, { recursive: true, force: true });
      }
    }
  });

  it("moves a TypeScript stack's namespace to YAML without touching it: state delete, then import by the same name", async () => {
    const name = uniqueName("ym");
    const before = machineState();
    // One project, two programs: TypeScript first (test/e2e/programs/move), then the same project in YAML.
    const typescript = path.join(repoRoot, "test/e2e/programs/move");
    const yaml = yamlProject("netns-move", "resources: {}\n");
    const { stack, env, dispose } = await testStack(typescript, { netns: name });
    try {
      await stack.up();
      const made = machineState();
      const pulumi = (cwd: string, ...args: string[]) => cli(cwd, env, ...args, "--stack", stack.name);
      const urn = `urn:pulumi:${stack.name}::netns-move::pulumi-nodejs:dynamic/netns:NetNamespace::lab-ns`;
      pulumi(typescript, "state", "delete", urn, "--yes");
      // The last dynamic resource gone, so goes their provider: the YAML program's folder has no
      // @pulumi/pulumi for the engine to load it from.
      pulumi(
        typescript,
        "state",
        "delete",
        `urn:pulumi:${stack.name}::netns-move::pulumi:providers:pulumi-nodejs::default`,
        "--yes",
      );
      const code = path.join(yaml, "lab-ns.yaml");
      pulumi(yaml, "import", "netns:index:NetNamespace", "lab-ns", name, "--yes", "--protect=false", "--out", code);
      writeFileSync(
        path.join(yaml, "Pulumi.yaml"),
        readFileSync(path.join(yaml, "Pulumi.yaml"), "utf8").replace("resources: {}\n", "resources:\n") +
          readFileSync(code, "utf8").replace(/^resources:\n/, ""),
      );
      assert.deepEqual(machineState(), made, "the namespace was never touched, its mark the same name's");
      pulumi(yaml, "preview", "--refresh", "--expect-no-changes");
      pulumi(yaml, "destroy", "--yes");
      assert.deepEqual(machineState(), before, "destroy through the package deleted it");
    } finally {
      try {
        await dispose();
      } finally {
        removeNamespace(name);
        rmSync(yaml, { recursive: true, force: true });
      }
    }
  });

  it("refuses bad input at preview, naming the property with the same words as TypeScript", async () => {
    const chosen = [
      "an interface name with a space",
      "a namespace name with /",
      "an interface name starting with -",
      "the namespace name ..",
      "a host whose key file is not an absolute path",
    ].map((what) => {
      const found = cases.find((c) => c.what === what);
      assert.ok(found, `the hostile-input table has "${what}"`);
      return found;
    });
    const dir = yamlProject("netns-hostile", "resources: {}\n");
    const { stack, dispose } = await testStack(dir, {});
    try {
      for (const c of chosen) {
        const state = machineState();
        // JSON is YAML: the case's arguments as they are.
        const program = readFileSync(path.join(dir, "Pulumi.yaml"), "utf8").replace(
          /resources:[\s\S]*$/,
          `resources:\n  bad:\n    type: netns:index:${c.kind}\n    properties: ${JSON.stringify(c.args)}\n`,
        );
        writeFileSync(path.join(dir, "Pulumi.yaml"), program);
        const message = await stack.preview().then(
          () => assert.fail(`preview of ${c.what} succeeded`),
          (e: Error) => e.message,
        );
        assert.match(message, new RegExp(`netns:index:${c.kind} resource 'bad'`), `${c.what}: names the resource`);
        assert.match(message, new RegExp(`property ${c.property} value`), `${c.what}: names the property`);
        assert.match(message, c.rule, `${c.what}: states the rule`);
        if (c.shown !== "") assert.ok(message.includes(`got ${c.shown}`), `${c.what}: shows the bad value`);
        assert.deepEqual(machineState(), state, `${c.what}: nothing on the machine changed`);
      }
    } finally {
      try {
        await dispose();
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  });
});
