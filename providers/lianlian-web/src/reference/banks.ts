// Bank tables of the LianLian web spec, appendices 6.4 (quick pay) and 6.5 (web banking).
// Data transcribed from the spec; names are the spec's Chinese names with OCR spaces removed.
import { err, ok } from 'neverthrow';
import { guard, PaymentErrors, type PayResult } from '@paykit/core';

/** Where a quick-pay bank serves (6.4 "支持范围": 全国 nationwide, 区域 regional, 外资 foreign-owned). */
export type BankScope = 'national' | 'regional' | 'foreign';

/** One row of the quick-pay bank list (spec 6.4 快捷支持银行列表). */
export interface QuickPayBank {
  /** Row number in the spec. */
  readonly seq: number;
  /** 8-digit bank code (`bank_code`). */
  readonly code: string;
  /** Chinese bank name (银行名称). */
  readonly name: string;
  /** 支持范围. */
  readonly scope: BankScope;
  /** Debit cards (借记卡) supported. */
  readonly debit: boolean;
  /** Credit cards (信用卡) supported. */
  readonly credit: boolean;
  /** Restriction noted in the table. */
  readonly note?: string;
}

/**
 * The quick-pay bank list of spec 6.4, in the spec's order. Rows 91 (内蒙古银行) and 92
 * (内蒙古农村信用社) share the code `04741910` in the spec; both rows are kept, and
 * {@link quickPayBank} returns the first.
 */
