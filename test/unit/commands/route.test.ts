import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  keyedRoute,
  parseRoutes,
  routeDestination,
  routeGateway,
  routeKey,
  routeLine,
} from "../../../provider/commands/route.js";
import { recorded } from "../../support/recorded.js";

describe("parseRoutes, on what this kernel prints", () => {
  it("reads the IPv4 main table: default, connected, metric and host routes", () => {
    assert.deepEqual(parseRoutes(recorded("route-show-main-4").stdout), [
      { destination: "default", metric: 0, gateway: "10.1.10.1", device: "vb" },
      { destination: "10.1.10.0/24", metric: 0, gateway: undefined, device: "vb" },
      { destination: "10.1.20.0/24", metric: 7, gateway: "10.1.10.1", device: "vb" },
      // `ip` prints a host route without its /32; the parser puts it back.
      { destination: "10.1.30.5/32", metric: 0, gateway: undefined, device: "vb" },
    ]);
  });

  it("reads the IPv6 main table with the kernel's metrics", () => {
    const routes = parseRoutes(recorded("route-show-main-6").stdout);
    assert.deepEqual(
      routes.find((r) => r.destination === "fd00:20::/64"),
      { destination: "fd00:20::/64", metric: 1024, gateway: "fd00:10::1", device: "vb" },
    );
  });

  it("reads another table, and an empty one", () => {
    assert.deepEqual(parseRoutes(recorded("route-show-table-100").stdout), [
      { destination: "10.1.40.0/24", metric: 0, gateway: "10.1.10.1", device: "vb" },
    ]);
    assert.deepEqual(parseRoutes(recorded("route-show-empty-table").stdout), []);
  });

  it("takes empty output and `null` (older iproute2) as no routes", () => {
    assert.deepEqual(parseRoutes(""), []);
    assert.deepEqual(parseRoutes("null"), []);
  });
});

describe("route rules", () => {
  it("normalise a destination, and refuse one with host bits set, naming the network", () => {
    assert.equal(routeDestination("FD00:20:0::/64"), "fd00:20::/64");
    assert.equal(routeDestination("default"), "default");
    assert.deepEqual(routeDestination("10.1.20.5/24"), { problem: "has host bits set; the network is 10.1.20.0/24" });
  });

  it("take a gateway without a prefix length", () => {
    assert.equal(routeGateway("10.1.10.1"), "10.1.10.1");
    assert.match(
      (routeGateway("10.1.10.1/24") as { problem: string }).problem,
      /a gateway is an address without a prefix length/,
    );
  });
});

describe("routes named by their destination (NetnsConfig's keys), and their batch lines", () => {
  it("spells each family's default route once, and any other destination as a network", () => {
    assert.equal(routeKey("default"), "default");
    assert.equal(routeKey("0.0.0.0/0"), "default");
    assert.equal(routeKey("::/0"), "::/0");
    assert.equal(routeKey("FD00:20::/64"), "fd00:20::/64");
    assert.match((routeKey("10.1.20.5/24") as { problem: string }).problem, /host bits set/);
  });

  it("writes the family into the destination, since a batch line takes no -4 or -6", () => {
    const v6 = keyedRoute("::/0", { via: "fd00::1" });
    assert.deepEqual(v6, {
      family: 6,
      destination: "default",
      via: "fd00::1",
      device: undefined,
      metric: 1024,
      table: 254,
    });
    assert.deepEqual(routeLine("add", v6), [
      "route",
      "add",
      "::/0",
      "via",
      "fd00::1",
      "metric",
      "1024",
      "table",
      "254",
    ]);
    assert.deepEqual(routeLine("delete", keyedRoute("default", { device: "v1" })), [
      "route",
      "delete",
      "0.0.0.0/0",
      "metric",
      "0",
      "table",
      "254",
    ]);
    assert.deepEqual(routeLine("replace", keyedRoute("10.1.20.0/24", { via: "10.1.10.1", device: "v1" })), [
      "route",
      "replace",
      "10.1.20.0/24",
      "via",
      "10.1.10.1",
      "dev",
      "v1",
      "metric",
      "0",
      "table",
      "254",
    ]);
  });
});
