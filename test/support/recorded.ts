/**
 * What this machine's `ip` printed, recorded by test/fixtures/ip/record.mjs: one command's argv,
 * exit code, output and error output per fixture.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import type { Exit } from "../../provider/errors.js";
import { FakeSystem } from "./fake-system.js";

export interface Recorded extends Exit {
  argv: string[];
}

const dir = path.resolve(__dirname, "../../../test/fixtures/ip");

export function recorded(name: string): Recorded {
  return JSON.parse(readFileSync(path.join(dir, `${name}.json`), "utf8")) as Recorded;
}

/** A fake system that answers every command as `ip` answered the recorded one. */
export function replaying(name: string): FakeSystem {
  const { exitCode, stdout, stderr } = recorded(name);
  return new FakeSystem(() => ({ exitCode, stdout, stderr }));
}
