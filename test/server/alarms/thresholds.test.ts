/**
 * The alarm thresholds in the catalogue (issue 13): optional everywhere but `waitAlarmMin`,
 * kept by the validation the hub loads and `PUT /api/catalogue` passes through, refused when
 * out of range; the engine's defaults when absent.
 */
import { describe, expect, it } from "vitest";
import { counterThresholds, queueThresholds } from "../../../server/src/alarms/engine.ts";
import type { Catalogue } from "../../../server/src/contract/catalogue.ts";
import { demoCatalogue } from "../../../server/src/seed/demo-hall.ts";
import { validateCatalogue } from "../../../server/src/store/catalogue-schema.ts";

function withThresholds(): Catalogue {
  const cat = demoCatalogue();
  cat.hall.pauseAlarmMin = 20;
  cat.hall.idleAlarmSec = 90;
  const q = cat.queues[1] as Catalogue["queues"][number];
  q.waitingAlarm = 30;
  q.waitTargetMin = 12;
  const c = cat.counters[0] as Catalogue["counters"][number];
  c.pauseAlarmMin = 0;
  c.idleAlarmSec = 300;
  return cat;
}

describe("alarm thresholds in the catalogue", () => {
  it("are kept by the catalogue's validation and used by the engine", () => {
    const r = validateCatalogue(withThresholds());
    if (!r.ok) throw new Error(r.problems.join("; "));
    const cat = r.catalogue;
    expect(queueThresholds(cat.queues[1] as never)).toEqual({ waitMin: 40, waiting: 30, targetMin: 12 });
    expect(counterThresholds(cat, cat.counters[0] as never)).toEqual({ pauseMin: 0, idleSec: 300 });
    expect(counterThresholds(cat, cat.counters[1] as never)).toEqual({ pauseMin: 20, idleSec: 90 });
  });

  it("default when absent: target half the wait alarm, 15 minutes paused, 120 s idle, no people limit", () => {
    const cat = demoCatalogue();
    expect(queueThresholds(cat.queues[1] as never)).toEqual({ waitMin: 40, waiting: 0, targetMin: 20 });
    expect(counterThresholds(cat, cat.counters[0] as never)).toEqual({ pauseMin: 15, idleSec: 120 });
  });

  it("are refused out of range, naming the item", () => {
    for (const [set, words] of [
      [(c: Catalogue) => Object.assign(c.queues[1] as object, { waitingAlarm: -1 }), ["waitingAlarm"]],
      [(c: Catalogue) => Object.assign(c.queues[1] as object, { waitTargetMin: 0 }), ["waitTargetMin"]],
      [(c: Catalogue) => Object.assign(c.hall, { idleAlarmSec: 1.5 }), ["idleAlarmSec"]],
      [(c: Catalogue) => Object.assign(c.counters[0] as object, { pauseAlarmMin: -5 }), ["pauseAlarmMin"]],
    ] as const) {
      const cat = demoCatalogue();
      set(cat);
      const r = validateCatalogue(cat);
      expect(r.ok).toBe(false);
      if (!r.ok)
        expect(
          r.problems.some((p) => words.every((w) => p.includes(w))),
          r.problems.join("\n"),
        ).toBe(true);
    }
  });
});
