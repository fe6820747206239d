/**
 * The hub's own measurements, for `GET /metrics` (Prometheus text format, prom-client):
 * how long commands and issues take inside the hub, the journal's fsync time, event-loop
 * delay, sockets per room, device health and memory. Built once per hub in the composition
 * root (a registry of its own, never prom-client's global one: tests start many hubs in one
 * process) and fed through small hooks: the journal's observer, a wrapper around the
 * counter commands, a middleware around issuing, and two read-only sources read on scrape.
 */
import { type IntervalHistogram, monitorEventLoopDelay, performance } from "node:perf_hooks";
import { Counter, Gauge, Histogram, Registry } from "prom-client";
import type { DeviceHealth, DeviceStatus } from "../contract/devices.ts";
import type { JournalObserver } from "../store/journal.ts";

/** Seconds; fine below 10 ms, where the hub's own work is, with an edge at exactly 1 ms (a target). */
export const LATENCY_BUCKETS: readonly number[] = [
  0.00005, 0.0001, 0.00025, 0.0005, 0.00075, 0.001, 0.0015, 0.002, 0.003, 0.005, 0.0075, 0.01, 0.015, 0.025, 0.05, 0.1, 0.25, 0.5,
  1, 2.5,
];

const HEALTHS: readonly DeviceHealth[] = ["online", "offline", "paper_out", "error"];

/** Rooms of a Socket.IO adapter (`io.of("/").adapter`); every socket also sits in a room named by its id. */
export interface RoomsSource {
  rooms: ReadonlyMap<string, ReadonlySet<string>>;
  sids: ReadonlyMap<string, unknown>;
}

/** What the scrape reads from the running hub. */
export interface MetricsSources {
  adapter(): RoomsSource | undefined;
  devices(): readonly DeviceStatus[];
}

/**
 * A per-entity room ("counter:c01", "ticket:…") is counted under its kind ("counter:*"), so
 * the number of series stays bounded however many tickets are followed from phones.
 */
export function roomLabel(room: string): string {
  const colon = room.indexOf(":");
  return colon < 0 ? room : `${room.slice(0, colon)}:*`;
}

export class HubMetrics {
  readonly registry = new Registry();
  readonly commandSeconds: Histogram<"command">;
  readonly commandHubSeconds: Histogram<"command">;
  readonly commandAddedSeconds: Histogram<"command">;
  readonly broadcastSeconds: Histogram<string>;
  readonly commandErrors: Counter<"command">;
  readonly issueSeconds: Histogram<"print">;
  readonly fsyncSeconds: Histogram<string>;
  readonly journalBytes: Counter;
  /** Journal hook (store/journal.ts): append and fsync instants, fsync durations. */
  readonly journal: JournalObserver;
  private sources: MetricsSources | undefined;
  private readonly eld: IntervalHistogram;
  private appends = 0;
  private lastAppendAt = 0;
  private lastSyncedAt = 0;
  /** Milliseconds spent inside Socket.IO's emit so far, and that sum when the last fsync ended. */
  private broadcastMs = 0;
  private broadcastMsAtSync = 0;

  constructor() {
    const registers = [this.registry];
    const histogram = <L extends string>(name: string, help: string, labelNames: L[]) =>
      new Histogram<L>({ name, help, labelNames, buckets: [...LATENCY_BUCKETS], registers });
    this.commandSeconds = histogram(
      "onevisit_command_seconds",
      "Counter command (call-next, recall, start … over socket, REST or keypad) handed to the hall → its events broadcast to the sockets and its reply ready; journal fsync included",
      ["command"],
    );
    this.commandHubSeconds = histogram(
      "onevisit_command_hub_seconds",
      "The hub's own time per counter command: onevisit_command_seconds less the wait for the journal's disk (append → fsync done)",
      ["command"],
    );
    this.commandAddedSeconds = histogram(
      "onevisit_command_added_seconds",
      "What the hub adds per counter command: onevisit_command_hub_seconds less the time inside Socket.IO's emit (one encode and a write per socket in the room), which raw Socket.IO pays for the same broadcast",
      ["command"],
    );
    this.broadcastSeconds = histogram(
      "onevisit_broadcast_seconds",
      "One broadcast handed to Socket.IO (io.to(room).emit: one encode, a write per socket in the room)",
      [],
    );
    this.issueSeconds = histogram(
      "onevisit_issue_seconds",
      "POST /api/tickets received → reply sent (print=yes: the kiosk's ticket printed before the reply)",
      ["print"],
    );
    this.fsyncSeconds = histogram(
      "onevisit_journal_fsync_seconds",
      "One journal batch written and fdatasync'd (group commit: one batch serves every append that waited)",
      [],
    );
    this.commandErrors = new Counter({
      name: "onevisit_command_errors_total",
      help: "Counter commands refused or failed",
      labelNames: ["command"],
      registers,
    });
    this.journalBytes = new Counter({ name: "onevisit_journal_bytes_total", help: "Bytes appended to the journal", registers });
    this.journal = {
      appended: () => {
        this.appends++;
        this.lastAppendAt = performance.now();
      },
      synced: (ms, bytes) => {
        this.lastSyncedAt = performance.now();
        this.broadcastMsAtSync = this.broadcastMs;
        this.fsyncSeconds.observe(ms / 1000);
        this.journalBytes.inc(bytes);
      },
    };

    this.eld = monitorEventLoopDelay({ resolution: 5 });
    this.eld.enable();
    const eld = this.eld;
    new Gauge({
      name: "onevisit_event_loop_delay_seconds",
      help: "Event-loop delay since the previous scrape (perf_hooks.monitorEventLoopDelay, 5 ms resolution)",
      labelNames: ["quantile"],
      registers,
      collect() {
        const s = (ns: number) => (Number.isFinite(ns) ? ns / 1e9 : 0);
        this.set({ quantile: "0.5" }, s(eld.percentile(50)));
        this.set({ quantile: "0.99" }, s(eld.percentile(99)));
        this.set({ quantile: "1" }, s(eld.max));
        eld.reset();
      },
    });
    const self = this;
    new Gauge({
      name: "onevisit_room_sockets",
      help: "Sockets in each Socket.IO room; per-entity rooms (counter:<id>, ticket:<id> …) summed by kind",
      labelNames: ["room"],
      registers,
      collect() {
        this.reset();
        const a = self.sources?.adapter();
        if (!a) return;
        const sums = new Map<string, number>();
        for (const [room, members] of a.rooms) {
          if (a.sids.has(room)) continue;
          const label = roomLabel(room);
          sums.set(label, (sums.get(label) ?? 0) + members.size);
        }
        for (const [room, n] of sums) this.set({ room }, n);
      },
    });
    new Gauge({
      name: "onevisit_sockets",
      help: "Connected Socket.IO clients",
      registers,
      collect() {
        this.set(self.sources?.adapter()?.sids.size ?? 0);
      },
    });
    new Gauge({
      name: "onevisit_device_up",
      help: "1 when the device is online, 0 otherwise",
      labelNames: ["device", "kind"],
      registers,
      collect() {
        this.reset();
        for (const d of self.sources?.devices() ?? []) this.set({ device: d.id, kind: d.kind }, d.health === "online" ? 1 : 0);
      },
    });
    new Gauge({
      name: "onevisit_device_health",
      help: "1 for the device's current health (online, offline, paper_out, error), 0 for the others",
      labelNames: ["device", "kind", "health"],
      registers,
      collect() {
        this.reset();
        for (const d of self.sources?.devices() ?? [])
          for (const h of HEALTHS) this.set({ device: d.id, kind: d.kind, health: h }, d.health === h ? 1 : 0);
      },
    });
    new Gauge({
      name: "onevisit_memory_bytes",
      help: "process.memoryUsage(): rss, heapTotal, heapUsed, external, arrayBuffers",
      labelNames: ["kind"],
      registers,
      collect() {
        const m = process.memoryUsage();
        for (const k of ["rss", "heapTotal", "heapUsed", "external", "arrayBuffers"] as const) this.set({ kind: k }, m[k]);
      },
    });
  }

