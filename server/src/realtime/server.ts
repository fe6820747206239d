import type { Server as HttpServer } from "node:http";
import { withOrigin } from "../hall/origin.ts";
import { performance } from "node:perf_hooks";
import { Server, type Socket } from "socket.io";
import type { Ack, ErrorCode } from "../contract/errors.ts";
import type {
  ClientToServerEvents,
  HallSnapshot,
  InterServerEvents,
  ServerToClientEvents,
  SocketData,
  Subscription,
} from "../contract/events.ts";
import type { PublicTicket } from "../contract/tickets.ts";
import type { HallEvent } from "../core/index.ts";
import type { TokenService } from "../auth/tokens.ts";
import type { CounterActions } from "../hall/counter-actions.ts";
import { HallError } from "../hall/errors.ts";
import type { LiveViews } from "../hall/live-views.ts";
import type { VoicePort } from "../hall/ports.ts";
import type { HallService } from "../hall/service.ts";
import type { StaffDirectory } from "../hall/staff.ts";
import { counterSocketCommand, subscription } from "../hall/commands.ts";

export type HubIo = Server<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;
type HubSocket = Socket<ClientToServerEvents, ServerToClientEvents, InterServerEvents, SocketData>;

export interface RealtimeDeps {
  /** The hall: its bus says what happened, its queries say how things stand. */
  hall: HallService;
  tokens: TokenService;
  staff: StaffDirectory;
  actions: CounterActions;
  announcer: VoicePort;
  /** Snapshot and live figures. */
  views: LiveViews;
  log: (line: string) => void;
  /** Whether a connection from this browser Origin may open (absent: every origin; see http/origins.ts). */
  originAllowed?: (origin: string | undefined, host: string | undefined) => boolean;
  /** Refuses a subscription the socket may not make (kiosk rooms need that kiosk's device token). */
  subscriptionGuard?: (data: SocketData, sub: Subscription) => Extract<Ack<never>, { ok: false }> | null;
  /** Told how long each broadcast took inside Socket.IO's emit (for /metrics). */
  onBroadcast?: (ms: number) => void;
}

/** Distinct subscriptions one socket may hold (a page needs one or two): each sends a snapshot. */
export const MAX_SUBSCRIPTIONS = 8;

/** Room every screen-like client is in, counter pages included: what all of them need
 * (the catalogue, device health, a new day). */
const HALL = "hall";
/**
 * Clients that follow the whole hall (wall, call screens, kiosks): every per-item delta and
 * the live figures go here. Counter pages don't: each joins the rooms of the queues it
 * serves and its own counter's, and gets only those deltas, which are all it shows. A call
 * in a hall of 150 counter pages and 70 screens is then written to ~85 sockets, not 220.
 */
const STATS = "stats";
const queueRoom = (queueId: string) => `queue:${queueId}`;
const counterRoom = (counterId: string) => `counter:${counterId}`;
const STATS_INTERVAL_MS = 250;
/**
 * How long one built snapshot serves the sockets that subscribe after it while nothing
 * happened in the hall (every bus event drops it at once): the live figures in it are then
 * at most as old as the wall's own 250 ms cadence.
 */
export const SNAPSHOT_REUSE_MS = STATS_INTERVAL_MS;

// One schema per subscription and command, shared with the REST routes (hall/commands.ts).
const subscriptionSchema = subscription;
const commandSchema = counterSocketCommand;

/** Every view a socket can subscribe to and every counter command type (the access matrix walks them). */
export const SUBSCRIPTION_VIEWS: readonly string[] = subscriptionSchema.options.map((o) => o.shape.view.value);
export const COMMAND_TYPES: readonly string[] = commandSchema.options.map((o) => o.shape.type.value);

function fail<T>(code: ErrorCode, message: string): Ack<T> {
  return { ok: false, error: code, message };
}

/**
 * Socket.IO side of the hub: snapshot on connect, per-item deltas after, rooms per view,
 * connection state recovery (a screen that blinks gets the missed events, not a new
 * snapshot), and counter commands with closed-code acks.
 */
export class Realtime {
  readonly io: HubIo;
  private statsTimer: NodeJS.Timeout | NodeJS.Immediate | undefined;
  private statsDirty = false;
  /**
   * The snapshot last sent, shared by every socket that subscribes until something happens.
   * With connection state recovery Socket.IO keeps each packet it sends (a socket's own
   * snapshot included) for the recovery window, by reference: 195 screens connecting kept
   * 195 copies of the hall (~20 MB on the reference hall) for two minutes; shared, one.
   */
  private shared: { snapshot: HallSnapshot; at: number } | undefined;
  /** Snapshots built (not reused): what a test can watch to see they are shared. */
  snapshotsBuilt = 0;

