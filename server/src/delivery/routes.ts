/**
 * REST routes of the certificate window and the post (docs/api.md; access rules in
 * http/access.ts). Mounted by http/app.ts like the case routes; the service is read at
 * request time, so the routes exist (for the access matrix) even without one.
 */
import { type NextFunction, type Request, type Response, Router } from "express";
import { RateLimiterMemory } from "rate-limiter-flexible";
import { z } from "zod";
import type { TokenService } from "../auth/tokens.ts";
import { CASE_NO } from "../cases/service.ts";
import { HallError } from "../hall/errors.ts";
import type { StaffDirectory } from "../hall/staff.ts";
import type { StaffRecord } from "../store/config.ts";
import { CSV_TYPE, XLSX_TYPE } from "../export/table.ts";
import { postalLedgerCsv, postalLedgerXlsx } from "./export.ts";
import type { DeliveryService } from "./service.ts";
import { idempotencyKey, parse } from "../hall/validate.ts";

export interface DeliveryRouteDeps {
  delivery?: DeliveryService;
  tokens: TokenService;
  staff: StaffDirectory;
}

const id = z.string().trim().min(1).max(64);
const caseNo = z.string().regex(CASE_NO, { message: "expected a case number such as 371426-20261202-00042" });
const ID_NUMBER = /^(\d{17}[\dXx]|\d{15})$/;

const postalBody = z.strictObject({
  recipient: z.string().trim().min(1).max(40),
  phone: z.string().trim().min(7).max(20),
  address: z.strictObject({
    province: z.string().trim().min(2).max(20),
    city: z.string().trim().min(2).max(20),
    county: z.string().trim().min(2).max(20),
    street: z.string().trim().min(1).max(100),
  }),
  paid: z.boolean(),
});

export const deliverySchemas = {
  find: z.strictObject({
    counterId: id,
    caseNo: caseNo.optional(),
    qr: z.string().max(300).optional(),
    reading: z
      .string()
      .regex(/^[A-Za-z0-9_-]{16}$/)
      .optional(),
  }),
  collect: z.strictObject({
    counterId: id,
    expectedVersion: z.int().min(1),
    collector: z.union([
      z.strictObject({ kind: z.enum(["applicant", "agent"]), reading: z.string().regex(/^[A-Za-z0-9_-]{16}$/) }),
      z.strictObject({
        kind: z.enum(["applicant", "agent"]),
        name: z.string().trim().min(1).max(40),
        idNumber: z.string().trim().regex(ID_NUMBER, { message: "expected an 18-character ID number" }),
      }),
    ]),
  }),
  postal: postalBody,
  check: z.strictObject({ check: z.string().regex(/^\d{4}$/, { message: "expected the last four digits of the phone" }) }),
  window: z.strictObject({ counterId: id }),
  callback: z.strictObject({
    eventId: z.string().regex(/^[A-Za-z0-9._:-]{1,64}$/),
    waybillNo: z.string().regex(/^[A-Za-z0-9-]{4,40}$/),
    status: z.enum(["in_transit", "delivered", "returned"]),
    at: z.int().min(0),
  }),
  ledger: z.strictObject({
    day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { message: "expected YYYY-MM-DD" }),
    dept: id.optional(),
    format: z.enum(["json", "csv", "xlsx"]).optional(),
    lang: z.enum(["zh", "en"]).optional(),
  }),
};

type Authed = Request & { staff?: StaffRecord };
type Role = StaffRecord["role"];