export const QUICK_PAY_BANKS = [
  { seq: 1, code: '01020000', name: '工商银行', scope: 'national', debit: true, credit: true },
  { seq: 2, code: '01030000', name: '农业银行', scope: 'national', debit: true, credit: true },
  { seq: 3, code: '01040000', name: '中国银行', scope: 'national', debit: true, credit: true },
  { seq: 4, code: '01050000', name: '建设银行', scope: 'national', debit: true, credit: true },
  { seq: 5, code: '03010000', name: '交通银行', scope: 'national', debit: true, credit: true },
  { seq: 6, code: '01000000', name: '邮政储蓄银行', scope: 'national', debit: true, credit: true },
  { seq: 7, code: '03020000', name: '中信银行', scope: 'national', debit: true, credit: true },
  { seq: 8, code: '03030000', name: '光大银行', scope: 'national', debit: true, credit: true },
  { seq: 9, code: '03040000', name: '华夏银行', scope: 'national', debit: true, credit: true },
  { seq: 10, code: '03050000', name: '民生银行', scope: 'national', debit: true, credit: true },
  { seq: 11, code: '03060000', name: '广发银行', scope: 'national', debit: false, credit: true },
  { seq: 12, code: '03070000', name: '平安银行', scope: 'national', debit: true, credit: true },
  { seq: 13, code: '03080000', name: '招商银行', scope: 'national', debit: true, credit: true },
  { seq: 14, code: '03090000', name: '兴业银行', scope: 'national', debit: true, credit: true },
  { seq: 15, code: '03100000', name: '浦发银行', scope: 'national', debit: true, credit: true },
  { seq: 16, code: '03170000', name: '渤海银行', scope: 'national', debit: true, credit: false },
  { seq: 17, code: '04031000', name: '北京银行', scope: 'national', debit: true, credit: true },
  { seq: 18, code: '04012900', name: '上海银行', scope: 'national', debit: true, credit: true },
  { seq: 19, code: '04233310', name: '杭州银行', scope: 'regional', debit: true, credit: true },
  { seq: 20, code: '04403600', name: '徽商银行', scope: 'regional', debit: true, credit: true },
  { seq: 21, code: '05083000', name: '江苏银行', scope: 'regional', debit: true, credit: true },
  { seq: 22, code: '04263380', name: '金华银行', scope: 'regional', debit: true, credit: true },
  { seq: 23, code: '04243010', name: '南京银行', scope: 'regional', debit: true, credit: true },
  { seq: 24, code: '04123330', name: '温州银行', scope: 'regional', debit: true, credit: true },
  { seq: 25, code: '04221210', name: '河北银行', scope: 'regional', debit: true, credit: true },
  { seq: 26, code: '14181000', name: '北京农商银行', scope: 'regional', debit: false, credit: true },
  { seq: 27, code: '04791920', name: '包商银行', scope: 'regional', debit: true, credit: true },
  { seq: 28, code: '64296510', name: '成都银行', scope: 'regional', debit: true, credit: false },
  { seq: 29, code: '14136900', name: '重庆农村商业银行', scope: 'regional', debit: true, credit: true },
  { seq: 30, code: '04354910', name: '郑州银行', scope: 'regional', debit: true, credit: false, note: '借记卡不支持 96828、940056 开头的卡' },
  { seq: 31, code: '04053910', name: '福建海峡银行', scope: 'regional', debit: true, credit: false },
  { seq: 32, code: '05197110', name: '安顺市商业银行', scope: 'regional', debit: true, credit: false },
  { seq: 33, code: '14473600', name: '安徽省农村信用社', scope: 'regional', debit: true, credit: false },
  { seq: 34, code: '17219924', name: '安阳银行', scope: 'regional', debit: true, credit: false },
  { seq: 35, code: '05521340', name: '保定银行', scope: 'regional', debit: true, credit: false },
  { seq: 36, code: '65226510', name: '成都农村商业银行', scope: 'regional', debit: true, credit: true },
  { seq: 37, code: '14033055', name: '常熟农村商业银行', scope: 'regional', debit: true, credit: true },
  { seq: 38, code: '04615510', name: '长沙银行', scope: 'regional', debit: false, credit: true },
  { seq: 39, code: '65131410', name: '承德银行', scope: 'regional', debit: true, credit: true },
  { seq: 40, code: '04761430', name: '沧州银行', scope: 'regional', debit: true, credit: false },
  { seq: 41, code: '04416900', name: '重庆银行', scope: 'regional', debit: false, credit: true },
  { seq: 42, code: '05121660', name: '长治市商业银行', scope: 'regional', debit: true, credit: false },
  { seq: 43, code: '04202220', name: '大连银行', scope: 'regional', debit: false, credit: true },
  { seq: 44, code: '04986580', name: '德阳银行', scope: 'regional', debit: true, credit: false },
  { seq: 45, code: '14156020', name: '东莞农村商业银行', scope: 'regional', debit: true, credit: false },
  { seq: 46, code: '65274550', name: '东营银行', scope: 'regional', debit: false, credit: true },
  { seq: 47, code: '05342050', name: '鄂尔多斯银行', scope: 'regional', debit: true, credit: true },
  { seq: 48, code: '14173900', name: '福建省农村信用社', scope: 'regional', debit: false, credit: true },
  { seq: 49, code: '04302240', name: '抚顺银行', scope: 'regional', debit: true, credit: false },
  { seq: 50, code: '64667310', name: '富滇银行', scope: 'regional', debit: true, credit: true },
  { seq: 51, code: '64786110', name: '广西北部湾银行', scope: 'regional', debit: true, credit: false },
  { seq: 52, code: '14436100', name: '广西农村信用社', scope: 'regional', debit: true, credit: false },
  { seq: 53, code: '64135810', name: '广州银行', scope: 'regional', debit: true, credit: true },
  { seq: 54, code: '14505800', name: '广东农村信用社', scope: 'regional', debit: true, credit: false },
  { seq: 55, code: '14055810', name: '广州农村商业银行', scope: 'regional', debit: true, credit: true },
  { seq: 56, code: '64634280', name: '赣州银行', scope: 'regional', debit: true, credit: true },
  { seq: 57, code: '64916170', name: '桂林银行', scope: 'regional', debit: true, credit: false },
  { seq: 58, code: '64437010', name: '贵阳银行', scope: 'regional', debit: true, credit: true },
  { seq: 59, code: '14538200', name: '甘肃省农村信用社联合社', scope: 'regional', debit: true, credit: false },
  { seq: 60, code: '14411200', name: '河北省农村信用社', scope: 'regional', debit: true, credit: false },
  { seq: 61, code: '05354970', name: '鹤壁银行', scope: 'regional', debit: true, credit: false },
  { seq: 62, code: '05611480', name: '衡水市商业银行', scope: 'regional', debit: true, credit: false },
  { seq: 63, code: '04422610', name: '哈尔滨银行', scope: 'regional', debit: true, credit: true },
  { seq: 64, code: '14486400', name: '海南省农村信用社联合社', scope: 'regional', debit: true, credit: false },
  { seq: 65, code: '14385500', name: '湖南省农村信用社联合社', scope: 'regional', debit: true, credit: true },
  { seq: 66, code: '14105200', name: '湖北省农村信用社联合社', scope: 'regional', debit: true, credit: false },
  { seq: 67, code: '05755200', name: '湖北银行', scope: 'regional', debit: true, credit: false },
  { seq: 68, code: '04332350', name: '葫芦岛银行', scope: 'regional', debit: true, credit: false },
  { seq: 69, code: '05171270', name: '邯郸银行', scope: 'regional', debit: true, credit: false },
  { seq: 70, code: '04703350', name: '嘉兴银行', scope: 'regional', debit: true, credit: false },
  { seq: 71, code: '05031680', name: '晋城银行', scope: 'regional', debit: true, credit: false },
  { seq: 72, code: '14394200', name: '江西农村信用联合社', scope: 'regional', debit: true, credit: false },
  { seq: 73, code: '14243000', name: '江苏省农村信用社联合社', scope: 'regional', debit: true, credit: true },
  { seq: 74, code: '14123020', name: '江阴农村商业银行', scope: 'regional', debit: true, credit: true },
  { seq: 75, code: '14603040', name: '江南农村商业银行', scope: 'regional', debit: true, credit: false },
  { seq: 76, code: '14452400', name: '吉林省农村信用社', scope: 'regional', debit: true, credit: false },
  { seq: 77, code: '04512420', name: '吉林银行', scope: 'regional', debit: true, credit: false },
  { seq: 78, code: '05591750', name: '晋中市商业银行', scope: 'regional', debit: true, credit: false },
  { seq: 79, code: '64392270', name: '锦州银行', scope: 'regional', debit: false, credit: true },
  { seq: 80, code: '64544240', name: '九江银行', scope: 'regional', debit: true, credit: true },
  { seq: 81, code: '14023052', name: '昆山农村商业银行', scope: 'regional', debit: true, credit: false },
  { seq: 82, code: '05658880', name: '库尔勒市商业银行', scope: 'regional', debit: true, credit: false },
  { seq: 83, code: '05478820', name: '昆仑银行', scope: 'regional', debit: true, credit: false },
  { seq: 84, code: '04922600', name: '龙江银行', scope: 'regional', debit: true, credit: true },
  { seq: 85, code: '05556840', name: '凉山州商业银行', scope: 'regional', debit: true, credit: false },
  { seq: 86, code: '05406650', name: '乐山市商业银行', scope: 'regional', debit: true, credit: false },
  { seq: 87, code: '64314730', name: '临商银行', scope: 'regional', debit: true, credit: false },
  { seq: 88, code: '04956140', name: '柳州银行', scope: 'regional', debit: true, credit: false },
  { seq: 89, code: '05565040', name: '漯河银行', scope: 'regional', debit: true, credit: false },
  { seq: 90, code: '04478210', name: '兰州银行', scope: 'regional', debit: true, credit: true },
  { seq: 91, code: '04741910', name: '内蒙古银行', scope: 'regional', debit: true, credit: false },
  { seq: 92, code: '04741910', name: '内蒙古农村信用社', scope: 'regional', debit: true, credit: false },
  { seq: 93, code: '04083320', name: '宁波银行', scope: 'regional', debit: false, credit: true },
  { seq: 94, code: '05503320', name: '宁波东海银行', scope: 'regional', debit: true, credit: false },
  { seq: 95, code: '14468700', name: '宁夏黄河农商银行', scope: 'regional', debit: true, credit: false },
  { seq: 96, code: '64484210', name: '南昌银行', scope: 'regional', debit: true, credit: true },
  { seq: 97, code: '04966730', name: '南充市商业银行', scope: 'regional', debit: true, credit: false },
  { seq: 98, code: '05484950', name: '平顶山银行', scope: 'regional', debit: true, credit: false },
  { seq: 99, code: '04836560', name: '攀枝花市商业银行', scope: 'regional', debit: true, credit: false },
  { seq: 100, code: '64588510', name: '青海银行', scope: 'regional', debit: false, credit: true },
  { seq: 101, code: '64094510', name: '齐鲁银行', scope: 'regional', debit: true, credit: true },
  { seq: 102, code: '04571260', name: '秦皇岛市商业银行', scope: 'regional', debit: true, credit: false },
  { seq: 103, code: '04643970', name: '泉州银行', scope: 'regional', debit: true, credit: false },
  { seq: 104, code: '05027360', name: '曲靖市商业银行', scope: 'regional', debit: true, credit: false },
  { seq: 105, code: '14498500', name: '青海省农村信用社', scope: 'regional', debit: true, credit: false },
  { seq: 106, code: '04504520', name: '青岛银行', scope: 'regional', debit: true, credit: true },
  { seq: 107, code: '65012900', name: '上海农商银行', scope: 'regional', debit: true, credit: true },
  { seq: 108, code: '04885050', name: '三门峡银行', scope: 'regional', debit: true, credit: false },
  { seq: 109, code: '65264330', name: '上饶银行', scope: 'regional', debit: true, credit: true },
  { seq: 110, code: '15205840', name: '深圳福田银座村镇银行', scope: 'regional', debit: true, credit: false },
  { seq: 111, code: '65675060', name: '商丘银行', scope: 'regional', debit: true, credit: false },
  { seq: 112, code: '14045840', name: '深圳农商银行', scope: 'regional', debit: true, credit: false },
  { seq: 113, code: '04213050', name: '苏州银行', scope: 'regional', debit: true, credit: false },
  { seq: 114, code: '05516620', name: '遂宁市商业银行', scope: 'regional', debit: true, credit: false },
  { seq: 115, code: '65085883', name: '顺德农村商业银行', scope: 'regional', debit: true, credit: true },
  { seq: 116, code: '14526500', name: '四川省农村信用合作社', scope: 'regional', debit: true, credit: false },
  { seq: 117, code: '14144500', name: '山东省农村信用社', scope: 'regional', debit: true, credit: false },
  { seq: 118, code: '14341770', name: '山西尧都农村商业银行', scope: 'regional', debit: false, credit: true },
  { seq: 119, code: '14551600', name: '山西省农村信用社联合社', scope: 'regional', debit: true, credit: false },
  { seq: 120, code: '05284630', name: '泰安市商业银行', scope: 'regional', debit: true, credit: false },
  { seq: 121, code: '14333051', name: '太仓农村商业银行', scope: 'regional', debit: true, credit: false },
  { seq: 122, code: '04991240', name: '唐山市商业银行', scope: 'regional', debit: true, credit: false },
  { seq: 123, code: '14561100', name: '天津滨海农村商业银行', scope: 'regional', debit: true, credit: false },
  { seq: 124, code: '04593450', name: '台州银行', scope: 'regional', debit: true, credit: true },
  { seq: 125, code: '64624580', name: '潍坊银行', scope: 'regional', debit: true, credit: true },
  { seq: 126, code: '03134650', name: '威海市商业银行', scope: 'regional', debit: true, credit: true },
  { seq: 127, code: '05311930', name: '乌海银行', scope: 'regional', debit: true, credit: false },
  { seq: 128, code: '14283054', name: '吴江农商银行', scope: 'regional', debit: true, credit: true },
  { seq: 129, code: '04453020', name: '无锡农村商业银行', scope: 'regional', debit: true, credit: true },
  { seq: 130, code: '04270001', name: '乌鲁木齐市商业银行', scope: 'regional', debit: true, credit: true },
  { seq: 131, code: '04023930', name: '厦门银行', scope: 'regional', debit: true, credit: false },
  { seq: 132, code: '05365030', name: '许昌银行', scope: 'regional', debit: true, credit: false },
  { seq: 133, code: '05541310', name: '邢台银行', scope: 'regional', debit: true, credit: false },
  { seq: 134, code: '04325260', name: '宜昌市商业银行', scope: 'regional', debit: false, credit: true },
  { seq: 135, code: '05646710', name: '宜宾市商业银行', scope: 'regional', debit: true, credit: false },
  { seq: 136, code: '05666770', name: '雅安市商业银行', scope: 'regional', debit: true, credit: false },
  { seq: 137, code: '05631650', name: '阳泉市商业银行', scope: 'regional', debit: true, credit: false },
  { seq: 138, code: '05247410', name: '玉溪市商业银行', scope: 'regional', debit: true, credit: false },
  { seq: 139, code: '15438710', name: '银川市商业银行', scope: 'regional', debit: false, credit: true },
  { seq: 140, code: '65097300', name: '云南省农村信用社', scope: 'regional', debit: true, credit: false },
  { seq: 141, code: '14203320', name: '鄞州银行', scope: 'regional', debit: false, credit: true },
  { seq: 142, code: '04652280', name: '营口银行', scope: 'regional', debit: true, credit: false },
  { seq: 143, code: '05303380', name: '浙江稠州商业银行', scope: 'regional', debit: true, credit: true },
  { seq: 144, code: '05253450', name: '浙江民泰商业银行', scope: 'regional', debit: true, credit: true },
  { seq: 145, code: '64733450', name: '浙江泰隆商业银行', scope: 'regional', debit: false, credit: true },
  { seq: 146, code: '05492340', name: '朝阳银行', scope: 'regional', debit: true, credit: false },
  { seq: 147, code: '14163056', name: '张家港农村商业银行', scope: 'regional', debit: true, credit: false },
  { seq: 148, code: '04901380', name: '张家口市商业银行', scope: 'regional', debit: true, credit: false },
  { seq: 149, code: '05326560', name: '自贡市商业银行', scope: 'regional', debit: true, credit: false },
  { seq: 150, code: '05625080', name: '周口银行', scope: 'regional', debit: true, credit: false },
  { seq: 151, code: '05167030', name: '遵义市商业银行', scope: 'regional', debit: true, credit: false },
  { seq: 152, code: '28590410', name: '韩国中小企业银行', scope: 'foreign', debit: true, credit: false },
  { seq: 153, code: '03190001', name: '花旗银行', scope: 'foreign', debit: true, credit: false },
  { seq: 154, code: '03200000', name: '东亚银行', scope: 'foreign', debit: true, credit: false },
  { seq: 155, code: '03220000', name: '渣打银行', scope: 'foreign', debit: true, credit: false },
  { seq: 156, code: '03330001', name: '法兴银行', scope: 'foreign', debit: true, credit: false },
  { seq: 157, code: '03340000', name: '大华银行', scope: 'foreign', debit: true, credit: false },
  { seq: 158, code: '03280000', name: '新韩银行', scope: 'foreign', debit: true, credit: false },
] as const satisfies readonly QuickPayBank[];

