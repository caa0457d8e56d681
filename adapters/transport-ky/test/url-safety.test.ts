import { expect } from 'chai';
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
  });
});
