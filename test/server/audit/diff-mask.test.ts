import { describe, expect, it } from "vitest";
import { diff } from "../../../server/src/audit/diff.ts";
import { maskText } from "../../../server/src/audit/mask.ts";

describe("audit/diff", () => {
  it("matches lists of objects by id: one counter changed is one change, wherever it sits", () => {
    const before = {
      counters: [
        { id: "c01", profile: { queues: ["q-a"] } },
        { id: "c02", profile: { queues: ["q-b"] } },
      ],
    };
    const after = {
      counters: [
        { id: "c00", profile: { queues: [] } },
        { id: "c01", profile: { queues: ["q-a"] } },
        { id: "c02", profile: { queues: ["q-b", "q-c"] } },
      ],
    };
    expect(diff(before, after)).toEqual({
      changes: [
        { path: "counters[c02].profile.queues", before: ["q-b"], after: ["q-b", "q-c"] },
        { path: "counters[c00]", after: { id: "c00", profile: { queues: [] } } },
      ],
      truncated: false,
    });
  });

  it("never copies a password hash, salt or secret", () => {
    const d = diff({ id: "s1", name: "a", hash: "h1", salt: "s1" }, { id: "s1", name: "b", hash: "h2", salt: "s2" });
    expect(d.changes).toEqual([{ path: "name", before: "a", after: "b" }]);
    const whole = diff(undefined, { name: "x", secrets: { tokenKey: "k" }, password: "p" });
    expect(JSON.stringify(whole)).not.toMatch(/tokenKey|"p"/);
  });

  it("stops at the bound and says so", () => {
    const a = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`k${i}`, i]));
    const b = Object.fromEntries(Array.from({ length: 300 }, (_, i) => [`k${i}`, i + 1]));
    const d = diff(a, b, 200);
    expect(d.changes.length).toBe(200);
    expect(d.truncated).toBe(true);
  });
});

describe("audit/mask", () => {
  it("masks ID and phone numbers typed into free text", () => {
    expect(maskText("申请人 371426199001011234 电话 13812345678")).toBe("申请人 3714**********1234 电话 138****5678");
    expect(maskText("call 0534-6212345")).not.toContain("6212345");
    expect(maskText("票号 A023 优先")).toBe("票号 A023 优先");
  });
});