/** A quick-pay bank code of spec 6.4. */
export type QuickPayBankCode = (typeof QUICK_PAY_BANKS)[number]['code'];

/** One row of the web-banking bank list (spec 6.5 网银支持银行列表). */
export interface WebBankingBank {
  /** Row number in the spec. */
  readonly seq: number;
  /** 8-digit bank code (`bank_code`). */
  readonly code: string;
  /** Chinese bank name (银行). */
  readonly name: string;
  /** Credit (or quasi-credit) cards accepted besides debit cards. */
  readonly credit: boolean;
  /** 支持卡种, verbatim. */
  readonly cards: string;
  /** 银行客服电话, verbatim. */
  readonly servicePhone: string;
  /** 限额 (limits), verbatim. */
  readonly limits: string;
}

/** The web-banking bank list of spec 6.5, in the spec's order. */
export const WEB_BANKING_BANKS = [
  { seq: 1, code: '01020000', name: '工商银行', credit: true, cards: '借记卡/信用卡', servicePhone: '95588', limits: '工银 E 支付: 单笔 500 元, 日累计 2000 元; U 盾: 单笔额度 100 万元,日累计 100 万元; 工银密码器: 单笔 50 万元,日累计 100 万元; 电子银行口令卡(未开通手机短信认证):单笔 500 元,日累计 1000 元; 电子银行口令卡卡(已开通手机短信认证):单笔 2000 元,日累计 5000 元; 柜面注册存量静态密码客户:总累计限额 300 元;以上支付限额均受信用卡本身信用额度限制' },
  { seq: 2, code: '01050000', name: '建设银行', credit: true, cards: '借记卡/信用卡', servicePhone: '95533', limits: '动态口令卡:借记卡,单笔限额 5000 元,每日限额 5000 元; 网银盾:借记卡,单笔限额 50 万元,每日限额 50 万元; 帐号支付:单笔 1000 元,当日累计金额 1000 元;' },
  { seq: 3, code: '01030000', name: '农业银行', credit: true, cards: '借记卡/准贷记卡', servicePhone: '95599', limits: '一代 K 宝:借记卡/准贷记卡 单笔限额 50 万元,每日限额 100 万元; 二代 K 宝:借记卡/准贷记卡 单笔限额 100 万元,每日限额 500 万元; 动态口令卡和 IE 证书绑定使用:借记卡/准贷记卡 单笔限额 1000 元,每日限额 3000 元;' },
  { seq: 4, code: '03080000', name: '招商银行', credit: true, cards: '借记卡/信用卡', servicePhone: '95555', limits: '专业版:借记卡 无限额;信用卡 无限额(不超过信用卡授信额度) 大众版 借记卡 单笔及每日限额500元;信用卡 单笔限额299.9元,每日限额500元' },
  { seq: 5, code: '03010000', name: '交通银行', credit: true, cards: '借记卡/信用卡', servicePhone: '95559', limits: 'USB 证书:借记卡 单笔及每日限额 100 万元;信用卡 单笔及每日限额 50000元(不超过信用卡透支限额) 短信密码:借记卡 单笔及每日限额 50000元;信用卡 单笔及每日限额 50000元(不超过信用卡透支限额)' },
  { seq: 6, code: '01040000', name: '中国银行', credit: true, cards: '借记卡/信用卡', servicePhone: '95566', limits: '动态口令牌:借记卡 单笔限额 50000 元,每日限额 无限制; 信用卡/准贷记卡 单笔限额 5000 元,每日 限额 信用卡授信额度;' },
  { seq: 7, code: '03030000', name: '光大银行', credit: true, cards: '借记卡/信用卡', servicePhone: '95595', limits: '阳光网盾:借记卡 单笔及每日限额50万元; 令牌动态密码:借记卡 单笔及每日限额50万元; 手机动态密码:借记卡 单笔及每日限额10000元; 信用卡:单笔及每日限额300元。' },
  { seq: 8, code: '03050000', name: '民生银行', credit: true, cards: '借记卡/信用卡', servicePhone: '95568', limits: '登录密码 0 短信验证码 5,000 浏览器证书 5,000 动态令牌(OTP) 500,000 U宝 500,000' },
  { seq: 9, code: '03090000', name: '兴业银行', credit: true, cards: '借记卡/信用卡', servicePhone: '95561', limits: '证书版:借记卡 无限额; 电子支付卡:借记卡 单笔及每日限额 5000 元; 普通版:借记卡 单笔及每日限额为 1000 元或者 5000 元,由用 户在开通网上支付功能时自行选择; 信用卡:单笔限额 500 元;每日限额为授信额度。' },
  { seq: 10, code: '03020000', name: '中信银行', credit: false, cards: '借记卡', servicePhone: '95558', limits: 'USB 证书:借记卡 单笔及每日限额 100 万;' },
  { seq: 11, code: '03060000', name: '广发银行', credit: true, cards: '借记卡/信用卡', servicePhone: '95508', limits: '通用版:借记卡 单笔及每日限额 1000 元; 证书版:借记卡 单笔及每日限额 1000 元; 信用卡:单笔及每日限额 300 元:' },
  { seq: 12, code: '03100000', name: '浦发银行', credit: true, cards: '借记卡/信用卡', servicePhone: '95528', limits: '数字证书版:借记卡 无限额;信用卡 单笔限额500元,每日限额1000元; 动态密码版:借记卡 单笔及每日限额20万;信用卡 单笔限额500元,每日限额1000元;' },
  { seq: 13, code: '03070000', name: '平安银行', credit: true, cards: '借记卡/信用卡', servicePhone: '400-6699-999', limits: '手机动态密码:借记卡 单笔及每日限额 50000 元;信用卡 单笔限额 500 元,每日限额 1000 元。' },
  { seq: 14, code: '03040000', name: '华夏银行', credit: false, cards: '借记卡', servicePhone: '95577', limits: '密码支付: 单笔 300 元, 日累 1000 元; 动态短信: 单笔 1000元, 日累 5000元; U盾: 单笔 50000元, 日累 100000元。' },
  { seq: 15, code: '04083320', name: '宁波银行', credit: false, cards: '借记卡', servicePhone: '96528 , 962528 (上海 地区)', limits: 'USBKEY 移动证书:借记卡 单笔及每日累计 无限额; 短信动态密码:借记卡 单笔及每日限额 50000元;' },
  { seq: 16, code: '03200000', name: '东亚银行', credit: false, cards: '借记卡', servicePhone: '8008303811', limits: 'U盾+手机动态密码:借记卡 单笔及每日限额 100万; U盾:借记卡 单笔及每日限额 100万; 手机动态密码:借记卡 单笔限额 5000元,每日限额 20000元。' },
  { seq: 17, code: '04012900', name: '上海银行', credit: true, cards: '借记卡/信用卡', servicePhone: '962888', limits: '易签宝(USBKey 证书):借记卡 单笔及每日限额5万元;信用卡 单笔限额5000元,每日限额1万元; 文件证书:借记卡 单笔及每日限额5000元;信用卡 单笔限额3000元,每日限额6000元; 账(卡)号支付:信用卡 单笔限额3000元,每日限额6000元;' },
  { seq: 18, code: '01000000', name: '中国邮储银行', credit: false, cards: '借记卡', servicePhone: '95580', limits: 'UK+短信用户:借记卡 单笔限额 200 万元;每日限额 200 万; 电子令牌+短信用户:借记卡 单笔限额 20 万元;每日限额 20 万; 个人网银短信客户:借记卡 单笔限额 1 万元;每日限额 1 万;' },
  { seq: 19, code: '04243010', name: '南京银行', credit: false, cards: '借记卡', servicePhone: '96400', limits: '专业版:借记卡 单笔及每日限额50000元; 手机版:借记卡 单笔及每日限额10000元; 普通版:借记卡 单笔及每日限额300元;' },
  { seq: 20, code: '65012900', name: '上海农商行', credit: true, cards: '借记卡、贷记卡', servicePhone: '4006962999', limits: '个人网银短信专业版(借记卡和信用卡): 单笔交易金额不超过 (含)1000元,单日累计交易金额不超过(含)5000元。 个人网银证书专业版(借记卡和信用卡):单笔交易金额不超过 (含)1万元,单日累计交易金额不超过(含)500万元。 信用卡卡密支付:单笔交易金额不超过(含)2000元,单日累计 交易金额不超过(含)5000元' },
  { seq: 21, code: '03170000', name: '渤海银行', credit: false, cards: '借记卡', servicePhone: '4008888811', limits: '个人网银大众版:单笔交易金额不限制,当日累计金额 5000 元;' },
  { seq: 22, code: '64296510', name: '成都银行', credit: false, cards: '借记卡', servicePhone: '96511、 4006896511', limits: '单笔 50 元,当日累计 500 元' },
  { seq: 23, code: '04031000', name: '北京银行', credit: false, cards: '借记卡', servicePhone: '95526', limits: '普通版: 单笔 300 元, 日累计 300 元; 动态密码版: 单笔 1000 元, 日累计 5000 元; 证书版: 单笔 100 万元, 日累计 100 万元' },
] as const satisfies readonly WebBankingBank[];

