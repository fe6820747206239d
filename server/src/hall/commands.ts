/**
 * One schema per command and request a client sends, shared by the REST routes (http/) and
 * the Socket.IO handlers (realtime/), each checked at compile time against its contract
 * type (server/src/contract/requests.ts), as store/catalogue-schema.ts does for the
 * catalogue. A field added to the contract and not here (or the other way round) stops
 * the build instead of being refused by one door and accepted by the other.
 *
 * {@link COUNTER_VERBS} is the one table from a counter verb as the page, the REST route,
 * the socket and `CounterView.allowed` name it, to the engine command that runs it.
 */
import { z } from "zod";
import type { CounterSocketCommand, Subscription } from "../contract/events.ts";
import type {
  CounterCommand,
  CounterVerb,
  IssueRequest,
  LoginRequest,
  RatingRequest,
  ReprintRequest,
} from "../contract/requests.ts";
import type { Command } from "../core/index.ts";

const id = z.string().trim().min(1).max(64);
/** Names one press of a button: a repeat with the same id is the same request. */
const requestId = z.string().min(1).max(64);
const note = z.string().max(200);
const lang = z.enum(["zh", "en"]);
const priority = z.enum(["green", "appointment", "normal"]);

export const issueRequest = z
  .strictObject({
    matterId: id.optional(),
    priority: priority.optional(),
    kioskId: id.optional(),
    idToken: z.string().min(1).max(128).optional(),
    appointmentCode: z.string().trim().min(1).max(64).optional(),
    lang: lang.optional(),
  })
  .refine((b) => b.matterId || b.appointmentCode, { message: "give matterId or appointmentCode" });

export const reprintRequest = z.strictObject({
  kioskId: id,
  // Required: a request without one could not be told from a repeat of itself.
  requestId,
  lang: lang.optional(),
});

export const ratingRequest = z.strictObject({
  score: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4), z.literal(5)]),
  reasons: z
    .array(z.enum(["long_wait", "slow", "attitude", "not_done", "other"]))
    .max(5)
    .optional(),
  comment: z.string().trim().max(200).optional(),
});

export const loginRequest = z.strictObject({
  username: z.string().trim().min(1).max(64),
  password: z.string().min(1).max(256),
});

export const subscription = z.discriminatedUnion("view", [
  z.strictObject({ view: z.literal("hall") }),
  z.strictObject({ view: z.literal("counter"), counterId: id }),
  z.strictObject({ view: z.literal("zone"), zoneId: id }),
  z.strictObject({ view: z.literal("screen"), screenId: id }),
  z.strictObject({ view: z.literal("ticket"), ticketId: id }),
]);

/** The fields of each counter command besides its type and counter. */
const COUNTER_FIELDS = {
  "sign-in": { takeover: z.boolean().optional() },
  "sign-out": {},
  "call-next": { requestId: requestId.optional() },
  "hand-back-request": {},
  "hand-back": {},
  recall: {},
  start: {},
  finish: {
    outcome: z.enum(["completed", "accepted_incomplete", "rejected", "referred"]).optional(),
    /** What the visitor still has to bring (不予受理 / 容缺受理), shown on their phone page. */
    missing: z.array(z.string().trim().min(1).max(200)).max(30).optional(),
  },
  "no-show": {},
  park: { note: note.optional() },
  call: { ticketId: id, reason: note.optional() },
  pause: { reason: z.string().trim().min(1).max(100) },
  resume: {},
  "request-rating": {},
  transfer: { toQueueId: id.optional(), toCounterId: id.optional(), note: note.optional(), priority: priority.optional() },
} as const satisfies Record<CounterVerb, z.ZodRawShape>;

/** Rules across fields, the same for both doors. */
function refined<T extends z.ZodObject>(verb: CounterVerb, schema: T) {
  if (verb !== "transfer") return schema;
  return schema.refine((b: { toQueueId?: string; toCounterId?: string }) => b.toQueueId || b.toCounterId, {
    message: "give toQueueId or toCounterId",
  }) as unknown as T;
}

/**
 * Each verb: the engine command it runs (null: handled by the hall's counter desk itself,
 * no engine command), what `POST /api/counters/:id/<verb>` answers with, and whether the
 * socket's `counter:command` takes it.
 */
