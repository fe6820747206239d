/**
 * What each reader sees of a help case. Staff acting on it see the visitor's name and phone
 * (to call them back); the ID number only masked. The ledger and its exports (printed,
 * passed around) mask the name and phone too.
 */
import type { LocalDate } from "../contract/cases.ts";
import type { HelpCase, HelpLedgerRow, HelpLink } from "../contract/helpdesk.ts";
import { maskName, maskPhone } from "../cases/views.ts";
import type { WorkCalendar } from "../cases/calendar.ts";
import { idleDays } from "./engine.ts";
import type { HelpRecord } from "./model.ts";

/** Case statuses where the matter is done (certificate out, refused, or never accepted). */
const DONE = new Set(["approved", "certificate_ready", "collected", "mailed", "delivered", "refused", "not_accepted"]);

export function staffView(
  r: HelpRecord,
  today: LocalDate,
  cal: WorkCalendar,
  cases: Map<string, { status: string; matterName: string; departmentId: string }>,
): HelpCase {
  const links: HelpLink[] = r.links.map((caseNo) => {
    const c = cases.get(caseNo);
    return c
      ? { caseNo, status: c.status as HelpLink["status"] & string, matterName: c.matterName, departmentId: c.departmentId }
      : { caseNo };
  });
  return {
    id: r.id,
    kind: r.kind,
    title: r.title,
    status: r.status,
    ...(r.departmentId ? { departmentId: r.departmentId } : {}),
    visitor: {
      name: r.visitor.name,
      ...(r.visitor.phone ? { phone: r.visitor.phone } : {}),
      ...(r.visitor.idMasked ? { idMasked: r.visitor.idMasked } : {}),
      ...(r.visitor.company ? { company: r.visitor.company } : {}),
    },
    owner: r.owner,
    openedBy: r.openedBy,
    openedAt: r.openedAt,
    openedOn: r.openedOn,
    lastProgressAt: r.lastProgressAt,
    lastProgressOn: r.lastProgressOn,
    ...(r.nextStep ? { nextStep: r.nextStep } : {}),
    ...(r.nextStepDate ? { nextStepDate: r.nextStepDate } : {}),
    notes: r.notes,
    transfers: r.transfers,
    links,
    chain: { done: links.filter((l) => l.status && DONE.has(l.status)).length, total: links.length },
    ...(r.closedAt ? { closedAt: r.closedAt } : {}),
    ...(r.closeNote ? { closeNote: r.closeNote } : {}),
    reminderLevel: r.reminderLevel,
    idleWorkingDays: r.status === "open" ? idleDays(r, today, cal) : 0,
    version: r.version,
  };
}

export function ledgerRow(r: HelpRecord, overdueCutoff: LocalDate): HelpLedgerRow {
  return {
    id: r.id,
    kind: r.kind,
    title: r.title,
    status: r.status,
    ...(r.departmentId ? { departmentId: r.departmentId } : {}),
    visitorNameMasked: maskName(r.visitor.name),
    ...(r.visitor.phone ? { phoneMasked: maskPhone(r.visitor.phone) } : {}),
    ...(r.visitor.company ? { company: r.visitor.company } : {}),
    ownerName: r.owner.name,
    ownerId: r.owner.staffId,
    openedOn: r.openedOn,
    lastProgressOn: r.lastProgressOn,
    ...(r.nextStep ? { nextStep: r.nextStep } : {}),
    ...(r.nextStepDate ? { nextStepDate: r.nextStepDate } : {}),
    links: r.links.length,
    transfers: r.transfers.length,
    ...(r.closedAt ? { closedAt: r.closedAt } : {}),
    overdue: r.status === "open" && r.lastProgressOn <= overdueCutoff,
    reminderLevel: r.reminderLevel,
  };
}
