import { Writable } from 'node:stream';
import { expect } from 'chai';
import pino from 'pino';
import { SecretFromString } from '@paykit/core';
import { pinoLogger } from '../src/index.js';

/** A pino logger writing its JSON lines into an array. */
function capture(level: pino.LevelWithSilent = 'debug'): { readonly lines: Record<string, unknown>[]; readonly log: pino.Logger } {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString('utf8').split('\n')) if (l !== '') lines.push(JSON.parse(l) as Record<string, unknown>);
      done();
    },
  });
  return { lines, log: pino({ level }, sink) };
}

const CARD = '6222021234567890123';

describe('pino logger adapter', function () {
  context('when paykit logs a line with secrets and a card number', function () {
    it('writes it at the same level with the secrets redacted and the card masked, in fields and message', function () {
      const { lines, log } = capture();
      const secret = SecretFromString.decode('md5-secret-value-1234');
      if (secret._tag !== 'Right') throw new Error('secret did not decode');
      pinoLogger(log).log('warn', `card ${CARD} refused`, {
        instance: 'shop', md5Key: 'md5-secret-value-1234', apiKey: secret.right, card_no: CARD, detail: `paid with ${CARD}`, no_order: '2013051500001234',
      });
      expect(lines).to.have.lengthOf(1);
      const line = lines[0] as Record<string, unknown>;
      expect(line.level).to.equal(40);
      expect(line).to.include({ instance: 'shop', md5Key: '[REDACTED]', apiKey: '[REDACTED]', no_order: '2013051500001234' });
      expect(JSON.stringify(line)).not.to.include('md5-secret-value-1234');
      expect(JSON.stringify(line)).not.to.include(CARD);
      expect(line.card_no).to.match(/0123$/);
      expect(line.msg).to.be.a('string').and.match(/^card \S+ refused$/);
    });
  });

  context('when the level is below what pino writes', function () {
    it('writes nothing and never reads the fields', function () {
      const { lines, log } = capture('info');
      let read = false;
      const fields = { get instance() { read = true; return 'shop'; } };
      pinoLogger(log).log('debug', 'verbose', fields);
      expect(lines).to.deep.equal([]);
      expect(read, 'the fields were redacted for a line pino drops').to.equal(false);
    });
  });

  context('when a field has the name of a key pino writes itself', function () {
    it('renames it paykit_<name> so that pino\'s own level and message stay', function () {
      const { lines, log } = capture();
      pinoLogger(log).log('info', 'accepted', { level: 'from paykit', msg: 'field', time: 1 });
      const line = lines[0] as Record<string, unknown>;
      expect(line).to.include({ level: 30, msg: 'accepted', paykit_level: 'from paykit', paykit_msg: 'field', paykit_time: 1 });
    });
  });

  context('when given a child logger', function () {
    it('keeps the child\'s bindings on every line', function () {
      const { lines, log } = capture();
      pinoLogger(log.child({ component: 'paykit' })).log('error', 'store down', { kind: 'Network' });
      expect(lines[0]).to.include({ level: 50, component: 'paykit', kind: 'Network', msg: 'store down' });
    });
  });

  context('when a JavaScript caller passes what the types do not allow', function () {
    it('writes a line of an unknown level at info, and one whose message cannot be made text with an empty message, without throwing', function () {
      const { lines, log } = capture();
      const logger = pinoLogger(log);
      logger.log('notice' as never, `card ${CARD}`, {});
      logger.log('warn', { toString() { throw new Error('toString'); } } as never, { n: 1 });
      expect(lines.map((l) => [l.level, l.msg])).to.deep.equal([[30, 'card 622202*********0123'], [40, '']]);
    });
  });
});
