import { describe, expect, it } from "vitest";
import type { Counter, CounterState } from "../../server/src/contract/index.ts";
import { shortCounterName, windowRoute, windowView } from "../../display-ui/window-view.ts";
import { catalogue } from "./fixtures.ts";

const counter = catalogue().counters[0] as Counter; // number 3
const state = (over: Partial<CounterState>): CounterState => ({
  id: "c3",
  status: "idle",
  ratingRequested: false,
  servedToday: 0,
  ...over,
});

describe("display-ui/window-view", () => {
  it("flashes the called number with the call sentence while calling", () => {
    const v = windowView(counter, state({ status: "calling", currentTicketId: "t1", staffName: "李娜" }), "A001", "zh");
    expect(v).toMatchObject({
      mode: "calling",
      title: "3号窗口",
      name: "综合受理窗口",
      number: "A001",
      line: "请 A001 号到3号窗口办理",
      flash: true,
      detail: "工作人员：李娜",
    });
    expect(windowView(counter, state({ status: "calling" }), "A001", "en").line).toBe("A001, please come to counter 3");
  });

  it("shows the served number steadily while serving", () => {
    const v = windowView(counter, state({ status: "serving" }), "B012", "zh");
    expect(v).toMatchObject({ mode: "serving", number: "B012", line: "正在办理", flash: false });
  });

  it("welcomes visitors when idle", () => {
    expect(windowView(counter, state({ status: "idle" }), undefined, "zh")).toMatchObject({
      mode: "idle",
      line: "欢迎光临",
      flash: false,
    });
    expect(windowView(counter, state({ status: "idle" }), undefined, "en")).toMatchObject({
      title: "Counter 3",
      line: "Welcome",
    });
    // Calling but the ticket is not known yet: no empty number.
    const unknownTicket = windowView(counter, state({ status: "calling" }), undefined, "zh");
    expect(unknownTicket.mode).toBe("idle");
    expect(unknownTicket.number).toBeUndefined();
  });

  it("shows 暂停服务 with the reason when paused", () => {
    const v = windowView(counter, state({ status: "paused", pauseReason: "午休" }), undefined, "zh");
    expect(v).toMatchObject({ mode: "paused", line: "暂停服务", detail: "原因：午休" });
    expect(v.number).toBeUndefined();
    expect(windowView(counter, state({ status: "paused" }), undefined, "zh").detail).toBeUndefined();
  });

  it("sends visitors elsewhere when the counter is closed, and waits for the state when unknown", () => {
    expect(windowView(counter, state({ status: "closed" }), undefined, "zh")).toMatchObject({
      mode: "closed",
      line: "暂停服务",
      detail: "请到其他窗口办理",
    });
    expect(windowView(counter, undefined, undefined, "zh")).toMatchObject({ mode: "unknown", line: "连接中…" });
  });

  it("reads the counter id from the window path", () => {
    expect(windowRoute("/display/window/c-03")).toBe("c-03");
    expect(windowRoute("/display/window/c%2003/")).toBe("c 03");
    expect(windowRoute("/display")).toBeNull();
    expect(windowRoute("/display/window/")).toBeNull();
  });

  it("drops a leading counter label from the counter's name", () => {
    const c = { number: 3, name: "3号窗口 综合受理", nameEn: "Window 3 One-Window Acceptance" };
    expect(shortCounterName(c, "zh")).toBe("综合受理");
    expect(shortCounterName(c, "en")).toBe("One-Window Acceptance");
    expect(shortCounterName({ number: 13, name: "3号窗口 综合受理", nameEn: "" }, "zh")).toBe("3号窗口 综合受理");
    expect(shortCounterName({ number: 3, name: "3号窗口", nameEn: "" }, "zh")).toBe("3号窗口");
  });
});
