/** The clock port: where "now" comes from, so tests can fix it. */
export interface Clock {
  /** The current instant. */
  now(): Date;
}

/** The system clock. */
export const systemClock: Clock = { now: () => new Date() };

/** A clock that stays where it is set (tests). */
export class FixedClock implements Clock {
  #now: Date;
  /** Starts at `start`. */
  constructor(start: Date) {
    this.#now = new Date(start.getTime());
  }
  /** The set instant. */
  now(): Date {
    return new Date(this.#now.getTime());
  }
  /** Moves the clock forward. */
  advance(ms: number): void {
    this.#now = new Date(this.#now.getTime() + ms);
  }
  /** Sets the clock. */
  set(at: Date): void {
    this.#now = new Date(at.getTime());
  }
}
