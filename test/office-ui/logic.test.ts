/** Pure parts of the case pages: the progress page's path and check, the office's buttons,
 * the counter form's rules, and the wall's case figures. */
import { describe, expect, it } from "vitest";
import { formProblem, suggestedOutcome } from "../../counter-ui/case-accept.tsx";
import { caseDepartmentBars, caseTotals, completionPct } from "../../display-ui/wall-cases.ts";
import { caseNoFromPath, isCheck, officeActions, owedMaterials } from "../../office-ui/logic.ts";
import type { CaseMaterial, CaseStats, DepartmentCaseStats } from "../../server/src/contract/cases.ts";
import { catalogue } from "../display-ui/fixtures.ts";

describe("office-ui/logic", () => {
  it("reads the case number from /q/<caseNo>, decoded, and nothing else", () => {
    expect(caseNoFromPath("/q/371426-20261202-00042")).toBe("371426-20261202-00042");
    expect(caseNoFromPath("/q/371426-20261202-00042/")).toBe("371426-20261202-00042");
    expect(caseNoFromPath("/q/%E5%8A%9E1")).toBe("办1");
    expect(caseNoFromPath("/m/abc")).toBe("");
  });

  it("accepts four digits, an ID number's X last, nothing else", () => {
    for (const ok of ["1234", "000X", "9999"]) expect(isCheck(ok), ok).toBe(true);
    for (const bad of ["123", "12345", "X123", "12a4", ""]) expect(isCheck(bad), bad).toBe(false);
  });

  it("offers the lifecycle's office actions per status, none after the decision's follow-ups", () => {
    expect(officeActions("accepted")).toEqual(["take"]);
    expect(officeActions("in_review")).toEqual(["approve", "request_correction", "refuse"]);
    expect(officeActions("correction")).toEqual(["resubmit"]);
    expect(officeActions("approved")).toEqual(["certificate_ready"]);
    for (const s of ["refused", "certificate_ready", "collected", "mailed", "delivered", "not_accepted"] as const)
      expect(officeActions(s), s).toEqual([]);
  });

  it("owes the missing and deferred materials not handed in since", () => {
    const m = (index: number, state: CaseMaterial["state"], receivedAt?: number): CaseMaterial => ({
      index,
      name: `m${index}`,
      essential: false,
      state,
      ...(receivedAt ? { receivedAt } : {}),
    });
    expect(owedMaterials([m(0, "received"), m(1, "deferred"), m(2, "missing"), m(3, "deferred", 5)]).map((x) => x.index)).toEqual(
      [1, 2],
    );
  });
});

describe("counter-ui/case-accept form rules", () => {
  const rows = (...states: ("received" | "missing" | "deferred")[]) => states.map((state) => ({ state, promisedDate: "" }));
  const ok = { name: "王小明", phone: "13800001234", reason: "" };

  it("suggests the outcome the checklist allows", () => {
    expect(suggestedOutcome(rows("received", "received"))).toBe("accepted");
    expect(suggestedOutcome(rows("received", "deferred"))).toBe("accepted_deferred");
    expect(suggestedOutcome(rows("deferred", "missing"))).toBe("not_accepted");
  });

  it("refuses to send what the hub would refuse, and says why", () => {
    expect(formProblem({ ...ok, name: " ", outcome: "accepted" }, rows("received"))).toBe("needName");
    expect(formProblem({ ...ok, phone: "12", outcome: "accepted" }, rows("received"))).toBe("needPhone");
    expect(formProblem({ ...ok, outcome: "accepted" }, rows("received", "missing"))).toBe("needAll");
    expect(formProblem({ ...ok, outcome: "accepted_deferred" }, rows("received"))).toBe("needDeferred");
    expect(formProblem({ ...ok, outcome: "accepted_deferred" }, rows("deferred"))).toBe("needDate");
    expect(formProblem({ ...ok, outcome: "accepted_deferred" }, [{ state: "deferred", promisedDate: "2026-12-09" }])).toBeNull();
    expect(formProblem({ ...ok, outcome: "not_accepted" }, rows("missing"))).toBe("needReason");
    expect(formProblem({ ...ok, reason: "材料不全", outcome: "not_accepted" }, rows("received"))).toBe("needMissing");
    expect(formProblem({ ...ok, reason: "材料不全", outcome: "not_accepted" }, rows("missing"))).toBeNull();
    expect(formProblem({ ...ok, outcome: "accepted" }, rows("received", "received"))).toBeNull();
  });
});

describe("display-ui/wall-cases", () => {
  const dept = (departmentId: string, o: Partial<DepartmentCaseStats>): DepartmentCaseStats => ({
    departmentId,
    accepted: 0,
    notAccepted: 0,
    finished: 0,
    due: 0,
    completionRate: 1,
    open: 0,
    overdue: 0,
    ...o,
  });
  const s: CaseStats = {
    today: "2026-12-02",
    departments: [
      dept("d1", { accepted: 4, finished: 1, due: 3, overdue: 2 }),
      dept("d2", { accepted: 9, finished: 6, due: 6 }),
      dept("d3", { accepted: 2, finished: 0, due: 0 }),
      dept("d4", {}),
    ],
    total: { accepted: 15, notAccepted: 1, finished: 7, due: 9, completionRate: 7 / 9, open: 8, overdue: 2 },
  };

  it("counts 办件量 as cases accepted and 办结率 as finished ÷ due, '—' (null) while nothing is due", () => {
    expect(caseDepartmentBars(catalogue(), s, "zh")).toEqual([
      { departmentId: "d2", name: "不动产登记中心", issued: 9, completed: 6, done: 6, completionPct: 100, overdue: 0 },
      { departmentId: "d1", name: "行政审批服务局", issued: 4, completed: 1, done: 3, completionPct: 33.3, overdue: 2 },
      { departmentId: "d3", name: "税务局", issued: 2, completed: 0, done: 0, completionPct: null, overdue: 0 },
    ]);
    expect(caseTotals(s)).toEqual({ accepted: 15, ratePct: 77.8, overdue: 2 });
    expect(completionPct(0, 0)).toBeNull();
  });
});
