/**
 * The counter commands a page sends, as the browser sends them: `counter:command` frames on
 * its socket (and their acks), or `POST /api/counters/:id/<verb>` requests while the socket
 * is down. Attach before the page opens its socket (right after `newPage`).
 */
import type { Page } from "../helpers/browser.ts";

export interface SentCommand {
  type: string;
  body: Record<string, unknown>;
  via: "socket" | "rest";
}

/** Sends and answers in the order the browser saw them. */
export type CommandEvent = { kind: "send" | "answer"; cmd: SentCommand };

const recorders = new WeakMap<Page, CommandEvent[]>();

export function recordCommands(page: Page): CommandEvent[] {
  const known = recorders.get(page);
  if (known) return known;
  const events: CommandEvent[] = [];
  recorders.set(page, events);
  page.on("websocket", (ws) => {
    const waiting = new Map<string, SentCommand>();
    ws.on("framesent", (f) => {
      // Socket.IO: 42<ack id>["counter:command",{…}]
      const m = /^42(\d+)(\[[\s\S]*\])$/.exec(String(f.payload));
      if (!m?.[2]) return;
      const [name, body] = JSON.parse(m[2]) as [string, Record<string, unknown>];
      if (name !== "counter:command") return;
      const cmd: SentCommand = { type: String(body.type), body, via: "socket" };
      waiting.set(m[1] as string, cmd);
      events.push({ kind: "send", cmd });
    });
    ws.on("framereceived", (f) => {
      const m = /^43(\d+)\[/.exec(String(f.payload));
      const cmd = m?.[1] ? waiting.get(m[1]) : undefined;
      if (!cmd || !m?.[1]) return;
      waiting.delete(m[1]);
      events.push({ kind: "answer", cmd });
    });
  });
  page.on("request", (r) => {
    const m = /^\/api\/counters\/[^/]+\/([a-z-]+)/.exec(new URL(r.url()).pathname);
    if (r.method() !== "POST" || !m?.[1]) return;
    const cmd: SentCommand = { type: m[1], body: JSON.parse(r.postData() ?? "{}"), via: "rest" };
    events.push({ kind: "send", cmd });
    const done = (x: unknown) => {
      if (x !== r) return;
      events.push({ kind: "answer", cmd });
      page.off("requestfinished", done);
      page.off("requestfailed", done);
    };
    page.on("requestfinished", done);
    page.on("requestfailed", done);
  });
  return events;
}

/** Commands of `type` sent from `events[from]` on, and the most of them in flight at once. */
export function sentSince(events: CommandEvent[], from: number, type: string): { sent: SentCommand[]; maxInFlight: number } {
  const sent: SentCommand[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  for (const e of events.slice(from)) {
    if (e.cmd.type !== type) continue;
    if (e.kind === "send") {
      sent.push(e.cmd);
      maxInFlight = Math.max(maxInFlight, ++inFlight);
    } else inFlight--;
  }
  return { sent, maxInFlight };
}
