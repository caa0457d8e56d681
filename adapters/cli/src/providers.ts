import type { ProviderDemo, ProviderPlugin } from '@paykit/core';
import { allinpayMobilePlugin } from '@paykit/provider-allinpay-mobile';
import { allinpayMobileDemo } from '@paykit/provider-allinpay-mobile/testing';
import { examplePlugin } from '@paykit/provider-example';
import { exampleDemo } from '@paykit/provider-example/testing';
import { lianlianPayoutPlugin } from '@paykit/provider-lianlian-payout';
import { lianlianPayoutDemo } from '@paykit/provider-lianlian-payout/testing';
import { lianlianWebPlugin } from '@paykit/provider-lianlian-web';
import { lianlianWebDemo } from '@paykit/provider-lianlian-web/testing';

/** A provider built into the CLI: its plugin, and the demo `paykit demo` runs, if it has one. */
export interface CliProvider {
  /** The plugin (`sign`, `verify`, `request` and `config check` use it). */
  readonly plugin: ProviderPlugin<any>;
  /** The provider's demo scenario. */
  readonly demo?: ProviderDemo;
}

/**
 * The built-in providers, in the order `paykit demo` runs them. One entry per line: add yours below.
 */
export const PROVIDERS: readonly CliProvider[] = [
  { plugin: examplePlugin, demo: exampleDemo },
  { plugin: lianlianPayoutPlugin, demo: lianlianPayoutDemo },
  { plugin: lianlianWebPlugin, demo: lianlianWebDemo },
  { plugin: allinpayMobilePlugin, demo: allinpayMobileDemo },
];
