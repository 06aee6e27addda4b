/**
 * A TCP probe, run as its own program inside a namespace (`ip netns exec NETNS node tcp-probe.js
 * ADDRESS PORT TIMEOUT_MS`): opens one connection and closes it. Prints one JSON line,
 * `{"reached":true,"rtt":MS}` or `{"reached":false,"error":"ECONNREFUSED"}`; exits 0 either way.
 * Node's own `net` only: it runs with nothing else installed.
 *
 * It closes politely: a FIN, then it reads whatever the server sends until the server closes too
 * (for a short while at most). Destroying the socket at once would answer the server's first
 * write with a reset, and a server that does not handle socket errors (many small ones, Node's
 * among them) dies of it: a readiness probe would kill what it waits for.
 */
import { connect } from "node:net";

/** How long the server may take to close its side once we closed ours. */
const LINGER_MS = 500;

const [address, port, timeout] = process.argv.slice(2);
const started = process.hrtime.bigint();
const socket = connect({ host: address as string, port: Number(port) });
let answered = false;
const answer = (result: { reached: boolean; rtt?: number; error?: string }) => {
  if (answered) return;
  answered = true;
  process.stdout.write(`${JSON.stringify(result)}\n`);
};
socket.setTimeout(Number(timeout), () => {
  answer({ reached: false, error: "ETIMEDOUT" });
  socket.destroy();
});
socket.on("connect", () => {
  answer({ reached: true, rtt: Number(process.hrtime.bigint() - started) / 1e6 });
  socket.setTimeout(0);
  socket.end();
  setTimeout(() => socket.destroy(), LINGER_MS).unref();
});
// What the server says before it closes is read and dropped.
socket.on("data", () => {});
socket.on("error", (e: NodeJS.ErrnoException) => answer({ reached: false, error: e.code ?? e.message }));
