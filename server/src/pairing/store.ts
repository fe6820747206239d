import { existsSync, readFileSync, renameSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import { writeFileDurable } from "../store/durable-file.ts";
import { DEVICE_ROLES } from "./tokens.ts";

const deviceSchema = z.strictObject({
  pid: z.string().min(1),
  role: z.enum(DEVICE_ROLES),
  id: z.string().min(1).max(64),
  pairedAt: z.number(),
  /** Staff id of the approving admin, or "auto-loopback" (demo hall). */
  approvedBy: z.string(),
});

const fileSchema = z.strictObject({
  version: z.literal(1),
  settings: z.strictObject({
    /** Pair pages opened on the hub's own machine without an admin (default: only for the demo hall). */
    autoPairLoopback: z.boolean().optional(),
  }),
  devices: z.array(deviceSchema),
  revoked: z.array(deviceSchema.extend({ revokedAt: z.number(), revokedBy: z.string() })),
});

export type PairedDevice = z.infer<typeof deviceSchema>;
export type PairingsFile = z.infer<typeof fileSchema>;

/**
 * DATA_DIR/pairings.json: paired devices, revocations and the pairing settings, written
 * atomically and fsync'd (a pairing or a revocation is acknowledged only once it is on
 * disk). Kept apart from config.json: devices pair and unpair far more often than the
 * catalogue changes, and a damaged file here only costs pairings, never the hall.
 */
export class PairingStore {
  private chain: Promise<void> = Promise.resolve();

  private constructor(
    readonly path: string,
    public data: PairingsFile,
  ) {}

  /** A damaged file is set aside (renamed) and the hub starts with no paired devices: fail closed. */
  static open(dataDir: string, log: (line: string) => void): PairingStore {
    const path = join(dataDir, "pairings.json");
    const empty: PairingsFile = { version: 1, settings: {}, devices: [], revoked: [] };
    if (!existsSync(path)) return new PairingStore(path, empty);
    try {
      const parsed = fileSchema.safeParse(JSON.parse(readFileSync(path, "utf8")));
      if (parsed.success) return new PairingStore(path, parsed.data);
      log(`pairings: ${path} is invalid (${parsed.error.issues[0]?.message ?? "?"})`);
    } catch (err) {
      log(`pairings: ${path} is unreadable (${(err as Error).message})`);
    }
    const aside = `${path}.damaged-${Date.now()}`;
    renameSync(path, aside);
    log(`pairings: kept the damaged file as ${aside}; every device must be paired again`);
    return new PairingStore(path, empty);
  }

  /**
   * Change a copy, write it, and only then make it the current data: a failed write
   * rejects and changes nothing. Writes run one at a time (the temp file name is shared).
   */
  update(change: (d: PairingsFile) => void): Promise<void> {
    const run = this.chain.then(async () => {
      const next = structuredClone(this.data);
      change(next);
      await writeFileDurable(this.path, `${JSON.stringify(next, null, 2)}\n`);
      this.data = next;
    });
    this.chain = run.catch(() => {});
    return run;
  }
}
