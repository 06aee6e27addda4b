import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  parseRootQdisc,
  percent,
  qdiscReplace,
  rate,
  rateBytes,
  shapingKind,
  size,
  time,
} from "../../../provider/commands/qdisc.js";
import { isProblem } from "../../../provider/rule.js";

describe("tc qdisc: rules, commands and what tc says", () => {
  it("takes rates, sizes, times and percentages as tc writes them, and refuses the rest", () => {
    for (const ok of ["10mbit", "512kbit", "1.5gbit", "8bit"]) assert.equal(rate(ok), ok);
    for (const bad of ["10mb", "10 mbit", "fast", "0mbit", "2000gbit", "-1mbit"]) assert.ok(isProblem(rate(bad)), bad);
    assert.equal(rateBytes("20mbit"), 2_500_000);
    assert.equal(rateBytes("1.5gbit"), 187_500_000);
    for (const ok of ["1600", "32kb", "1mb"]) assert.equal(size(ok), ok);
    for (const bad of ["0", "32k", "1gb", ""]) assert.ok(isProblem(size(bad)), bad);
    for (const ok of ["10ms", "500us", "1s", "1.5ms"]) assert.equal(time(ok), ok);
    for (const bad of ["10", "61s", "1h", "-1ms"]) assert.ok(isProblem(time(bad)), bad);
    for (const ok of ["1%", "0.5%", "100%"]) assert.equal(percent(ok), ok);
    for (const bad of ["1", "101%", "-1%"]) assert.ok(isProblem(percent(bad)), bad);
  });

  it("shapes with tbf for a rate alone, and with netem, carrying the rate, for anything netem does", () => {
    assert.equal(shapingKind({ rate: "10mbit" }), "tbf");
    assert.deepEqual(qdiscReplace("v0", { rate: "10mbit" }), [
      "qdisc",
      "replace",
      "dev",
      "v0",
      "root",
      "tbf",
      "rate",
      "10mbit",
      "burst",
      "32kb",
      "latency",
      "50ms",
    ]);
    assert.equal(shapingKind({ rate: "10mbit", loss: "1%" }), "netem");
    assert.deepEqual(qdiscReplace("v0", { rate: "10mbit", delay: "10ms", jitter: "2ms", loss: "1%" }).slice(5), [
      "netem",
      "delay",
      "10ms",
      "2ms",
      "loss",
      "1%",
      "rate",
      "10mbit",
    ]);
  });

  it("reads the root qdisc's kind and rate, and none on a link that has none shown", () => {
    assert.deepEqual(
      parseRootQdisc(
        '[{"kind":"tbf","handle":"8001:","root":true,"refcnt":3,"options":{"rate":2500000,"burst":4095,"lat":50000}}]',
      ),
      { kind: "tbf", rate: 2_500_000 },
    );
    assert.deepEqual(parseRootQdisc('[{"kind":"noqueue","handle":"0:","root":true,"refcnt":2,"options":{}}]'), {
      kind: "noqueue",
    });
    assert.equal(parseRootQdisc("[]"), undefined);
  });
});
