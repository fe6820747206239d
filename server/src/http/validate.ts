import { z } from "zod";
import { workProfileSchema } from "../store/catalogue-schema.ts";
import { ApiError } from "./errors.ts";

/** Parse with a zod schema or fail with VALIDATION_FAILED naming the first bad fields. */
export function parse<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const msg = r.error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join(".") || "body"}: ${i.message}`)
    .join("; ");
  throw new ApiError("VALIDATION_FAILED", msg);
}

const id = z.string().trim().min(1).max(64);
export const schemas = {
  id,
  login: z.strictObject({ username: z.string().trim().min(1).max(64), password: z.string().min(1).max(256) }),
  issue: z
    .strictObject({
      matterId: id.optional(),
      priority: z.enum(["green", "appointment", "normal"]).optional(),
      kioskId: id.optional(),
      idToken: z.string().min(1).max(128).optional(),
      appointmentCode: z.string().trim().min(1).max(64).optional(),
      lang: z.enum(["zh", "en"]).optional(),
    })
    .refine((b) => b.matterId || b.appointmentCode, { message: "give matterId or appointmentCode" }),
  reprint: z.strictObject({
    kioskId: id,
    // Required: a request without one could not be told from a repeat of itself.
    requestId: z.string().min(1).max(64),
    lang: z.enum(["zh", "en"]).optional(),
  }),
  rating: z.strictObject({
    score: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(4), z.literal(5)]),
    reasons: z
      .array(z.enum(["long_wait", "slow", "attitude", "not_done", "other"]))
      .max(5)
      .optional(),
    comment: z.string().trim().max(200).optional(),
  }),
  finish: z.strictObject({
    outcome: z.enum(["completed", "accepted_incomplete", "rejected", "referred"]).optional(),
    /** What the visitor still has to bring (不予受理 / 容缺受理), shown on their phone page. */
    missing: z.array(z.string().trim().min(1).max(200)).max(30).optional(),
  }),
  transfer: z
    .strictObject({
      toQueueId: id.optional(),
      toCounterId: id.optional(),
      note: z.string().max(200).optional(),
      priority: z.enum(["green", "appointment", "normal"]).optional(),
    })
    .refine((b) => b.toQueueId || b.toCounterId, { message: "give toQueueId or toCounterId" }),
  park: z.strictObject({ note: z.string().max(200).optional() }),
  caseReceipt: z.strictObject({
    requestId: z.string().min(1).max(64),
    counterId: id.optional(),
    lang: z.enum(["zh", "en"]).optional(),
  }),
  callNext: z.strictObject({ requestId: z.string().min(1).max(64).optional() }),
  signIn: z.strictObject({ takeover: z.boolean().optional() }),
  call: z.strictObject({ reason: z.string().max(200).optional() }),
  pause: z.strictObject({ reason: z.string().trim().min(1).max(100) }),
  empty: z.strictObject({}),
  days: z.strictObject({
    from: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/)
      .optional(),
    to: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/)
      .optional(),
  }),
  simulate: z.strictObject({ fault: z.enum(["paper_out", "unplug", "ok"]) }),
  profile: workProfileSchema,
  newStaff: z.strictObject({
    username: z
      .string()
      .trim()
      .regex(/^[a-z][a-z0-9._-]{1,31}$/, { message: "2–32 lowercase letters, digits, . _ -" }),
    name: z.string().trim().min(1).max(40),
    role: z.enum(["clerk", "approver", "supervisor", "admin"]),
    counterId: id.optional(),
    /** Approvers: their department. */
    departmentId: id.optional(),
  }),
  qr: z.strictObject({ text: z.string().min(1).max(1000) }),
};
