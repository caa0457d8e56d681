import { generateKeyPairSync } from 'node:crypto';
import { expect } from 'chai';
import { createPaykit, FixedClock, InMemoryStore, type PaymentError } from '@paykit/core';
import { LoopbackTransport } from '@paykit/core/simulator';
import { buildRiskItem, lianlianWebPlugin, requiredRiskGroups } from '../src/index.js';
import { must, paymentInput, startWorld, TEST_MD5_KEY, TEST_OID_PARTNER, type World } from './support.js';

const BASE_OPTIONS = { oidPartner: TEST_OID_PARTNER, signType: 'MD5', md5Key: TEST_MD5_KEY, notifyUrl: 'https://shop.example/ll/notify' };

async function configError(options: Record<string, unknown>): Promise<PaymentError> {
  const r = await createPaykit({ instances: { shop: { plugin: 'lianlian-web', options } } }, {
    plugins: [lianlianWebPlugin], transport: new LoopbackTransport(), store: new InMemoryStore(), clock: new FixedClock(new Date()),
  });
  if (r.isOk()) throw new Error('config error expected');
  return r.error;
}

async function configOk(options: Record<string, unknown>): Promise<boolean> {
  const r = await createPaykit({ instances: { shop: { plugin: 'lianlian-web', options } } }, {
    plugins: [lianlianWebPlugin], transport: new LoopbackTransport(), store: new InMemoryStore(), clock: new FixedClock(new Date()),
  });
  return r.isOk();
}

describe('LianLian web configuration', function () {
  context('when the goods category is missing or not in spec 6.3 (risk_item, and so frms_ware_category, is required on every payment)', function () {
    it('fails createPaykit with InvalidConfig naming goodsCategory', async function () {
      for (const goodsCategory of [undefined, '9999', 1002]) {
        const e = await configError({ ...BASE_OPTIONS, ...(goodsCategory !== undefined ? { goodsCategory } : {}) });
        expect(e.kind, String(goodsCategory)).to.equal('InvalidConfig');
        expect(e.path ?? e.message, String(goodsCategory)).to.include('goodsCategory');
      }
    });
  });

  // Spec 6.3 groups the categories; 6.2.2 lists the industry parameters: 实名类 (2xxx) real name,
  // 商旅机票 (2001) airline tickets too, 实物类 (4xxx) logistics, 个人话费充值 (1010) the phone.
  const needs: [string, string, readonly string[]][] = [
    ['farm produce (实物类)', '4008', ['logistics']],
    ['securities (实名类)', '2003', ['realName']],
    ['air tickets (实名商旅类)', '2001', ['realName', 'airline']],
    ['phone top-ups (个人话费充值)', '1010', ['phoneCharge']],
  ];
  for (const [what, goodsCategory, groups] of needs) {
    context(`when the category is ${what}, ${goodsCategory}`, function () {
      it(`fails createPaykit naming riskGroups and ${groups.join(' and ')} unless riskGroups lists them`, async function () {
        const e = await configError({ ...BASE_OPTIONS, goodsCategory });
        expect(e.kind).to.equal('InvalidConfig');
        expect(e.path ?? '').to.include('riskGroups');
        for (const g of groups) expect(e.message).to.include(g);
        expect(await configOk({ ...BASE_OPTIONS, goodsCategory, riskGroups: groups })).to.equal(true);
        expect(requiredRiskGroups(goodsCategory)).to.deep.equal(groups);
      });
    });
  }

  context('when a key the sign types need is missing or unreadable', function () {
    it('says the missing md5Key is missing (notifications signed MD5, requests RSA), and never shows a key that was given', async function () {
      const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
      const pkcs8 = privateKey.export({ type: 'pkcs8', format: 'der' }).toString('base64');
      const missing = await configError({ oidPartner: TEST_OID_PARTNER, signType: 'RSA', notifySignType: 'MD5', privateKey: pkcs8, lianlianPublicKey: 'MIGfMA0G', goodsCategory: '1002' });
      expect(missing.kind).to.equal('InvalidConfig');
      expect(missing.message).to.match(/md5Key is required when signType or notifySignType is MD5, got nothing$/);
      const unreadable = await configError({ ...BASE_OPTIONS, signType: 'RSA', md5Key: TEST_MD5_KEY, privateKey: 'not-a-key-0123456789', lianlianPublicKey: 'MIGfMA0G', goodsCategory: '1002' });
      expect(unreadable.kind).to.equal('InvalidConfig');
      expect(unreadable.message).to.include('got a value (hidden)');
      expect(unreadable.message).not.to.include('not-a-key-0123456789');
    });
  });

  context('when the category needs the base fields only', function () {
    it('loads without riskGroups', async function () {
      for (const goodsCategory of ['1002', '1003', '3001', '5001']) expect(await configOk({ ...BASE_OPTIONS, goodsCategory }), goodsCategory).to.equal(true);
    });
  });
});