/** A web-banking bank code of spec 6.5. */
export type WebBankingBankCode = (typeof WEB_BANKING_BANKS)[number]['code'];

/** Any bank code of spec 6.4 or 6.5 (the `bank_code` request field). */
export type BankCode = QuickPayBankCode | WebBankingBankCode;

const quickByCode = new Map<string, QuickPayBank>();
for (const b of QUICK_PAY_BANKS) if (!quickByCode.has(b.code)) quickByCode.set(b.code, b);
const webByCode = new Map<string, WebBankingBank>(WEB_BANKING_BANKS.map((b) => [b.code, b]));

/**
 * The quick-pay bank of a code (spec 6.4), or undefined.
 *
 * @example
 * ```ts
 * quickPayBank('01020000')?.name // '工商银行'
 * ```
 */
export function quickPayBank(code: string): QuickPayBank | undefined {
  return quickByCode.get(code);
}

/** The web-banking bank of a code (spec 6.5), or undefined. */
export function webBankingBank(code: string): WebBankingBank | undefined {
  return webByCode.get(code);
}

/** Whether a string is a bank code listed in 6.4 or 6.5. */
export function isBankCode(code: unknown): code is BankCode {
  return typeof code === 'string' && (quickByCode.has(code) || webByCode.has(code));
}

