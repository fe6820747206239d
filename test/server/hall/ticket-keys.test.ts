import { describe, expect, it } from "vitest";
import { TicketKeys, dayOfTicketId, newTicketId } from "../../../server/src/hall/ticket-keys.ts";

const SECRET = Buffer.alloc(32, 7).toString("base64");

describe("hall/ticket-keys", () => {
  it("derives the same 22-character key for a ticket every time, and another for another ticket or secret", () => {
    const a = new TicketKeys(SECRET);
    const b = new TicketKeys(SECRET);
    expect(a.keyFor("g1f12345678")).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(a.keyFor("g1f12345678")).toBe(b.keyFor("g1f12345678"));
    expect(a.keyFor("g1f12345679")).not.toBe(a.keyFor("g1f12345678"));
    expect(new TicketKeys(Buffer.alloc(32, 8).toString("base64")).keyFor("g1f12345678")).not.toBe(a.keyFor("g1f12345678"));
  });

  it("verifies only the exact key", () => {
    const k = new TicketKeys(SECRET);
    const key = k.keyFor("t1");
    expect(k.verify("t1", key)).toBe(true);
    expect(k.verify("t2", key)).toBe(false);
    expect(k.verify("t1", `${key}x`)).toBe(false);
    expect(k.verify("t1", key.slice(1))).toBe(false);
    expect(k.verify("t1", undefined)).toBe(false);
    expect(k.verify("t1", "")).toBe(false);
  });

  it("names the ticket's day in its id", () => {
    const id = newTicketId("2026-11-29", () => "AbCd-_12");
    expect(id).toHaveLength(11);
    expect(dayOfTicketId(id)).toBe("2026-11-29");
    expect(dayOfTicketId(newTicketId("2027-01-01"))).toBe("2027-01-01");
    // Ids of older journals (8 random characters) and made-up ids name no day.
    expect(dayOfTicketId("AbCd-_12")).toBeUndefined();
    expect(dayOfTicketId("no-such-ticket")).toBeUndefined();
    expect(dayOfTicketId("000AbCd-_12")).toBeUndefined();
  });
});
