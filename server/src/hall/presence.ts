/**
 * Who among the staff still has a page open: authenticated sockets per staff member, and when
 * they last did something. A counter holder whose browser closed (no socket left) and who has
 * sent no command since is "away" after the hall's idle time; the hub then releases the counter.
 * Someone who never opened a socket (a script, a test using REST only) is never judged away:
 * the rule rests on the socket's disconnect, as the issue asks.
 */
export class Presence {
  private readonly open = new Map<string, number>();
  private readonly lastSeen = new Map<string, number>();

  connected(staffId: string, now: number): void {
    this.open.set(staffId, (this.open.get(staffId) ?? 0) + 1);
    this.lastSeen.set(staffId, now);
  }

  disconnected(staffId: string, now: number): void {
    this.open.set(staffId, Math.max(0, (this.open.get(staffId) ?? 1) - 1));
    this.lastSeen.set(staffId, now);
  }

  /** A command from this person (REST, socket or their keypad). */
  touched(staffId: string, now: number): void {
    if (this.lastSeen.has(staffId)) this.lastSeen.set(staffId, now);
  }

  away(staffId: string, now: number, idleMs: number): boolean {
    const seen = this.lastSeen.get(staffId);
    if (seen === undefined) return false;
    return (this.open.get(staffId) ?? 0) === 0 && now - seen >= idleMs;
  }
}
