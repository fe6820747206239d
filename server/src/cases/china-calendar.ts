/**
 * The national working-day calendar (public holidays and 调休 make-up working days) from the
 * `chinese-days` package, whose data is bundled in the package (no network at run time), with
 * the hall's overrides on top (catalogue.hall.calendarOverrides): a new year's schedule is
 * published by the State Council in November, and a hall can enter it before the package
 * catches up, or add a local day off.
 */
import * as chineseDays from "chinese-days";
import type { Hall } from "../contract/catalogue.ts";
import { WEEKENDS_ONLY, type WorkCalendar, withOverrides } from "./calendar.ts";

// The package's `main` is a CommonJS bundle whose named exports Node cannot detect (its ES
// build is used only by bundlers such as Vite): take the function from wherever it is.
type DayDetail = (date: string) => { work: boolean };
const getDayDetail: DayDetail =
  (chineseDays as unknown as { getDayDetail?: DayDetail }).getDayDetail ??
  (chineseDays as unknown as { default: { getDayDetail: DayDetail } }).default.getDayDetail;

export const CHINA_CALENDAR: WorkCalendar = {
  isWorkday: (date) => {
    try {
      return getDayDetail(date).work;
    } catch {
      // Outside the package's range: weekends only (the hall's overrides still apply).
      return WEEKENDS_ONLY.isWorkday(date);
    }
  },
};

export function hallCalendar(hall: Pick<Hall, "calendarOverrides">): WorkCalendar {
  return withOverrides(CHINA_CALENDAR, hall.calendarOverrides ?? []);
}
