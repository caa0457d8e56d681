// Every public entry of every paykit package, so that `tsc` (skipLibCheck false) checks all of their
// declarations as a merchant's or a plugin author's project sees them.
import type * as core from '@paykit/core';
import type * as coreSimulator from '@paykit/core/simulator';
import type * as conformance from '@paykit/conformance';
import type * as conformanceStore from '@paykit/conformance/store';
import type * as conformanceBench from '@paykit/conformance/bench';
import type * as example from '@paykit/provider-example';
import type * as exampleTesting from '@paykit/provider-example/testing';
import type * as lianlianWeb from '@paykit/provider-lianlian-web';
import type * as lianlianWebTesting from '@paykit/provider-lianlian-web/testing';
import type * as lianlianPayout from '@paykit/provider-lianlian-payout';
import type * as lianlianPayoutTesting from '@paykit/provider-lianlian-payout/testing';
import type * as allinpay from '@paykit/provider-allinpay-mobile';
import type * as allinpayTesting from '@paykit/provider-allinpay-mobile/testing';
import type * as transport from '@paykit/transport-ky';
import type * as store from '@paykit/store-sql';
import type * as webhooks from '@paykit/webhooks';
import type * as statements from '@paykit/statements-sftp';
import type * as loggerPino from '@paykit/logger-pino';
import type * as cli from '@paykit/cli';

/** One name per entry, so none of the imports above is unused. */
export type Entries = [
  typeof core, typeof coreSimulator, typeof conformance, typeof conformanceStore, typeof conformanceBench,
  typeof example, typeof exampleTesting, typeof lianlianWeb, typeof lianlianWebTesting, typeof lianlianPayout,
  typeof lianlianPayoutTesting, typeof allinpay, typeof allinpayTesting, typeof transport, typeof store, typeof webhooks,
  typeof statements, typeof loggerPino, typeof cli,
];

// Every provider's options are known to defineConfig once its package is imported.
export const typed: core.PaykitConfigInput<'web' | 'payouts' | 'app' | 'example'> = {
  instances: {
    web: { plugin: 'lianlian-web', options: { oidPartner: 'env:LL_OID_PARTNER', signType: 'MD5', md5Key: 'env:LL_MD5_KEY', goodsCategory: '1002' } },
    payouts: { plugin: 'lianlian-payout', options: { oidPartner: 'env:LL_OID_PARTNER', privateKey: 'file:merchant.pem', lianlianPublicKey: 'env:LL_PUBLIC_KEY' } },
    app: { plugin: 'allinpay-mobile', options: { merchantId: 'env:ALLINPAY_MERCHANT', md5Key: 'env:ALLINPAY_MD5_KEY', receiveUrl: 'https://shop.example/notify/app' } },
    example: { plugin: 'example', options: { merchantId: 'M1', key: 'env:EXAMPLE_KEY', baseUrl: 'https://api.example', notifyUrl: 'https://shop.example/notify' } },
  },
  routes: { payments: 'web', payouts: 'payouts' },
};
