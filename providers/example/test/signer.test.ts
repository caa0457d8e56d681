import { createHmac } from 'node:crypto';
import { inspect } from 'node:util';
import { Secret } from '@paykit/core';
import { expect } from 'chai';
import { sign, signedText, verifyFields } from '../src/signer.js';

describe('Example Pay signer', function () {
  const fields = { order_no: 'A1001', merchant_id: 'M100', amount: '49.65', currency: 'CNY', subject: '', sign_type: 'HMAC-SHA256' };
  const key = new Secret('k3y');

  context('when signing fields', function () {
    it('signs the sorted k=v text without empty values, as HMAC-SHA256 hex (known answer)', function () {
      const text = 'amount=49.65&currency=CNY&merchant_id=M100&order_no=A1001&sign_type=HMAC-SHA256';
      expect(signedText(fields)).to.equal(text);
      expect(sign(fields, key)).to.equal(createHmac('sha256', 'k3y').update(text, 'utf8').digest('hex'));
    });

    it('leaves an existing sign field out of the signed text', function () {
      expect(sign({ ...fields, sign: 'whatever' }, key)).to.equal(sign(fields, key));
    });
  });

  context('when verifying fields', function () {
    const signed = { ...fields, sign: createHmac('sha256', 'k3y').update('amount=49.65&currency=CNY&merchant_id=M100&order_no=A1001&sign_type=HMAC-SHA256').digest('hex') };

    it('accepts the genuine signature', function () {
      expect(verifyFields(signed, key, 'reply').isOk()).to.equal(true);
    });

    it('refuses a changed field with a Signature error that never shows the key', function () {
      const r = verifyFields({ ...signed, amount: '49.66' }, key, 'reply');
      expect(r.isErr() && r.error.kind).to.equal('Signature');
      expect(inspect(r) + JSON.stringify(r)).not.to.include('k3y');
    });

    it('refuses a missing signature and a foreign sign_type', function () {
      const { sign: _s, ...unsigned } = signed;
      expect(verifyFields(unsigned, key, 'reply')._unsafeUnwrapErr().message).to.match(/no sign field/);
      expect(verifyFields({ ...signed, sign_type: 'MD5' }, key, 'reply')._unsafeUnwrapErr().message).to.match(/only HMAC-SHA256/);
    });
  });
});
