import { SecretFromString, Tokens, UrlString } from '@paykit/core';
import type { ServiceIdentifier } from 'inversify';
import * as t from 'io-ts';
import { MerchantId } from './wire.js';

/**
 * Options of an Example Pay instance. `key` is the merchant's HMAC key: write `"env:EXAMPLE_KEY"`
 * in the config file; it is decoded into a `Secret` that never prints.
 */
export const ExampleOptionsCodec = t.intersection([
  t.type({
    /** Merchant id from the Example Pay console. */
    merchantId: MerchantId,
    /** HMAC-SHA256 key. */
    key: SecretFromString,
    /** API base URL, e.g. `https://api.example-pay.test` (the simulator's URL in tests). */
    baseUrl: UrlString,
    /** Default notification URL. */
    notifyUrl: UrlString,
  }),
  t.partial({
    /** Default browser return URL. */
    returnUrl: UrlString,
    /** Per-call timeout, ms (10 000 by default). */
    timeoutMs: t.number,
  }),
], 'ExampleOptions');

/** Decoded {@link ExampleOptionsCodec}. */
export type ExampleOptions = t.TypeOf<typeof ExampleOptionsCodec>;

/**
 * The instance options as the container holds them: `Tokens.InstanceConfig`, typed. paykit binds
 * it to the value {@link ExampleOptionsCodec} decoded, so services can inject it without a cast.
 */
export const ExampleConfig = Tokens.InstanceConfig as ServiceIdentifier<ExampleOptions>;
