import { expect } from 'chai';
import {
  BUSI_PARTNERS, GOODS_CATEGORIES, ID_TYPES, PAY_TYPES, QUICK_PAY_BANKS, WEB_BANKING_BANKS, buildRiskItem, isBankCode,
  isGoodsCategoryCode, quickPayBank, webBankingBank, type RiskItemInput,
} from '../src/reference/index.js';

const base = { wareCategory: '1002', userNo: '13958069593', registeredAt: '20131030122130' } as const;

function errorOf(input: unknown): { kind: string; path?: string; message: string } {
  const r = buildRiskItem(input as RiskItemInput);
  expect(r.isErr(), `expected an error for ${JSON.stringify(input)}`).to.equal(true);
  return r._unsafeUnwrapErr();
}

describe('LianLian web reference tables', () => {
  context('the quick-pay bank list (spec 6.4)', () => {
    it('holds the 158 rows of the spec in order', () => {
      expect(QUICK_PAY_BANKS).to.have.length(158);
      expect(QUICK_PAY_BANKS.map((b) => b.seq)).to.deep.equal(Array.from({ length: 158 }, (_, i) => i + 1));
    });

    it('finds banks by code with their card support', () => {
      expect(quickPayBank('01020000')).to.include({ name: '工商银行', scope: 'national', debit: true, credit: true });
      expect(quickPayBank('03060000')).to.include({ name: '广发银行', debit: false, credit: true });
      expect(quickPayBank('03170000')).to.include({ name: '渤海银行', debit: true, credit: false });
      expect(quickPayBank('28590410')).to.include({ name: '韩国中小企业银行', scope: 'foreign' });
      expect(quickPayBank('14538200')?.name).to.equal('甘肃省农村信用社联合社');
      expect(quickPayBank('04354910')?.note).to.contain('96828');
      expect(quickPayBank('99999999')).to.equal(undefined);
    });

    it('keeps both rows that share 04741910 and looks up the first', () => {
      expect(QUICK_PAY_BANKS.filter((b) => b.code === '04741910').map((b) => b.name)).to.deep.equal(['内蒙古银行', '内蒙古农村信用社']);
      expect(quickPayBank('04741910')?.name).to.equal('内蒙古银行');
    });
  });

  context('the web-banking bank list (spec 6.5)', () => {
    it('holds the 23 rows with phones and card types', () => {
      expect(WEB_BANKING_BANKS).to.have.length(23);
      expect(WEB_BANKING_BANKS.map((b) => b.seq)).to.deep.equal(Array.from({ length: 23 }, (_, i) => i + 1));
      expect(webBankingBank('03080000')).to.include({ name: '招商银行', credit: true, servicePhone: '95555' });
      expect(webBankingBank('03020000')).to.include({ name: '中信银行', credit: false });
      expect(webBankingBank('64296510')?.limits).to.equal('单笔 50 元,当日累计 500 元');
    });

    it('holds row 23, 北京银行 04031000, debit cards only', () => {
      expect(WEB_BANKING_BANKS[22]).to.deep.equal({
        seq: 23, code: '04031000', name: '北京银行', credit: false, cards: '借记卡', servicePhone: '95526',
        limits: '普通版: 单笔 300 元, 日累计 300 元; 动态密码版: 单笔 1000 元, 日累计 5000 元; 证书版: 单笔 100 万元, 日累计 100 万元',
      });
    });

    it('recognises codes of either list and nothing else', () => {
      expect(isBankCode('65012900')).to.equal(true);
      expect(isBankCode('05197110')).to.equal(true);
      expect(isBankCode('0102000')).to.equal(false);
      expect(isBankCode(1020000)).to.equal(false);
    });
  });

  context('the code tables', () => {
    it('names busi_partner, pay_type, id_type and goods categories as the spec does', () => {
      expect(BUSI_PARTNERS).to.deep.equal({ 101001: '虚拟商品销售', 109001: '实物商品销售', 108001: '外部账户充值' });
      expect(PAY_TYPES['2']).to.equal('快捷支付(借记卡)');
      expect(PAY_TYPES['8']).to.equal('网银支付(信用卡)');
      expect(ID_TYPES.X).to.equal('其他证件');
      expect(ID_TYPES['10']).to.equal('组织结构代码');
      expect(Object.keys(GOODS_CATEGORIES)).to.have.length(38);
      expect(GOODS_CATEGORIES['1010']).to.deep.equal({ group: '非实名虚拟', name: '个人话费充值', description: '移动手机充值' });
      expect(isGoodsCategoryCode('4100')).to.equal(true);
      expect(isGoodsCategoryCode('4101')).to.equal(false);
    });
  });
});