/**
 * Checks a request's `bank_code` against the tables (spec 4.1: used with `pay_type` to jump to the
 * bank's page): quick pay (`pay_type` 2 debit, 3 credit) needs a 6.4 bank taking that card kind,
 * web banking (1 debit, 8 credit) a 6.5 bank (taking credit cards for 8); other pay types, or none,
 * a code of either table. An `InvalidRequest` at `path` says which table and row to look at.
 *
 * @example
 * ```ts
 * checkBankCode('03060000', '2', 'extra.bankCode') // Err: 广发银行 takes credit cards only for quick pay
 * ```
 */
export function checkBankCode(code: string, payType: string | undefined, path: string): PayResult<void> {
  return guard('lianlian-web.checkBankCode', () => {
    const quick = quickPayBank(code);
    const web = webBankingBank(code);
    const fail = (why: string): PayResult<void> => err(PaymentErrors.invalidRequest(`${path} ${code.slice(0, 8)} ${why}`, { path }));
    if (quick === undefined && web === undefined) return fail('is not a bank code of spec 6.4 (quick pay) or 6.5 (web banking)');
    if (payType === '2' || payType === '3') {
      const debit = payType === '2';
      if (quick === undefined) return fail(`is not a quick-pay bank (spec 6.4), as pay_type ${payType} needs`);
      if (debit ? !quick.debit : !quick.credit) return fail(`(${quick.name}, spec 6.4 row ${quick.seq}) takes no ${debit ? 'debit' : 'credit'} cards for quick pay (pay_type ${payType})`);
    }
    if (payType === '1' || payType === '8') {
      if (web === undefined) return fail(`is not a web-banking bank (spec 6.5), as pay_type ${payType} needs`);
      if (payType === '8' && !web.credit) return fail(`(${web.name}, spec 6.5 row ${web.seq}) takes no credit cards for web banking (pay_type 8)`);
    }
    return ok(undefined);
  });
}
