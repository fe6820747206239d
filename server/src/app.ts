import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join, resolve } from "node:path";
import { localDay } from "./core/index.ts";
import { type LoginLimitOptions, LoginLimits } from "./auth/login-limits.ts";
import { PasswordHasher } from "./auth/passwords.ts";
import { readSessionFiles } from "./auth/session-files.ts";
import { TokenService } from "./auth/tokens.ts";
import { DeviceManager } from "./devices/manager.ts";
import { CatalogueAdmin } from "./hall/catalogue-admin.ts";
import { CounterActions } from "./hall/counter-actions.ts";
import { HallError } from "./hall/errors.ts";
import { IdCards } from "./hall/id-cards.ts";
import { TicketIssuer } from "./hall/issuing.ts";
import { LiveViews } from "./hall/live-views.ts";
import { HallService } from "./hall/service.ts";
import { StaffDirectory } from "./hall/staff.ts";
import { signOutEverywhere } from "./hall/staff-signout.ts";
import { createHttpApp } from "./http/app.ts";
import { originAllowed } from "./http/origins.ts";
import { HubMetrics, timeCommands } from "./metrics/metrics.ts";
import { keepArrivalProfile } from "./simulation/live-profile.ts";
import { Pairings } from "./pairing/engine.ts";
import { DEFAULT_LIMITS, type IssueLimits } from "./pairing/limits.ts";
import { attachDeviceSockets, subscriptionGuard } from "./pairing/socket.ts";
import { PairingStore } from "./pairing/store.ts";
import { Realtime } from "./realtime/server.ts";
import { type DemoBooking, ensureDemoBookings, firstStart } from "./seed/first-start.ts";
import { ConfigStore } from "./store/config.ts";
import { writeFileDurable } from "./store/durable-file.ts";
import type { CreatedAccounts } from "./store/first-start-accounts.ts";
import { Announcer } from "./voice/announcer.ts";
import { mountCases } from "./cases/mount.ts";
import { mountHelpdesk } from "./helpdesk/mount.ts";
import { mountAudit } from "./audit/mount.ts";
import { mountReports, type ReportModule } from "./reports/mount.ts";
import { type DeliveryModule, mountDelivery } from "./delivery/mount.ts";
import { mountTerminals, type TerminalModule } from "./terminals/mount.ts";
import { mountPayments, type PaymentModule, simFile } from "./payments/mount.ts";
import { cardPromptStage } from "./devices/pos.ts";
import { mountAlarms } from "./alarms/mount.ts";
import { PAY_CODE } from "./payments/service.ts";
import type { PaymentProvider } from "./contract/payments.ts";
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
  /** Folder of recorded voice segments replacing synthesised ones (main.ts: VOICE_SEGMENTS_DIR; docs/voice.md). */
  voiceSegmentsDir?: string;
  /** Cache of synthesised segments; default DATA_DIR/voice/segments (tests share one). */
  voiceSegmentCache?: string;
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
  /** Shared secret of the courier's status callbacks (main.ts: COURIER_SECRET); default derived from the token key. */
  courierSecret?: string;
  /** The payment-code simulator's "visitor confirms on the phone" time (tests; default 3 s). */
  paymentSimConfirmMs?: number;
  /**
   * The bank-card provider of a terminal. Default: the terminal's POS (devices/pos.ts, a
   * provider per configured POS); a terminal without one answers PAYMENT_METHOD_UNAVAILABLE.
   */
  cardProvider?: (terminalId: string) => PaymentProvider | undefined;
}

export interface RunningHub {
  url: string;
  port: number;
  /** Credentials created on this start (first start of a data folder only). */
  created?: CreatedAccounts;
  /** Demo bookings valid today. */
  bookings: DemoBooking[];
  pairings: Pairings;
  hall: HallService;
  devices: DeviceManager;
  config: ConfigStore;
  /** What GET /metrics exposes. */
  metrics: HubMetrics;
  /** The arrival profile learned from past days for the estimates; `learned()` waits for the lesson under way. */
  arrivals: { learned(): Promise<void> };
  /** The Socket.IO side (tests watch how it broadcasts). */
  realtime: Realtime;
  /** The certificate window and the post (its courier simulator, for the demo and tests). */
  delivery: DeliveryModule;
  /** Payments (its simulator, for the demo and tests). */
  payments: PaymentModule;
  /** Reports (`ready`: the closed days not filled at start are). */
  reports: ReportModule;
  close(): Promise<void>;
}

const ROOT = resolve(import.meta.dirname, "../..");

