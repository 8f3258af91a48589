// How many calls one provider address has in flight: at most its pool's size, then a bounded queue with a
// bounded wait, then a clear refusal. Node's agent would queue without bound and its wait would later look
// like the provider's silence.

/** Gives a slot back; calling it twice gives back one slot. */
export type Release = () => void;

interface Waiter {
  readonly resolve: (release: Release | undefined) => void;
  readonly timer: NodeJS.Timeout;
}

export class ConnectionSlots {
  readonly max: number;
  readonly queueMax: number;
  #inUse = 0;
  readonly #waiting: Waiter[] = [];

  constructor(max: number, queueMax: number = max) {
    this.max = max;
    this.queueMax = queueMax;
  }

  /** Calls in flight now. */
  get inUse(): number {
    return this.#inUse;
  }

  /** Calls waiting for a slot now. */
  get queued(): number {
    return this.#waiting.length;
  }

  /**
   * A slot at once, or after waiting at most `waitMs` in the queue; `undefined` when the queue is full or
   * the wait ran out (the caller answers 503). Synchronous when a slot is free.
   */
  acquire(waitMs: number): Release | Promise<Release | undefined> | undefined {
    if (this.#inUse < this.max) return this.#take();
    if (this.#waiting.length >= this.queueMax) return undefined;
    return new Promise((resolve) => {
      const waiter: Waiter = {
        resolve,
        timer: setTimeout(() => {
          const at = this.#waiting.indexOf(waiter);
          if (at !== -1) this.#waiting.splice(at, 1);
          resolve(undefined);
        }, waitMs),
      };
      this.#waiting.push(waiter);
    });
  }

  #take(): Release {
    this.#inUse++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#inUse--;
      const next = this.#waiting.shift();
      if (next) {
        clearTimeout(next.timer);
        next.resolve(this.#take());
      }
    };
  }
}
