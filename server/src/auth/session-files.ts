import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

/** Logged-out token ids (`revoked-tokens.json` in the data folder). */
const REVOKED_FILE = "revoked-tokens.json";
/** Session generations per account (`session-generations.json`). */
const GENERATIONS_FILE = "session-generations.json";

export interface SessionFiles {
  revoked: Record<string, number>;
  onRevoked: (revoked: Record<string, number>) => Promise<void>;
  accounts: {
    generations: Record<string, number>;
    /** Set when the generations were unreadable: every token issued before it is refused. */
    notBefore?: number;
    onChange: (g: Record<string, number>) => Promise<void>;
  };
}

/**
 * What the token service keeps across restarts, read from the data folder, with the
 * writers that keep it there (through `write`, the durable replace). A damaged logout list
 * only costs those logouts, never the start; damaged generations cannot say whose sessions
 * were ended, so every token issued before this start (`now`) is refused instead.
 */
export function readSessionFiles(
  dataDir: string,
  now: number,
  log: (line: string) => void,
  write: (path: string, data: string) => Promise<void>,
): SessionFiles {
  const revokedFile = join(dataDir, REVOKED_FILE);
  const generationsFile = join(dataDir, GENERATIONS_FILE);
  const revoked = readJson(revokedFile, log, "earlier logouts are forgotten");
  const generations = readJson(generationsFile, log, "every earlier session is ended, staff sign in again");
  return {
    revoked: revoked ?? {},
    onRevoked: (r) => write(revokedFile, JSON.stringify(r)),
    accounts: {
      generations: generations ?? {},
      ...(generations === undefined ? { notBefore: now } : {}),
      onChange: (g) => write(generationsFile, JSON.stringify(g)),
    },
  };
}

/** The file's object; {} when there is no file; undefined (and a log line) when it is unreadable. */
function readJson(file: string, log: (line: string) => void, consequence: string): Record<string, number> | undefined {
  if (!existsSync(file)) return {};
  try {
    return JSON.parse(readFileSync(file, "utf8")) as Record<string, number>;
  } catch (err) {
    log(`${file} is unreadable (${(err as Error).message}); ${consequence}`);
    return undefined;
  }
}
