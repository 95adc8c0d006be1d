/**
 * A FIFO async lock. Durable Objects let requests interleave while one awaits D1 or fetch, so
 * each read-check-write sequence on an object's state runs under this lock.
 */
export class Mutex {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn, fn);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
