import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { demoCatalogue, demoDevices } from "../../../server/src/seed/demo-hall.ts";
import { CONFIG_VERSION, ConfigError, type ConfigData, ConfigStore, validateConfig } from "../../../server/src/store/config.ts";

/** A valid configuration; hashes are fake (the store never checks them). */
function configData(): ConfigData {
  const catalogue = demoCatalogue();
  return {
    version: CONFIG_VERSION,
    catalogue,
    staff: [
      { id: "s-admin", username: "admin", name: "管理员", role: "admin", salt: "c2FsdA==", hash: "aGFzaA==" },
      { id: "s-001", username: "zhangwei", name: "张伟", role: "clerk", counterId: "c01", salt: "c2FsdA==", hash: "aGFzaA==" },
    ],
    devices: demoDevices(catalogue).slice(0, 3),
    appointments: [{ code: "YY25031001", matterId: "m-001", slotAt: 1_741_570_000_000 }],
    secrets: { tokenKey: "a2V5", idSalt: "c2FsdA==" },
    demo: true,
  };
}

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "onevisit-config-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const file = () => join(dir, "config.json");
const onDisk = async () => JSON.parse(await readFile(file(), "utf8")) as Record<string, unknown>;
const seedOnce = () => {
  let calls = 0;
  return {
    seed: async () => {
      calls++;
      return configData();
    },
    calls: () => calls,
  };
};

async function openExpectingError(data: unknown): Promise<ConfigError> {
  await writeFile(file(), typeof data === "string" ? data : JSON.stringify(data));
  const err = await ConfigStore.open(dir, async () => configData()).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ConfigError);
  return err as ConfigError;
}

describe("store/config open", () => {
  it("seeds a new data folder and writes the file", async () => {
    const s = seedOnce();
    const { store, created } = await ConfigStore.open(dir, s.seed);
    expect(created).toBe(true);
    expect(s.calls()).toBe(1);
    expect(await onDisk()).toEqual(configData());
    expect(store.data).toEqual(configData());
  });

  it("removes the temp file a crash inside a write left behind, and keeps the real file", async () => {
    await ConfigStore.open(dir, async () => configData());
    await writeFile(join(dir, "config.json.4242.tmp"), '{"half": ');
    const { store } = await ConfigStore.open(dir, async () => configData());
    expect(store.data).toEqual(configData());
    expect(await readdir(dir)).toEqual(["config.json"]);
  });

  it("refuses a first start when config.json is missing beside journals, naming what is there, and seeds nothing", async () => {
    await mkdir(join(dir, "journal"));
    await writeFile(join(dir, "journal", "2025-03-10.jsonl"), "");
    await mkdir(join(dir, "summaries"));
    await writeFile(join(dir, "summaries", "2025-03-09.json"), "{}");
    const s = seedOnce();
    const err = await ConfigStore.open(dir, s.seed).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toContain(`${file()} is missing`);
    expect((err as Error).message).toContain("journal/2025-03-10.jsonl");
    expect((err as Error).message).toContain("summaries/2025-03-09.json");
    expect((err as Error).message).toContain("restore config.json from a backup");
    expect(s.calls()).toBe(0);
    expect(await readdir(dir)).not.toContain("config.json");
  });

  it("refuses a first start beside any other data file too (a logout list)", async () => {
    await writeFile(join(dir, "revoked-tokens.json"), "{}");
    await expect(ConfigStore.open(dir, async () => configData())).rejects.toThrow(/revoked-tokens\.json/);
  });

  it("treats a folder with only empty folders in it (a volume's lost+found) as empty: a first start", async () => {
    await mkdir(join(dir, "lost+found"));
    await mkdir(join(dir, "journal"));
    const { created } = await ConfigStore.open(dir, async () => configData());
    expect(created).toBe(true);
  });

  it("reads the same configuration on reopen, without seeding", async () => {
    await ConfigStore.open(dir, async () => configData());
    const s = seedOnce();
    const { store, created } = await ConfigStore.open(dir, s.seed);
    expect(created).toBe(false);
    // lowdb asks for default data up front; the seed must not be built (it hashes passwords).
    expect(s.calls()).toBe(0);
    expect(store.data).toEqual(configData());
  });

  it("migrates a version 1 file (no appointments, no demo flag) and writes version 2", async () => {
    const { appointments: _a, demo: _d, ...v1 } = { ...configData(), version: 1 };
    await writeFile(file(), JSON.stringify(v1));
    const { store, created } = await ConfigStore.open(dir, async () => configData());
    expect(created).toBe(false);
    expect(store.data.version).toBe(2);
    expect(store.data.appointments).toEqual([]);
    expect(store.data.demo).toBe(false);
    const disk = await onDisk();
    expect(disk.version).toBe(2);
    expect(disk.appointments).toEqual([]);
    expect(disk.demo).toBe(false);
    expect(disk.staff).toEqual(configData().staff);
  });

  it("migrates a file without a version number as version 1", async () => {
    const { appointments: _a, demo: _d, version: _v, ...v0 } = configData();
    await writeFile(file(), JSON.stringify(v0));
    const { store } = await ConfigStore.open(dir, async () => configData());
    expect(store.data.version).toBe(CONFIG_VERSION);
    expect((await onDisk()).version).toBe(CONFIG_VERSION);
  });
});

