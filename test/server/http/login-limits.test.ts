import { afterEach, describe, expect, it } from "vitest";
import { ADMIN_PASSWORD, startTestHub, type TestHub, type TestHubOptions } from "../../helpers/hub.ts";

/** A hub with small login limits, so a test reaches them in a few requests (a copy of the
 * run's first-started hall: the limits apply to logins, not to the first start). */
function hubWith(opts: Pick<TestHubOptions, "loginLimits" | "maxQueuedLogins">): Promise<TestHub> {
  return startTestHub(opts);
}

describe("login limits (issue 7.10)", () => {
  let running: TestHub | undefined;
  afterEach(async () => {
    await running?.close();
    running = undefined;
  });
  const login = async (username: string, password: string) => {
    const r = await fetch(`${running?.url}/api/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ username, password }),
    });
    return { status: r.status, retryAfter: r.headers.get("retry-after"), body: (await r.json()) as { error?: { code: string } } };
  };

  it("an account is locked after repeated failures (429 + Retry-After), other accounts are not", async () => {
    running = await hubWith({
      loginLimits: { perAddress: { points: 100, durationSec: 60 }, perAccountFailures: { points: 3, durationSec: 600 } },
    });
    const pw = running.password("zhangwei");
    for (let i = 0; i < 3; i++) expect((await login("zhangwei", `wrong-${i}`)).status).toBe(401);
    const locked = await login("zhangwei", pw);
    expect(locked.status).toBe(429);
    expect(locked.body).toEqual({ error: { code: "RATE_LIMITED", message: expect.any(String) } });
    expect(Number(locked.retryAfter)).toBeGreaterThanOrEqual(1);
    expect(Number(locked.retryAfter)).toBeLessThanOrEqual(600);
    expect((await login("admin", ADMIN_PASSWORD)).status).toBe(200);
  });

  it("a success clears the account's failures", async () => {
    running = await hubWith({
      loginLimits: { perAddress: { points: 100, durationSec: 60 }, perAccountFailures: { points: 3, durationSec: 600 } },
    });
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 2; i++) expect((await login("admin", "nope")).status).toBe(401);
      expect((await login("admin", ADMIN_PASSWORD)).status).toBe(200);
    }
  });

  it("an address is limited whatever accounts it tries, with Retry-After", async () => {
    running = await hubWith({
      loginLimits: { perAddress: { points: 5, durationSec: 60 }, perAccountFailures: { points: 100, durationSec: 600 } },
    });
    const names = ["a1", "a2", "a3", "a4", "a5"];
    for (const n of names) expect((await login(n, "x")).status).toBe(401);
    const r = await login("admin", ADMIN_PASSWORD);
    expect(r.status).toBe(429);
    expect(r.body.error?.code).toBe("RATE_LIMITED");
    expect(Number(r.retryAfter)).toBeGreaterThanOrEqual(1);
  });

  it("a flood beyond the hashing queue gets 429 at once, never a 500", async () => {
    running = await hubWith({
      loginLimits: { perAddress: { points: 1000, durationSec: 60 }, perAccountFailures: { points: 1000, durationSec: 60 } },
      maxQueuedLogins: 2,
    });
    const all = await Promise.all(Array.from({ length: 12 }, () => login("admin", ADMIN_PASSWORD)));
    const statuses = all.map((r) => r.status);
    expect(statuses.filter((s) => s === 200).length).toBeGreaterThanOrEqual(2);
    expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(1);
    expect(statuses.every((s) => s === 200 || s === 429)).toBe(true);
    for (const r of all.filter((x) => x.status === 429)) expect(r.retryAfter).toBe("1");
  });
});
