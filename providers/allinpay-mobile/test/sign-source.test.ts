import { expect } from 'chai';
import { signSource } from '../src/signer.js';

describe('Allinpay sign source', () => {
  const order = ['merchantId', 'version', 'ext1', 'signMsg', 'cardNo', 'orderNo'] as const;

  context('when fields are given in any order, some empty or absent', () => {
    it('writes name=value pairs in the table order, skipping empty and absent ones, signMsg and cardNo', () => {
      const fields = { orderNo: 'N1', cardNo: '6222', signMsg: 'abc', ext1: '', merchantId: 'M1', version: 'v1.0', extra: 'x' };
      expect(signSource(fields, order)).to.equal('merchantId=M1&version=v1.0&orderNo=N1');
    });

    it('starts with the first non-empty field when the table\'s first ones are empty', () => {
      expect(signSource({ merchantId: '', ext1: 'a b', orderNo: 'N1' }, order)).to.equal('ext1=a b&orderNo=N1');
    });

    it('is empty when no signed field has a value', () => {
      expect(signSource({ signMsg: 'abc', cardNo: '6222' }, order)).to.equal('');
    });
  });

  context('when the same order array signs different fields, and another order follows', () => {
    it('gives each call its own text', () => {
      expect(signSource({ merchantId: 'M1', orderNo: 'N1' }, order)).to.equal('merchantId=M1&orderNo=N1');
      expect(signSource({ version: 'v2', ext1: 'e' }, order)).to.equal('version=v2&ext1=e');
      expect(signSource({ merchantId: 'M1', orderNo: 'N1' }, ['orderNo', 'merchantId'])).to.equal('orderNo=N1&merchantId=M1');
    });
  });
});
