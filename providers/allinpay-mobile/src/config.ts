import type { KeyObject } from 'node:crypto';
import * as t from 'io-ts';
import { CURRENCY_CODES, isCurrencyCode, loadPublicKey, SecretFromString, UrlString, type CurrencyCode, type Secret } from '@paykit/core';

/** Allinpay's certificate (PEM, or DER as base64 text) decoded into its public key at configuration time. */
export const CertificateKey = new t.Type<KeyObject, string, unknown>(
  'AllinpayCertificate',
  (u): u is KeyObject => typeof u === 'object' && u !== null && (u as KeyObject).type === 'public',
  (u, c) => {
    if (typeof u === 'object' && u !== null && (u as KeyObject).type === 'public') return t.success(u as KeyObject);
    if (typeof u !== 'string' && !(u instanceof Uint8Array)) return t.failure(u, c, 'expected Allinpay\'s certificate as PEM text (or "file:TLCert.cer")');
    const key = loadPublicKey(u);
    return key.isOk() ? t.success(key.value) : t.failure('[certificate]', c, 'expected Allinpay\'s X.509 certificate (PEM, or DER as base64): it could not be read');
  },
  () => '[certificate]',
);

const CurrencyString = new t.Type<CurrencyCode, string, unknown>(
  'CurrencyCode',
  (u): u is CurrencyCode => isCurrencyCode(u),
  (u, c) => (isCurrencyCode(u) ? t.success(u) : t.failure(u, c, `expected an ISO 4217 code such as "CNY" (${CURRENCY_CODES.join(', ')})`)),
  t.identity,
);

const MerchantId = new t.Type<string, string, unknown>(
  'MerchantId',
  (u): u is string => typeof u === 'string',
  (u, c) => (typeof u === 'string' && /^\d{1,30}$/.test(u) ? t.success(u) : t.failure(u, c, 'expected the Allinpay merchant number: 1-30 digits')),
  t.identity,
);

const PositiveInt = new t.Type<number, number, unknown>(
  'PositiveInteger',
  (u): u is number => typeof u === 'number' && Number.isSafeInteger(u) && u > 0,
  (u, c) => (typeof u === 'number' && Number.isSafeInteger(u) && u > 0 ? t.success(u) : t.failure(u, c, 'expected a positive whole number of milliseconds')),
  t.identity,
);

/**
 * The options of an `allinpay-mobile` instance (after `env:`/`file:` references are resolved).
 *
 * @example
 * ```json
 * { "merchantId": "100020091218001", "md5Key": "env:ALLINPAY_MD5_KEY", "signType": "1",
 *   "certificate": "file:./TLCert.cer", "environment": "test", "receiveUrl": "https://shop.example/allinpay/notify" }
 * ```
 */
export const AllinpayOptionsCodec = t.intersection([
  t.type({
    /** Merchant number Allinpay assigned. */
    merchantId: MerchantId,
    /** MD5 key set on Allinpay's merchant site: signs every request (signType 0 and 1 alike). */
    md5Key: SecretFromString,
    /** Where Allinpay posts payment results (payData `receiveUrl`). */
    receiveUrl: UrlString,
  }),
  t.partial({
    /** `0`: everything MD5; `1` (default): requests MD5, Allinpay's replies and notifications signed with its certificate. */
    signType: t.union([t.literal('0'), t.literal('1')]),
    /** Allinpay's certificate; required for signType 1 and for batch queries (always certificate-signed). */
    certificate: CertificateKey,
    /**
     * `production` (default: control mode "00", https://service.allinpay.com) or `test` (mode "01";
     * needs `baseUrl` or `insecureHttpTestEndpoint`, see {@link AllinpayConfigCodec}).
     */
    environment: t.union([t.literal('test'), t.literal('production')]),
    /**
     * With `environment: "test"`: use Allinpay's documented test endpoint, `http://ceshi.allinpay.com`,
     * over plain http (spec 3.1, 3.3, 3.5, 3.7). Requests, replies and notifications' data then travel
     * unencrypted, and a transport that refuses plain http (such as @paykit/transport-ky) refuses it.
     */
    insecureHttpTestEndpoint: t.literal(true),
    /** Overrides the gateway host (simulator, proxy), e.g. `http://127.0.0.1:4100`. */
    baseUrl: UrlString,
    /**
     * The instance's main currency (`CNY` by default). Notifications name no currency: an order in
     * another one carries it in its receiveUrl (`paykit_currency`); batch lines are read in this one.
     */
    currency: CurrencyString,
    /** payData `inputCharset`: `1` UTF-8 (default), `2` GBK, `3` GB2312. */
    inputCharset: t.union([t.literal('1'), t.literal('2'), t.literal('3')]),
    /** payData `language` (international cards only): `1` simplified Chinese, `2` traditional, `3` English. */
    language: t.union([t.literal('1'), t.literal('2'), t.literal('3')]),
    /** Default payData `payType`: `0` payer chooses (default), `27` card entry, `30` international card. */
    payType: t.union([t.literal('0'), t.literal('27'), t.literal('30')]),
    /** Per-call timeout in milliseconds (default 15000). */
    timeoutMs: PositiveInt,
    /**
     * Numeric code of AUD on cross-border payments: `036` (default; table 6.3 and ISO 4217) or
     * `032`, as table 6.2 prints it, for a merchant Allinpay told to send that.
     */
    crossBorderAudCode: t.union([t.literal('036'), t.literal('032')]),
    /**
     * The merchant's site has buyer accounts: international-card payments then need
     * `registration_name`, `registration_email` and `registration_phone` (spec 2.1: 如商户有账户体系，不可空).
     */
    buyerAccounts: t.boolean,
  }),
], 'AllinpayMobileOptions');

