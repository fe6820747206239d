import type { CounterView, PublicTicket } from "../server/src/contract/index.ts";

/**
 * The queue lists with one ticket's change applied: a waiting ticket joins the end of its
 * queue's list (the next refetch puts it in its exact place), any other status leaves it.
 */
export function patchedQueues(queues: CounterView["queues"], tk: PublicTicket, me?: string): CounterView["queues"] {
  // A ticket transferred to another counter waits for that counter only: not in our lists.
  const elsewhere = tk.targetCounterId !== undefined && tk.targetCounterId !== me;
  return queues.map((q) => {
    const i = q.next.findIndex((x) => x.id === tk.id);
    const was = i >= 0;
    if (elsewhere) return was ? { ...q, waiting: Math.max(0, q.waiting - 1), next: q.next.filter((x) => x.id !== tk.id) } : q;
    if (q.queueId !== tk.queueId) {
      return was ? { ...q, waiting: Math.max(0, q.waiting - 1), next: q.next.filter((x) => x.id !== tk.id) } : q;
    }
    if (tk.status === "waiting") {
      if (was) return { ...q, next: q.next.map((x) => (x.id === tk.id ? tk : x)) };
      return { ...q, waiting: q.waiting + 1, next: q.next.length < 10 ? [...q.next, tk] : q.next };
    }
    if (!was) return tk.status === "called" || tk.status === "cancelled" ? { ...q, waiting: Math.max(0, q.waiting - 1) } : q;
    return { ...q, waiting: Math.max(0, q.waiting - 1), next: q.next.filter((x) => x.id !== tk.id) };
  });
}
