import { generateKeyPairSync } from 'node:crypto';
import { expect } from 'chai';
import { createPaykit, defineConfig } from '@paykit/core';
import type { OptionsInputMatchesCodec } from '@paykit/core/simulator';
import { lianlianPayoutPlugin, LianlianPayoutOptionsCodec, type LianlianPayoutOptionsInput } from '../src/index.js';

describe('LianLian payout options as a merchant writes them', function () {
  it('name exactly the options the codec decodes, required where it requires them (checked by tsc)', function () {
    const inSync: OptionsInputMatchesCodec<LianlianPayoutOptionsInput, typeof LianlianPayoutOptionsCodec> = true;
    expect(inSync).to.equal(true);
  });

  context('when a config sets every option through defineConfig', function () {
    it('is accepted by createPaykit, references resolved', async function () {
      const merchant = generateKeyPairSync('rsa', { modulusLength: 1024 });
      const lianlian = generateKeyPairSync('rsa', { modulusLength: 1024 });
      const config = defineConfig({
        instances: {
          payouts: {
            plugin: 'lianlian-payout',
            options: {
              oidPartner: '201606221000921503', privateKey: 'env:LL_PRIVATE_KEY', lianlianPublicKey: 'env:LL_PUBLIC_KEY', signType: 'RSA',
              baseUrl: 'https://instantpay.example/paymentapi', notifyUrl: 'https://shop.example/notify/payout', platform: 'shop',
              timeoutMs: 20_000, sameCardPolicy: true, cardLedgerKey: 'env:PAYKIT_CARD_LEDGER_KEY',
            },
          },
        },
      });
      const env = {
        LL_PRIVATE_KEY: merchant.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
        LL_PUBLIC_KEY: lianlian.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
        PAYKIT_CARD_LEDGER_KEY: 'a-card-ledger-key-of-at-least-32-characters',
      };
      const r = await createPaykit(config, { plugins: [lianlianPayoutPlugin], env });
      expect(r.isOk(), r.isErr() ? r.error.message : '').to.equal(true);
    });
  });

  context('when an MD5 key is set', function () {
    it('is a type error where the config is written: payouts are RSA only', function () {
      const config = defineConfig({
        instances: {
          // @ts-expect-error -- md5Key is never accepted
          payouts: { plugin: 'lianlian-payout', options: { oidPartner: '201606221000921503', privateKey: 'file:k.pem', lianlianPublicKey: 'file:l.pem', md5Key: 'env:K' } },
        },
      });
      expect(config.instances.payouts.plugin).to.equal('lianlian-payout');
    });
  });
});
