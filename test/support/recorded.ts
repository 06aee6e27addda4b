/**
 * What this machine printed, recorded by test/fixtures/record.mjs: one command's argv, exit code,
 * output and error output per fixture. A fixture is named by its folder and case (`nft/list-table`);
 * a bare case is one of `ip`'s (test/fixtures/ip/).
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import type { Exit } from "../../provider/errors.js";
import { FakeSystem } from "./fake-system.js";

export interface Recorded extends Exit {
  argv: string[];
}

const dir = path.resolve(__dirname, "../../../test/fixtures");

export function recorded(name: string): Recorded {
  const file = name.includes("/") ? name : `ip/${name}`;
  return JSON.parse(readFileSync(path.join(dir, `${file}.json`), "utf8")) as Recorded;
}

/** A fake system that answers every command as `ip` answered the recorded one. */
export function replaying(name: string): FakeSystem {
  const { exitCode, stdout, stderr } = recorded(name);
  return new FakeSystem(() => ({ exitCode, stdout, stderr }));
}
