/**
 * Stacks driven through the real Pulumi engine with the Automation API, each with a state backend
 * and CLI home of its own in a temporary directory, offline.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { type ConfigMap, type EngineEvent, LocalWorkspace, PulumiCommand, type Stack } from "@pulumi/pulumi/automation";
import { removeJournalOf, removeLeftoversOf } from "./kernel.js";

export const repoRoot = path.resolve(__dirname, "../../..");

/** The directory scripts/toolchain printed; the README's test command exports it. */
export function toolchainDir(): string {
  const dir = process.env.PULUMI_NETNS_TOOLCHAIN;
  if (dir === undefined || dir === "") {
    throw new Error(
      "PULUMI_NETNS_TOOLCHAIN is not set: run the tests with `npm test` (scripts/test), which installs the engine",
    );
  }
  return dir;
}

/**
 * Pulumi run locally and offline, as scripts/pulumi-env runs it (state as zstd, no .attrs sidecar):
 * state and CLI home in `home`, the project's toolchain first on PATH.
 */
export function offlineEnv(home: string, toolchain: string): Record<string, string> {
  return {
    PULUMI_BACKEND_URL: `file://${home}?metadata=skip`,
    PULUMI_DIY_BACKEND_ZSTD: "true",
    PULUMI_HOME: path.join(home, ".pulumi"),
    PULUMI_CONFIG_PASSPHRASE: "",
    PULUMI_SKIP_UPDATE_CHECK: "true",
    PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    PATH: `${toolchain}:${process.env.PATH ?? ""}`,
  };
}

/** How many stacks this process made (see testStack). */
let stacksMade = 0;

export interface TestStack {
  stack: Stack;
  /** The environment the stack's CLI runs with (its own backend and home, offline). */
  env: Record<string, string>;
  /** Destroys whatever is left, removes the stack and its temporary state. Safe to call twice. */
  dispose(): Promise<void>;
}

/**
 * A new stack of the Pulumi project in `projectDir` (a directory with Pulumi.yaml), with `config`
 * set. The stack's state lives in a temporary directory removed by `dispose`.
 */
export async function testStack(projectDir: string, config: Record<string, string>): Promise<TestStack> {
  const toolchain = toolchainDir();
  const home = mkdtempSync(path.join(tmpdir(), "pulumi-netns-e2e-"));
  const envVars = offlineEnv(home, toolchain);
  // Counted too: cases that run side by side may make their stacks in the same millisecond, and
  // a stack's config file (Pulumi.<stack>.yaml) lies in the project's folder, which they share.
  stacksMade += 1;
  const stackName = `test-${process.pid}-${Date.now().toString(36)}-${stacksMade}`;
  let stack: Stack;
  try {
    const pulumiCommand = await PulumiCommand.get({ root: path.dirname(toolchain) });
    stack = await LocalWorkspace.createStack({ stackName, workDir: projectDir }, { pulumiCommand, envVars });
    const configMap: ConfigMap = Object.fromEntries(Object.entries(config).map(([k, v]) => [k, { value: v }]));
    await stack.setAllConfig(configMap);
  } catch (e) {
    // No stack to dispose of: its home goes now.
    rmSync(home, { recursive: true, force: true });
    throw e;
  }
  let disposed = false;
  return {
    stack,
    env: envVars,
    async dispose() {
      if (disposed) return;
      disposed = true;
      try {
        await stack.destroy();
      } finally {
        // Also removes the Pulumi.<stack>.yaml the config was written to.
        await stack.workspace.removeStack(stackName, { force: true }).catch(() => undefined);
        rmSync(home, { recursive: true, force: true });
        // What a destroy that failed left in the journal, and its processes and files (the test
        // removes its namespaces itself).
        removeJournalOf(stackName);
        removeLeftoversOf(stackName);
      }
    },
  };
}

/** The types of the resources the stack's state holds, the stack itself left out. */
export async function resourceTypesInState(stack: Stack): Promise<string[]> {
  const deployment = await stack.exportStack();
  const resources = (deployment.deployment?.resources ?? []) as Array<{ type: string }>;
  return resources
    .map((r) => r.type)
    .filter((type) => type !== "pulumi:pulumi:Stack" && !type.startsWith("pulumi:providers:"));
}

