// Goods category codes of spec 6.3 (商品类目代码表), used in risk_item.frms_ware_category.

/** A first-level group of the goods category table (一级分类). */
export type GoodsCategoryGroup = '非实名虚拟' | '实名类' | '公共、教育类缴费' | '实物类' | '大额类';

/** One row of spec 6.3. */
export interface GoodsCategory {
  /** 一级分类. */
  readonly group: GoodsCategoryGroup;
  /** 二级分类 (the category's name). */
  readonly name: string;
  /** 说明 (examples), empty where the spec gives none. */
  readonly description: string;
}

/** Spec 6.3 keyed by 商品类目代码. */
export const GOODS_CATEGORIES = {
  '1001': { group: '非实名虚拟', name: '虚拟卡销售', description: '话费卡、游戏点卡' },
  '1002': { group: '非实名虚拟', name: '虚拟账户充值', description: '其他钱包充值' },
  '1003': { group: '非实名虚拟', name: '数字娱乐', description: '网络游戏道具、装备购买;彩铃/影音充值/歌曲下载' },
  '1004': { group: '非实名虚拟', name: '网络虚拟服务', description: '门户/资讯/论坛/网络小说/搜索引擎/网络广告/网络推广费/视频制作费' },
  '1005': { group: '非实名虚拟', name: '网络推广销售', description: '团购/优惠/促销/打折卡' },
  '1006': { group: '非实名虚拟', name: '娱乐票务', description: '影票/演唱会/赛事/舞台剧等娱乐票务' },
  '1007': { group: '非实名虚拟', name: '博彩类', description: '彩票' },
  '1008': { group: '非实名虚拟', name: '中介\\咨询服务', description: '中介/招聘/婚介交友/返利 咨询(医疗咨询除外),法律咨询、金融咨询等' },
  '1009': { group: '非实名虚拟', name: '生活服务', description: '家政/婚庆服务/摄影服务/印刷/维修服务/排版/刻板;物流/快递服务' },
  '1010': { group: '非实名虚拟', name: '个人话费充值', description: '移动手机充值' },
  '1999': { group: '非实名虚拟', name: '其他', description: '其他特殊虚拟类或无法归类商品或服务' },
  '2001': { group: '实名类', name: '商旅机票类', description: '航空机票、酒订预订(国内、国际)' },
  '2002': { group: '实名类', name: '旅游票务', description: '旅馆/酒店/景区/度假区;汽车票/船票等长途交通票务' },
  '2003': { group: '实名类', name: '证券', description: '' },
  '2004': { group: '实名类', name: '基金', description: '' },
  '2005': { group: '实名类', name: '保险', description: '' },
  '2006': { group: '实名类', name: '贵金属交易', description: '' },
  '2007': { group: '实名类', name: '技术开发、软件服务', description: '各类软件(学习/办公管理等)销售、开发或服务费' },
  '2008': { group: '实名类', name: '娱乐/健身服务', description: '美容/健身类会所、会员服务、套餐;会员制俱乐部/高尔夫球场/休闲会所' },
  '2009': { group: '实名类', name: 'P2P 小额贷款', description: '' },
  '2999': { group: '实名类', name: '其他', description: '其他特殊有实名信息但虚拟类商品或服务' },
  '3001': { group: '公共、教育类缴费', name: '教育、学费', description: '教育/培训/考试缴费/学费' },
  '3002': { group: '公共、教育类缴费', name: '公共事业缴费', description: '水电煤缴费/交通罚款/城市交通卡等生活缴费' },
  '3999': { group: '公共、教育类缴费', name: '其他', description: '其他特殊低风险业务' },
  '4001': { group: '实物类', name: '家居百货', description: '服装/鞋帽/饰品;家居、建材、装饰、布艺类;母婴、玩具;装饰园艺/工艺品/盆栽/室内装饰品/摆设等' },
  '4002': { group: '实物类', name: '书籍/音像/文具', description: '书籍刊物/音像制品;文具/办公设备/耗材;乐器' },
  '4003': { group: '实物类', name: '五金器材', description: '摩托/自行车/配件/改装;健身器材' },
  '4004': { group: '实物类', name: '数码家电', description: '家用电器、手机、相机等' },
  '4005': { group: '实物类', name: '礼品、保健品', description: '化妆品/保健品/滋补品' },
  '4006': { group: '实物类', name: '药品', description: '处方药/非处方药' },
  '4007': { group: '实物类', name: '收藏、工艺品', description: '古董、工艺品、黄金、首饰' },
  '4008': { group: '实物类', name: '农产品', description: '粮食、蔬果、活禽、家畜、网类等' },
  '4100': { group: '实物类', name: '外贸出口类', description: '综合分类' },
  '4999': { group: '实物类', name: '其他', description: '其他特殊实物类商品' },
  '5001': { group: '大额类', name: '房地产', description: '' },
  '5002': { group: '大额类', name: '汽车', description: '' },
  '5003': { group: '大额类', name: '奢侈品', description: '高档奢侈品(名牌手表、箱包等)' },
  '5999': { group: '大额类', name: '其他', description: '其他大额或奢侈品商品' },
} as const satisfies Readonly<Record<string, GoodsCategory>>;

/** A goods category code of spec 6.3. */
export type GoodsCategoryCode = keyof typeof GOODS_CATEGORIES;

/** Whether a value is a goods category code of spec 6.3. */
export function isGoodsCategoryCode(v: unknown): v is GoodsCategoryCode {
  return typeof v === 'string' && Object.prototype.hasOwnProperty.call(GOODS_CATEGORIES, v);
}
