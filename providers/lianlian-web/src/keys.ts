import { inject, injectable } from 'inversify';
import { err, type Result } from 'neverthrow';
import { PaymentErrors, Tokens, type PayResult } from '@paykit/core';
import { notifySignTypeOf, type LianlianWebOptions } from './config.js';
import { loadKeys, type LoadedKeys } from './signer.js';

/** The key material an instance's sign types need: checked and parsed once per instance. */
@injectable()
export class InstanceKeys {
  readonly #loaded: PayResult<LoadedKeys>;

  /** Built by the container from the instance options. */
  constructor(@inject(Tokens.InstanceConfig) options: unknown) {
    this.#loaded = InstanceKeys.load(options as LianlianWebOptions);
  }

  /** The parsed keys, or the `InvalidConfig` error saying which option to fix. */
  get(): PayResult<LoadedKeys> {
    return this.#loaded;
  }

  /**
   * Checks that the options hold every key their sign types need (MD5 → md5Key; RSA requests →
   * privateKey; RSA replies and notifications → lianlianPublicKey) and parses them.
   */
  static load(o: LianlianWebOptions): Result<LoadedKeys, ReturnType<typeof PaymentErrors.invalidConfig>> {
    const types = new Set([o.signType, notifySignTypeOf(o)]);
    if (types.has('MD5') && o.md5Key === undefined) return err(PaymentErrors.invalidConfig('md5Key is required when signType or notifySignType is MD5', { path: 'md5Key' }));
    if (o.signType === 'RSA' && o.privateKey === undefined) return err(PaymentErrors.invalidConfig('privateKey (the merchant RSA private key) is required when signType is RSA', { path: 'privateKey' }));
    if (types.has('RSA') && o.lianlianPublicKey === undefined) return err(PaymentErrors.invalidConfig('lianlianPublicKey is required to verify RSA-signed replies and notifications', { path: 'lianlianPublicKey' }));
    return loadKeys(o).mapErr((e) => PaymentErrors.invalidConfig(e.message, e.path !== undefined ? { path: e.path } : {}));
  }
}
