/**
 * REST routes of payments (contract/payment-orders.ts, docs/api.md "Payments"; access rules
 * in http/access.ts). The terminal's routes need the device token of the page paired as
 * that very terminal, as terminals/routes.ts; the office's (refunds, the day's orders and
 * reconciliation) need a supervisor or an admin. Mounted by http/app.ts before its 404
 * catch-all; the service is read at request time, so the routes exist (for the access
 * matrix) even when the app is built without one.
 */
import { type NextFunction, type Request, type Response, Router } from "express";
import { z } from "zod";
import type { TokenService } from "../auth/tokens.ts";
import { CASE_NO } from "../cases/service.ts";
import { HallError } from "../hall/errors.ts";
import { type AsTerminal, pairedTerminal } from "../terminals/guard.ts";
import { parse } from "../hall/validate.ts";
import type { StaffDirectory } from "../hall/staff.ts";
import type { Pairings } from "../pairing/engine.ts";
import type { StaffRecord } from "../store/config.ts";
import type { PaymentService } from "./service.ts";

export interface PaymentRouteDeps {
  payments?: PaymentService;
  pairings: Pairings;
  tokens: TokenService;
  staff: StaffDirectory;
}

const token = z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, { message: "expected a token" });
const caseNo = z.string().regex(CASE_NO, { message: "expected a case number such as 371426-20261202-00042" });
const orderId = z.string().regex(/^PO\d{8}[0-9A-F]{12}$/, { message: "expected an order id" });
const requestId = z.string().regex(/^[A-Za-z0-9._:-]{8,64}$/, { message: "8–64 letters, digits, . _ : -" });
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { message: "expected YYYY-MM-DD" });

export const paymentSchemas = {
  fees: z.union([z.strictObject({ idToken: token }), z.strictObject({ caseNo, scanToken: token })]),
  start: z
    .strictObject({
      caseNo,
      amountFen: z.int().min(1).max(100_000_000),
      method: z.enum(["qr", "card"]),
      idToken: token.optional(),
      scanToken: token.optional(),
      payToken: token.optional(),
      authCode: z
        .string()
        .regex(/^\d{16,24}$/, { message: "a payment code is 16 to 24 digits" })
        .optional(),
      requestId,
    })
    .refine((b) => Boolean(b.idToken) !== Boolean(b.scanToken), { message: "idToken or scanToken (one of them)" })
    .refine((b) => b.method !== "qr" || Boolean(b.payToken) !== Boolean(b.authCode), {
      message: "a payment code: payToken or authCode (one of them)",
    }),
  receipt: z.strictObject({ lang: z.enum(["zh", "en"]).optional() }),
  cancel: z.strictObject({}),
  refund: z.strictObject({ amountFen: z.int().min(1).max(100_000_000), reason: z.string().trim().min(1).max(200), requestId }),
  day: z.strictObject({ day }),
};

type Authed = Request & { staff?: StaffRecord };

export function paymentRoutes(d: PaymentRouteDeps): Router {
  const r = Router();
  const service = (): PaymentService => {
    if (!d.payments) throw new HallError("NOT_FOUND", "payments are not enabled");
    return d.payments;
  };
  const terminal = pairedTerminal(() => d.pairings);
  const office = (req: Authed, _res: Response, next: NextFunction) => {
    const m = /^Bearer (.+)$/.exec(req.get("authorization") ?? "");
    const claims = m?.[1] ? d.tokens.verify(m[1]) : null;
    const staff = claims ? d.staff.byId(claims.sid) : undefined;
    if (!staff) throw new HallError("UNAUTHENTICATED", "sign in first");
    if (staff.role !== "supervisor" && staff.role !== "admin") throw new HallError("FORBIDDEN", `${staff.role} may not do this`);
    req.staff = staff;
    next();
  };
  const tid = (req: AsTerminal) => req.terminal?.id as string;

  r.get("/api/terminals/:id/fees", terminal, async (req: AsTerminal, res) => {
    const q = parse(paymentSchemas.fees, req.query);
    res.set("cache-control", "no-store").json(await service().fees(tid(req), q));
  });
  r.post("/api/terminals/:id/payments", terminal, async (req: AsTerminal, res) => {
    const b = parse(paymentSchemas.start, req.body ?? {});
    const o = await service().start(tid(req), {
      caseNo: b.caseNo,
      amountFen: b.amountFen,
      method: b.method,
      requestId: b.requestId,
      ...(b.idToken ? { idToken: b.idToken } : {}),
      ...(b.scanToken ? { scanToken: b.scanToken } : {}),
      ...(b.payToken ? { payToken: b.payToken } : {}),
      ...(b.authCode ? { authCode: b.authCode } : {}),
    });
    // 202 while the visitor still confirms on the phone: poll, or wait for payment:order.
    res.status(o.status === "pending" || o.status === "paying" ? 202 : 200).json(o);
  });
  r.get("/api/terminals/:id/payments/:orderId", terminal, async (req: AsTerminal, res) => {
    res.set("cache-control", "no-store").json(await service().order(tid(req), parse(orderId, req.params.orderId)));
  });
  r.post("/api/terminals/:id/payments/:orderId/receipt", terminal, async (req: AsTerminal, res) => {
    const b = parse(paymentSchemas.receipt, req.body ?? {});
    res.json(await service().printReceipt(tid(req), parse(orderId, req.params.orderId), b.lang ?? "zh"));
  });
  r.post("/api/terminals/:id/payments/:orderId/cancel", terminal, async (req: AsTerminal, res) => {
    parse(paymentSchemas.cancel, req.body ?? {});
    res.json(await service().cancel(tid(req), parse(orderId, req.params.orderId)));
  });
  r.get("/api/payments", office, async (req, res) => {
    res.set("cache-control", "no-store").json(await service().list(parse(paymentSchemas.day, req.query).day));
  });
  r.get("/api/payments/reconciliation", office, async (req, res) => {
    res.set("cache-control", "no-store").json(await service().reconcile(parse(paymentSchemas.day, req.query).day));
  });
  r.get("/api/payments/:orderId", office, async (req, res) => {
    res.set("cache-control", "no-store").json(await service().orderForStaff(parse(orderId, req.params.orderId)));
  });
  r.post("/api/payments/:orderId/refunds", office, async (req: Authed, res) => {
    const b = parse(paymentSchemas.refund, req.body ?? {});
    const who = req.staff as StaffRecord;
    res.json(await service().refund(parse(orderId, req.params.orderId), b, who.id));
  });
  return r;
}
