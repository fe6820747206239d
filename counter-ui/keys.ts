/** Keyboard shortcuts of the counter page (pure; tested in test/counter-ui/keys.test.ts). */
import type { CounterActionName } from "../server/src/contract/index.ts";

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

/**
 * The page's actions the hub allows now (`CounterView.allowed`, decided by the engine): the
 * buttons follow it and so do the keys, so a paused counter's F1 sends nothing.
 */
export function enabledActions(allowed: readonly CounterActionName[] | undefined): Set<CounterAction> {
  const on = new Set<CounterAction>();
  for (const a of allowed ?? []) {
    switch (a) {
      case "pause":
      case "resume":
        on.add("pause-resume");
        break;
      case "call-next":
      case "recall":
      case "start":
      case "finish":
      case "no-show":
      case "transfer":
      case "park":
      case "request-rating":
        on.add(a);
        break;
      default:
        // call (from the lists) and sign-out have no button of their own here
        break;
    }
  }
  return on;
}