describe("store/config validation", () => {
  it("refuses a file from a newer OneVisit and leaves it untouched", async () => {
    const future = { ...configData(), version: CONFIG_VERSION + 1 };
    const err = await openExpectingError(future);
    expect(err.message).toMatch(/newer OneVisit/);
    expect(err.problems.join("\n")).toMatch(new RegExp(`version ${CONFIG_VERSION + 1}`));
    expect(await onDisk()).toEqual(future);
  });

  it("lists every problem: a matter pointing to a missing queue, a duplicate username, no admin", async () => {
    const d = configData();
    (d.catalogue.matters[0] as { queueId: string }).queueId = "q-zz";
    d.staff = [
      { id: "s-001", username: "zhangwei", name: "张伟", role: "clerk", salt: "x", hash: "y" },
      { id: "s-002", username: "zhangwei", name: "张伟2", role: "supervisor", salt: "x", hash: "y" },
    ];
    const err = await openExpectingError(d);
    expect(err.problems).toEqual(
      expect.arrayContaining([
        'catalogue: matter m-001: queueId "q-zz" does not exist',
        'staff: username "zhangwei" is used twice',
        "staff: there is no admin account",
      ]),
    );
    expect(err.message).toContain("invalid configuration in");
    expect(err.message).toContain('username "zhangwei" is used twice');
    // Nothing was rewritten: the operator's file stays as they left it.
    expect(await onDisk()).toEqual(JSON.parse(JSON.stringify(d)));
  });

  it("reports missing lists and secrets", () => {
    const { staff: _s, secrets: _x, ...d } = configData();
    const problems = validateConfig(d);
    expect(problems).toContain("staff: missing or not a list");
    expect(problems).toContain("secrets: tokenKey and idSalt are required");
  });

  it("reports a malformed appointment with its index", () => {
    const d = configData();
    (d.appointments as unknown[]).push({ code: "", matterId: "m-001", slotAt: "noon" });
    expect(validateConfig(d).some((p) => p.startsWith("appointments[1]:"))).toBe(true);
  });

  it("accepts the seeded configuration", () => {
    expect(validateConfig(configData())).toEqual([]);
  });

  it("refuses a file that is not JSON with a ConfigError naming the file", async () => {
    const err = await openExpectingError('{"version": 2, "catalogue": ');
    expect(err.message).toContain(file());
  });
});

describe("store/config durable writes", () => {
  it("persists each update before resolving; the file is valid JSON after every one; no temp file stays", async () => {
    const { store } = await ConfigStore.open(dir, async () => configData());
    const n = 20;
    const checks: Promise<void>[] = [];
    for (let i = 0; i < n; i++) {
      const code = `T${String(i).padStart(3, "0")}`;
      checks.push(
        store
          .update((d) => {
            d.appointments.push({ code, matterId: "m-001", slotAt: i });
          })
          .then(async () => {
            // Later writes may be running; the file must still parse and hold this update.
            const disk = (await onDisk()) as unknown as ConfigData;
            expect(disk.appointments.some((a) => a.code === code)).toBe(true);
          }),
      );
    }
    await Promise.all(checks);
    const disk = (await onDisk()) as unknown as ConfigData;
    expect(disk.appointments.map((a) => a.code)).toEqual([
      "YY25031001",
      ...Array.from({ length: n }, (_, i) => `T${String(i).padStart(3, "0")}`),
    ]);
    expect((await readdir(dir)).filter((f) => f.endsWith(".tmp"))).toEqual([]);
    expect(await readdir(dir)).toEqual(["config.json"]);
  });

  it("keeps updates across a reopen", async () => {
    const first = await ConfigStore.open(dir, async () => configData());
    await first.store.update((d) => {
      d.demo = false;
      d.appointments = [];
    });
    const again = await ConfigStore.open(dir, async () => configData());
    expect(again.store.data.demo).toBe(false);
    expect(again.store.data.appointments).toEqual([]);
  });
});