describe('buildRiskItem', () => {
  context('when given the base fields of the spec example (4.1)', () => {
    it('returns the JSON text in table order', () => {
      expect(buildRiskItem({ base })._unsafeUnwrap()).to.equal(
        '{"frms_ware_category":"1002","user_info_mercht_userno":"13958069593","user_info_dt_register":"20131030122130"}',
      );
    });
  });

  context('when the registration time is a Date', () => {
    it('writes it in China Standard Time', () => {
      const json = buildRiskItem({ base: { ...base, registeredAt: new Date('2013-10-30T04:21:30Z') } })._unsafeUnwrap();
      expect(JSON.parse(json)).to.have.property('user_info_dt_register', '20131030122130');
    });
  });

  context('when every group is given', () => {
    it('serialises each field under its wire name, tickets as airline_list, required defaults filled', () => {
      const json = buildRiskItem({
        base: { ...base, mail: 'a@b.cn', bindPhone: '13958069593', userType: '2', registerIp: '122.11.37.211' },
        realName: { fullName: '张三', idType: '2', idNo: 'E1234567', identifyState: '1', identifyType: '1' },
        airline: [{
          airlineCode: 'CA123', passengerCountry: 'CN', passengerIdType: '0', passengerIdNo: '110101199001011234',
          passengerName: 'San', passengerPhone: '13800000000', airportFrom: 'PEK', airportTo: 'SHA', flightAt: '20240101080000',
        }],
        logistics: { province: '330000', city: '330100', phone: '13800000000', mode: '2', cycle: '24h' },
        game: { belongs: '2', gameId: 'player-1' },
        phoneCharge: { phone: '13800000000' },
      })._unsafeUnwrap();
      expect(JSON.parse(json)).to.deep.equal({
        frms_ware_category: '1002', user_info_mercht_userno: '13958069593', user_info_mail: 'a@b.cn',
        user_info_bind_phone: '13958069593', user_info_mercht_usertype: '2', user_info_dt_register: '20131030122130',
        user_info_register_ip: '122.11.37.211',
        user_info_full_name: '张三', user_info_id_type: '2', user_info_id_no: 'E1234567', user_info_identify_state: '1', user_info_identify_type: '1',
        airline_list: [{
          airline_code: 'CA123', passenger_country: 'CN', passenger_idcard_type: '0', passenger_idcard: '110101199001011234',
          passenger_name: 'San', passenger_phone: '13800000000', airport_from: 'PEK', airport_to: 'SHA', passenger_phonecode: '86', dt_flight: '20240101080000',
        }],
        delivery_addr_province: '330000', delivery_addr_city: '330100', delivery_phone: '13800000000', logistics_mode: '2', delivery_cycle: '24h',
        game_id_belongs: '2', game_id: 'player-1',
        frms_charge_phone: '13800000000',
      });
    });
  });

  context('when input breaks the tables', () => {
    it('rejects a missing required field, naming it', () => {
      const e = errorOf({ base: { wareCategory: '1002', registeredAt: '20131030122130' } });
      expect(e).to.include({ kind: 'InvalidRequest', path: 'risk_item.base.userNo' });
      expect(e.message).to.contain('user_info_mercht_userno');
    });

    it('rejects an unknown goods category', () => {
      expect(errorOf({ base: { ...base, wareCategory: '1011' } })).to.include({ path: 'risk_item.base.wareCategory' });
    });

    it('rejects impossible or mis-sized timestamps', () => {
      expect(errorOf({ base: { ...base, registeredAt: '20130230122130' } }).path).to.equal('risk_item.base.registeredAt');
      expect(errorOf({ base: { ...base, registeredAt: '20131030' } }).path).to.equal('risk_item.base.registeredAt');
      expect(errorOf({ base: { ...base, registeredAt: new Date(Number.NaN) } }).path).to.equal('risk_item.base.registeredAt');
    });

    it('rejects bad enum values, emails, ips and phone numbers', () => {
      expect(errorOf({ base: { ...base, userType: '3' } }).message).to.contain('1, 2');
      expect(errorOf({ base: { ...base, mail: 'not-an-email' } }).path).to.equal('risk_item.base.mail');
      expect(errorOf({ base: { ...base, registerIp: '122_11_37_211' } }).path).to.equal('risk_item.base.registerIp');
      expect(errorOf({ base, phoneCharge: { phone: '1'.repeat(41) } }).message).to.contain('at most 40');
      expect(errorOf({ base, phoneCharge: { phone: '138-0000' } }).path).to.equal('risk_item.phoneCharge.phone');
    });

    it('requires identifyType only once the user is identified, and gameId only for other accounts', () => {
      const realName = { fullName: '张三', idNo: 'E1' };
      expect(buildRiskItem({ base, realName }).isOk()).to.equal(true);
      expect(errorOf({ base, realName: { ...realName, identifyState: '1' } }).path).to.equal('risk_item.realName.identifyType');
      expect(buildRiskItem({ base, game: { belongs: '1' } }).isOk()).to.equal(true);
      expect(errorOf({ base, game: { belongs: '2' } }).path).to.equal('risk_item.game.gameId');
    });

    it('rejects unknown fields and groups instead of dropping them', () => {
      expect(errorOf({ base: { ...base, nickname: 'x' } }).path).to.equal('risk_item.base.nickname');
      expect(errorOf({ base, hotel: {} }).path).to.equal('risk_item.hotel');
      expect(errorOf({ base, airline: [] }).path).to.equal('risk_item.airline');
      expect(errorOf({ base, airline: [{ airlineCode: 'CA1' }] }).path).to.match(/^risk_item\.airline\[0\]\./);
      expect(errorOf({ base, logistics: { province: '33', city: '330100', phone: '1', mode: '2', cycle: '24h' } }).path).to.equal('risk_item.logistics.province');
    });

    it('never throws on non-object input', () => {
      expect(errorOf(null).kind).to.equal('InvalidRequest');
      expect(errorOf({ base: 'x' }).path).to.equal('risk_item.base');
      expect(errorOf({ base: { ...base, userNo: 42 } }).path).to.equal('risk_item.base.userNo');
    });
  });
});