  constructor(
    http: HttpServer,
    private readonly d: RealtimeDeps,
  ) {
    this.io = new Server(http, {
      serveClient: false,
      connectionStateRecovery: { maxDisconnectionDuration: 2 * 60_000, skipMiddlewares: true },
      // Checked on the HTTP upgrade itself, so a refused origin never gets a session to recover.
      allowRequest: (req, callback) => {
        const ok = !d.originAllowed || d.originAllowed(req.headers.origin, req.headers.host);
        callback(ok ? null : "ORIGIN_REFUSED", ok);
      },
    });
    this.io.use((socket, next) => {
      const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
      if (typeof token === "string") {
        const claims = d.tokens.verify(token);
        if (claims) {
          socket.data.staffId = claims.sid;
          // Kept to check again on every command: recovery skips this middleware, and a
          // logout or password reset must end the session of a socket that stays open.
          socket.data.token = token;
        }
      }
      next();
    });
    d.tokens.on("ended", (e) => {
      for (const s of this.io.of("/").sockets.values()) {
        if (s.data.staffId !== e.sid) continue;
        if (e.jti && s.data.token && d.tokens.verify(s.data.token)) continue;
        s.disconnect(true);
      }
    });
    this.io.on("connection", (s) => this.onConnection(s));
    this.listen();
  }

  /** What the hall publishes, to the rooms that care. Keyed by `this`: close() removes them all. */
  private listen(): void {
    const bus = this.d.hall.bus;
    // Whatever the hall publishes changes the picture: the shared snapshot is dropped first,
    // so no socket subscribing after an event gets a snapshot from before it.
    bus.on(this, "hall.events", (events) => {
      this.shared = undefined;
      this.publish(events);
    });
    bus.on(this, "hall.day", (day) => {
      this.shared = undefined;
      this.io.emit("hall:day", { day });
      // A new day is a new picture: numbering, lines and figures all start again. One
      // broadcast: encoded once, not once per socket.
      this.broadcast(HALL, "hall:snapshot", this.snapshot());
    });
    bus.on(this, "catalogue.changed", (catalogue) => {
      this.shared = undefined;
      this.rejoinQueues();
      this.broadcast(HALL, "catalogue:updated", catalogue);
    });
    bus.on(this, "counter.changed", (counterId) => {
      this.shared = undefined;
      const c = this.d.hall.counterState(counterId);
      if (c) this.broadcast(`counter:${counterId}`, "counter:updated", { ...c });
    });
    bus.on(this, "device.status", (status) => {
      this.shared = undefined;
      this.broadcast(HALL, "device:status", status);
      this.markStats();
    });
    bus.on(this, "kiosk.input", (input) => this.broadcast(`screen:kiosk-${input.kioskId}`, "kiosk:input", input));
  }

