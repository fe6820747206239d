/**
 * The national working-day calendar (public holidays and 调休 make-up working days) from the
 * `chinese-days` package, whose data is bundled in the package (no network at run time), with
 * the hall's overrides on top (catalogue.hall.calendarOverrides): a new year's schedule is
 * published by the State Council in November, and a hall can enter it before the package
 * catches up, or add a local day off.
 */
import { getDayDetail } from "chinese-days";
import type { Hall } from "../contract/catalogue.ts";
import { WEEKENDS_ONLY, type WorkCalendar, withOverrides } from "./calendar.ts";

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
