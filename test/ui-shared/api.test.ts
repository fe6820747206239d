import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiError, absoluteUrl, createApi, qrSvgUrl } from "../../ui-shared/api.ts";

// A stand-in hub on 127.0.0.1 that answers like the real one does for errors and 204s.
const seen: { method: string; url: string; auth: string | undefined; body: string }[] = [];
const server = createServer((req, res) => {
  let body = "";
  req.on("data", (c: Buffer) => (body += c.toString()));
  req.on("end", () => {
    seen.push({ method: req.method ?? "", url: req.url ?? "", auth: req.headers.authorization, body });
    if (req.url === "/api/tickets") {
      res.writeHead(409, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { code: "DAILY_CAP_REACHED", message: "cap" } }));
    } else if (req.url === "/api/counters/c01/call-next") {
      res.writeHead(204).end();
    } else if (req.url === "/api/hall") {
      res.writeHead(502, { "content-type": "text/html" }).end("<html>bad gateway</html>");
    } else {
      res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ id: "t1" }));
    }
  });
});
let base = "";
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
});

describe("ui-shared/api REST client", () => {
  it("turns an error body into an ApiError with the hub's code", async () => {
    const api = createApi({ baseUrl: base });
    const err = await api.issueTicket({ matterId: "m1", kioskId: "k1" }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).code).toBe("DAILY_CAP_REACHED");
    expect((err as ApiError).status).toBe(409);
    expect(JSON.parse(seen.at(-1)?.body ?? "{}")).toEqual({ matterId: "m1", kioskId: "k1" });
  });

  it("resolves null on 204 and sends the bearer token", async () => {
    const api = createApi({ baseUrl: base, token: () => "tok123" });
    expect(await api.counterCommand("c01", "call-next")).toBeNull();
    expect(seen.at(-1)).toMatchObject({ method: "POST", url: "/api/counters/c01/call-next", auth: "Bearer tok123" });
    expect(await api.ticket("t 1")).toEqual({ id: "t1" });
    expect(seen.at(-1)?.url).toBe("/api/tickets/t%201");
  });

  it("maps a non-JSON 5xx to NETWORK and an unreachable hub to NETWORK", async () => {
    await expect(createApi({ baseUrl: base }).hall()).rejects.toMatchObject({ code: "NETWORK", status: 502 });
    await expect(createApi({ baseUrl: "http://127.0.0.1:1" }).hall()).rejects.toMatchObject({ code: "NETWORK", status: 0 });
  });

  it("builds QR and absolute links", () => {
    expect(qrSvgUrl("http://h/m/t1?a=b")).toBe("/api/qr.svg?text=http%3A%2F%2Fh%2Fm%2Ft1%3Fa%3Db");
    expect(absoluteUrl("/m/t1", "http://hall.example/")).toBe("http://hall.example/m/t1");
    expect(absoluteUrl("https://x/m/t1", "http://other")).toBe("https://x/m/t1");
  });
});
