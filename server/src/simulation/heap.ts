/** A binary min-heap of timed items; ties leave in insertion order, so a run is reproducible. */
export class EventHeap<T> {
  private at: number[] = [];
  private seq: number[] = [];
  private items: T[] = [];
  private n = 0;

  get size(): number {
    return this.items.length;
  }

  push(at: number, item: T): void {
    const i = this.items.length;
    this.at.push(at);
    this.seq.push(this.n++);
    this.items.push(item);
    this.up(i);
  }

  /** Time of the earliest item (Infinity when empty). */
  peekAt(): number {
    return this.items.length ? (this.at[0] as number) : Number.POSITIVE_INFINITY;
  }

  pop(): { at: number; item: T } | undefined {
    if (this.items.length === 0) return undefined;
    const top = { at: this.at[0] as number, item: this.items[0] as T };
    const last = this.items.length - 1;
    this.swap(0, last);
    this.at.pop();
    this.seq.pop();
    this.items.pop();
    this.down(0);
    return top;
  }

  private less(i: number, j: number): boolean {
    const a = this.at[i] as number;
    const b = this.at[j] as number;
    return a < b || (a === b && (this.seq[i] as number) < (this.seq[j] as number));
  }

  private swap(i: number, j: number): void {
    [this.at[i], this.at[j]] = [this.at[j] as number, this.at[i] as number];
    [this.seq[i], this.seq[j]] = [this.seq[j] as number, this.seq[i] as number];
    [this.items[i], this.items[j]] = [this.items[j] as T, this.items[i] as T];
  }

  private up(i: number): void {
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.less(i, p)) return;
      this.swap(i, p);
      i = p;
    }
  }

  private down(i: number): void {
    const n = this.items.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && this.less(l, m)) m = l;
      if (r < n && this.less(r, m)) m = r;
      if (m === i) return;
      this.swap(i, m);
      i = m;
    }
  }
}
