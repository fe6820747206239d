/** Keyboard shortcuts of the counter page (pure; tested in test/counter-ui/keys.test.ts). */

export type CounterAction =
  | "call-next"
  | "recall"
  | "start"
  | "finish"
  | "no-show"
  | "transfer"
  | "park"
  | "pause-resume"
  | "request-rating";

/** Label shown on each button, e.g. "F1/N". */
export const SHORTCUT_LABEL: Record<CounterAction, string> = {
  "call-next": "F1/N",
  recall: "F2/R",
  start: "S",
  finish: "F",
  "no-show": "X",
  transfer: "T",
  park: "P",
  "pause-resume": "B",
  "request-rating": "V",
};

/**
 * The action of a `KeyboardEvent.key`, or null. Modifier chords (Ctrl+R reloads,
 * Ctrl+F finds) are left to the browser.
 */
export function actionForKey(e: { key: string; ctrlKey?: boolean; altKey?: boolean; metaKey?: boolean }): CounterAction | null {
  if (e.ctrlKey || e.altKey || e.metaKey) return null;
  switch (e.key) {
    case "F1":
    case "n":
    case "N":
      return "call-next";
    case "F2":
    case "r":
    case "R":
      return "recall";
    case "s":
    case "S":
      return "start";
    case "f":
    case "F":
      return "finish";
    case "x":
    case "X":
      return "no-show";
    case "t":
    case "T":
      return "transfer";
    case "p":
    case "P":
      return "park";
    case "b":
    case "B":
      return "pause-resume";
    case "v":
    case "V":
      return "request-rating";
    default:
      return null;
  }
}

/** Which actions make sense in a counter status (buttons are disabled otherwise). */
export function enabledActions(status: string, hasCurrent: boolean, currentStatus?: string): Set<CounterAction> {
  const on = new Set<CounterAction>();
  if (status === "closed") return on;
  on.add("pause-resume");
  if (status === "paused") return on;
  if (!hasCurrent || currentStatus === "done") on.add("call-next");
  if (hasCurrent) {
    if (currentStatus === "called") {
      on.add("recall");
      on.add("start");
      on.add("no-show");
    }
    if (currentStatus === "called" || currentStatus === "serving") {
      on.add("finish");
      on.add("transfer");
      on.add("park");
    }
  }
  if (status === "idle" || currentStatus === "serving") on.add("request-rating");
  return on;
}
