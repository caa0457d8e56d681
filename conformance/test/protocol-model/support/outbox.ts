/**
 * The notifications a provider sent, as the model-based tests hand them to paykit: any of them, in
 * any order, again, twice at once or wrongly signed; and, when a scenario ends, every one paykit
 * never acknowledged, as the provider's retries would.
 */
import type { RawHttpRequest } from '@paykit/core';
import fc from 'fast-check';
import type { Machine } from './machine.js';
import { command, type Cmd, type Scenario } from './runner.js';

/** One notification the provider sent. */
interface Sent {
  readonly body: string;
  acknowledged: boolean;
}

/** The notifications of one scenario's provider. */
export class Outbox {
  readonly #sent: Sent[] = [];
  readonly #machine: Machine;
  readonly #instance: string;
  readonly #request: (body: string) => RawHttpRequest;
  readonly #spoil: (body: string) => string;

  /**
   * @param machine where paykit runs
   * @param instance the instance the notifications are for
   * @param request the raw request the provider posts with a body
   * @param spoil the body with a signature that no longer verifies
   */
  constructor(machine: Machine, instance: string, request: (body: string) => RawHttpRequest, spoil: (body: string) => string) {
    this.#machine = machine;
    this.#instance = instance;
    this.#request = request;
    this.#spoil = spoil;
  }

  /** How many the provider sent. */
  get length(): number {
    return this.#sent.length;
  }

  /** The provider sends a notification (paykit gets it when a command delivers it). */
  post(body: string): void {
    this.#sent.push({ body, acknowledged: false });
  }

  /** Delivers the `k`-th notification (modulo how many there are) or the latest one. */
  async deliver(k: number, latest: boolean, how: 'as sent' | 'twice at once' | 'badly signed'): Promise<void> {
    if (this.#sent.length === 0) return;
    const n = this.#sent[latest ? this.#sent.length - 1 : k % this.#sent.length] as Sent;
    const body = how === 'badly signed' ? this.#spoil(n.body) : n.body;
    const once = () => this.#machine.call('notifications.handle', (pk) => pk.notifications.handle(this.#instance, this.#request(body)));
    const results = await Promise.all(how === 'twice at once' ? [once(), once()] : [once()]);
    if (how === 'badly signed' && results.some((r) => r.result?.isOk())) throw new Error('a notification whose signature does not verify was accepted');
    if (how !== 'badly signed' && results.some((r) => r.result?.isOk())) n.acknowledged = true;
  }

  /**
   * Delivers again, in the order first sent, every notification paykit has not acknowledged (the
   * provider retries until it is): how many, and what paykit refused.
   */
  async redeliver(): Promise<{ readonly delivered: number; readonly refused: readonly string[] }> {
    const refused: string[] = [];
    let delivered = 0;
    for (const n of this.#sent.filter((x) => !x.acknowledged)) {
      delivered += 1;
      const r = await this.#machine.call('redelivered notification', (pk) => pk.notifications.handle(this.#instance, this.#request(n.body)));
      if (r.result?.isOk()) n.acknowledged = true;
      else if (r.result?.isErr()) refused.push(`${r.result.error.kind}: ${r.result.error.message}`);
    }
    return { delivered, refused };
  }
}

/** The command that delivers one of the provider's notifications to paykit. */
export function deliverCommand<S extends Scenario & { readonly outbox: Outbox }>(): fc.Arbitrary<Cmd<S>> {
  return fc.record({ k: fc.nat(9), latest: fc.boolean(), how: fc.constantFrom('as sent', 'twice at once', 'badly signed') }).map(({ k, latest, how }) => command<S>(
    `deliver the ${latest ? 'latest' : `#${k}`} notification ${how}`,
    (s) => s.outbox.deliver(k, latest, how),
  ));
}
