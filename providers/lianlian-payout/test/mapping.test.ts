/** Return codes of the payout API (README "Return codes that matter"), typed out from the spec. */
import { expect } from 'chai';
import { classifyMoneyCode, classifyQueryCode, mapErrorCode } from '../src/index.js';

describe('LianLian payout return codes', () => {
  context('when a payout is held for review', () => {
    it('maps 4002 (suspected duplicate) and 4004 (duplicate and mismatch) to suspected_duplicate, 4003 (mismatch) to invalid_account', () => {
      expect(mapErrorCode('4002')).to.include({ code: 'suspected_duplicate', retryable: false });
      expect(mapErrorCode('4004')).to.include({ code: 'suspected_duplicate', retryable: false });
      expect(mapErrorCode('4003')).to.include({ code: 'invalid_account', retryable: false });
      for (const code of ['4002', '4003', '4004']) expect(classifyMoneyCode(code).kind, code).to.equal('held');
    });
  });
});
