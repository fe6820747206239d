/**
 * The demo hall's data folder right after its first start, made once per `vitest run`
 * (test/global-setup.ts) and copied by every test hub that would otherwise start on an
 * empty folder. A first start hashes the 18 demo accounts' generated passwords (scrypt,
 * deliberately slow) and seeds the catalogue, devices and case store: 2–5 s of CPU per
 * hub on this 2-core machine, paid once instead of by each of ~80 test hubs. The copy
 * starts as the hub starts every morning (a restart), which every hub in a hall does too;
 * the first start itself keeps its own tests (test/server/store/, test/server/seed/),
 * which start on empty folders.
 *
 * No vitest import here: the global setup runs outside the test workers.
 */
import { cp, mkdtemp } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type HubOptions, startHub } from "../../server/src/app.ts";
import type { CreatedAccounts } from "../../server/src/store/first-start-accounts.ts";

export const ADMIN_PASSWORD = "test-admin-pw";

/** Voice segments are the same for every test hub: render them once per machine, not per hub. */
export const SHARED_VOICE_SEGMENTS = join(tmpdir(), "onevisit-test-voice-segments");

/** Today 10:00 in Asia/Shanghai as epoch ms. */
export function hallMorning(at = Date.now()): number {
  const day = new Intl.DateTimeFormat("en-CA", { timeZone: "Asia/Shanghai" }).format(at);
  return Date.parse(`${day}T10:00:00+08:00`);
}

/** What the global setup hands the test workers (vitest `provide` / `inject`). */
export interface HubTemplate {
  dataDir: string;
  /** The accounts (and generated passwords) of that first start. */
  created: CreatedAccounts;
  /** The hub clock's start (hallMorning) it was seeded at: appointments are seeded relative to it. */
  startAt: number;
}

/** The options every test hub shares for its first start (what a template must have been made with). */
export function firstStartOptions(dataDir: string, clock: () => number): HubOptions {
  return {
    port: 0,
    host: "127.0.0.1",
    dataDir,
    adminPassword: ADMIN_PASSWORD,
    clock,
    log: () => {},
    voiceSegmentCache: SHARED_VOICE_SEGMENTS,
  };
}

/** First-start a hub in a new folder under `parent`, close it, and describe the folder. */
export async function makeHubTemplate(parent: string): Promise<HubTemplate> {
  const dataDir = await mkdtemp(join(parent, "onevisit-hub-template-"));
  const startAt = hallMorning();
  const offset = startAt - Date.now();
  const hub = await startHub(firstStartOptions(dataDir, () => Date.now() + offset));
  const created = hub.created;
  await hub.close();
  if (!created) throw new Error("the template's hub did not start on an empty folder");
  return { dataDir, created, startAt };
}

/** A private copy of the template's folder for one test hub. */
export async function copyHubTemplate(template: HubTemplate): Promise<string> {
  const dataDir = await mkdtemp(join(tmpdir(), "onevisit-hub-"));
  await cp(template.dataDir, dataDir, { recursive: true });
  return dataDir;
}
