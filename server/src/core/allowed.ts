import type { CounterActionName } from "../contract/events.ts";
import type { Instant } from "../contract/tickets.ts";
import { events } from "./decide.ts";
import type { Command } from "./model.ts";
import type { HallState } from "./state.ts";

/**
 * The actions a counter's holder may take now, asked of the engine itself (each command is
 * decided and thrown away): the page greys out and silences whatever is not in the list, and
 * it can never drift from what the hub would accept.
 */
export function allowedActions(state: HallState, counterId: string, now: Instant): CounterActionName[] {
  const c = state.counters.get(counterId);
  const staffId = c?.view.staffId;
  if (!c || !staffId) return [];
  const base = { counterId, staffId };
  const ok = (cmd: Command) => !("error" in events(state, cmd, now));
  const out: CounterActionName[] = [];
  const probe: [CounterActionName, Command][] = [
    ["call-next", { type: "callNext", ...base }],
    ["recall", { type: "recall", ...base }],
    ["start", { type: "start", ...base }],
    ["finish", { type: "finish", ...base, outcome: "completed" }],
    ["no-show", { type: "noShow", ...base }],
    ["park", { type: "park", ...base }],
    ["pause", { type: "pause", ...base, reason: "-" }],
    ["resume", { type: "resume", ...base }],
    ["request-rating", { type: "requestRating", ...base }],
    ["sign-out", { type: "signOut", ...base }],
  ];
  for (const [name, cmd] of probe) if (ok(cmd)) out.push(name);
  // Transfer takes a target: it is possible exactly when a finish is (called or serving).
  if (out.includes("finish")) out.push("transfer");
  // Calling a listed ticket: an open, unpaused counter without a called visitor.
  const cur = c.view.currentTicketId ? state.tickets.get(c.view.currentTicketId) : undefined;
  if (c.view.status !== "paused" && cur?.status !== "called") out.push("call");
  return out;
}
