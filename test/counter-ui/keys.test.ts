import { describe, expect, it } from "vitest";
import { actionForKey, enabledActions, SHORTCUT_LABEL } from "../../counter-ui/keys.ts";

describe("counter-ui/keys shortcuts", () => {
  it("maps F1/N, F2/R and the letter keys, either case", () => {
    expect(actionForKey({ key: "F1" })).toBe("call-next");
    expect(actionForKey({ key: "n" })).toBe("call-next");
    expect(actionForKey({ key: "F2" })).toBe("recall");
    expect(actionForKey({ key: "R" })).toBe("recall");
    expect(actionForKey({ key: "s" })).toBe("start");
    expect(actionForKey({ key: "f" })).toBe("finish");
    expect(actionForKey({ key: "X" })).toBe("no-show");
    expect(actionForKey({ key: "t" })).toBe("transfer");
    expect(actionForKey({ key: "p" })).toBe("park");
    expect(actionForKey({ key: "q" })).toBeNull();
  });

  it("leaves browser chords alone (Ctrl+R, Ctrl+F)", () => {
    expect(actionForKey({ key: "r", ctrlKey: true })).toBeNull();
    expect(actionForKey({ key: "f", metaKey: true })).toBeNull();
  });

  it("shows every shortcut on its button", () => {
    expect(SHORTCUT_LABEL["call-next"]).toBe("F1/N");
    for (const [action, label] of Object.entries(SHORTCUT_LABEL)) {
      const key = label.split("/").at(-1) ?? "";
      expect(actionForKey({ key }), label).toBe(action);
    }
  });

  it("enables only what the hub allows (CounterView.allowed)", () => {
    expect([...enabledActions([])]).toEqual([]);
    expect([...enabledActions(undefined)]).toEqual([]);
    expect(enabledActions(["call-next", "pause", "call", "sign-out"])).toEqual(new Set(["call-next", "pause-resume"]));
    // Paused: only resume; F1 and the call-next button are off.
    const paused = enabledActions(["resume", "request-rating", "sign-out"]);
    expect(paused.has("call-next")).toBe(false);
    expect(paused.has("pause-resume")).toBe(true);
    const calling = enabledActions(["recall", "start", "no-show", "finish", "transfer", "park", "pause"]);
    expect(calling.has("call-next")).toBe(false);
    expect(["recall", "start", "no-show", "finish", "transfer", "park"].every((a) => calling.has(a as never))).toBe(true);
  });
});