/** `npm pack`s this checkout into a folder of `dir`; returns the tarball's path in `dir`. */
export function packThisCheckout(dir: string): string {
  // In a folder of its own: a release's tarball of the same version in `dir` stays what it is.
  const folder = "this-checkout";
  const destination = path.join(dir, folder);
  mkdirSync(destination, { recursive: true });
  // Without its prepack build: the suite runs on the build scripts/setup made, which is what is
  // packed. That build would first remove dist/ under cases still running from it (cases of a
  // file may run side by side), and it costs some 12 CPU seconds each time.
  const output = execFileSync("npm", ["pack", "--silent", "--ignore-scripts", "--pack-destination", destination], {
    cwd: repoRoot,
    encoding: "utf8",
  });
  return `${folder}/${output.trim().split("\n").pop() as string}`;
}

/**
 * Makes a user's Pulumi project in `dir`, as users have it: a package of pulumi-netns (`tarball`,
 * a file in `dir`; by default this checkout, packed) installed in the project's own node_modules
 * with the pinned SDK, and `program` (plain JavaScript) as index.js.
 */
export function makeUserProject(dir: string, name: string, program: string, tarball = packThisCheckout(dir)): void {
  // Plain JavaScript: without `typescript: false` the runtime registers ts-node, which leaves a
  // cache folder in /tmp.
  writeFileSync(
    path.join(dir, "Pulumi.yaml"),
    `name: ${name}\nruntime:\n  name: nodejs\n  options:\n    typescript: false\nmain: index.js\n`,
  );
  writeFileSync(path.join(dir, "index.js"), program);
  installPackage(dir, name, tarball);
}

/** Installs the package `tarball` (a file in `dir`) into the user's project in `dir`, in place of any other. */
export function installPackage(dir: string, name: string, tarball: string): void {
  const sdk = JSON.parse(readFileSync(path.join(repoRoot, "package.json"), "utf8")).dependencies["@pulumi/pulumi"];
  const dependencies = { "pulumi-netns": `file:./${tarball}`, "@pulumi/pulumi": sdk };
  writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name, private: true, dependencies }));
  execFileSync("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"], {
    cwd: dir,
    stdio: "ignore",
  });
}

/**
 * What an update changes, by object, as the preview shows it: for each property that is a map of
 * objects (a NetnsConfig's addresses and routes), the keys that come (+), go (-) or change (~).
 */
function objectsChanged(olds: Record<string, unknown>, news: Record<string, unknown>): string {
  const isMap = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
  const said: string[] = [];
  for (const key of [...new Set([...Object.keys(olds), ...Object.keys(news)])].sort()) {
    const [was, now] = [olds[key], news[key]];
    if (key === "__provider" || JSON.stringify(was) === JSON.stringify(now)) continue;
    if (!isMap(was) || !isMap(now)) continue;
    const keys = [...new Set([...Object.keys(was), ...Object.keys(now)])].sort();
    const marks = keys.flatMap((k) =>
      !(k in now)
        ? [`-${k}`]
        : !(k in was)
          ? [`+${k}`]
          : JSON.stringify(was[k]) !== JSON.stringify(now[k])
            ? [`~${k}`]
            : [],
    );
    said.push(`${key}: ${marks.join(" ")}`);
  }
  return said.join("; ");
}

/**
 * What a refreshing preview would change, as `OP NAME` (`update veth21-veth22`), sorted, an update
 * followed by the objects it changes (objectsChanged); none when clean.
 */
export async function previewChanges(stack: Stack): Promise<string[]> {
  const changes: string[] = [];
  const onEvent = (event: EngineEvent) => {
    const meta = event.resourcePreEvent?.metadata;
    // The provider of the dynamic resources takes the stack's config as its own inputs, so a test
    // that changes its program by config sees the provider updated too: that is no change to the lab.
    if (
      meta !== undefined &&
      !["same", "read", "refresh"].includes(meta.op) &&
      !meta.type.startsWith("pulumi:providers:")
    ) {
      const what = `${meta.op} ${meta.urn.split("::").pop()}`;
      const named = meta.op === "update" ? objectsChanged(meta.old?.inputs ?? {}, meta.new?.inputs ?? {}) : "";
      changes.push(named === "" ? what : `${what} (${named})`);
    }
  };
  await stack.preview({ refresh: true, onEvent });
  return changes.sort();
}
