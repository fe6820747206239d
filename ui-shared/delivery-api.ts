/**
 * The certificate window's and the post's routes as the pages call them (docs/api.md).
 * Every write that must happen once carries an Idempotency-Key chosen once per intended
 * write (a retried press sends the same key).
 */
import type { Case, PublicCase } from "../server/src/contract/cases.ts";
import type {
  CertificateMatch,
  CollectBody,
  MailResult,
  PostalAddressBody,
  PostalLedger,
} from "../server/src/contract/delivery.ts";
import type { ClerkReprintBody, ClerkReprintReply } from "../server/src/contract/terminals.ts";
import type { Api } from "./api.ts";

const enc = encodeURIComponent;

export interface DeliveryApi {
  find(q: { counterId: string; caseNo?: string; qr?: string; reading?: string }): Promise<CertificateMatch[]>;
  collect(caseNo: string, body: CollectBody, key: string): Promise<Case>;
  setPostal(caseNo: string, body: PostalAddressBody, key: string): Promise<Case>;
  setPostalPublic(caseNo: string, check: string, body: PostalAddressBody): Promise<PublicCase>;
  mail(caseNo: string, counterId: string, key: string): Promise<MailResult>;
  reprint(caseNo: string, counterId: string): Promise<MailResult>;
  ledger(day: string, dept?: string): Promise<PostalLedger>;
  /** A clerk's copy of a self-printed certificate (issue 12), on the window's A4 printer or a terminal's. */
  copyCertificate(caseNo: string, body: ClerkReprintBody): Promise<ClerkReprintReply>;
  /** Ask the courier where the parcel is now. */
  track(caseNo: string): Promise<{ caseNo: string; status: string; result: string }>;
}

export function deliveryApi(api: Api): DeliveryApi {
  const idem = (key: string) => ({ "idempotency-key": key });
  return {
    find: (q) => {
      const p = new URLSearchParams({ counterId: q.counterId });
      if (q.caseNo) p.set("caseNo", q.caseNo);
      if (q.qr) p.set("qr", q.qr);
      if (q.reading) p.set("reading", q.reading);
      return api.request("GET", `/api/certificates/find?${p}`);
    },
    collect: (caseNo, body, key) => api.request("POST", `/api/certificates/${enc(caseNo)}/collect`, body, idem(key)),
    setPostal: (caseNo, body, key) => api.request("PUT", `/api/cases/${enc(caseNo)}/postal`, body, idem(key)),
    setPostalPublic: (caseNo, check, body) =>
      api.request("PUT", `/api/public/cases/${enc(caseNo)}/postal?check=${enc(check)}`, body),
    mail: (caseNo, counterId, key) => api.request("POST", `/api/postal/${enc(caseNo)}/mail`, { counterId }, idem(key)),
    reprint: (caseNo, counterId) => api.request("POST", `/api/postal/${enc(caseNo)}/label`, { counterId }),
    ledger: (day, dept) => api.request("GET", `/api/postal/ledger?day=${enc(day)}${dept ? `&dept=${enc(dept)}` : ""}`),
    track: (caseNo) => api.request("POST", `/api/postal/${enc(caseNo)}/track`),
    copyCertificate: (caseNo, body) => api.request("POST", `/api/certificates/${enc(caseNo)}/reprint`, body),
  };
}
