import { randomBytes, scrypt as scryptCb, timingSafeEqual } from "node:crypto";
import { promisify } from "node:util";
import { Worker } from "node:worker_threads";

const scrypt = promisify(scryptCb) as (pw: string, salt: Buffer, len: number) => Promise<Buffer>;
const KEY_LEN = 32;

export async function hashPassword(password: string): Promise<{ salt: string; hash: string }> {
  const salt = randomBytes(16);
  const hash = await scrypt(password, salt, KEY_LEN);
  return { salt: salt.toString("base64"), hash: hash.toString("base64") };
}

export async function verifyPassword(password: string, salt: string, hash: string): Promise<boolean> {
  const expected = Buffer.from(hash, "base64");
  const got = await scrypt(password, Buffer.from(salt, "base64"), expected.length || KEY_LEN);
  return got.length === expected.length && timingSafeEqual(got, expected);
}

/** A random password people can type: no 0/O/1/l look-alikes. */
export function generatePassword(length = 12): string {
  const alphabet = "abcdefghijkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  const bytes = randomBytes(length);
  let out = "";
  for (const b of bytes) out += alphabet[b % alphabet.length];
  return out;
}

/**
 * Code of the hashing thread. scrypt on libuv's pool shares its four threads with the
 * journal's fdatasync: a login flood then makes every ticket wait. One thread of its own,
 * hashing one password at a time at the lowest priority, caps what logins can take to one
 * core, yields it to the event loop, and leaves the pool to the journal. CommonJS in a string, so it runs the same under node, tsx and vitest.
 */
const WORKER_CODE = `
const { parentPort } = require("node:worker_threads");
const { scryptSync } = require("node:crypto");
// Lowest CPU priority for this thread only (Linux nice values are per thread): under a
// flood the event loop and the journal get the CPU first, and logins wait.
try { require("node:os").setPriority(0, 19); } catch {}
parentPort.on("message", (m) => {
  try {
    const out = scryptSync(m.password, Buffer.from(m.salt, "base64"), m.len);
    parentPort.postMessage({ id: m.id, hash: out.toString("base64") });
  } catch (err) {
    parentPort.postMessage({ id: m.id, error: String(err && err.message) });
  }
});
`;

/** Thrown when more hashes are waiting than the hasher accepts; the caller answers 429. */
export class HasherBusyError extends Error {
  constructor() {
    super("password hashing queue is full");
    this.name = "HasherBusyError";
  }
}

/**
 * Password checks on a dedicated worker thread with a bounded queue: at most `maxQueued`
 * checks wait; more are refused at once (HasherBusyError) instead of piling up CPU work.
 * Built in the composition root; `close()` ends the thread.
 */
export class PasswordHasher {
  private worker: Worker | undefined;
  private readonly pending = new Map<number, { resolve: (h: string) => void; reject: (e: Error) => void }>();
  private nextId = 1;

  constructor(private readonly maxQueued = 64) {}

  /** Checks waiting or running now. */
  get queued(): number {
    return this.pending.size;
  }

  async verify(password: string, salt: string, hash: string): Promise<boolean> {
    const expected = Buffer.from(hash, "base64");
    const got = Buffer.from(await this.scrypt(password, salt, expected.length || KEY_LEN), "base64");
    return got.length === expected.length && timingSafeEqual(got, expected);
  }

  async hash(password: string): Promise<{ salt: string; hash: string }> {
    const salt = randomBytes(16).toString("base64");
    return { salt, hash: await this.scrypt(password, salt, KEY_LEN) };
  }

  async close(): Promise<void> {
    const w = this.worker;
    this.worker = undefined;
    for (const p of this.pending.values()) p.reject(new Error("hasher closed"));
    this.pending.clear();
    await w?.terminate();
  }

  private async scrypt(password: string, salt: string, len: number): Promise<string> {
    if (this.pending.size >= this.maxQueued) throw new HasherBusyError();
    const w = this.thread();
    const id = this.nextId++;
    return new Promise<string>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      w.postMessage({ id, password, salt, len });
    });
  }

  private thread(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(WORKER_CODE, { eval: true });
    // Idle between logins: the thread must not keep a stopping hub alive.
    w.unref();
    w.on("message", (m: { id: number; hash?: string; error?: string }) => {
      const p = this.pending.get(m.id);
      if (!p) return;
      this.pending.delete(m.id);
      if (m.hash !== undefined) p.resolve(m.hash);
      else p.reject(new Error(`scrypt failed: ${m.error}`));
    });
    w.on("error", (err) => {
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
      if (this.worker === w) this.worker = undefined;
    });
    this.worker = w;
    return w;
  }
}
