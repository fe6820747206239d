/**
 * Baseline for `issue`: a plain node:http server that parses a JSON POST and answers 201
 * with a JSON body the size of an issued ticket — no engine, no journal, no fsync.
 * Prints `{ "url": ... }` when it listens on 127.0.0.1.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";

const reply = JSON.stringify({ id: "x".repeat(8), number: "A001", pad: "x".repeat(300) });
let n = 0;
const http = createServer((req, res) => {
  let body = "";
  req.on("data", (c: Buffer) => {
    body += c.toString();
  });
  req.on("end", () => {
    JSON.parse(body || "{}");
    n++;
    res.writeHead(201, { "content-type": "application/json" });
    res.end(reply.replace("A001", `A${n}`));
  });
});
http.listen(0, "127.0.0.1", () => {
  process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${(http.address() as AddressInfo).port}` })}\n`);
});