export function deliveryRoutes(d: DeliveryRouteDeps): Router {
  const r = Router();
  const service = (): DeliveryService => {
    if (!d.delivery) throw new HallError("NOT_FOUND", "delivery is not enabled");
    return d.delivery;
  };
  const auth =
    (...roles: Role[]) =>
    (req: Authed, _res: Response, next: NextFunction) => {
      const m = /^Bearer (.+)$/.exec(req.get("authorization") ?? "");
      const claims = m?.[1] ? d.tokens.verify(m[1]) : null;
      const staff = claims ? d.staff.byId(claims.sid) : undefined;
      if (!staff) throw new HallError("UNAUTHENTICATED", "sign in first");
      if (!roles.includes(staff.role)) throw new HallError("FORBIDDEN", `${staff.role} may not do this`);
      req.staff = staff;
      next();
    };
  const window = auth("clerk", "supervisor", "admin");
  const office = auth("supervisor", "admin");
  // The visitor's address form: the four digits are a guess away from 10,000, so a few tries
  // per address per minute and per case per hour (as the progress page's look-up).
  const perAddress = new RateLimiterMemory({ points: 30, duration: 60 });
  const perCaseFailures = new RateLimiterMemory({ points: 10, duration: 3600 });

  r.get("/api/certificates/find", window, async (req: Authed, res) => {
    const q = parse(deliverySchemas.find, req.query);
    res.json(await service().find(req.staff as StaffRecord, q));
  });
  r.post("/api/certificates/:caseNo/collect", window, async (req: Authed, res) => {
    const key = idempotencyKey(req.get("idempotency-key"));
    const no = parse(caseNo, req.params.caseNo);
    const body = parse(deliverySchemas.collect, req.body);
    res.json(await service().collect(req.staff as StaffRecord, no, body, key));
  });
  r.put("/api/cases/:caseNo/postal", window, async (req: Authed, res) => {
    const key = idempotencyKey(req.get("idempotency-key"));
    const no = parse(caseNo, req.params.caseNo);
    res.json(await service().setPostal(req.staff as StaffRecord, no, parse(deliverySchemas.postal, req.body), key));
  });
  r.put("/api/public/cases/:caseNo/postal", async (req, res) => {
    try {
      await perAddress.consume(req.ip ?? req.socket.remoteAddress ?? "?");
    } catch {
      res.set("retry-after", "60");
      throw new HallError("RATE_LIMITED", "too many tries; try again later");
    }
    const no = parse(caseNo, req.params.caseNo);
    const q = parse(deliverySchemas.check, req.query);
    const body = parse(deliverySchemas.postal, req.body);
    const failures = await perCaseFailures.get(no);
    if (failures && failures.remainingPoints <= 0) throw new HallError("RATE_LIMITED", "too many wrong checks for this case");
    try {
      res.set("cache-control", "no-store").json(await service().setPostalPublic(no, q.check, body));
    } catch (err) {
      if (err instanceof HallError && err.code === "UNKNOWN_CASE") await perCaseFailures.penalty(no, 1);
      throw err;
    }
  });
  r.post("/api/postal/:caseNo/mail", window, async (req: Authed, res) => {
    const key = idempotencyKey(req.get("idempotency-key"));
    const no = parse(caseNo, req.params.caseNo);
    const b = parse(deliverySchemas.window, req.body);
    res.json(await service().mail(req.staff as StaffRecord, no, b.counterId, key));
  });
  r.post("/api/postal/:caseNo/label", window, async (req: Authed, res) => {
    const no = parse(caseNo, req.params.caseNo);
    const b = parse(deliverySchemas.window, req.body);
    res.json(await service().reprint(req.staff as StaffRecord, no, b.counterId));
  });
  // Ask the courier now (a parcel whose news stopped): the answer goes in like a callback.
  r.post("/api/postal/:caseNo/track", window, async (req, res) => {
    const no = parse(caseNo, req.params.caseNo);
    res.json(await service().track(no));
  });
  r.post("/api/postal/status-import", office, async (req, res) => {
    if (typeof req.body !== "string") throw new HallError("VALIDATION_FAILED", "send the file as text/csv");
    res.json(await service().importCsv(req.body));
  });
  // The courier's push: no staff token, the body signed with the shared secret instead.
  r.post("/api/postal/callback", async (req, res) => {
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    if (!service().verifySignature(raw, req.get("x-courier-signature")))
      throw new HallError("UNAUTHENTICATED", "X-Courier-Signature does not match the body");
    let json: unknown;
    try {
      json = JSON.parse(raw.toString("utf8"));
    } catch {
      throw new HallError("VALIDATION_FAILED", "body is not valid JSON");
    }
    const cb = parse(deliverySchemas.callback, json);
    res.json({ result: await service().courierNews(cb) });
  });
  r.get("/api/postal/ledger", office, async (req, res) => {
    const q = parse(deliverySchemas.ledger, req.query);
    const l = await service().ledger(q.day, q.dept);
    const lang = q.lang ?? "zh";
    // The day only: a department id is free text and has no place in a header.
    const name = `postal-ledger-${q.day}`;
    if (q.format === "csv" || q.format === "xlsx") {
      res
        .set("content-disposition", `attachment; filename="${name}.${q.format}"`)
        .set("cache-control", "no-store")
        .type(q.format === "csv" ? CSV_TYPE : XLSX_TYPE)
        .send(
          q.format === "csv"
            ? postalLedgerCsv(l, lang, service().timeZone())
            : await postalLedgerXlsx(l, lang, service().timeZone()),
        );
      return;
    }
    res.json(l);
  });
  return r;
}
