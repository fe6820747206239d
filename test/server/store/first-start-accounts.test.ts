import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, stat } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { ACCOUNTS_FILE, type CreatedAccounts, handOverAccounts } from "../../../server/src/store/first-start-accounts.ts";

const created: CreatedAccounts = {
  admin: "adm-Secret-111",
  staff: [
    { username: "zhangwei", name: "张伟", role: "clerk", counterId: "c01", password: "clk-Secret-222" },
    { username: "wangli", name: "王丽", role: "supervisor", password: "sup-Secret-333" },
  ],
};
const secrets = ["adm-Secret-111", "clk-Secret-222", "sup-Secret-333"];

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "onevisit-accounts-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("store/first-start-accounts handOverAccounts", () => {
  it("not a terminal (a log): passwords go to a 0600 file in the data folder, the output only names it", async () => {
    const lines = await handOverAccounts({ created, dataDir: dir, isTTY: false, adminFromEnv: false });
    const out = lines.join("\n");
    for (const s of secrets) expect(out).not.toContain(s);
    const file = join(dir, ACCOUNTS_FILE);
    expect(out).toContain(file);
    expect(out).toMatch(/Change them/);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    const text = await readFile(file, "utf8");
    for (const s of secrets) expect(text).toContain(s);
    expect(text).toMatch(/ {2}zhangwei\s+clk-Secret-222\s+clerk @ c01/);
  });

  it("never overwrites an earlier accounts file", async () => {
    await handOverAccounts({ created, dataDir: dir, isTTY: false, adminFromEnv: false });
    await expect(handOverAccounts({ created, dataDir: dir, isTTY: false, adminFromEnv: false })).rejects.toThrow(/EEXIST/);
  });

  it("a terminal: printed once, with the advice to change them, and no file", async () => {
    const out = (await handOverAccounts({ created, dataDir: dir, isTTY: true, adminFromEnv: false })).join("\n");
    for (const s of secrets) expect(out).toContain(s);
    expect(out).toMatch(/Change them/);
    expect(existsSync(join(dir, ACCOUNTS_FILE))).toBe(false);
  });

  it("does not repeat an admin password given in ADMIN_PASSWORD", async () => {
    const out = (await handOverAccounts({ created, dataDir: dir, isTTY: true, adminFromEnv: true })).join("\n");
    expect(out).not.toContain("adm-Secret-111");
    expect(out).toContain("ADMIN_PASSWORD");
  });
});
