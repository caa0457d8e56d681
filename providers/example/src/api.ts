/**
 * The one place Example Pay's HTTP API is called: signs the fields, posts JSON, and turns the reply
 * into verified wire data or a typed error. A money-moving call that may have landed and has no
 * verified answer is `OutcomeUnknown`, never a guess.
 */
import { inject, injectable } from 'inversify';
import { decodeWith, PaymentErrors, Tokens, type Clock, type HttpTransport, type PaymentError, type PayResultAsync, type Resolution } from '@paykit/core';
import type * as t from 'io-ts';
import { errAsync, okAsync } from 'neverthrow';
import { ExampleConfig, type ExampleOptions } from './config.js';
import { errorFromReply } from './mapping.js';
import { signFields, verifyFields } from './signer.js';
import { parseFlatJson, ReplyHead } from './wire.js';

/** How a call is treated when its reply is missing or untrustworthy. */
export type CallKind =
  /** Safe to repeat: failures are plain errors. */
  | { readonly kind: 'query' }
  /** Moves money: a lost or unverifiable reply is `OutcomeUnknown` resolved as given. */
  | { readonly kind: 'money'; readonly resolution: Resolution };

const DEFAULT_TIMEOUT_MS = 10_000;

/** The signed JSON API of Example Pay. */
@injectable()
export class ExampleApi {
  readonly #options: ExampleOptions;
  readonly #transport: HttpTransport;
  readonly #clock: Clock;

  /** Built by the container. */
  constructor(
    @inject(ExampleConfig) options: ExampleOptions,
    @inject(Tokens.Transport) transport: HttpTransport,
    @inject(Tokens.Clock) clock: Clock,
  ) {
    this.#options = options;
    this.#transport = transport;
    this.#clock = clock;
  }

  /** The current instant, from paykit's clock. */
  now(): Date {
    return this.#clock.now();
  }

  /** An endpoint under the configured base URL (a path prefix such as `/v1` is kept). */
  url(path: string): string {
    return `${this.#options.baseUrl.replace(/\/+$/, '')}${path}`;
  }

  /** The instance options. */
  get options(): ExampleOptions {
    return this.#options;
  }

  /**
   * Posts signed fields to a path and decodes the verified reply with `codec`. A reply with a
   * code other than `0000` is the error that code maps to.
   */
  call<A>(path: string, fields: Record<string, string>, codec: t.Decoder<unknown, A>, call: CallKind): PayResultAsync<A> {
    const operation = `example${path}`;
    const body = JSON.stringify(signFields(fields, this.#options.key));
    const unknownOutcome = (why: string, cause?: PaymentError): PayResultAsync<never> => {
      if (call.kind === 'query') return errAsync(cause ?? PaymentErrors.decode(`${operation}: ${why}`, { providerId: 'example' }));
      return errAsync(PaymentErrors.outcomeUnknown(`${operation}: ${why}; the call may have taken effect`, call.resolution, { providerId: 'example', ...(cause ? { cause } : {}) }));
    };
    return this.#transport.send(
      { method: 'POST', url: this.url(path), headers: { 'content-type': 'application/json; charset=utf-8' }, body },
      { timeoutMs: this.#options.timeoutMs ?? DEFAULT_TIMEOUT_MS, kind: call.kind, operation },
    )
      .orElse((e) => {
        const mayHaveLanded = e.kind === 'Timeout' || (e.kind === 'Network' && e.sent);
        return mayHaveLanded ? unknownOutcome(`no reply (${e.message})`, e) : errAsync(e);
      })
      .andThen((res) => {
        if (res.status < 200 || res.status > 299) {
          const e = PaymentErrors.providerRejected(`${operation}: Example Pay answered HTTP ${res.status}; try again later`, { providerId: 'example', retryable: res.status >= 500 });
          return res.status >= 500 ? unknownOutcome(`HTTP ${res.status}`, e) : errAsync(e);
        }
        const verified = parseFlatJson(res.body, `${operation} reply`)
          .andThen((wire) => verifyFields(wire, this.#options.key, `${operation} reply`).map(() => wire))
          .andThen((wire) => decodeWith(ReplyHead, wire, `${operation} reply`, 'reply').map((head) => ({ wire, head })));
        if (verified.isErr()) return unknownOutcome(verified.error.message, verified.error);
        const { wire, head } = verified.value;
        if (head.code !== '0000') return errAsync(errorFromReply(head.code, head.message, operation));
        const decoded = decodeWith(codec, wire, `${operation} reply`, 'reply');
        return decoded.isOk() ? okAsync(decoded.value) : unknownOutcome(decoded.error.message, decoded.error);
      });
  }
}
