// Promises that wait, per key, for the next time something happens to that key (a file's viewer page
// loaded, its first view sent): `wait` before the event, `fire` when it happens; each waiter resolves once.

export class KeyedWaiters<T> {
  private readonly waiting = new Map<string, Array<(value: T) => void>>();

  /** Resolves with the value of the next `fire(key, …)`. */
  wait(key: string): Promise<T> {
    return new Promise((resolve) => {
      const list = this.waiting.get(key) ?? [];
      list.push(resolve);
      this.waiting.set(key, list);
    });
  }

  /** Resolves every waiter of `key` with `value`. */
  fire(key: string, value: T): void {
    const list = this.waiting.get(key);
    this.waiting.delete(key);
    for (const resolve of list ?? []) resolve(value);
  }
}
