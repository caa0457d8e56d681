import { expect } from 'chai';
import fc from 'fast-check';
import { err, errAsync, ok, okAsync, type Result, type ResultAsync } from 'neverthrow';
import { describeCause, formatPaymentError, isPaymentError, mapErrOf, mapOk, orElseOf, PaymentErrors, STANDARD_CODES } from '../src/index.js';

describe('errors', () => {
  describe('PaymentErrors constructors', () => {
    const resolution = { operation: 'refunds.query', reference: 'R1', hint: 'query it' };
    const table = [
      ['invalidRequest', PaymentErrors.invalidRequest('m'), 'InvalidRequest', 'invalid_request', false],
      ['invalidConfig', PaymentErrors.invalidConfig('m'), 'InvalidConfig', 'invalid_config', false],
      ['unsupported', PaymentErrors.unsupported('refunds', 'm'), 'Unsupported', 'unsupported_operation', false],
      ['signature', PaymentErrors.signature('m'), 'Signature', 'invalid_signature', false],
      ['decode', PaymentErrors.decode('m'), 'Decode', 'malformed_response', false],
      ['network (not sent)', PaymentErrors.network('m', false), 'Network', 'network_error', true],
      ['network (sent)', PaymentErrors.network('m', true), 'Network', 'network_error', false],
      ['timeout', PaymentErrors.timeout('m'), 'Timeout', 'timeout', true],
      ['providerRejected', PaymentErrors.providerRejected('m'), 'ProviderRejected', 'provider_error', false],
      ['outcomeUnknown', PaymentErrors.outcomeUnknown('m', resolution), 'OutcomeUnknown', 'outcome_unknown', false],
      ['conflict', PaymentErrors.conflict('m'), 'Conflict', 'conflict', false],
      ['notFound', PaymentErrors.notFound('m'), 'NotFound', 'not_found', false],
      ['internal', PaymentErrors.internal('m'), 'Internal', 'internal_error', false],
    ] as const;
    for (const [name, e, kind, code, retryable] of table) {
      it(`${name} is ${kind} [${code}] with retryable ${retryable}`, () => {
        expect(e.kind).to.equal(kind);
        expect(e.code).to.equal(code);
        expect(e.retryable).to.equal(retryable);
        expect(e.message).to.equal('m');
        expect(STANDARD_CODES).to.include(code);
        expect(isPaymentError(e)).to.equal(true);
      });
    }
    it('keeps the missing capability and the resolution', () => {
      expect(PaymentErrors.unsupported('refunds', 'm').capability).to.equal('refunds');
      expect(PaymentErrors.outcomeUnknown('m', resolution).resolution).to.deep.equal(resolution);
    });
    it('takes code, retryable and provider details as overrides', () => {
      const e = PaymentErrors.providerRejected('declined', { code: 'card_declined', retryable: true, providerId: 'p', providerCode: '1005', providerMessage: 'no', path: 'card' });
      expect(e).to.deep.include({ code: 'card_declined', retryable: true, providerId: 'p', providerCode: '1005', providerMessage: 'no', path: 'card' });
    });
    it('never lets an outcome-unknown error be retryable', () => {
      expect(PaymentErrors.outcomeUnknown('m', resolution, { retryable: true }).retryable).to.equal(false);
    });
    it('leaves optional details out when not given', () => {
      expect(Object.keys(PaymentErrors.conflict('m')).sort()).to.deep.equal(['code', 'kind', 'message', 'retryable']);
    });
    // Rule 6: a card number never reaches an error. Messages quote what they were given (a body that
    // is not JSON, a provider's message, a driver's), so the error object itself must not hold one.
    const CARD = '6216261234567890018';
    it('masks a card number quoted in the message, the provider message and the cause', () => {
      const e = PaymentErrors.decode(`notification is not JSON (got "card_no=${CARD}&acct_name=x")`, {
        providerMessage: `card ${CARD.slice(0, 4)} ${CARD.slice(4, 8)} ${CARD.slice(8, 12)} ${CARD.slice(12)} refused`,
        cause: new Error(`duplicate key (card_no)=(${CARD})`),
      });
      const text = JSON.stringify(e);
      expect(text).not.to.include(CARD);
      expect(text).not.to.include('1234 5678');
      expect(e.message).to.equal('notification is not JSON (got "card_no=621626*********0018&acct_name=x")');
      expect(e.cause?.message).to.equal('duplicate key (card_no)=(621626*********0018)');
    });
    it('keeps merchant, order and transaction numbers readable: they cannot be card numbers (not 62…, no Luhn check)', () => {
      const e = PaymentErrors.decode('notification for merchant 201103171000000000 (order 2013051500001, bill 2013051613121201), not 201304121000001004');
      expect(e.message).to.equal('notification for merchant 201103171000000000 (order 2013051500001, bill 2013051613121201), not 201304121000001004');
      // A number that passes the Luhn check is masked, whatever it stands for.
      expect(PaymentErrors.decode('order 4111111111111111 refused').message).to.equal('order 411111******1111 refused');
    });
    it('keeps references exact: the resolution and the path', () => {
      const e = PaymentErrors.outcomeUnknown('payout 2024000000000042 of unknown outcome', { operation: 'payouts.query', reference: '2024000000000042', hint: 'query it' }, { path: 'no_order' });
      expect(e.resolution.reference).to.equal('2024000000000042');
      expect(e.path).to.equal('no_order');
    });
    it('holds no card number whatever text it is made from (property)', () => {
      const luhn = (body: string): string => {
        let sum = 0;
        for (let i = 0; i < body.length; i += 1) {
          let d = Number(body[body.length - 1 - i]);
          if (i % 2 === 0) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
          sum += d;
        }
        return body + String((10 - (sum % 10)) % 10);
      };
      const card = fc.stringMatching(/^62\d{13}$/).map(luhn);
      const around = fc.string({ maxLength: 30 }).filter((s) => !/\d$/.test(s) && !/^\d/.test(s));
      fc.assert(fc.property(card, around, around, (c, before, after) => {
        const quoted = `${before}${c}${after}`;
        const made = [
          PaymentErrors.invalidRequest(quoted), PaymentErrors.providerRejected('m', { providerMessage: quoted }),
          PaymentErrors.internal('m', { cause: new Error(quoted) }), PaymentErrors.network(quoted, true),
        ];
        for (const e of made) expect(JSON.stringify(e)).not.to.include(c);
      }), { numRuns: 300 });
    });
  });

  describe('describeCause', () => {
    context('when the cause is an Error carrying extra data', () => {
      it('keeps only name and message', () => {
        const e = Object.assign(new TypeError('bad input'), { key: 'SECRET-KEY-123', config: { password: 'hunter2' } });
        const kept = describeCause(e);
        expect(kept).to.deep.equal({ name: 'TypeError', message: 'bad input' });
        const wrapped = PaymentErrors.internal('x', { cause: e });
        expect(JSON.stringify(wrapped)).to.not.contain('SECRET-KEY-123').and.not.contain('hunter2');
      });
    });
    context('when the cause is a PaymentError', () => {
      it('keeps its kind as the name', () => {
        expect(describeCause(PaymentErrors.timeout('slow', { providerCode: 'SECRET' }))).to.deep.equal({ name: 'Timeout', message: 'slow' });
      });
    });
    context('when the cause is not an object', () => {
      it('describes it by type', () => {
        expect(describeCause('boom')).to.deep.equal({ name: 'string', message: 'boom' });
        expect(describeCause(undefined)).to.equal(undefined);
      });
    });
  });

  describe('formatPaymentError', () => {
    it('writes kind, code and message', () => {
      expect(formatPaymentError(PaymentErrors.conflict('already paid'))).to.equal('Conflict [conflict] already paid');
    });
    it('adds path, provider, provider code and message', () => {
      const e = PaymentErrors.providerRejected('refused', { path: 'amount', providerId: 'lianlian-web', providerCode: '1005', providerMessage: 'limit' });
      expect(formatPaymentError(e)).to.equal('ProviderRejected [provider_error] refused; at amount; provider lianlian-web; provider code 1005 (limit)');
    });
    it('says how to resolve an unknown outcome', () => {
      const e = PaymentErrors.outcomeUnknown('lost reply', { operation: 'payouts.resolve', reference: 'P1', hint: 'h' });
      expect(formatPaymentError(e)).to.equal('OutcomeUnknown [outcome_unknown] lost reply; resolve with payouts.resolve(P1)');
    });
  });

  describe('isPaymentError', () => {
    it('rejects values that are not errors', () => {
      for (const v of [null, undefined, 'x', 1, {}, { kind: 'Conflict' }, new Error('x')]) expect(isPaymentError(v)).to.equal(false);
    });
  });

  // The hot paths use these instead of neverthrow's map, mapErr and orElse (which keep an async
  // frame per call alive until the result settles): each must settle to what neverthrow's gives.
  describe('mapOk, mapErrOf, orElseOf', () => {
    const settled = async <T, E>(ra: ResultAsync<T, E>): Promise<{ ok: boolean; value: unknown }> => {
      const r: Result<T, E> = await ra;
      return r.isOk() ? { ok: true, value: r.value } : { ok: false, value: r.error };
    };
    const source = (isOk: boolean, v: number): ResultAsync<number, string> => (isOk ? okAsync(v) : errAsync(`e${v}`));

    it('settle as map, mapErr and orElse do, calling each callback as often', async () => {
      await fc.assert(fc.asyncProperty(fc.boolean(), fc.integer(), fc.boolean(), fc.boolean(), async (isOk, v, recovers, asyncRecovery) => {
        const calls = { ours: 0, theirs: 0 };
        const f = (who: 'ours' | 'theirs') => (x: number): string => { calls[who] += 1; return `v${x * 2}`; };
        expect(await settled(mapOk(source(isOk, v), f('ours')))).to.deep.equal(await settled(source(isOk, v).map(f('theirs'))));
        const g = (who: 'ours' | 'theirs') => (e: string): number => { calls[who] += 1; return e.length; };
        expect(await settled(mapErrOf(source(isOk, v), g('ours')))).to.deep.equal(await settled(source(isOk, v).mapErr(g('theirs'))));
        const h = (who: 'ours' | 'theirs') => (e: string): Result<number, boolean> | ResultAsync<number, boolean> => {
          calls[who] += 1;
          if (asyncRecovery) return recovers ? okAsync(e.length) : errAsync(false);
          return recovers ? ok(e.length + 1) : err(true);
        };
        expect(await settled(orElseOf(source(isOk, v), h('ours')))).to.deep.equal(await settled(source(isOk, v).orElse(h('theirs'))));
        expect(calls.ours).to.equal(calls.theirs);
      }), { numRuns: 200 });
    });

    it('call nothing on the branch not taken', async () => {
      const never = (): never => expect.fail('called on the other branch');
      expect(await settled(mapOk(errAsync<number, string>('no'), never))).to.deep.equal({ ok: false, value: 'no' });
      expect(await settled(mapErrOf(okAsync<number, string>(7), never))).to.deep.equal({ ok: true, value: 7 });
      expect(await settled(orElseOf(okAsync<number, string>(7), never))).to.deep.equal({ ok: true, value: 7 });
    });

    it('recover with a synchronous result as with an asynchronous one', async () => {
      expect(await settled(orElseOf(errAsync<number, string>('abc'), (e) => ok(e.length)))).to.deep.equal({ ok: true, value: 3 });
      expect(await settled(orElseOf(errAsync<number, string>('abc'), (e) => err(e.toUpperCase())))).to.deep.equal({ ok: false, value: 'ABC' });
    });
  });
});
