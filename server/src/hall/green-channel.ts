/** Age from which the ID card alone gives the green channel (绿色通道), unless the hall sets another. */
export const DEFAULT_GREEN_CHANNEL_AGE = 65;

/**
 * Age in whole years on `day` (YYYY-MM-DD, the hall's local date) of the holder of an
 * 18-digit resident ID number, whose digits 7–14 are the birth date (YYYYMMDD).
 * Undefined when the number carries no valid birth date (15-digit cards, foreign IDs).
 */
export function ageOnDay(idNumber: string, day: string): number | undefined {
  if (!/^\d{17}[\dXx]$/.test(idNumber)) return undefined;
  const y = Number(idNumber.slice(6, 10));
  const m = Number(idNumber.slice(10, 12));
  const d = Number(idNumber.slice(12, 14));
  const check = new Date(Date.UTC(y, m - 1, d));
  if (y < 1900 || check.getUTCMonth() !== m - 1 || check.getUTCDate() !== d) return undefined;
  const [ty, tm, td] = day.split("-").map(Number) as [number, number, number];
  let age = ty - y;
  if (tm < m || (tm === m && td < d)) age--;
  return age >= 0 ? age : undefined;
}

/** Whether the card holder's age gives the green channel on `day`. */
export function greenByAge(idNumber: string, day: string, threshold = DEFAULT_GREEN_CHANNEL_AGE): boolean {
  const age = ageOnDay(idNumber, day);
  return age !== undefined && age >= threshold;
}
