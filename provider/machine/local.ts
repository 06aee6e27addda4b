/**
 * The {@link System} of this machine: every command run by the launcher (launcher.ts, with execa),
 * off the provider process's thread. The machine's capabilities (files, processes, signals) are
 * commands too (machine.ts), so this is all there is to it, besides the kept-open sessions to
 * other hosts. node:child_process is imported at run time, inside the call, so nothing of it is
 * ever captured by a serialized provider (see the guide on dynamic providers).
 */
import { Launcher } from "./launcher.js";
import type { System } from "./machine.js";

/** Starts this process's programs (launcher.ts): one for the process, started when first needed. */
const launcher = new Launcher();

export const realSystem: System = {
  run: (argv, input) => launcher.run(argv, input),

  async session(argv) {
    const { spawn } = await import("node:child_process");
    const { createInterface } = await import("node:readline");
    const child = spawn(argv[0] as string, argv.slice(1), {
      stdio: ["pipe", "pipe", "pipe"],
      env: { ...process.env, LC_ALL: "C" },
    });
    child.stdin.on("error", () => {}); // it ended: onEnd says so
    let said = "";
    child.stderr.setEncoding("utf8");
    child.stderr.on("data", (text: string) => {
      said = (said + text).slice(-2000);
    });
    const lines = createInterface({ input: child.stdout });
    const ended = new Promise<string>((resolve) => {
      child.once("error", (e) => resolve(e.message));
      child.once("close", (code, signal) => resolve(said.trim() || `it exited with ${signal ?? code}`));
    });
    // Streams have ref/unref at run time (they are sockets), though not in their types.
    const handles = [child, child.stdin, child.stdout, child.stderr] as Array<{ ref?(): void; unref?(): void }>;
    return {
      write: (line) => child.stdin.write(`${line}\n`),
      onLine: (listener) => lines.on("line", listener),
      onEnd: (listener) => void ended.then(listener),
      hold(waiting) {
        for (const handle of handles) {
          if (waiting) handle.ref?.();
          else handle.unref?.();
        }
      },
    };
  },
};
