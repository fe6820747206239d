import { randomBytes, randomInt } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join, resolve } from "node:path";
import type { Catalogue } from "./contract/catalogue.ts";
import type { HallSnapshot } from "./contract/events.ts";
import type { LiveStats } from "./contract/stats.ts";
import { liveStats, localDay } from "./core/index.ts";
import { type LoginLimitOptions, LoginLimits } from "./auth/login-limits.ts";
import { PasswordHasher, generatePassword, hashPassword } from "./auth/passwords.ts";
import { TokenService } from "./auth/tokens.ts";
import { withInitials } from "./catalogue/initials.ts";
import { DeviceManager } from "./devices/manager.ts";
import { CatalogueAdmin } from "./hall/catalogue-admin.ts";
import { CounterActions } from "./hall/counter-actions.ts";
import { TicketIssuer } from "./hall/issuing.ts";
import { HallService } from "./hall/service.ts";
import { buildSnapshot, offlineCounters } from "./hall/snapshot.ts";
import { StaffDirectory } from "./hall/staff.ts";
import { signOutEverywhere } from "./hall/staff-signout.ts";
import { createHttpApp } from "./http/app.ts";
import { ApiError } from "./http/errors.ts";
import { originAllowed } from "./http/origins.ts";
import { Pairings } from "./pairing/engine.ts";
import { DEFAULT_LIMITS, type IssueLimits } from "./pairing/limits.ts";
import { attachDeviceSockets, subscriptionGuard } from "./pairing/socket.ts";
import { PairingStore } from "./pairing/store.ts";
import { Realtime } from "./realtime/server.ts";
import { demoCatalogue, demoDevices, demoStaff } from "./seed/demo-hall.ts";
import { CONFIG_VERSION, type ConfigData, ConfigStore, type StaffRecord } from "./store/config.ts";
import { writeFileDurable } from "./store/durable-file.ts";
import { Announcer } from "./voice/announcer.ts";
import { mountCases } from "./cases/mount.ts";
import { createVoice } from "../../hardware/voice/tts.ts";

export interface HubOptions {
  port: number;
  host?: string;
  dataDir: string;
  /** Admin password for a new data folder; random (and reported once) when absent. */
  adminPassword?: string;
  clock?: () => number;
  log?: (line: string) => void;
  /** Built pages; default `dist/` at the repository root. */
  distDir?: string;
  /** espeak-ng binary (tests point it at a missing file to check the fallback). */
  espeakPath?: string;
  /**
   * How configuration files (config.json, the logout list) are replaced durably; default
   * writeFileDurable. Tests inject one that fails on demand, as a full disk would.
   */
  durableWrite?: (path: string, data: string) => Promise<void>;
  /** Where serial and usblp devices may be opened (main.ts reads DEVICE_PATHS); default in devices/device-paths.ts. */
  devicePathPrefixes?: readonly string[];
  /** The journal failed (disk full, I/O error): stop and let the supervisor restart us. */
  onFatal?: (err: Error) => void;
  /** Login throttling (default: DEFAULT_LOGIN_LIMITS in auth/login-limits.ts). */
  loginLimits?: LoginLimitOptions;
  /** Password checks allowed to wait for the hashing thread before logins get 429 (default 64). */
  maxQueuedLogins?: number;
  /**
   * Pair pages opened on the hub's own machine (127.0.0.1, ::1) without an admin. Default:
   * `settings.autoPairLoopback` in DATA_DIR/pairings.json, else on only for the demo hall.
   */
  autoPairLoopback?: boolean;
  /** Issuing and pairing rate limits (defaults in pairing/limits.ts). */
  limits?: Partial<IssueLimits>;
  /** Cases in PostgreSQL (main.ts reads DATABASE_URL); default embedded SQLite in dataDir. */
  databaseUrl?: string;
  /** PostgreSQL schema for the cases (tests use a fresh one). */
  databaseSchema?: string;
}

export interface RunningHub {
  url: string;
  port: number;
  /** Credentials created on this start (first start of a data folder only). */
  created?: { admin: string; staff: { username: string; name: string; role: string; counterId?: string; password: string }[] };
  /** Demo bookings valid today. */
  bookings: { code: string; matterId: string; slotAt: number }[];
  pairings: Pairings;
  hall: HallService;
  devices: DeviceManager;
  config: ConfigStore;
  close(): Promise<void>;
}

const ROOT = resolve(import.meta.dirname, "../..");

