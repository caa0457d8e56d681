import { errAsync } from 'neverthrow';
import { PaymentErrors, type HttpRequest, type HttpResponse, type HttpTransport, type PayResultAsync, type SendOptions } from '@paykit/core';

/** A request the recording transport captured instead of sending. */
export interface CapturedRequest {
  /** The request exactly as it would have been sent. */
  readonly request: HttpRequest;
  /** The per-call options the provider passed. */
  readonly options: SendOptions;
}

/**
 * An `HttpTransport` that sends nothing: it records each request and answers with a
 * `Network` error (`sent: false`), so `paykit request` can print what a provider would send.
 */
export class RecordingTransport implements HttpTransport {
  /** Requests captured so far, in order. */
  readonly captured: CapturedRequest[] = [];

  /** Records the request and fails it as not sent. */
  send(request: HttpRequest, options: SendOptions): PayResultAsync<HttpResponse> {
    this.captured.push({ request, options });
    return errAsync(PaymentErrors.network(`${options.operation}: not sent (paykit request only prints the request)`, false, { retryable: false }));
  }
}
