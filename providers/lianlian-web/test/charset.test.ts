import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { Secret } from '@paykit/core';
import { submitForm } from '../src/harness.js';
import { lianlianWebPlugin, parseSyncReturn, type LianlianWebOptions } from '../src/index.js';
import { simSigningText } from '../src/simulator/index.js';
import { must, paymentInput, startWorld, testKeys, TEST_MD5_KEY, TEST_OID_PARTNER, type World } from './support.js';

const md5 = (bytes: Buffer): string => createHash('md5').update(bytes).digest('hex');
// 羽毛球 in GBK, written out from the GBK code table (D3F0 C3AB C7F2), not from an encoder.
const YUMAOQIU_GBK = Buffer.from([0xd3, 0xf0, 0xc3, 0xab, 0xc7, 0xf2]);

function redirect(r: Awaited<ReturnType<World['paykit']['payments']['create']>>): Readonly<Record<string, string>> & { sign: string } {
  const created = must(r);
  if (created.action.kind !== 'redirect') throw new Error('redirect expected');
  return created.action.fields as Readonly<Record<string, string>> & { sign: string };
}

describe('LianLian web charset of the signed bytes', function () {
  context('when the form is GBK and the instance keeps the default (UTF-8 bytes signed)', function () {
    let w: World;
    before(async function () { w = await startWorld({ signType: 'MD5', notifySignType: 'MD5', charset: 'GBK' }); });
    after(async function () { await w.close(); });

    it('signs the UTF-8 bytes of the signing text, and a LianLian that verifies UTF-8 bytes accepts the GBK-encoded form', async function () {
      const r = await w.paykit.payments.create({ ...paymentInput('C1001'), details: 'three tubes of shuttlecocks' });
      const f = redirect(r);
      expect(f.charset_name).to.equal('GBK');
      const text = simSigningText(f);
      const at = text.indexOf('name_goods=羽毛球') + 'name_goods='.length;
      expect(f.sign).to.equal(md5(Buffer.from(`${text}&key=${TEST_MD5_KEY}`, 'utf8')));
      const gbk = Buffer.concat([Buffer.from(text.slice(0, at), 'ascii'), YUMAOQIU_GBK, Buffer.from(`${text.slice(at + 3)}&key=${TEST_MD5_KEY}`, 'ascii')]);
      expect(f.sign).not.to.equal(md5(gbk));
      const created = must(r);
      expect((await submitForm(created.action)).status).to.equal(200);
    });

    it('verifies a GBK sync return signed over UTF-8 bytes, decoding its values in GBK', async function () {
      await submitForm(must(await w.paykit.payments.create(paymentInput('C1002'))).action);
      await w.sim.complete('C1002', 'succeeded', { notify: false });
      const body = w.sim.syncReturnBody('C1002', 'MD5', 'GBK');
      expect(body).to.include('info_order=%D3%C3%BB%A7'); // 用户 in GBK (D3C3 BBA7)
      const options: LianlianWebOptions = { oidPartner: TEST_OID_PARTNER, signType: 'MD5', md5Key: new Secret(TEST_MD5_KEY), charset: 'GBK', goodsCategory: '1002' };
      const hint = must(parseSyncReturn(Buffer.from(body), options));
      expect(hint.wire.info_order).to.equal('用户13958069593购买了3桶羽毛球');
      const formCharset = parseSyncReturn(Buffer.from(body), { ...options, signedBytes: 'form-charset' });
      expect(formCharset._unsafeUnwrapErr().kind).to.equal('Signature');
    });
  });

  context('when the instance signs the bytes of charset_name (signedBytes "form-charset")', function () {
    let w: World;
    before(async function () {
      w = await startWorld({ signType: 'MD5', notifySignType: 'MD5', charset: 'GBK', extra: { signedBytes: 'form-charset' }, sim: { signedBytes: 'form-charset' } });
    });
    after(async function () { await w.close(); });

    it('signs the GBK bytes of the signing text', async function () {
      // ASCII details, so 羽毛球 is the only text whose bytes differ between the charsets.
      const r = await w.paykit.payments.create({ ...paymentInput('C2001'), details: 'three tubes of shuttlecocks' });
      const f = redirect(r);
      const text = simSigningText(f);
      const at = text.indexOf('name_goods=羽毛球') + 'name_goods='.length;
      expect(text.slice(0, at) + text.slice(at + 3)).to.match(/^[\x00-\x7f]*$/);
      const gbk = Buffer.concat([Buffer.from(text.slice(0, at), 'ascii'), YUMAOQIU_GBK, Buffer.from(`${text.slice(at + 3)}&key=${TEST_MD5_KEY}`, 'ascii')]);
      expect(f.sign).to.equal(md5(gbk));
      expect((await submitForm(must(r).action)).status).to.equal(200);
    });

    it('verifies a GBK sync return signed over its GBK bytes', async function () {
      await submitForm(must(await w.paykit.payments.create(paymentInput('C2002'))).action);
      await w.sim.complete('C2002', 'succeeded', { notify: false });
      const body = w.sim.syncReturnBody('C2002', 'MD5', 'GBK');
      expect(body).to.include('info_order=%D3%C3%BB%A7'); // 用户 in GBK: the signed bytes differ from UTF-8's
      const options: LianlianWebOptions = {
        oidPartner: TEST_OID_PARTNER, signType: 'MD5', md5Key: new Secret(TEST_MD5_KEY), charset: 'GBK', signedBytes: 'form-charset', goodsCategory: '1002',
      };
      expect(must(parseSyncReturn(Buffer.from(body), options)).claimed).to.include({ orderId: 'C2002', status: 'succeeded' });
    });
  });

  context('when the form is GB2312', function () {
    let w: World;
    before(async function () { w = await startWorld({ signType: 'MD5', notifySignType: 'MD5', charset: 'GB2312' }); });
    after(async function () { await w.close(); });

    // 裏 (D159 in GBK) and ⅰ (A2A1 in GBK) are GBK additions with no GB2312 cell; 中 and · are GB2312 (D6D0, A1A4).
    for (const [what, description] of [['a GBK-only hanzi (裏)', '衣裏'], ['a GBK-only symbol (ⅰ)', '羽毛球ⅰ'], ['the euro sign', '羽毛球€']] as const) {
      it(`refuses ${what} with InvalidRequest naming the field, never sending a ?`, async function () {
        const e = (await w.paykit.payments.create({ ...paymentInput(`C3${description.length}${what.length}`), description }))._unsafeUnwrapErr();
        expect(e.kind).to.equal('InvalidRequest');
        expect(e.path).to.equal('payments.create.name_goods');
        expect(e.message).to.include('GB2312');
      });
    }

    it('accepts text whose every character has a GB2312 cell', async function () {
      const f = redirect(await w.paykit.payments.create({ ...paymentInput('C3001'), description: '中文·羽毛球' }));
      expect(f.charset_name).to.equal('GB2312');
    });
  });

  context('when the CLI tools sign and verify', function () {
    const tools = lianlianWebPlugin.tools;
    if (!tools) throw new Error('tools expected');
    const fields = { charset_name: 'GBK', name_goods: '羽毛球', no_order: 'A1', oid_partner: TEST_OID_PARTNER, sign_type: 'MD5' };
    const text = `charset_name=GBK&name_goods=羽毛球&no_order=A1&oid_partner=${TEST_OID_PARTNER}&sign_type=MD5`;

    it('signs UTF-8 bytes by default, and the charset_name bytes with --message form-charset', function () {
      expect(must(tools.sign(fields, { md5Key: TEST_MD5_KEY })).signature).to.equal(md5(Buffer.from(`${text}&key=${TEST_MD5_KEY}`, 'utf8')));
      const gbk = Buffer.concat([Buffer.from('charset_name=GBK&name_goods=', 'utf8'), YUMAOQIU_GBK, Buffer.from(`&no_order=A1&oid_partner=${TEST_OID_PARTNER}&sign_type=MD5&key=${TEST_MD5_KEY}`, 'utf8')]);
      expect(must(tools.sign(fields, { md5Key: TEST_MD5_KEY, message: 'form-charset' })).signature).to.equal(md5(gbk));
      expect(tools.sign(fields, { md5Key: TEST_MD5_KEY, message: 'gbk' })._unsafeUnwrapErr().kind).to.equal('InvalidRequest');
    });

    it('verifies a GBK sync return with --message sync-return:GBK (UTF-8 bytes signed) or sync-return:GBK:form-charset', async function () {
      const utf8World = await startWorld({ signType: 'MD5', notifySignType: 'MD5', charset: 'GBK' });
      const gbkWorld = await startWorld({ signType: 'MD5', notifySignType: 'MD5', charset: 'GBK', extra: { signedBytes: 'form-charset' }, sim: { signedBytes: 'form-charset' } });
      try {
        for (const world of [utf8World, gbkWorld]) {
          await submitForm(must(await world.paykit.payments.create(paymentInput('C4001'))).action);
          await world.sim.complete('C4001', 'succeeded', { notify: false });
        }
        const utf8Signed = Buffer.from(utf8World.sim.syncReturnBody('C4001', 'MD5', 'GBK'));
        const gbkSigned = Buffer.from(gbkWorld.sim.syncReturnBody('C4001', 'MD5', 'GBK'));
        expect(must(tools.verify(utf8Signed, { md5Key: TEST_MD5_KEY, message: 'sync-return:GBK' })).signedText).to.include('羽毛球');
        expect(tools.verify(gbkSigned, { md5Key: TEST_MD5_KEY, message: 'sync-return:GBK' })._unsafeUnwrapErr().kind).to.equal('Signature');
        expect(must(tools.verify(gbkSigned, { md5Key: TEST_MD5_KEY, message: 'sync-return:GBK:form-charset' })).message).to.equal('sync-return');
        expect(tools.verify(gbkSigned, { md5Key: TEST_MD5_KEY, message: 'notification:GBK' })._unsafeUnwrapErr().kind).to.equal('InvalidRequest');
      } finally {
        await utf8World.close();
        await gbkWorld.close();
      }
    });
  });
});
