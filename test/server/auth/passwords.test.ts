import { mkdtemp, open, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { afterAll, describe, expect, it } from "vitest";
import { HasherBusyError, PasswordHasher, hashPassword, verifyPassword } from "../../../server/src/auth/passwords.ts";

/** Time of one fsync'd append — what every journal write waits for — while `flood` runs. */
async function fsyncDuring(dir: string, flood: () => Promise<unknown>[]): Promise<number> {
  const f = await open(join(dir, "probe"), "a");
  try {
    const running = flood();
    // Let the flood reach the threads first.
    await new Promise((r) => setImmediate(r));
    const t0 = performance.now();
    await f.write("x\n");
    await f.datasync();
    const dt = performance.now() - t0;
    await Promise.allSettled(running);
    return dt;
  } finally {
    await f.close();
  }
}

describe("auth/passwords PasswordHasher (issue 7.10)", () => {
  const hasher = new PasswordHasher(4);
  let dir = "";
  afterAll(async () => {
    await hasher.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it("verifies what hashPassword made, and what it made itself", async () => {
    const h = await hashPassword("correct horse");
    expect(await hasher.verify("correct horse", h.salt, h.hash)).toBe(true);
    expect(await hasher.verify("wrong", h.salt, h.hash)).toBe(false);
    const own = await hasher.hash("battery staple");
    expect(await verifyPassword("battery staple", own.salt, own.hash)).toBe(true);
  });

  it("refuses at once beyond its queue bound instead of piling up work", async () => {
    const h = await hashPassword("pw");
    const all = await Promise.allSettled(Array.from({ length: 10 }, () => hasher.verify("pw", h.salt, h.hash)));
    const busy = all.filter((r) => r.status === "rejected" && r.reason instanceof HasherBusyError);
    expect(busy).toHaveLength(6);
    expect(all.filter((r) => r.status === "fulfilled" && r.value === true)).toHaveLength(4);
    expect(hasher.queued).toBe(0);
  });

  it("a login flood does not hold up fsync'd writes (hashing stays off libuv's thread pool)", async () => {
    dir = await mkdtemp(join(tmpdir(), "ov-hasher-"));
    const h = await hashPassword("pw");
    const wide = new PasswordHasher(64);
    try {
      await wide.verify("pw", h.salt, h.hash);
      // Control: the same flood on libuv's pool (how logins hashed before) delays the fsync.
      const pooled = await fsyncDuring(dir, () => Array.from({ length: 16 }, () => verifyPassword("pw", h.salt, h.hash)));
      const threaded = await fsyncDuring(dir, () => Array.from({ length: 16 }, () => wide.verify("pw", h.salt, h.hash)));
      expect(
        threaded,
        `fsync took ${threaded.toFixed(1)} ms with the hashing thread, ${pooled.toFixed(1)} ms on the pool`,
      ).toBeLessThan(pooled / 2);
    } finally {
      await wide.close();
    }
  });
});
