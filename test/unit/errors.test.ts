import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { classify, fileFailure, isFailure, isFileError, isIpError } from "../../src/errors.js";
import { recorded } from "../support/recorded.js";

describe("classify", () => {
  const cases: Array<[string, string]> = [
    ["RTNETLINK answers: File exists", "already-exists"],
    ["Error: ipv4: Address already assigned.", "already-exists"],
    ['Cannot open network namespace "a": No such file or directory', "not-found"],
    ['Cannot find device "x"', "not-found"],
    ["RTNETLINK answers: No such process", "not-found"],
    ["Error: ipv4: Address not found.", "not-found"],
    ["RTNETLINK answers: Operation not permitted", "permission-denied"],
    ["mount --make-shared /run/netns failed: Permission denied", "permission-denied"],
    ["Device or resource busy", "transient"],
    ["Error: Nexthop has invalid gateway.", "other"],
  ];
  for (const [stderr, reason] of cases) {
    it(`classifies "${stderr}" as ${reason}`, () => assert.equal(classify(stderr), reason));
  }
});

describe("fileFailure", () => {
  const errnos: Array<[string, string]> = [
    ["ENOENT", "not-found"],
    ["EACCES", "permission-denied"],
    ["EPERM", "permission-denied"],
    ["EINVAL", "other"],
  ];
  for (const [code, reason] of errnos) {
    it(`classifies ${code} as ${reason}, with the path and Node's words`, () => {
      const e = fileFailure("read", "/run/pulumi-netns/x", Object.assign(new Error(`${code}: oops`), { code }));
      assert.ok(isFileError(e) && !isIpError(e));
      assert.ok(isFailure(e, reason as never));
      assert.match(e.message, new RegExp(`^Could not read /run/pulumi-netns/x: ${code}: oops\\.`));
    });
  }
});

describe("classify, on what this kernel answered", () => {
  const cases: Array<[string, string]> = [
    ["link-show-missing-device", "not-found"],
    ["address-show-missing-namespace", "not-found"],
    ["route-show-table-never-made", "not-found"],
    // A name under /run/netns with no namespace mounted on it: what a killed `ip netns add` leaves.
    ["address-show-half-made-namespace", "not-found"],
  ];
  for (const [name, reason] of cases) {
    it(`classifies ${name} as ${reason}`, () => assert.equal(classify(recorded(name).stderr), reason));
  }
});