/** Decoded options of an `allinpay-mobile` instance. */
export type AllinpayOptions = t.TypeOf<typeof AllinpayOptionsCodec>;

/** Allinpay's production gateway (spec 3.1, 3.3, 3.5, 3.7, 4.1, 4.3). */
export const PRODUCTION_BASE_URL = 'https://service.allinpay.com';
/** Allinpay's test gateway as the spec documents it for queries and refunds: plain http (3.1, 3.3, 3.5, 3.7). */
export const INSECURE_TEST_BASE_URL = 'http://ceshi.allinpay.com';
/** The same test host over https, as spec 4.1 and 4.3 list it for the pre-authorisation calls. */
export const HTTPS_TEST_BASE_URL = 'https://ceshi.allinpay.com';

/**
 * {@link AllinpayOptionsCodec} plus the rules across options: signType 1 needs Allinpay's
 * certificate, and the test environment is reached only as the merchant says: through `baseUrl`,
 * or over plain http with `insecureHttpTestEndpoint: true` (never by default).
 */
export const AllinpayConfigCodec = new t.Type<AllinpayOptions, unknown, unknown>(
  'AllinpayMobileConfig',
  (u): u is AllinpayOptions => AllinpayOptionsCodec.is(u),
  (u, c) => {
    const r = AllinpayOptionsCodec.validate(u, c);
    if (r._tag === 'Left') return r;
    const at = (key: string, message: string): t.Validation<AllinpayOptions> => t.failure(undefined, [...c, { key, type: AllinpayOptionsCodec, actual: undefined }], message);
    const o = r.right;
    if ((o.signType ?? '1') === '1' && o.certificate === undefined) {
      return at('certificate', 'signType 1 (the default) needs Allinpay\'s certificate: set "certificate" (e.g. "file:./TLCert.cer") or use signType "0"');
    }
    const test = o.environment === 'test';
    if (o.insecureHttpTestEndpoint === true && !test) {
      return at('insecureHttpTestEndpoint', 'insecureHttpTestEndpoint is for environment "test" only: remove it, or set "environment": "test"');
    }
    if (test && o.baseUrl === undefined && o.insecureHttpTestEndpoint !== true) {
      // Spec 3.1/3.3/3.5/3.7 give the test gateway as plain http; 4.1/4.3 give the same host over https.
      return at('environment', `Allinpay documents its test environment as plain http (${INSECURE_TEST_BASE_URL}, spec 3.1): `
        + `set "insecureHttpTestEndpoint": true to use it knowingly (data travels unencrypted, and a transport that refuses plain http, such as @paykit/transport-ky, refuses it), `
        + `or set "baseUrl": "${HTTPS_TEST_BASE_URL}" (the https address spec 4.1 and 4.3 give for the same host)`);
    }
    return r;
  },
  (a) => AllinpayOptionsCodec.encode(a),
);

/** The options with every default applied, as the services use them. */
export interface AllinpaySettings {
  /** Merchant number. */
  readonly merchantId: string;
  /** MD5 key. */
  readonly md5Key: Secret;
  /** Sign type. */
  readonly signType: '0' | '1';
  /** Allinpay's public key, when configured. */
  readonly certificate?: KeyObject;
  /** Control mode: `01` test, `00` production. */
  readonly mode: '00' | '01';
  /** True when the base URL is the plain-http test endpoint chosen with `insecureHttpTestEndpoint`. */
  readonly insecureHttp: boolean;
  /** Gateway base URL without a trailing slash. */
  readonly baseUrl: string;
  /** Notification URL. */
  readonly receiveUrl: string;
  /** Order currency of the instance. */
  readonly currency: CurrencyCode;
  /** payData inputCharset. */
  readonly inputCharset: '1' | '2' | '3';
  /** payData language. */
  readonly language?: '1' | '2' | '3';
  /** Default payType. */
  readonly payType: '0' | '27' | '30';
  /** Per-call timeout. */
  readonly timeoutMs: number;
  /** AUD's cross-border code. */
  readonly crossBorderAudCode: '036' | '032';
  /** Whether the merchant has buyer accounts (registration fields required). */
  readonly buyerAccounts: boolean;
}

/** Applies the defaults to decoded options. */
export function settingsOf(o: AllinpayOptions): AllinpaySettings {
  const test = o.environment === 'test';
  const insecureHttp = test && o.baseUrl === undefined && o.insecureHttpTestEndpoint === true;
  return {
    merchantId: o.merchantId,
    md5Key: o.md5Key,
    signType: o.signType ?? '1',
    ...(o.certificate !== undefined ? { certificate: o.certificate } : {}),
    mode: test ? '01' : '00',
    insecureHttp,
    baseUrl: (o.baseUrl ?? (insecureHttp ? INSECURE_TEST_BASE_URL : test ? HTTPS_TEST_BASE_URL : PRODUCTION_BASE_URL)).replace(/\/+$/, ''),
    receiveUrl: o.receiveUrl,
    currency: o.currency ?? 'CNY',
    inputCharset: o.inputCharset ?? '1',
    ...(o.language !== undefined ? { language: o.language } : {}),
    payType: o.payType ?? '0',
    timeoutMs: o.timeoutMs ?? 15000,
    crossBorderAudCode: o.crossBorderAudCode ?? '036',
    buyerAccounts: o.buyerAccounts ?? false,
  };
}
