/**
 * Postal addresses as the courier needs them, checked before anything is stored: a
 * provincial-level name from the official list, a prefecture-level city, a county-level
 * district, and a street part of reasonable length. Pure; no data beyond the 34 names.
 */
import type { PostalAddress } from "../contract/delivery.ts";
import { PROVINCES } from "../contract/provinces.ts";

const MUNICIPALITIES = new Set(["北京市", "天津市", "上海市", "重庆市"]);

/** 地级: 市, 自治州, 地区, 盟 (a municipality names itself again). */
const CITY = /^[\u4e00-\u9fa5]{1,12}(市|自治州|地区|盟)$/;
/** 县级: 区, 县, 县级市, 自治县, 旗, 自治旗, 林区, 特区. */
const COUNTY = /^[\u4e00-\u9fa5]{1,14}(区|县|市|旗|林区|特区)$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses
const CONTROL = /[\u0000-\u001f\u007f]/;

/** What is wrong with an address (field: reason), or undefined when it is fine. */
export function addressProblem(a: PostalAddress): string | undefined {
  if (!PROVINCES.includes(a.province)) return "address.province: not a province-level name (山东省, 北京市 …)";
  if (MUNICIPALITIES.has(a.province) ? a.city !== a.province && !CITY.test(a.city) : !CITY.test(a.city))
    return "address.city: a prefecture-level city (德州市, …自治州, …地区, …盟)";
  if (!COUNTY.test(a.county)) return "address.county: a county-level name (平原县, 德城区, 乐陵市 …)";
  const street = a.street.trim();
  if ([...street].length < 4 || [...street].length > 80 || CONTROL.test(street))
    return "address.street: 4 to 80 characters (街道/乡镇, road, number)";
  return undefined;
}

/** Mainland mobile (1 + 10 digits) or a landline with area code (0 + 9–11 digits). */
export function phoneProblem(phone: string): string | undefined {
  const d = phone.replace(/[\s-]/g, "");
  return /^1[3-9]\d{9}$/.test(d) || /^0\d{9,11}$/.test(d)
    ? undefined
    : "phone: a mobile (11 digits) or a landline with its area code";
}

/** 龙门街道中心路12号 → 龙门街****** (the public page shows where, not the door). */
export function maskStreet(street: string): string {
  const chars = [...street.trim()];
  const keep = Math.min(3, Math.max(1, chars.length - 4));
  return `${chars.slice(0, keep).join("")}${"*".repeat(Math.max(2, chars.length - keep))}`;
}
