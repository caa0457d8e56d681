import { inspect } from 'node:util';
import { expect } from 'chai';
import { formatPaymentError, InMemoryStore, JsonLogger, maskCardNumber, maskCardNumbersIn, MemoryLogger, PaymentErrors, redact, Secret } from '../src/index.js';

const CARD = '6222021234567890';
const KEY = 'md5-key-201408071000001543-s3cr3t';

describe('ports', () => {
  describe('Secret', () => {
    const s = new Secret(KEY);
    it('prints [REDACTED] through String, templates, JSON.stringify and util.inspect', () => {
      expect(String(s)).to.equal('[REDACTED]');
      expect(`${s}`).to.equal('[REDACTED]');
      expect(JSON.stringify({ key: s })).to.equal('{"key":"[REDACTED]"}');
      expect(inspect(s)).to.equal('[REDACTED]');
      expect(inspect({ nested: { s } }, { depth: 5 })).to.not.contain(KEY);
    });
    it('reveals the value only when asked', () => {
      expect(s.reveal()).to.equal(KEY);
    });
  });

  describe('card masking', () => {
    it('keeps the first 6 and last 4 digits of a card number', () => {
      expect(maskCardNumber(CARD)).to.equal('622202******7890');
      expect(maskCardNumber('6222 0212 3456 7890')).to.equal('622202******7890');
      expect(maskCardNumber('12345678')).to.equal('****5678');
    });
    it('masks every 13–19 digit run in a text and leaves shorter numbers', () => {
      expect(maskCardNumbersIn(`card ${CARD} order 201403171000001 amount 4965`)).to.equal('card 622202******7890 order 201403*****0001 amount 4965');
      expect(maskCardNumbersIn('order 123456789012')).to.equal('order 123456789012');
    });
    it('masks card numbers written in groups with spaces or dashes', () => {
      expect(maskCardNumbersIn('card 6222 0212 3456 7890 ok')).to.equal('card 622202******7890 ok');
      expect(maskCardNumbersIn('card 6222-0212-3456-7890')).to.equal('card 622202******7890');
    });
    it('leaves identifiers whose digits are glued to letters readable', () => {
      expect(maskCardNumbersIn('order DEMO1795316657123 card 6222021234567890.')).to.equal('order DEMO1795316657123 card 622202******7890.');
    });
    it('masks a card number glued to letters: a UnionPay number (62…) or any that passes the Luhn check', () => {
      expect(maskCardNumbersIn('paid with card6222021234567890123 today')).to.equal('paid with card622202*********0123 today');
      expect(maskCardNumbersIn('VISA4111111111111111x')).to.equal('VISA411111******1111x');
      expect(maskCardNumbersIn('ORDER-5555555555554444')).to.equal('ORDER-555555******4444');
      expect(maskCardNumbersIn('用户6222021234567890123购买')).to.equal('用户622202*********0123购买');
    });
    it('masks a card number in percent-encoded text, whatever escape sits next to it', () => {
      expect(maskCardNumbersIn('card_no%3D6222021234567890123%26no_order%3DA1')).to.equal('card_no%3D622202*********0123%26no_order%3DA1');
      expect(maskCardNumbersIn('q=card%3A2013051500001234%0A')).to.equal('q=card%3A201305******1234%0A');
      expect(maskCardNumbersIn('card=6222%200212%203456%207890&x=1')).to.equal('card=622202******7890&x=1');
      expect(maskCardNumbersIn('card=6222+0212+3456+7890&x=1')).to.equal('card=622202******7890&x=1');
      expect(maskCardNumbersIn('note=paid%20with%206222021234567890123')).to.equal('note=paid%20with%20622202*********0123');
    });
    it('masks a card number whose run a neighbouring digit group joins to a word', () => {
      // "A1 " + the card reads as 17 digits glued to a letter, an identifier by the whole-run rule.
      expect(maskCardNumbersIn('A1 6200000000000005')).to.equal('A1 620000******0005');
      expect(maskCardNumbersIn('ref X7-6222021234567890123')).to.equal('ref X7-622202*********0123');
      // Groups that are not card numbers on their own stay as they were.
      expect(maskCardNumbersIn('ORDER1 2345 6789 0123 4')).to.equal('ORDER1 2345 6789 0123 4');
    });
    it('with keepIdentifiers, leaves readable a standalone run that cannot be a card number', () => {
      const text = `merchant 201103171000000000 card ${CARD} visa 4111 1111 1111 1111 bill 2013051613121201`;
      expect(maskCardNumbersIn(text, { keepIdentifiers: true })).to.equal('merchant 201103171000000000 card 622202******7890 visa 411111******1111 bill 2013051613121201');
      expect(maskCardNumbersIn(text)).to.equal('merchant 201103********0000 card 622202******7890 visa 411111******1111 bill 201305******1201');
    });
    it('leaves a 14-digit China-time timestamp readable (no card has 14 digits starting 19/20)', () => {
      expect(maskCardNumbersIn('dt_order 20240101080000')).to.equal('dt_order 20240101080000');
      // Not a real time of day (hour 25): masked like any other 14-digit run.
      expect(maskCardNumbersIn('x 20240101250000')).to.equal('x 202401****0000');
    });
  });

  describe('redact', () => {
    it('masks card numbers inside strings', () => {
      expect(redact(`paid with ${CARD}`)).to.equal('paid with 622202******7890');
    });
    it('shows identifier fields (provider and order ids) as they are: they are not card numbers', () => {
      const ids = { oid_paybill: '2013051500001234', no_order: '2013051500005678', providerPaymentId: '2026120300000001', orderId: '2024010112345678', oid_partner: '201408071000001543', paymentOrderId: '20240101000000012345' };
      expect(redact(ids)).to.deep.equal(ids);
    });
    it('still masks a card number written inside an identifier field with other text', () => {
      expect(redact({ orderId: `card ${CARD}` })).to.deep.equal({ orderId: 'card 622202******7890' });
    });
  });

  describe('where text leaves paykit', () => {
    it('a log line masks a percent-encoded card in its message and shows the provider id field', () => {
      const lines: string[] = [];
      new JsonLogger('debug', (l) => lines.push(l)).log('info', 'notification body card_no%3D6222021234567890123%26', { oid_paybill: '2013051500001234' });
      expect(JSON.parse(lines[0] ?? '{}')).to.deep.equal({ level: 'info', message: 'notification body card_no%3D622202*********0123%26', oid_paybill: '2013051500001234' });
    });
    it('an error as text masks a card number glued to letters in its message and in the provider message', () => {
      const e = PaymentErrors.providerRejected('refused card6222021234567890123', { code: 'card_declined', providerCode: '1001', providerMessage: 'bad card%3A4111111111111111' });
      const text = formatPaymentError(e);
      expect(text).to.contain('refused card622202*********0123').and.to.contain('bad card%3A411111******1111');
      expect(text).not.to.contain('6222021234567890123').and.not.to.contain('4111111111111111');
    });
    it('masks card-named fields to the last 4 digits, even when short or spaced', () => {
      expect(redact({ card_no: CARD, acct_no: '1234567', cardNumber: '6222 0212 3456 7890', bank_account: '6222-0212-3456-7890' }))
        .to.deep.equal({ card_no: '************7890', acct_no: '***4567', cardNumber: '**** **** **** 7890', bank_account: '****-****-****-7890' });
    });
    it('masks a card number given as a JSON number', () => {
      expect(redact({ card_no: 6222021234567890, pan: 12345n })).to.deep.equal({ card_no: '************7890', pan: '*2345' });
    });
    it('hides secret-named fields whatever their value', () => {
      const out = redact({ md5_key: KEY, privateKey: 'pem', password: 'p', sign: 'abc', id_no: '110101199001011234', nested: { token: 't', ok: 'visible' } });
      expect(out).to.deep.equal({ md5_key: '[REDACTED]', privateKey: '[REDACTED]', password: '[REDACTED]', sign: '[REDACTED]', id_no: '[REDACTED]', nested: { token: '[REDACTED]', ok: 'visible' } });
    });
    it('hides Secret values anywhere, and keeps other data', () => {
      expect(redact({ a: [new Secret(KEY), 1, true, null], when: new Date('2024-01-01T00:00:00Z'), raw: new Uint8Array(3) }))
        .to.deep.equal({ a: ['[REDACTED]', 1, true, null], when: '2024-01-01T00:00:00.000Z', raw: '[3 bytes]' });
    });
    it('stops at deep nesting instead of recursing for ever', () => {
      let deep: Record<string, unknown> = { v: CARD };
      for (let i = 0; i < 20; i += 1) deep = { d: deep };
      expect(JSON.stringify(redact(deep))).to.contain('[…]').and.not.contain(CARD);
    });
  });

  describe('loggers', () => {
    const fields = { md5Key: KEY, secret: new Secret(KEY), card_no: CARD, request: { body: `card_no=${CARD}&sign=abc` }, nested: { key: KEY } };
    it('MemoryLogger keeps no secret and no full card number', () => {
      const log = new MemoryLogger();
      log.log('info', `paying with ${CARD}`, fields);
      const printed = JSON.stringify(log.lines);
      expect(printed).to.not.contain(KEY).and.not.contain(CARD);
      expect(log.lines[0]?.message).to.equal('paying with 622202******7890');
      expect(printed).to.contain('622202******7890');
    });
    it('JsonLogger writes redacted JSON lines at or above its level', () => {
      const out: string[] = [];
      const log = new JsonLogger('info', (l) => out.push(l));
      log.log('debug', 'hidden', {});
      log.log('warn', `card ${CARD}`, fields);
      expect(out).to.have.length(1);
      expect(out[0]).to.not.contain(KEY).and.not.contain(CARD);
      expect(JSON.parse(out[0] as string)).to.deep.include({ level: 'warn', message: 'card 622202******7890', md5Key: '[REDACTED]', card_no: '************7890' });
    });
  });

  describe('loggers given what their types do not allow (JavaScript callers)', () => {
    it('write a line of an unknown level at info rather than drop it, and fields that are not an object under "fields"', () => {
      const out: string[] = [];
      const log = new JsonLogger('info', (l) => out.push(l));
      log.log('notice' as never, 'disk almost full', 42 as never);
      log.log('warn', 'odd fields', ['a', CARD] as never);
      expect(out.map((l) => JSON.parse(l))).to.deep.equal([
        { level: 'info', message: 'disk almost full', fields: 42 },
        { level: 'warn', message: 'odd fields', fields: ['a', '622202******7890'] },
      ]);
      const memory = new MemoryLogger();
      memory.log('loud' as never, 'm', 'text' as never);
      expect(memory.lines).to.deep.equal([{ level: 'info', message: 'm', fields: { fields: 'text' } }]);
    });
  });

  describe('InMemoryStore', () => {
    it('inserts at version 1 and refuses a second insert with a Conflict', async () => {
      const store = new InMemoryStore();
      expect((await store.insert('payment', 'A1', { n: 1 }))._unsafeUnwrap()).to.deep.equal({ value: { n: 1 }, version: 1 });
      const again = await store.insert('payment', 'A1', { n: 2 });
      expect(again._unsafeUnwrapErr().kind).to.equal('Conflict');
      expect((await store.get('payment', 'A1'))._unsafeUnwrap()).to.deep.equal({ value: { n: 1 }, version: 1 });
    });
    it('updates at the expected version only', async () => {
      const store = new InMemoryStore();
      await store.insert('payout', 'P1', { s: 'created' });
      expect((await store.update('payout', 'P1', 1, { s: 'unknown' }))._unsafeUnwrap().version).to.equal(2);
      const stale = (await store.update('payout', 'P1', 1, { s: 'failed' }))._unsafeUnwrapErr();
      expect(stale.kind).to.equal('Conflict');
      expect(stale.retryable).to.equal(true);
      expect((await store.get('payout', 'P1'))._unsafeUnwrap()?.value).to.deep.equal({ s: 'unknown' });
      expect((await store.update('payout', 'nope', 1, {}))._unsafeUnwrapErr().kind).to.equal('NotFound');
    });
    it('keeps kinds apart and lists one kind', async () => {
      const store = new InMemoryStore();
      await store.insert('payment', 'X', 1);
      await store.insert('refund', 'X', 2);
      expect((await store.list('refund'))._unsafeUnwrap().map((v) => v.value)).to.deep.equal([2]);
      expect((await store.get('order', 'X'))._unsafeUnwrap()).to.equal(undefined);
    });
    it('records a notification once per provider and event key', async () => {
      const store = new InMemoryStore();
      expect((await store.recordNotification('p', 'A1:succeeded', '{}'))._unsafeUnwrap()).to.equal('new');
      expect((await store.recordNotification('p', 'A1:succeeded', '{}'))._unsafeUnwrap()).to.equal('duplicate');
      expect((await store.recordNotification('q', 'A1:succeeded', '{}'))._unsafeUnwrap()).to.equal('new');
      expect((await store.recordNotification('p', 'A1:failed', '{}'))._unsafeUnwrap()).to.equal('new');
    });
  });
});
