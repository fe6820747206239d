/**
 * Counter commands as the counter page sends them: over its socket's typed
 * `counter:command` (one frame each way, answered with a closed-code ack), or over REST
 * while the socket is reconnecting — the same verb and fields either way
 * (`POST /api/counters/:id/<verb>`; server/src/hall/commands.ts checks both with one schema).
 */
import type { CounterSocketCommand, CounterState, Ticket } from "../server/src/contract/index.ts";
import { type Api, ApiError } from "./api.ts";
import type { HubSocket } from "./socket.ts";

/** What a counter command answers: the ticket it was about (null: none, e.g. nobody waiting) and the counter. */
export interface CounterCommandReply {
  ticket: Ticket | null;
  counter: CounterState | null;
}

/** An answer takes longer than this only when the hub is gone: say so rather than wait. */
const ACK_TIMEOUT_MS = 10_000;

export async function sendCounterCommand(
  socket: HubSocket | null,
  api: Api,
  cmd: CounterSocketCommand,
): Promise<CounterCommandReply> {
  if (socket?.connected) {
    let r: Awaited<ReturnType<typeof socket.emitWithAck<"counter:command">>>;
    try {
      r = await socket.timeout(ACK_TIMEOUT_MS).emitWithAck("counter:command", cmd);
    } catch {
      throw new ApiError("NETWORK", 0, "the hub did not answer");
    }
    if (!r.ok) throw new ApiError(r.error, 0, r.message);
    return r.data;
  }
  const { type, counterId, ...fields } = cmd;
  const ticketId = "ticketId" in fields ? fields.ticketId : undefined;
  if ("ticketId" in fields) delete (fields as { ticketId?: string }).ticketId;
  const path = `/api/counters/${encodeURIComponent(counterId)}/${type}${ticketId ? `/${encodeURIComponent(ticketId)}` : ""}`;
  const out = await api.request<Ticket | CounterState | null>("POST", path, fields);
  // REST answers with the ticket for ticket verbs and the counter for the others.
  if (out && "number" in out) return { ticket: out, counter: null };
  return { ticket: null, counter: out };
}
