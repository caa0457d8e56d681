import { expect } from 'chai';
import { expectResultForAnyInput } from '@paykit/conformance';
import { checkRequestUrl, isLoopbackHost } from '../src/index.js';

describe('transport URL safety', () => {
  context('isLoopbackHost', () => {
    for (const host of ['localhost', 'LOCALHOST', '127.0.0.1', '127.5.6.7', '127.255.255.255', '[::1]']) {
      it(`treats ${host} as loopback`, () => expect(isLoopbackHost(host)).to.equal(true));
    }
    for (const host of ['128.0.0.1', '127.256.0.1', '10.0.0.1', 'localhost.example.com', '127.0.0.1.example.com', '[::2]', '0.0.0.0']) {
      it(`does not treat ${host} as loopback`, () => expect(isLoopbackHost(host)).to.equal(false));
    }
  });

  context('checkRequestUrl', () => {
    it('accepts https to any host', () => expect(checkRequestUrl('https://pay.example.com/gw', 'op').isOk()).to.equal(true));
    it('refuses other schemes', () => expect(checkRequestUrl('ftp://127.0.0.1/x', 'op')._unsafeUnwrapErr().kind).to.equal('InvalidConfig'));
    it('refuses a relative URL', () => expect(checkRequestUrl('/gw', 'op')._unsafeUnwrapErr().kind).to.equal('InvalidConfig'));
    it('refuses credentials in the URL without echoing them', () => {
      const e = checkRequestUrl('https://merchant:s3cret@pay.example.com/gw', 'op')._unsafeUnwrapErr();
      expect(e.kind).to.equal('InvalidConfig');
      expect(e.message).not.to.contain('s3cret');
    });
    it('answers a URL or operation name of any shape with a Result', () => {
      // Plain values that pass, and ones refused with a message naming the operation.
      for (const plain of ['https://pay.example.com/gw', '/gw', 'http://pay.example.com/gw', 'https://u:p@pay.example.com/gw']) {
        expectResultForAnyInput('checkRequestUrl', (url, operation) => checkRequestUrl(url as never, operation as never), 2, plain);
      }
    });
    it('says to pass the operation name when it is not a string', () => {
      const e = checkRequestUrl('https://pay.example.com/gw', Symbol('op') as never)._unsafeUnwrapErr();
      expect(e.kind).to.equal('InvalidRequest');
      expect(e.message).to.match(/operation name \(a string such as "payments.create"\)/);
    });
  });
});