  /** Where the scrape reads rooms and devices (set once the sockets and devices exist). */
  watch(sources: MetricsSources): void {
    this.sources = sources;
  }

  /**
   * Time one counter command. `run` must hand the command to the hall synchronously (as
   * CounterActions.run does up to the journal append), and resolve after the events were
   * broadcast (the hall publishes them before it resolves). The disk wait subtracted is
   * append → the fsync that made it durable: the appended/synced instants are both taken
   * in the hub's event loop, and the batch's fsync completion is the last one seen when the
   * command resumes (its waiters resume in the same microtask run, before any other I/O).
   */
  timeCommand<T>(command: string, run: () => Promise<T>): Promise<T> {
    const t0 = performance.now();
    const broadcastBefore = this.broadcastMs;
    const appendsBefore = this.appends;
    const p = run();
    const appended = this.appends !== appendsBefore;
    const appendAt = appended ? this.lastAppendAt : undefined;
    // Broadcasts before the append (none, for a command that goes to the journal) are this
    // command's own; those while the disk works are other work's, as the disk wait is.
    const broadcastAtAppend = this.broadcastMs;
    return p.then(
      (out) => {
        const total = performance.now() - t0;
        const synced = appendAt !== undefined && this.lastSyncedAt >= appendAt;
        const disk = synced ? this.lastSyncedAt - (appendAt as number) : 0;
        const own = Math.max(0, total - disk);
        const afterDisk = this.broadcastMs - (synced ? this.broadcastMsAtSync : broadcastAtAppend);
        const broadcast = broadcastAtAppend - broadcastBefore + afterDisk;
        this.commandSeconds.observe({ command }, total / 1000);
        this.commandHubSeconds.observe({ command }, own / 1000);
        this.commandAddedSeconds.observe({ command }, Math.max(0, own - broadcast) / 1000);
        return out;
      },
      (err: unknown) => {
        this.commandErrors.inc({ command });
        throw err;
      },
    );
  }

  /** Realtime's hook: one broadcast took `ms` inside Socket.IO's emit. */
  broadcast(ms: number): void {
    this.broadcastMs += ms;
    this.broadcastSeconds.observe(ms / 1000);
  }

  /** Start timing one issue request; call the result when the reply has been sent. */
  issueTimer(print: boolean): () => void {
    const t0 = performance.now();
    return () => this.issueSeconds.observe({ print: print ? "yes" : "no" }, (performance.now() - t0) / 1000);
  }

  /** The exposition text and its content type. */
  async exposition(): Promise<{ contentType: string; text: string }> {
    return { contentType: this.registry.contentType, text: await this.registry.metrics() };
  }

  close(): void {
    this.eld.disable();
  }
}

/**
 * Wrap `target.run` (CounterActions) so every counter command, from any adapter, is timed.
 * Done at the composition root: the adapters keep calling `actions.run` unchanged.
 */
export function timeCommands<S, A extends { type: string }, R>(
  target: { run(staff: S, action: A): Promise<R> },
  metrics: HubMetrics,
): void {
  const run = target.run.bind(target);
  target.run = (staff, action) => metrics.timeCommand(action.type, () => run(staff, action));
}