async function seed(
  adminPassword: string | undefined,
): Promise<{ data: ConfigData; created: NonNullable<RunningHub["created"]> }> {
  const catalogue = demoCatalogue();
  const admin = adminPassword ?? generatePassword();
  const staff: StaffRecord[] = [
    { id: "s-admin", username: "admin", name: "管理员", role: "admin", ...(await hashPassword(admin)) },
  ];
  const created: NonNullable<RunningHub["created"]> = { admin, staff: [] };
  for (const [i, s] of demoStaff().entries()) {
    const password = generatePassword();
    staff.push({ id: `s-${String(i + 1).padStart(3, "0")}`, ...s, ...(await hashPassword(password)) });
    created.staff.push({ ...s, password });
  }
  return {
    created,
    data: {
      version: CONFIG_VERSION,
      catalogue,
      staff,
      devices: demoDevices(catalogue),
      appointments: [],
      secrets: { tokenKey: randomBytes(32).toString("base64"), idSalt: randomBytes(32).toString("base64") },
      demo: true,
    },
  };
}

/** Booking codes: unambiguous characters (no 0/O, 1/I/L), easy to type, 10 of them ≈ 50 bits: unguessable. */
const BOOKING_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ";
function bookingCode(): string {
  let s = "";
  for (let i = 0; i < 10; i++) s += BOOKING_ALPHABET[randomInt(BOOKING_ALPHABET.length)];
  return s;
}

/** Demo bookings for today, so the scanner path can be tried at the kiosk. */
async function ensureDemoBookings(config: ConfigStore, hall: HallService, now: number): Promise<RunningHub["bookings"]> {
  const tz = config.data.catalogue.hall.timeZone;
  const day = hall.day;
  const today = config.data.appointments.filter((a) => localDay(a.slotAt, tz) === day);
  if (today.length === 0 && config.data.demo) {
    const matters = config.data.catalogue.matters;
    await config.update((d) => {
      d.appointments = d.appointments.filter((a) => a.slotAt > now - 7 * 86_400_000);
      for (let i = 0; i < 5; i++) {
        d.appointments.push({
          code: bookingCode(),
          matterId: (matters[(i * 7) % matters.length] as { id: string }).id,
          slotAt: now + i * 20 * 60_000,
        });
      }
    });
  }
  return config.data.appointments
    .filter((a) => localDay(a.slotAt, tz) === day && !a.usedByTicketId && !hall.state.bookingsUsed.has(a.code))
    .map(({ code, matterId, slotAt }) => ({ code, matterId, slotAt }));
}

/** Logged-out token ids; a damaged file only costs those logouts, never the start. */
function readRevoked(file: string, log: (line: string) => void): Record<string, number> {
  if (!existsSync(file)) return {};
  try {
    return JSON.parse(readFileSync(file, "utf8")) as Record<string, number>;
  } catch (err) {
    log(`${file} is unreadable (${(err as Error).message}); earlier logouts are forgotten`);
    return {};
  }
}

/**
 * Session generations per account (password resets, deletions). A damaged file cannot say
 * whose sessions were ended, so every token issued before this start is refused instead.
 */
function readGenerations(
  file: string,
  now: number,
  log: (line: string) => void,
  write: (path: string, data: string) => Promise<void>,
): { generations: Record<string, number>; notBefore?: number; onChange: (g: Record<string, number>) => Promise<void> } {
  const onChange = (g: Record<string, number>) => write(file, JSON.stringify(g));
  if (!existsSync(file)) return { generations: {}, onChange };
  try {
    return { generations: JSON.parse(readFileSync(file, "utf8")) as Record<string, number>, onChange };
  } catch (err) {
    log(`${file} is unreadable (${(err as Error).message}); every earlier session is ended, staff sign in again`);
    return { generations: {}, notBefore: now, onChange };
  }
}

/**
 * The composition root: builds every part of the hub, wires them, and listens.
 * The only place that knows all the parts.
 */
