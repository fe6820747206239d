/**
 * The reference hall's scale (shared/context/reference-hall.md): 47 departments, 1,410
 * matters, 150 counters, built from the demo hall's real names so the text is as long as a
 * real catalogue's. Deterministic: the same catalogue on every call.
 */
import type { Catalogue, Counter, Department, Matter } from "../../server/src/contract/catalogue.ts";
import { demoCatalogue } from "../../server/src/seed/demo-hall.ts";

export const REFERENCE_SCALE = { departments: 47, matters: 1410, counters: 150 } as const;

export function referenceCatalogue(): Catalogue {
  const demo = demoCatalogue();
  const departments: Department[] = [];
  for (let i = 0; i < REFERENCE_SCALE.departments; i++) {
    const d = demo.departments[i % demo.departments.length] as Department;
    const round = Math.floor(i / demo.departments.length);
    departments.push(
      round === 0
        ? { ...d }
        : { ...d, id: `${d.id}-${round}`, name: `${d.name.slice(0, 34)}${round}分中心`, nameEn: `${d.nameEn} ${round}` },
    );
  }
  const matters: Matter[] = [];
  for (let i = 0; i < REFERENCE_SCALE.matters; i++) {
    const m = demo.matters[i % demo.matters.length] as Matter;
    const round = Math.floor(i / demo.matters.length);
    const dept = departments[i % departments.length] as Department;
    matters.push({
      ...m,
      id: `m-${String(i + 1).padStart(4, "0")}`,
      name: round === 0 ? m.name : `${m.name.slice(0, 34)}（${round}）`,
      nameEn: round === 0 ? m.nameEn : `${m.nameEn} (${round})`,
      departmentId: dept.id,
      materials: [...m.materials],
      ...(m.materialsEn ? { materialsEn: [...m.materialsEn] } : {}),
    });
  }
  const counters: Counter[] = [];
  for (let i = 0; i < REFERENCE_SCALE.counters; i++) {
    const c = demo.counters[i % demo.counters.length] as Counter;
    counters.push({
      ...c,
      id: `c${String(i + 1).padStart(3, "0")}`,
      number: i + 1,
      profile: { queueIds: [...c.profile.queueIds], weights: { ...c.profile.weights } },
    });
  }
  return { ...demo, departments, matters, counters };
}
