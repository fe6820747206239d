/**
 * Free text in the audit log (a clerk's reason, a username typed at a failed login) may hold
 * personal data by mistake: ID numbers and phone numbers are masked before anything is
 * written, with the case pages' masks, and the text is bounded.
 */
import { maskId, maskPhone } from "../cases/views.ts";

const ID_NUMBER = /(?<![\dA-Za-z])(\d{17}[\dXx]|\d{15})(?![\dA-Za-z])/g;
/** Mainland mobiles (1[3-9]…, 11 digits) and landlines with an area code (0xx-xxxxxxx). */
const PHONE = /(?<!\d)(1[3-9]\d{9}|0\d{2,3}-?\d{7,8})(?!\d)/g;

export function maskText(s: string, max = 200): string {
  const masked = s.replace(ID_NUMBER, (m) => maskId(m)).replace(PHONE, (m) => maskPhone(m));
  const chars = [...masked];
  return chars.length > max ? `${chars.slice(0, max).join("")}…` : masked;
}
