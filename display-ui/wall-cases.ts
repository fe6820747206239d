/**
 * The wall's case figures (办件量, 办结率, overdue), per department, from the case module's
 * stats — cases accepted, not tickets issued. Pure functions plus one hook that loads the
 * stats once and then takes every `cases:stats` the hub pushes to the hall room.
 */
import { useCallback, useEffect, useState } from "preact/hooks";
import type { CaseStats } from "../server/src/contract/cases.ts";
import type { Catalogue } from "../server/src/contract/index.ts";
import type { Lang } from "../ui-shared/i18n.ts";
import type { DepartmentBar } from "./wall-model.ts";

/** A department's bar group, from cases: `issued` is 办件量 (accepted), `completed` 办结,
 * `done` the cases due (the rate's denominator), plus the overdue count. */
export type CaseDepartmentBar = DepartmentBar & { overdue: number };

/** 办结率 in percent with one decimal; null while nothing is due (shown "—", never 100 %). */
export function completionPct(finished: number, due: number): number | null {
  return due === 0 ? null : Math.round((finished / due) * 1000) / 10;
}

/** Departments by cases accepted, largest first, at most `limit`; ties by name. */
export function caseDepartmentBars(cat: Catalogue, stats: CaseStats, lang: Lang, limit = 12): CaseDepartmentBar[] {
  const names = new Map(cat.departments.map((d) => [d.id, lang === "zh" ? d.name : d.nameEn]));
  return stats.departments
    .filter((d) => d.accepted > 0 || d.due > 0 || d.overdue > 0)
    .map((d) => ({
      departmentId: d.departmentId,
      name: names.get(d.departmentId) ?? d.departmentId,
      issued: d.accepted,
      completed: d.finished,
      done: d.due,
      completionPct: completionPct(d.finished, d.due),
      overdue: d.overdue,
    }))
    .sort((a, b) => b.issued - a.issued || b.overdue - a.overdue || a.name.localeCompare(b.name))
    .slice(0, limit);
}

/** The hall's totals for the panel's header. */
export function caseTotals(stats: CaseStats): { accepted: number; ratePct: number | null; overdue: number } {
  return {
    accepted: stats.total.accepted,
    ratePct: completionPct(stats.total.finished, stats.total.due),
    overdue: stats.total.overdue,
  };
}

/** The case stats: fetched on mount and on every (re)connect, replaced by each push. */
export function useCaseStats(): { stats: CaseStats | null; set: (s: CaseStats) => void; refetch: () => void } {
  const [stats, set] = useState<CaseStats | null>(null);
  const refetch = useCallback(() => {
    fetch("/api/cases/stats")
      .then((r) => (r.ok ? (r.json() as Promise<CaseStats>) : null))
      .then((s) => s && set(s))
      .catch(() => undefined);
  }, []);
  useEffect(refetch, []);
  return { stats, set, refetch };
}
