import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { classify, commandFailure, fileFailure, isFailure, isFileError, isIpError } from "../../provider/errors.js";
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

describe("what a failure tells to do", () => {
  const said = (argv: string[], stderr: string) => commandFailure(argv, { exitCode: 2, stdout: "", stderr }).message;

  it("names a namespace that was never made, and how to have the engine make it first", () => {
    const message = said(
      ["ip", "-n", "lab0", "address", "add", "10.1.10.2/24", "dev", "v1"],
      'Cannot open network namespace "lab0": No such file or directory',
    );
    assert.match(message, /^Command failed with exit code 2: ip -n lab0 address add 10\.1\.10\.2\/24 dev v1\n/);
    assert.match(
      message,
      /The namespace "lab0" does not exist\. Declare it with a NetNamespace and pass its `name` output as `netns`/,
    );
  });

  it("names a device that was never made, and where it was looked for", () => {
    assert.match(
      said(["ip", "-n", "lab0", "address", "add", "10.1.10.2/24", "dev", "v9"], 'Cannot find device "v9"'),
      /There is no device "v9" in namespace "lab0"\. Declare it \(a VethPair, Bridge, MacVlan or Vxlan\)/,
    );
    assert.match(
      said(["ip", "link", "set", "dev", "v9", "up"], 'Device "v9" does not exist.'),
      /in the root namespace/,
    );
  });

  it("says a gateway on no subnet needs its address first, passed to the route", () => {
    const message = said(
      ["ip", "-n", "lab0", "route", "add", "10.1.20.0/24", "via", "10.1.10.1", "dev", "v1"],
      "Error: Nexthop has invalid gateway.",
    );
    assert.match(
      message,
      /Error: Nexthop has invalid gateway\.\nThe gateway 10\.1\.10\.1 is on no subnet of namespace "lab0"/,
    );
    assert.match(message, /`device: address\.device`/);
  });
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
