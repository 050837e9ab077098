/** Available messages in sequence-number order: Service Bus hands out the oldest first, an abandoned one keeping its place. */
export class SequenceHeap<T extends { readonly sequenceNumber: number }> {
  private readonly items: T[] = [];

  get size(): number {
    return this.items.length;
  }

  push(item: T): void {
    const items = this.items;
    items.push(item);
    let child = items.length - 1;
    while (child > 0) {
      const parent = (child - 1) >>> 1;
      if ((items[parent] as T).sequenceNumber <= item.sequenceNumber) break;
      items[child] = items[parent] as T;
      child = parent;
    }
    items[child] = item;
  }

  pop(): T | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length === 0 || last === undefined) return top;
    let parent = 0;
    for (;;) {
      const left = 2 * parent + 1;
      if (left >= items.length) break;
      const right = left + 1;
      const child = right < items.length && (items[right] as T).sequenceNumber < (items[left] as T).sequenceNumber ? right : left;
      if ((items[child] as T).sequenceNumber >= last.sequenceNumber) break;
      items[parent] = items[child] as T;
      parent = child;
    }
    items[parent] = last;
    return top;
  }
}