export async function startHub(opts: HubOptions): Promise<RunningHub> {
  const clock = opts.clock ?? Date.now;
  const log = opts.log ?? ((l: string) => console.log(l));
  const startedAt = clock();
  let created: RunningHub["created"];
  const durableWrite = opts.durableWrite ?? writeFileDurable;
  const { store: config } = await ConfigStore.open(
    opts.dataDir,
    async () => {
      const s = await seed(opts.adminPassword);
      created = s.created;
      return s.data;
    },
    { write: durableWrite },
  );

  const hall = await HallService.open({ dataDir: opts.dataDir, catalogue: config.data.catalogue, clock, log });
  const hasher = new PasswordHasher(opts.maxQueuedLogins ?? 64);
  const staff = new StaffDirectory(config, (staffId) => signOutEverywhere(hall, staffId, log), hasher);
  const revokedFile = join(opts.dataDir, "revoked-tokens.json");
  const generationsFile = join(opts.dataDir, "session-generations.json");
  const tokens = new TokenService(
    Buffer.from(config.data.secrets.tokenKey, "base64"),
    clock,
    undefined,
    readRevoked(revokedFile, log),
    (revoked) => durableWrite(revokedFile, JSON.stringify(revoked)),
    readGenerations(generationsFile, clock(), log, durableWrite),
  );
  const pairingStore = PairingStore.open(opts.dataDir, log);
  const autoLoopback = opts.autoPairLoopback ?? pairingStore.data.settings.autoPairLoopback ?? config.data.demo === true;
  const pairings = new Pairings({
    store: pairingStore,
    tokenKey: Buffer.from(config.data.secrets.tokenKey, "base64"),
    clock,
    autoLoopback,
    log,
  });
  log(
    autoLoopback
      ? "pairing: pages opened on this machine (127.0.0.1 / ::1) are paired automatically (demo hall); PAIRING_AUTO_LOOPBACK=0 turns this off"
      : "pairing: every kiosk, screen and terminal page is paired by an admin (POST /api/pairings/:code/approve)",
  );
  const limits: IssueLimits = { ...DEFAULT_LIMITS, ...opts.limits };
  let realtime: Realtime | undefined;
  const actions = new CounterActions(hall, {
    clock,
    log,
    // A hand-back request is no hall event: tell the counter's pages to refetch their view.
    onChange: (id) => {
      const c = hall.state.counters.get(id)?.view;
      if (c) realtime?.io.to(`counter:${id}`).emit("counter:updated", { ...c });
    },
  });
  const issuer = new TicketIssuer(hall, config, clock);
  let clientCatalogue: Catalogue = withInitials(config.data.catalogue);
  const catalogueAdmin = new CatalogueAdmin(config, hall, (c) => {
    clientCatalogue = withInitials(c);
    realtime?.io.to("hall").emit("catalogue:updated", clientCatalogue);
  });

  const voice = createVoice({
    cacheDir: join(opts.dataDir, "voice"),
    ...(opts.espeakPath ? { espeakPath: opts.espeakPath } : {}),
    onUnavailable: (reason) => log(`voice: espeak-ng is not available (${reason}); call screens will use the browser's speech`),
  });
  await voice.check();
  const announcer = new Announcer(voice, log);

  const devices = new DeviceManager(config, {
    counterAction: async (action) => {
      const c = hall.state.counters.get(action.counterId);
      const who = c?.view.staffId ? staff.byId(c.view.staffId) : undefined;
      if (!who) throw new ApiError("COUNTER_CLOSED", "nobody is signed in here");
      await actions.run(who, action);
    },
    rate: async (counterId, score) => {
      const r = await hall.run({ type: "rate", counterId, score });
      if (!r.ok) throw new Error(r.error);
    },
    idCard: (kioskId, idNumber, name) => {
      const { idToken, masked, green } = issuer.registerIdCard(idNumber, kioskId);
      // Only the surname leaves the hub: enough for "王** 请选择事项".
      const shown = `${[...name][0] ?? ""}${"*".repeat(Math.max(0, [...name].length - 1))}`;
      realtime?.io
        .to(`screen:kiosk-${kioskId}`)
        .emit("kiosk:input", { kioskId, kind: "id_card", idToken, masked, name: shown, green });
    },
    scanned: (kioskId, code) => {
      realtime?.io.to(`screen:kiosk-${kioskId}`).emit("kiosk:input", { kioskId, kind: "appointment", code });
    },
    counterNumber: (id) => hall.state.index.counters.get(id)?.number,
    counterState: (id) => hall.state.counters.get(id)?.view,
    ticketNumber: (id) => hall.state.tickets.get(id)?.number,
    ticketQueue: (id) => hall.state.tickets.get(id)?.queueId,
    lastParked: (counterId) => {
      let best: { id: string; at: number } | undefined;
      for (const t of hall.state.tickets.values()) {
        if (t.status === "parked" && t.counterId === counterId && (!best || (t.parkedAt ?? 0) > best.at))
          best = { id: t.id, at: t.parkedAt ?? 0 };
      }
      return best?.id;
    },
    clock,
    log,
    ...(opts.devicePathPrefixes ? { devicePathPrefixes: opts.devicePathPrefixes } : {}),
  });
  issuer.setPrintPort(devices);

  const cases = await mountCases({
    dataDir: opts.dataDir,
    ...(opts.databaseUrl ? { databaseUrl: opts.databaseUrl } : {}),
    ...(opts.databaseSchema ? { databaseSchema: opts.databaseSchema } : {}),
    catalogue: () => config.data.catalogue,
    clock,
    idSalt: config.data.secrets.idSalt,
    ticket: (id) => hall.state.tickets.get(id),
    counterHolder: (id) => hall.state.counters.get(id)?.view.staffId,
    log,
  });
  const offline = () => offlineCounters(devices.statuses(), (id) => devices.counterOf(id));
  const stats = (): LiveStats => liveStats(hall.state, clock(), offline());
  const snapshot = (): HallSnapshot =>
    buildSnapshot(hall.state, clientCatalogue, devices.statuses(), announcer.available, clock(), offline());

  const app = createHttpApp({
    hall,
    config,
    staff,
    tokens,
    actions,
    issuer,
    devices,
    catalogueAdmin,
    announcer,
    catalogue: () => clientCatalogue,
    snapshot,
    liveStats: stats,
    distDir: opts.distDir ?? join(ROOT, "dist"),
    clock,
    log,
    startedAt,
    loginLimits: new LoginLimits(opts.loginLimits),
    pairings,
    limits,
    cases: cases.service,
  });
  const server = createServer(app);
  realtime = new Realtime(server, {
    tokens,
    staff,
    actions,
    announcer,
    snapshot,
    liveStats: stats,
    state: () => hall.state,
    log,
    originAllowed: (origin, host) => originAllowed(origin, host, config.data.catalogue.hall),
    subscriptionGuard: subscriptionGuard(pairings),
  });
  attachDeviceSockets(realtime.io, pairings);
  cases.attachSockets(realtime.io, { tokens, staff });
  const rt = realtime;
  // Presence of staff pages, for releasing a counter whose holder's browser has closed.
  rt.io.on("connection", (s) => {
    const id = s.data.staffId;
    if (!id) return;
    actions.presence.connected(id, clock());
    s.on("disconnect", () => actions.presence.disconnected(id, clock()));
  });
  const releaseTimer = setInterval(() => {
    actions.releaseAway().catch((e) => log(`release idle counters: ${(e as Error).message}`));
  }, 1000);
  releaseTimer.unref();

  hall.on("events", (events, state) => {
    rt.publish(events, state);
    devices.onHallEvents(events, state);
  });
  hall.on("failed", (err) => opts.onFatal?.(err));
  hall.on("day", (day) => {
    rt.io.emit("hall:day", { day });
    for (const s of rt.io.of("/").sockets.values()) if (s.rooms.has("hall")) s.emit("hall:snapshot", snapshot());
  });
  devices.on("status", (s) => {
    rt.io.to("hall").emit("device:status", s);
    rt.markStats();
  });
  await devices.start();
  const bookings = await ensureDemoBookings(config, hall, clock());

  await new Promise<void>((res, rej) => {
    server.once("error", rej);
    server.listen(opts.port, opts.host ?? "0.0.0.0", () => res());
  });
  const port = (server.address() as AddressInfo).port;
  const host = opts.host && opts.host !== "0.0.0.0" ? opts.host : "127.0.0.1";
  if (!config.data.catalogue.hall.publicUrl)
    log(
      "WARNING hall.publicUrl is not set: ticket QR codes point at the address each kiosk uses to reach the hub " +
        `(http://127.0.0.1:${port} on the kiosk machine itself), which visitors' phones cannot open. Set ` +
        "catalogue.hall.publicUrl in DATA_DIR/config.json (or PUT /api/catalogue) to the hub's address on the hall network.",
    );

  let closing: Promise<void> | undefined;
  return {
    url: `http://${host}:${port}`,
    port,
    ...(created ? { created } : {}),
    bookings,
    pairings,
    hall,
    devices,
    config,
    close: () => {
      closing ??= (async () => {
        clearInterval(releaseTimer);
        await rt.close();
        await new Promise<void>((r) => server.close(() => r()));
        await devices.close();
        await hall.close();
        await cases.close();
        await hasher.close();
      })();
      return closing;
    },
  };
}
