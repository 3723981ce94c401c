// A binary min-heap of deliveries by next attempt time: the dispatcher's wake-up costs O(log n), not O(n).
import type { Delivery } from './outbox.ts';

export class DueQueue {
  #heap: Delivery[] = [];

  get size(): number {
    return this.#heap.length;
  }

  /** The delivery due first, without removing it. */
  peek(): Delivery | undefined {
    return this.#heap[0];
  }

  push(delivery: Delivery): void {
    const heap = this.#heap;
    heap.push(delivery);
    let index = heap.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!earlier(heap[index] as Delivery, heap[parent] as Delivery)) break;
      [heap[index], heap[parent]] = [heap[parent] as Delivery, heap[index] as Delivery];
      index = parent;
    }
  }

  pop(): Delivery | undefined {
    const heap = this.#heap;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length === 0 || last === undefined) return top;
    heap[0] = last;
    let index = 0;
    for (;;) {
      const left = 2 * index + 1;
      const right = left + 1;
      let smallest = index;
      if (left < heap.length && earlier(heap[left] as Delivery, heap[smallest] as Delivery)) smallest = left;
      if (right < heap.length && earlier(heap[right] as Delivery, heap[smallest] as Delivery)) smallest = right;
      if (smallest === index) return top;
      [heap[index], heap[smallest]] = [heap[smallest] as Delivery, heap[index] as Delivery];
      index = smallest;
    }
  }
}

// Ties go to the older delivery, so equal times keep enqueue order.
function earlier(a: Delivery, b: Delivery): boolean {
  return a.nextAttemptAt < b.nextAttemptAt || (a.nextAttemptAt === b.nextAttemptAt && a.seq < b.seq);
}
