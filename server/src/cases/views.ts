/**
 * What each reader sees of a case. Staff get the applicant's name and phone (to call them
 * about corrections) but the ID number only masked; the public progress page gets masked
 * forms only and no staff names.
 */
import type { Case, CaseSummary, LocalDate, PublicCase, PublicCaseStep } from "../contract/cases.ts";
import { maskStreet } from "../delivery/address.ts";
import { isOverdue } from "./engine.ts";
import type { CaseRecord } from "./model.ts";

/** 王小明 → 王**; one character stays one star short of nothing: 王 → 王. */
export function maskName(name: string): string {
  const chars = [...name.trim()];
  return `${chars[0] ?? ""}${"*".repeat(Math.max(0, chars.length - 1))}`;
}

/** 13812341234 → 138****1234; short numbers keep only their last four. */
export function maskPhone(phone: string): string {
  const d = phone.replace(/\D/g, "");
  if (d.length >= 11) return `${d.slice(0, 3)}${"*".repeat(d.length - 7)}${d.slice(-4)}`;
  return `${"*".repeat(Math.max(0, d.length - 4))}${d.slice(-4)}`;
}

/** 371426199001011234 → 3714**********1234 (as the kiosk masks it). */
export function maskId(id: string): string {
  return id.length > 8 ? `${id.slice(0, 4)}${"*".repeat(id.length - 8)}${id.slice(-4)}` : "****";
}

function base(r: CaseRecord, today: LocalDate) {
  return {
    caseNo: r.caseNo,
    matterId: r.matterId,
    matterName: r.matterName,
    matterNameEn: r.matterNameEn,
    departmentId: r.departmentId,
    status: r.status,
    outcome: r.outcome,
    ...(r.refusalReason ? { refusalReason: r.refusalReason } : {}),
    acceptedAt: r.acceptedAt,
    acceptedOn: r.acceptedOn,
    promisedDays: r.promisedDays,
    ...(r.dueDate ? { dueDate: r.dueDate } : {}),
    clockPaused: r.status === "correction",
    overdue: isOverdue(r, today),
    ...(r.finishedAt ? { finishedAt: r.finishedAt } : {}),
    materials: r.materials.map((m) => ({ ...m })),
    siteId: r.siteId,
    version: r.version,
  };
}

export function staffView(r: CaseRecord, today: LocalDate): Case {
  return {
    ...base(r, today),
    ...(r.ticketId ? { ticketId: r.ticketId } : {}),
    ...(r.ticketNumber ? { ticketNumber: r.ticketNumber } : {}),
    ...(r.counterId ? { counterId: r.counterId } : {}),
    applicant: {
      name: r.applicant.name,
      ...(r.applicant.idMasked ? { idMasked: r.applicant.idMasked } : {}),
      phone: r.applicant.phone,
    },
    acceptedBy: r.acceptedBy,
    ...(r.assignee ? { assignee: r.assignee } : {}),
    transitions: r.transitions.map((t) => ({ ...t })),
    progressPath: `/q/${r.caseNo}`,
    ...(r.collection
      ? {
          collection: {
            kind: r.collection.kind,
            via: r.collection.via ?? "window",
            name: r.collection.name,
            idMasked: r.collection.idMasked,
            at: r.collection.at,
            ...(r.collection.counterId !== undefined ? { counterId: r.collection.counterId } : {}),
            ...(r.collection.counterNumber !== undefined ? { counterNumber: r.collection.counterNumber } : {}),
            ...(r.collection.terminalId !== undefined ? { terminalId: r.collection.terminalId } : {}),
            staffName: r.collection.by.name,
          },
        }
      : {}),
    ...(r.postal ? { postal: structuredClone(r.postal) } : {}),
  };
}

/** Notes the applicant needs (what to correct, why refused); other notes are internal. */
const PUBLIC_NOTE = new Set(["request_correction", "refuse", "accept"]);

export function publicView(r: CaseRecord, today: LocalDate): PublicCase {
  const timeline: PublicCaseStep[] = r.transitions.map((t) => ({
    action: t.action,
    to: t.to,
    at: t.at,
    ...(t.note && PUBLIC_NOTE.has(t.action) ? { note: t.note } : {}),
  }));
  return {
    ...base(r, today),
    applicant: {
      nameMasked: maskName(r.applicant.name),
      ...(r.applicant.idMasked ? { idMasked: r.applicant.idMasked } : {}),
      phoneMasked: maskPhone(r.applicant.phone),
    },
    timeline,
    ...(r.collection
      ? {
          collection: {
            kind: r.collection.kind,
            via: r.collection.via ?? "window",
            at: r.collection.at,
            ...(r.collection.counterNumber !== undefined ? { counterNumber: r.collection.counterNumber } : {}),
          },
        }
      : {}),
    ...(r.postal
      ? {
          postal: {
            recipientMasked: maskName(r.postal.recipient),
            phoneMasked: maskPhone(r.postal.phone),
            province: r.postal.address.province,
            city: r.postal.address.city,
            county: r.postal.address.county,
            streetMasked: maskStreet(r.postal.address.street),
            paid: r.postal.paid,
            status: r.postal.status,
            ...(r.postal.waybillNo ? { waybillNo: r.postal.waybillNo } : {}),
            ...(r.postal.mailedAt ? { mailedAt: r.postal.mailedAt } : {}),
            ...(r.postal.updatedAt ? { updatedAt: r.postal.updatedAt } : {}),
          },
        }
      : {}),
  };
}

export function summaryView(r: CaseRecord, today: LocalDate): CaseSummary {
  return {
    caseNo: r.caseNo,
    matterId: r.matterId,
    matterName: r.matterName,
    departmentId: r.departmentId,
    status: r.status,
    outcome: r.outcome,
    applicantName: r.applicant.name,
    acceptedAt: r.acceptedAt,
    ...(r.dueDate ? { dueDate: r.dueDate } : {}),
    clockPaused: r.status === "correction",
    overdue: isOverdue(r, today),
    ...(r.assignee ? { assigneeName: r.assignee.name } : {}),
    version: r.version,
  };
}