describe('LianLian web risk_item per payment (spec 4.1, 6.2)', function () {
  let w: World;
  before(async function () { w = await startWorld({ signType: 'MD5', notifySignType: 'MD5', extra: { goodsCategory: '4008', riskGroups: ['logistics'], busiPartner: '109001' } }); });
  after(async function () { await w.close(); });
  const logistics = { province: '330000', city: '330100', phone: '13800000000', mode: '2', cycle: '24h' };
  const base = { wareCategory: '4008', userNo: 'U1001', registeredAt: '20240101080000' };

  it('refuses a payment of a logistics merchant without extra.riskItem, before anything is built', async function () {
    const e = (await w.paykit.payments.create(paymentInput('R1001')))._unsafeUnwrapErr();
    expect(e).to.include({ kind: 'InvalidRequest', path: 'extra.riskItem' });
    expect(e.message).to.include('logistics');
  });

  it('sends the base and logistics fields when extra.riskItem carries them', async function () {
    const r = must(await w.paykit.payments.create({ ...paymentInput('R1002'), extra: { riskItem: { base, logistics } } }));
    if (r.action.kind !== 'redirect') throw new Error('redirect expected');
    expect(JSON.parse(r.action.fields.risk_item as string)).to.include({ frms_ware_category: '4008', delivery_addr_province: '330000', logistics_mode: '2' });
  });

  it('refuses an extra.riskItem without the declared group, and a risk_item text without its category or the fields its category needs', async function () {
    const noGroup = (await w.paykit.payments.create({ ...paymentInput('R1003'), extra: { riskItem: { base } } }))._unsafeUnwrapErr();
    expect(noGroup).to.include({ kind: 'InvalidRequest', path: 'extra.riskItem.logistics' });
    const noCategory = (await w.paykit.payments.create({ ...paymentInput('R1004'), extra: { riskItem: '{"user_info_mercht_userno":"U1001"}' } }))._unsafeUnwrapErr();
    expect(noCategory).to.include({ kind: 'InvalidRequest', path: 'extra.riskItem.frms_ware_category' });
    const text = JSON.stringify({ frms_ware_category: '4001', user_info_mercht_userno: 'U1001', user_info_dt_register: '20240101080000', delivery_addr_province: '330000' });
    const partial = (await w.paykit.payments.create({ ...paymentInput('R1005'), extra: { riskItem: text } }))._unsafeUnwrapErr();
    expect(partial).to.include({ kind: 'InvalidRequest', path: 'extra.riskItem' });
    expect(partial.message).to.include('delivery_addr_city').and.to.include('logistics_mode');
  });

  it('has buildRiskItem refuse a category without the groups it needs', function () {
    const e = buildRiskItem({ base: { ...base, wareCategory: '4004' } })._unsafeUnwrapErr();
    expect(e).to.include({ kind: 'InvalidRequest', path: 'risk_item.logistics' });
    expect(buildRiskItem({ base: { ...base, wareCategory: '4004' }, logistics: { ...logistics, mode: '2', cycle: '24h' } }).isOk()).to.equal(true);
  });
});

describe('LianLian web plugin limits', function () {
  it('says LianLian redelivers an unacknowledged notification for an hour (spec 4.3: 30 times, 2 minutes apart)', function () {
    expect(lianlianWebPlugin.limits?.redeliveryWindowMs).to.equal(30 * 2 * 60 * 1000);
  });
});
