import { z } from "zod";
import type { DeviceConfig } from "../contract/devices.ts";
import { deviceConfigSchema, workProfileSchema } from "../store/catalogue-schema.ts";
import { HallError } from "./errors.ts";

/** Parse with a zod schema or fail with VALIDATION_FAILED naming the first bad fields. */
export function parse<T extends z.ZodType>(schema: T, value: unknown): z.infer<T> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const msg = r.error.issues
    .slice(0, 3)
    .map((i) => `${i.path.join(".") || "body"}: ${i.message}`)
    .join("; ");
  throw new HallError("VALIDATION_FAILED", msg);
}

/**
 * The Idempotency-Key header every write of the case desks names itself with: a retry with the
 * same key gets the first answer. VALIDATION_FAILED when missing or malformed.
 */
export function idempotencyKey(header: string | undefined): string {
  if (!header || !/^[A-Za-z0-9._:-]{1,64}$/.test(header))
    throw new HallError("VALIDATION_FAILED", "Idempotency-Key header: 1–64 letters, digits, . _ : -");
  return header;
}

/**
 * A device configuration as PUT /api/devices sends it, checked by the same schema
 * config.json is loaded with (store/catalogue-schema.ts), so devices/ validates through the
 * hall and imports nothing of store/ but types; VALIDATION_FAILED otherwise.
 */
export function parseDeviceConfig(raw: unknown): DeviceConfig {
  return parse(deviceConfigSchema, raw) as DeviceConfig;
}

const id = z.string().trim().min(1).max(64);
export const schemas = {
  id,
  // Commands and requests (tickets, counters, login) are in hall/commands.ts, shared with the socket.
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
  caseReceipt: z.strictObject({
    requestId: z.string().min(1).max(64),
    counterId: id.optional(),
    lang: z.enum(["zh", "en"]).optional(),
  }),
  simulate: z.strictObject({ fault: z.enum(["paper_out", "unplug", "ok", "jam", "toner_low", "media_low"]) }),
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
  /** PATCH /api/staff/:id (issue 13): null clears a counter or department. */
  staffUpdate: z
    .strictObject({
      name: z.string().trim().min(1).max(40).optional(),
      role: z.enum(["clerk", "approver", "supervisor", "admin"]).optional(),
      counterId: id.nullable().optional(),
      departmentId: id.nullable().optional(),
      disabled: z.boolean().optional(),
    })
    .refine((b) => Object.keys(b).length > 0, { message: "nothing to change" }),
  qr: z.strictObject({ text: z.string().min(1).max(1000) }),
};
