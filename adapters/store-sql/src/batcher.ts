/**
 * Group commit: requests made in the same turn of the event loop, or while the database is busy,
 * are sent together as one batch, so a burst of notifications costs a few statements instead of
 * one per request. A batch leaves at the end of the turn (`setImmediate`, no timer): PGlite runs
 * a statement synchronously inside the call, so without waiting for the turn to end, the requests
 * the server has already received would never meet.
 */
export class Batcher<I, O> {
  readonly #run: (inputs: readonly I[]) => Promise<readonly O[]>;
  readonly #maxInFlight: number;
  readonly #maxBatch: number;
  #waiting: { input: I; resolve: (o: O) => void; reject: (e: unknown) => void }[] = [];
  #inFlight = 0;
  #scheduled = false;

  /**
   * @param run sends one batch; resolves with one output per input, in order
   * @param maxInFlight batches sent at once (1 for PGlite, which runs one statement at a time)
   * @param maxBatch most inputs in one batch
   */
  constructor(run: (inputs: readonly I[]) => Promise<readonly O[]>, maxInFlight: number, maxBatch = 256) {
    this.#run = run;
    this.#maxInFlight = maxInFlight;
    this.#maxBatch = maxBatch;
  }

  /** Queues one input; resolves with its output once its batch has run. */
  submit(input: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      this.#waiting.push({ input, resolve, reject });
      this.#schedule();
    });
  }

  #schedule(): void {
    if (this.#scheduled) return;
    this.#scheduled = true;
    setImmediate(() => {
      this.#scheduled = false;
      this.#pump();
    });
  }

  #pump(): void {
    while (this.#inFlight < this.#maxInFlight && this.#waiting.length > 0) {
      const batch = this.#waiting.splice(0, this.#maxBatch);
      this.#inFlight += 1;
      this.#run(batch.map((b) => b.input)).then((outputs) => {
        batch.forEach((b, i) => (i < outputs.length ? b.resolve(outputs[i] as O) : b.reject(new Error('batch answered too few results'))));
      }, (e: unknown) => {
        for (const b of batch) b.reject(e);
      }).finally(() => {
        this.#inFlight -= 1;
        if (this.#waiting.length > 0) this.#schedule();
      });
    }
  }
}