  private onConnection(socket: HubSocket): void {
    socket.on("subscribe", (raw, ack) => {
      const reply = typeof ack === "function" ? ack : () => {};
      const r = subscriptionSchema.safeParse(raw);
      if (!r.success) return reply(fail("VALIDATION_FAILED", "bad subscription"));
      const sub = r.data as Subscription;
      const denied = this.d.subscriptionGuard?.(socket.data, sub);
      if (denied) return reply(denied);
      // A repeated subscription is idempotent (no second snapshot), and a socket holds a
      // bounded number: each distinct one costs a full snapshot.
      const key = JSON.stringify(sub);
      socket.data.subscriptions ??= [];
      const subs = socket.data.subscriptions;
      const again = subs.includes(key);
      if (!again && subs.length >= MAX_SUBSCRIPTIONS)
        return reply(fail("TOO_MANY_SUBSCRIPTIONS", `at most ${MAX_SUBSCRIPTIONS} subscriptions per connection`));
      if (!again) subs.push(key);
      const rooms: string[] = [];
      if (sub.view === "ticket") {
        rooms.push(`ticket:${sub.ticketId}`);
      } else {
        rooms.push(HALL);
        if (sub.view !== "counter") rooms.push(STATS);
        // A counter's pages get what concerns that counter (its tickets, its state, a
        // hand-back request) and the queues it serves. A zone has no room: every call screen
        // gets the hall's deltas and shows its zone's.
        if (sub.view === "counter") rooms.push(counterRoom(sub.counterId), ...this.servedRooms(sub.counterId));
        if (sub.view === "screen") rooms.push(`screen:${sub.screenId}`);
      }
      void socket.join(rooms);
      reply({ ok: true, data: { rooms } });
      // A recovered socket already got what it missed; a fresh one needs the full picture.
      if (!socket.recovered && !again) {
        if (sub.view === "ticket") this.sendProgress(sub.ticketId, socket);
        else socket.emit("hall:snapshot", this.snapshot());
      }
    });
    socket.on("counter:command", async (raw, ack) => {
      const reply = typeof ack === "function" ? ack : () => {};
      // The session is checked on every command, not only at the handshake: a logged-out,
      // reset or deleted account's socket may still be open (or recovered without middleware).
      const claims = socket.data.token ? this.d.tokens.verify(socket.data.token) : null;
      const staff = claims ? this.d.staff.byId(claims.sid) : undefined;
      if (!staff) return reply(fail("UNAUTHENTICATED", "sign in first"));
      const r = commandSchema.safeParse(raw);
      if (!r.success) return reply(fail("VALIDATION_FAILED", r.error.issues[0]?.message ?? "bad command"));
      try {
        // The audit log records where a takeover or an out-of-order call came from (hall/origin.ts).
        const out = await withOrigin({ ip: socket.handshake.address, via: "socket" }, () => this.d.actions.run(staff, r.data));
        reply({ ok: true, data: out });
      } catch (err) {
        if (err instanceof HallError) reply(fail(err.code, err.message));
        else {
          this.d.log(`socket command: ${(err as Error).stack}`);
          reply(fail("INTERNAL", "internal error"));
        }
      }
    });
  }

  /** Publish durable events to the rooms that care. */
  publish(events: readonly HallEvent[]): void {
    const hall = this.d.hall;
    const counters = new Set<string>();
    // One call is one broadcast: the counter's new state and the ticket the call closed ride
    // along in ticket:called (each broadcast to a full hall costs the hub milliseconds).
    const calledAt = new Map<string, string>();
    for (const e of events) if (e.type === "ticket.called") calledAt.set(e.counterId, e.ticketId);
    const folded = new Set<string>();
    for (const e of events) {
      if (e.type === "ticket.finished" && e.auto && calledAt.has(e.counterId)) folded.add(e.ticketId);
    }
    for (const e of events) {
      if ("counterId" in e && e.counterId) counters.add(e.counterId);
      switch (e.type) {
        case "ticket.issued": {
          // Absent only when the day turned between the journal's answer and this batch.
          const t = hall.publicTicket(e.ticket.id);
          if (t) this.broadcast(this.ticketRooms(t), "ticket:issued", t);
          break;
        }
        case "ticket.called":
        case "ticket.recalled": {
          // Built from the event, not looked up in recentCalls: under load more calls than
          // that list holds can be applied before this batch is published.
          const t = hall.ticket(e.ticketId);
          if (!t) break;
          const recall = e.type === "ticket.recalled" ? (e.recall ?? t.recalls) : 0;
          const call = hall.callInfo(t.id, t.number, e.counterId, e.at, recall);
          const audioUrl = this.d.announcer.urlFor(call);
          const counter = hall.counterState(e.counterId);
          let finished: string | undefined;
          for (const id of folded) {
            if (hall.ticket(id)?.counterId === e.counterId) finished = id;
          }
          const ticket = hall.publicTicket(t.id) as PublicTicket;
          this.broadcast(this.ticketRooms(ticket, e.counterId), "ticket:called", {
            ticket,
            call,
            counter: { ...(counter ?? { id: e.counterId, status: "calling", ratingRequested: false, servedToday: 0 }) },
            ...(finished ? { finished: hall.publicTicket(finished) as PublicTicket } : {}),
            ...(audioUrl ? { audioUrl } : {}),
          });
          if (e.type === "ticket.called") counters.delete(e.counterId);
          break;
        }
        case "counter.signed_in":
        case "counter.signed_out":
        case "counter.paused":
        case "counter.resumed":
        case "counter.rating_requested":
          break;
        default: {
          if (folded.has(e.ticketId)) break;
          const t = hall.publicTicket(e.ticketId);
          if (t) this.broadcast(this.ticketRooms(t, "counterId" in e ? e.counterId : undefined), "ticket:updated", t);
        }
      }
    }
    for (const id of calledAt.keys()) counters.delete(id);
    for (const id of counters) {
      const c = hall.counterState(id);
      if (c) this.broadcast([STATS, counterRoom(id)], "counter:updated", { ...c });
    }
    // Phone pages: any change in a line can move everyone behind it.
    for (const room of this.io.of("/").adapter.rooms.keys()) {
      if (room.startsWith("ticket:")) this.sendProgress(room.slice(7));
    }
    this.markStats();
  }

