/**
 * A TCP probe, run as its own program inside a namespace (`ip netns exec NETNS node tcp-probe.js
 * ADDRESS PORT TIMEOUT_MS`): opens one connection and closes it. Prints one JSON line,
 * `{"reached":true,"rtt":MS}` or `{"reached":false,"error":"ECONNREFUSED"}`; exits 0 either way.
 * Node's own `net` only: it runs with nothing else installed.
 */
import { connect } from "node:net";

const [address, port, timeout] = process.argv.slice(2);
const started = process.hrtime.bigint();
const socket = connect({ host: address as string, port: Number(port) });
const done = (result: { reached: boolean; rtt?: number; error?: string }) => {
  process.stdout.write(`${JSON.stringify(result)}\n`);
  socket.destroy();
};
socket.setTimeout(Number(timeout), () => done({ reached: false, error: "ETIMEDOUT" }));
socket.on("connect", () => done({ reached: true, rtt: Number(process.hrtime.bigint() - started) / 1e6 }));
socket.on("error", (e: NodeJS.ErrnoException) => done({ reached: false, error: e.code ?? e.message }));
