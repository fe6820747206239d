import { request } from "node:http";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ERROR_CODES } from "../../../server/src/contract/errors.ts";
import { fingerprint, startTestHub, type TestHub } from "../../helpers/hub.ts";

/** One raw HTTP request (no client-side normalising of the path or the body). */
function raw(
  url: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: Buffer,
): Promise<{ status: number; headers: Record<string, unknown>; text: string }> {
  const u = new URL(url);
  return new Promise((resolve, reject) => {
    const req = request({ host: u.hostname, port: u.port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString("utf8") }),
      );
    });
    req.on("error", reject);
    req.end(body);
  });
}

describe("client mistakes are 4xx with a closed code, never 500 (issue 7.15)", () => {
  let t: TestHub;
  const logged: string[] = [];
  beforeAll(async () => {
    t = await startTestHub({ log: (l) => logged.push(l) });
  });
  afterAll(async () => {
    await t?.close();
  });

  const json = { "content-type": "application/json" };
  const body = Buffer.from(JSON.stringify({ matterId: "m-001" }));
  const cases: {
    name: string;
    method: string;
    path: string;
    headers: Record<string, string>;
    body?: Buffer;
    status: number;
    code: string;
  }[] = [
    {
      name: "unknown Content-Encoding",
      method: "POST",
      path: "/api/tickets",
      headers: { ...json, "content-encoding": "zstd-x" },
      body,
      status: 415,
      code: "UNSUPPORTED_ENCODING",
    },
    {
      name: "gzip that is not gzip",
      method: "POST",
      path: "/api/tickets",
      headers: { ...json, "content-encoding": "gzip" },
      body,
      status: 400,
      code: "VALIDATION_FAILED",
    },
    {
      name: "truncated gzip",
      method: "POST",
      path: "/api/tickets",
      headers: { ...json, "content-encoding": "gzip" },
      body: gzipSync(body).subarray(0, 12),
      status: 400,
      code: "VALIDATION_FAILED",
    },
    {
      name: "deflate that is not deflate",
      method: "POST",
      path: "/api/auth/login",
      headers: { ...json, "content-encoding": "deflate" },
      body,
      status: 400,
      code: "VALIDATION_FAILED",
    },
    {
      name: "unknown charset",
      method: "POST",
      path: "/api/tickets",
      headers: { "content-type": "application/json; charset=klingon" },
      body,
      status: 415,
      code: "UNSUPPORTED_ENCODING",
    },
    {
      name: "QR text too long to encode",
      method: "GET",
      path: `/api/qr.svg?text=${encodeURIComponent("办".repeat(1000))}`,
      headers: {},
      status: 400,
      code: "VALIDATION_FAILED",
    },
    {
      name: "static path traversal",
      method: "GET",
      path: "/assets/..%2f..%2fpackage.json",
      headers: {},
      status: 404,
      code: "NOT_FOUND",
    },
    {
      name: "static traversal, backslash",
      method: "GET",
      path: "/assets/..%5c..%5cpackage.json",
      headers: {},
      status: 404,
      code: "NOT_FOUND",
    },
    {
      name: "static traversal, plain",
      method: "GET",
      path: "/assets/../../package.json",
      headers: {},
      status: 404,
      code: "NOT_FOUND",
    },
    {
      name: "static file with a NUL",
      method: "GET",
      path: "/assets/a%00.js",
      headers: {},
      status: 400,
      code: "VALIDATION_FAILED",
    },
    {
      name: "malformed %-escape in a route parameter",
      method: "GET",
      path: "/api/tickets/%E0%A4%A",
      headers: {},
      status: 400,
      code: "VALIDATION_FAILED",
    },
    {
      name: "malformed %-escape in a voice file name",
      method: "GET",
      path: "/api/voice/%ZZ.wav",
      headers: {},
      status: 400,
      code: "VALIDATION_FAILED",
    },
    {
      name: "repeated query parameter",
      method: "GET",
      path: "/api/qr.svg?text=a&text=b",
      headers: {},
      status: 400,
      code: "VALIDATION_FAILED",
    },
  ];

  for (const c of cases) {
    it(`${c.name} → ${c.status} ${c.code}, nothing changes`, async () => {
      const before = await fingerprint(t);
      const r = await raw(t.url, c.method, c.path, c.headers, c.body);
      expect({ status: r.status, code: (JSON.parse(r.text) as { error: { code: string } }).error.code }).toEqual({
        status: c.status,
        code: c.code,
      });
      expect(ERROR_CODES).toContain(c.code);
      expect(await fingerprint(t)).toEqual(before);
    });
  }

  it("none of them was logged as a hub fault", () => {
    expect(logged.filter((l) => l.startsWith("http:"))).toEqual([]);
  });
});