  /**
   * One broadcast: Socket.IO encodes the packet once (and its WebSocket frame once) and
   * writes that to every socket in the room; never loop over sockets to emit the same thing.
   */
  private broadcast<E extends keyof ServerToClientEvents>(
    room: string | string[],
    event: E,
    ...args: Parameters<ServerToClientEvents[E]>
  ): void {
    const t0 = performance.now();
    this.io.to(room).emit(event, ...args);
    this.d.onBroadcast?.(performance.now() - t0);
  }

  /**
   * Who gets a delta about this ticket: the whole-hall views, the counters serving its
   * queue, and the counters it concerns (called to, transferred to, acted on by). Socket.IO
   * sends one packet to the union, each socket once.
   */
  private ticketRooms(t: PublicTicket, actingCounter?: string): string[] {
    const rooms = [STATS, queueRoom(t.queueId)];
    for (const c of [t.counterId, t.targetCounterId, actingCounter]) if (c) rooms.push(counterRoom(c));
    return rooms;
  }

  /** The queue rooms of the queues a counter serves (the catalogue's profile, as its page reads it). */
  private servedRooms(counterId: string): string[] {
    const counter = this.d.hall.catalogue().counters.find((c) => c.id === counterId);
    return (counter?.profile.queueIds ?? []).map(queueRoom);
  }

  /** A new catalogue may change which queues a counter serves: its pages follow. */
  private rejoinQueues(): void {
    for (const s of this.io.of("/").sockets.values()) {
      const counters = (s.data.subscriptions ?? [])
        .map((k) => JSON.parse(k) as Subscription)
        .flatMap((sub) => (sub.view === "counter" ? [sub.counterId] : []));
      if (counters.length === 0) continue;
      for (const room of [...s.rooms]) if (room.startsWith("queue:")) void s.leave(room);
      void s.join(counters.flatMap((c) => this.servedRooms(c)));
    }
  }

  /**
   * The hall's snapshot, shared while nothing happened (see {@link shared}). Never changed
   * after it is built: Socket.IO may still hold it for a socket that recovers.
   */
  private snapshot(): HallSnapshot {
    const now = performance.now();
    const s = this.shared;
    if (s && now - s.at < SNAPSHOT_REUSE_MS) return s.snapshot;
    this.snapshotsBuilt++;
    const snapshot = this.d.views.snapshot();
    this.shared = { snapshot, at: now };
    return snapshot;
  }

  private sendProgress(ticketId: string, to?: HubSocket): void {
    const ticket = this.d.hall.publicTicket(ticketId);
    if (!ticket) return;
    const call = this.d.hall.currentCall(ticketId);
    const payload = { ticket, ...(call ? { call } : {}) };
    if (to) to.emit("ticket:progress", payload);
    else this.broadcast(`ticket:${ticketId}`, "ticket:progress", payload);
  }

  /**
   * Live figures go out at most every 250 ms: the wall wants ≤ 1 s, the hub wants calm.
   * The first change after a quiet spell flushes on the next turn of the event loop, not
   * inside the command that caused it: computing the whole hall's figures (~1 ms at 150
   * counters) would otherwise sit between a clerk's call and its answer once in every
   * dozen calls (issue 9's per-call tail).
   */
  markStats(): void {
    this.statsDirty = true;
    if (this.statsTimer) return;
    this.statsTimer = setImmediate(() => this.flushStats());
  }

  private flushStats(): void {
    if (!this.statsDirty) {
      this.statsTimer = undefined;
      return;
    }
    this.statsDirty = false;
    this.broadcast(STATS, "stats:live", this.d.views.liveStats());
    this.statsTimer = setTimeout(() => this.flushStats(), STATS_INTERVAL_MS);
  }

  async close(): Promise<void> {
    this.d.hall.bus.off(this);
    clearTimeout(this.statsTimer as NodeJS.Timeout);
    clearImmediate(this.statsTimer as NodeJS.Immediate);
    await new Promise<void>((r) => this.io.close(() => r()));
  }
}
