/**
 * The real System's files (provider/machine/local.ts), in a temporary folder: what the journal and
 * the ledger rest on.
 */
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, it } from "node:test";
import { realSystem } from "../../provider/machine/local.js";

describe("the real system's files", () => {
  const root = mkdtempSync(path.join(tmpdir(), "pulumi-netns-system-"));
  after(() => rmSync(root, { recursive: true, force: true }));

  it("makes a file, with its folders", async () => {
    const file = path.join(root, "made/stack/record.json");
    await realSystem.writeFile(file, "first", { create: true });
    await realSystem.writeFile(file, "second", { create: true });
    assert.equal(readFileSync(file, "utf8"), "second");
    assert.deepEqual(readdirSync(path.dirname(file)), ["record.json"]);
    assert.deepEqual(await realSystem.listFiles(path.dirname(file)), ["record.json"]);
  });

  it("never makes a file it was not asked to make", async () => {
    await assert.rejects(realSystem.writeFile(path.join(root, "absent"), "1"), { code: "ENOENT" });
    assert.equal(existsSync(path.join(root, "absent")), false);
    writeFileSync(path.join(root, "present"), "0");
    await realSystem.writeFile(path.join(root, "present"), "1");
    assert.equal(readFileSync(path.join(root, "present"), "utf8"), "1");
  });

  it("lists no files in a folder that is not there", async () => {
    assert.deepEqual(await realSystem.listFiles(path.join(root, "nowhere")), []);
  });

  it("removes a file, then its folders up to the root while they are empty", async () => {
    const file = path.join(root, "a/b/c.json");
    await realSystem.writeFile(file, "x", { create: true });
    await realSystem.writeFile(path.join(root, "a/kept.json"), "x", { create: true });
    await realSystem.removeFile(file, root);
    assert.equal(existsSync(path.join(root, "a/b")), false);
    assert.equal(existsSync(path.join(root, "a/kept.json")), true);
  });
});
