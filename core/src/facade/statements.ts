import { err, errAsync } from 'neverthrow';
import type { Statement, StatementEntry } from '../domain/statement.js';
import { guardAsync, toPaymentError, type PayResult, type PayResultAsync } from '../errors/result.js';
import type { DayRange, StatementFile } from '../plugin/capabilities.js';
import type { CallOptions, PaykitContext } from '../container/paykit.js';
import { PaymentErrors } from '../errors/constructors.js';

/** Statement operations of the facade. */
export class StatementOps {
  readonly #ctx: PaykitContext;
  /** @internal */
  constructor(ctx: PaykitContext) {
    this.#ctx = ctx;
  }

  /** Fetches and parses a provider statement for a day range. */
  fetch(range: DayRange, options: CallOptions = {}): PayResultAsync<Statement> {
    return guardAsync('statements.fetch', () => {
      if (typeof range !== 'object' || range === null || !/^\d{8}$/.test(String(range.from)) || !/^\d{8}$/.test(String(range.to))) {
        return errAsync(PaymentErrors.invalidRequest('range must be { from: "YYYYMMDD", to: "YYYYMMDD" }', { path: 'range' }));
      }
      const svc = this.#ctx.service('statements', 'fetch', options.instance);
      if (svc.isErr()) return errAsync(svc.error);
      return svc.value.service.fetch(range);
    });
  }

  /** Parses a statement file with the routed provider's parser, streaming entries. */
  async *parse(file: StatementFile, options: CallOptions = {}): AsyncIterable<PayResult<StatementEntry>> {
    try {
      const svc = this.#ctx.service('statements', 'parse', options.instance);
      if (svc.isErr()) {
        yield err(svc.error);
        return;
      }
      yield* svc.value.service.parse(file);
    } catch (e) {
      yield err(toPaymentError(e, 'statements.parse'));
    }
  }
}