export const COUNTER_VERBS = {
  "sign-in": { engine: "signIn", reply: "counter", socket: false },
  "sign-out": { engine: "signOut", reply: "counter", socket: false },
  "call-next": { engine: "callNext", reply: "ticket", socket: true },
  "hand-back-request": { engine: null, reply: "counter", socket: false },
  "hand-back": { engine: "signIn", reply: "counter", socket: false },
  recall: { engine: "recall", reply: "ticket", socket: true },
  start: { engine: "start", reply: "ticket", socket: true },
  finish: { engine: "finish", reply: "ticket", socket: true },
  "no-show": { engine: "noShow", reply: "ticket", socket: true },
  transfer: { engine: "transfer", reply: "ticket", socket: true },
  park: { engine: "park", reply: "ticket", socket: true },
  call: { engine: "callTicket", reply: "ticket", socket: true },
  pause: { engine: "pause", reply: "counter", socket: true },
  resume: { engine: "resume", reply: "counter", socket: true },
  "request-rating": { engine: "requestRating", reply: "counter", socket: true },
} as const satisfies Record<CounterVerb, { engine: Command["type"] | null; reply: "ticket" | "counter"; socket: boolean }>;

export const COUNTER_VERB_NAMES = Object.keys(COUNTER_VERBS) as CounterVerb[];
/** The verbs `counter:command` takes, in table order. */
export const SOCKET_VERBS = COUNTER_VERB_NAMES.filter((v) => COUNTER_VERBS[v].socket) as CounterSocketCommand["type"][];

/**
 * The body of `POST /api/counters/:id/<verb>` (the counter is in the path; for `call` the
 * ticket too, so its body has only the reason).
 */
export const counterBody = Object.fromEntries(
  COUNTER_VERB_NAMES.map((verb) => {
    const { ticketId: _inPath, ...fields } = COUNTER_FIELDS[verb] as z.ZodRawShape;
    return [verb, refined(verb, z.strictObject(fields))];
  }),
) as unknown as { [V in CounterVerb]: z.ZodType<Omit<Extract<CounterCommand, { type: V }>, "type" | "counterId" | "ticketId">> };

const commandOf = <V extends CounterVerb>(verb: V) =>
  refined(verb, z.strictObject({ type: z.literal(verb), counterId: id, ...COUNTER_FIELDS[verb] }));

/** `counter:command` over the socket: the same fields as the REST body, with type and counter. */
export const counterSocketCommand = z.discriminatedUnion("type", [
  commandOf("call-next"),
  commandOf("recall"),
  commandOf("start"),
  commandOf("finish"),
  commandOf("no-show"),
  commandOf("park"),
  commandOf("call"),
  commandOf("pause"),
  commandOf("resume"),
  commandOf("request-rating"),
  commandOf("transfer"),
]);

/** The command a REST request stands for, from its already parsed body and path. */
export function counterCommand<V extends CounterVerb>(
  verb: V,
  counterId: string,
  body: Omit<Extract<CounterCommand, { type: V }>, "type" | "counterId" | "ticketId">,
  ticketId?: string,
): CounterCommand {
  return { ...body, type: verb, counterId, ...(ticketId !== undefined ? { ticketId } : {}) } as CounterCommand;
}

// Compile-time guard: every schema produces exactly its contract type. Mutual
// assignability alone would let an optional field exist on one side only, so the types
// must be identical (the usual generic-function trick compares them structurally).
type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
const schemasMatchContract: [
  Same<z.output<typeof issueRequest>, IssueRequest>,
  Same<z.output<typeof reprintRequest>, ReprintRequest>,
  Same<z.output<typeof ratingRequest>, RatingRequest>,
  Same<z.output<typeof loginRequest>, LoginRequest>,
  Same<z.output<typeof subscription>, Subscription>,
  Same<z.output<typeof counterSocketCommand>, CounterSocketCommand>,
  Same<{ [V in CounterVerb]: z.output<ReturnType<typeof commandOf<V>>> }[CounterVerb], CounterCommand>,
  Same<(typeof SOCKET_VERBS)[number], CounterSocketCommand["type"]>,
] = [true, true, true, true, true, true, true, true];
void schemasMatchContract;