/**
 * The composition root: builds every part of the hub, wires them, and listens.
 * The only place that knows all the parts.
 */
export async function startHub(opts: HubOptions): Promise<RunningHub> {
  const clock = opts.clock ?? Date.now;
  const log = opts.log ?? ((l: string) => console.log(l));
  const startedAt = clock();
  let created: CreatedAccounts | undefined;
  const durableWrite = opts.durableWrite ?? writeFileDurable;
  const { store: config } = await ConfigStore.open(
    opts.dataDir,
    async () => {
      const s = await firstStart(opts.adminPassword);
      created = s.created;
      return s.data;
    },
    { write: durableWrite },
  );

  // The application layer: the hall, and the desks that act on it.
  const metrics = new HubMetrics();
  const hall = await HallService.open({
    dataDir: opts.dataDir,
    catalogue: config.data.catalogue,
    clock,
    log,
    journalObserver: metrics.journal,
  });
  const bus = hall.bus;
  bus.on(opts, "hall.failed", (err) => opts.onFatal?.(err));
  // Wait estimates expect the day's rush and lull as the hall's past days had them (simulation/).
  const arrivals = keepArrivalProfile({ hall, journalDir: join(opts.dataDir, "journal"), log });
  const hasher = new PasswordHasher(opts.maxQueuedLogins ?? 64);
  const staff = new StaffDirectory(config, (staffId) => signOutEverywhere(hall, staffId, log), hasher);
  const sessions = readSessionFiles(opts.dataDir, clock(), log, durableWrite);
  const tokens = new TokenService(
    Buffer.from(config.data.secrets.tokenKey, "base64"),
    clock,
    undefined,
    sessions.revoked,
    sessions.onRevoked,
    sessions.accounts,
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
  const actions = new CounterActions(hall, { clock, log });
  const idCards = new IdCards(hall, config.data.secrets.idSalt, clock);
  const catalogueAdmin = new CatalogueAdmin(config, hall);
  // Every counter command, from the socket, REST or a keypad, is timed (GET /metrics).
  timeCommands(actions, metrics);

  // Calls are assembled from word segments rendered once; a catalogue change renders the new words.
  const voice = createVoice({
    dir: join(opts.dataDir, "voice"),
    ...(opts.voiceSegmentCache ? { segmentsDir: opts.voiceSegmentCache } : {}),
    ...(opts.voiceSegmentsDir ? { recordedDir: opts.voiceSegmentsDir } : {}),
    ...(opts.espeakPath ? { espeakPath: opts.espeakPath } : {}),
    log,
    onUnavailable: (reason) => log(`voice: espeak-ng is not available (${reason}); call screens will use the browser's speech`),
  });
  const announcer = new Announcer(voice, {
    dir: join(opts.dataDir, "voice"),
    day: () => localDay(clock(), config.data.catalogue.hall.timeZone),
    log,
  });
  await announcer.load(config.data.catalogue);
  bus.on(announcer, "catalogue.changed", (c) => {
    announcer.load(c).catch((e: Error) => log(`voice: ${e.message}`));
  });

  // Built after the devices and the cases; the window's readers reach it through the hooks.
  let delivery: DeliveryModule | undefined;
  // Self-service terminals (terminals/) are built after the devices that read for them.
  let terminals: TerminalModule | undefined;
  // Devices act through the hall's desks and read its queries; what they report goes on the bus.
  const devices = new DeviceManager(config, {
    counterAction: async (action) => {
      const holder = hall.counterState(action.counterId)?.staffId;
      const who = holder ? staff.byId(holder) : undefined;
      if (!who) throw new HallError("COUNTER_CLOSED", "nobody is signed in here");
      await actions.run(who, action);
    },
    rate: async (counterId, score) => {
      const r = await hall.run({ type: "rate", counterId, score });
      if (!r.ok) throw new Error(r.error);
    },
    idCard: (kioskId, idNumber, name) => idCards.read(kioskId, idNumber, name),
    scanned: (kioskId, code) => idCards.scanned(kioskId, code),
    counterIdCard: (counterId, idNumber, name) => {
      delivery?.service.windowIdCard(counterId, idNumber, name).catch((e: Error) => log(`certificates: ${e.message}`));
    },
    counterScanned: (counterId, code) => {
      delivery?.service.windowScan(counterId, code).catch((e: Error) => log(`certificates: ${e.message}`));
    },
    terminalIdCard: (terminalId, idNumber, name) => terminals?.service.idCard(terminalId, idNumber, name),
    terminalScanned: (terminalId, code) => terminals?.service.scanned(terminalId, code),
    // The card POS's prompts go to the terminal's screen through the payment service (its own order only).
    terminalPosPrompt: (terminalId, orderId, stage) => payments.service.cardPrompt(terminalId, orderId, cardPromptStage(stage)),
    simFile: (name) => simFile(opts.dataDir, name),
    counterNumber: (id) => hall.counterNumber(id),
    counterState: (id) => hall.counterState(id),
    ticketNumber: (id) => hall.ticket(id)?.number,
    ticketQueue: (id) => hall.ticket(id)?.queueId,
    lastParked: (counterId) => hall.lastParked(counterId),
    clock,
    log,
    ...(opts.devicePathPrefixes ? { devicePathPrefixes: opts.devicePathPrefixes } : {}),
  });
  devices.on("status", (s) => bus.emit("device.status", s));
  // Built after the devices it prints through, before the routes that issue.
  const issuer = new TicketIssuer({ hall, config, idCards, print: devices, clock });
  const views = new LiveViews(hall, {
    devices: () => devices.statuses(),
    deviceCounter: (id) => devices.counterOf(id),
    voice: () => announcer.available,
  });

  // Cases (cases/): their own store (SQLite, or PostgreSQL with DATABASE_URL), fed by the hall's queries.
  const cases = await mountCases({
    dataDir: opts.dataDir,
    ...(opts.databaseUrl ? { databaseUrl: opts.databaseUrl } : {}),
    ...(opts.databaseSchema ? { databaseSchema: opts.databaseSchema } : {}),
    catalogue: () => config.data.catalogue,
    clock,
    idSalt: config.data.secrets.idSalt,
    ticket: (id) => hall.ticket(id),
    counterHolder: (id) => hall.counterState(id)?.staffId,
    log,
  });
  // The audit log (audit/, issue 13): in the case database, around the counter actions and in the routes.
  const audit = mountAudit({ cases: cases.store, clock, actions, hall });
  // Reports (reports/, issue 13): history from the journals in the case database, 差评 follow-ups.
  const reports = mountReports({
    cases: cases.store,
    hall,
    staff,
    audit: audit.log,
    dataDir: opts.dataDir,
    catalogue: () => config.data.catalogue,
    clock,
    log,
  });
  // Help desk (helpdesk/, 帮办代办): its tables live in the case database.
  const helpdesk = mountHelpdesk({
    cases: cases.store,
    catalogue: () => config.data.catalogue,
    clock,
    idSalt: config.data.secrets.idSalt,
    staff,
    log,
  });

  // The certificate window and the post (delivery/): on the case store, printing on the windows' label printers.
  const post = mountDelivery({
    cases,
    catalogue: () => config.data.catalogue,
    clock,
    idSalt: config.data.secrets.idSalt,
    tokenKey: config.data.secrets.tokenKey,
    ...(opts.courierSecret ? { courierSecret: opts.courierSecret } : {}),
    counterHolder: (id) => hall.counterState(id)?.staffId,
    printLabel: (counterId, jobId, job) => devices.printLabelAtCounter(counterId, jobId, job),
    counterOf: (id) => devices.counterOf(id),
    log,
  });
  delivery = post;
  bus.on(post, "device.status", (s) => post.deviceStatus(s));

  let ownUrl = "";
  terminals = mountTerminals({
    cases: cases.store,
    catalogue: () => config.data.catalogue,
    queueOutlook: () => hall.queueOutlook(),
    printer: devices,
    idSalt: config.data.secrets.idSalt,
    clock,
    publicUrl: () => config.data.catalogue.hall.publicUrl || ownUrl,
    // A self-printed certificate is handed over: the window's record says so (issue 12).
    handedOver: (caseNo, terminalId, at) => post.service.selfPrinted(caseNo, terminalId, at),
    counterHolder: (id) => hall.counterState(id)?.staffId,
    log,
    payCode: (terminalId, code) => (PAY_CODE.test(code) ? payments.service.payCodeScanned(terminalId, code) : undefined),
    endPaySession: (terminalId) => payments.service.endSession(terminalId),
  });
  const terminalService = terminals.service;
  // Payments (payments/, 缴费): orders in the case database; recovery runs before the hub listens.
  const payments = mountPayments({
    cases: cases.store,
    dataDir: opts.dataDir,
    catalogue: () => config.data.catalogue,
    clock,
    salt: config.data.secrets.idSalt,
    casesOf: async (terminalId, who) =>
      "idToken" in who
        ? (await terminalService.casesOfCard(terminalId, who.idToken)).cases
        : [await terminalService.caseOfScan(terminalId, who.caseNo, who.scanToken)],
    printReceipt: (terminalId, jobId, encode) => devices.printAtTerminal(terminalId, jobId, encode),
    log,
    ...(opts.paymentSimConfirmMs !== undefined ? { simConfirmMs: opts.paymentSimConfirmMs } : {}),
    // Asked per payment, never kept: reconfiguring a POS replaces its provider.
    cardProvider: opts.cardProvider ?? ((terminalId) => devices.posProvider(terminalId)),
    cardProviders: () => devices.posProviders(),
  });

  // Alarms and advice for the supervisor (alarms/, issue 13): on the hall's queries; advice moves counters through the catalogue admin.
  const alarms = mountAlarms({ hall, catalogue: catalogueAdmin, clock, log });

  const app = createHttpApp({
    journalDir: join(opts.dataDir, "journal"),
    hall,
    config,
    staff,
    tokens,
    actions,
    issuer,
    devices,
    catalogueAdmin,
    announcer,
    views,
    distDir: opts.distDir ?? join(ROOT, "dist"),
    clock,
    log,
    startedAt,
    loginLimits: new LoginLimits(opts.loginLimits),
    pairings,
    limits,
    metrics,
    cases: cases.service,
    helpdesk: helpdesk.service,
    delivery: post.service,
    terminals: terminals.service,
    audit: audit.log,
    payments: payments.service,
    alarms: alarms.service,
    reports: reports.service,
  });
  const server = createServer(app);
  const realtime = new Realtime(server, {
    hall,
    tokens,
    staff,
    actions,
    announcer,
    views,
    log,
    originAllowed: (origin, host) => originAllowed(origin, host, config.data.catalogue.hall),
    subscriptionGuard: subscriptionGuard(pairings),
    onBroadcast: (ms) => metrics.broadcast(ms),
  });
  attachDeviceSockets(realtime.io, pairings);
  // Window displays and keypads follow the hall on its bus, after the screens (a call
  // reaches the sockets first), and read what they show through the hall's queries.
  devices.follow(bus);
  metrics.watch({ adapter: () => realtime.io.of("/").adapter, devices: () => devices.statuses() });
  cases.attachSockets(realtime.io, { tokens, staff });
  helpdesk.attachSockets(realtime.io, { tokens });
  post.attachSockets(realtime.io, { tokens, staff });
  terminals.attachSockets(realtime.io);
  payments.attachSockets(realtime.io);
  alarms.attachSockets(realtime.io, { tokens, staff });
  // Presence of staff pages, for releasing a counter whose holder's browser has closed.
  realtime.io.on("connection", (s) => {
    const id = s.data.staffId;
    if (!id) return;
    actions.presence.connected(id, clock());
    s.on("disconnect", () => actions.presence.disconnected(id, clock()));
  });
  const releaseTimer = setInterval(() => {
    actions.releaseAway().catch((e) => log(`release idle counters: ${(e as Error).message}`));
  }, 1000);
  releaseTimer.unref();

  await devices.start();
  // Recovery: orders a previous run left open are resolved by their providers before the
  // hub takes requests (after the devices, so a payment found paid prints its receipt).
  await payments.start();
  const bookings = await ensureDemoBookings(config, hall, clock());

  await new Promise<void>((res, rej) => {
    server.once("error", rej);
    server.listen(opts.port, opts.host ?? "0.0.0.0", () => res());
  });
  const port = (server.address() as AddressInfo).port;
  const host = opts.host && opts.host !== "0.0.0.0" ? opts.host : "127.0.0.1";
  post.listening(`http://${host}:${port}`);
  ownUrl = `http://${host}:${port}`;
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
    metrics,
    arrivals,
    realtime,
    delivery: post,
    payments,
    reports,
    close: () => {
      closing ??= (async () => {
        clearInterval(releaseTimer);
        alarms.close();
        await realtime.close();
        await new Promise<void>((r) => server.close(() => r()));
        bus.off(devices);
        await devices.close();
        await arrivals.close();
        await hall.close();
        bus.off(opts);
        bus.off(announcer);
        await announcer.close();
        await voice.close();
        await helpdesk.close();
        bus.off(post);
        post.close();
        await reports.close();
        await audit.close();
        payments.close();
        await cases.close();
        await hasher.close();
        metrics.close();
      })();
      return closing;
    },
  };
}
