// What the demo province is made of: departments, their service items (GB/T 39046 A.1 types),
// hall windows, stage names and the comments raters write. Names follow Sichuan's practice.

export type ItemType = '01' | '02' | '03' | '04' | '05' | '06' | '07' | '08' | '09' | '10' | '20' | 'hotline';

export const ITEM_TYPES: readonly ItemType[] = ['01', '02', '03', '04', '05', '06', '07', '08', '09', '10', '20', 'hotline'];

export interface ItemTemplate {
  name: string;
  type: ItemType;
  /** Relative number of cases. */
  volume: number;
  /** Share of cases handled in person at the hall (the rest online), where the county has a hall. */
  inPerson: number;
  /** Share of applicants that are enterprises (userProp 2); the rest are natural persons. */
  enterprise: number;
  /** Promised time in days; 0 for 即办件, done on the spot. */
  promiseDays: number;
  /** Offered by every department of this kind (otherwise by about two in three). */
  core?: boolean;
}

export interface DepartmentTemplate {
  key: string;
  /** Short name, for 专窗 windows. */
  short: string;
  name(county: string, city: string): string;
  /** 统一社会信用代码 registrar and category: 11 机关, 12 事业单位. */
  prefix: '11' | '12';
  items: ItemTemplate[];
  /** Every county has this department. */
  always?: boolean;
}

const item = (name: string, type: ItemType, volume: number, inPerson: number, enterprise: number, promiseDays: number, core = false): ItemTemplate => ({
  name,
  type,
  volume,
  inPerson,
  enterprise,
  promiseDays,
  ...(core ? { core } : {}),
});

export const COUNTY_DEPARTMENTS: readonly DepartmentTemplate[] = [
  {
    key: 'market',
    short: '市场监管',
    name: (county) => `${county}市场监督管理局`,
    prefix: '11',
    always: true,
    items: [
      item('企业设立登记', '01', 5, 0.35, 1, 1, true),
      item('企业变更登记', '01', 3, 0.3, 1, 1, true),
      item('个体工商户设立登记', '01', 4, 0.5, 0.1, 0, true),
      item('食品经营许可', '01', 2, 0.5, 0.8, 10),
      item('对违反《中华人民共和国食品安全法》行为的行政处罚', '02', 0.3, 0.9, 0.9, 30),
      item('查封、扣押不符合法定要求的产品', '03', 0.15, 1, 1, 15),
      item('食品生产经营监督检查', '06', 0.3, 0.8, 1, 10),
      item('消费者投诉举报处理', '20', 1, 0.3, 0, 7),
    ],
  },
  {
    key: 'police',
    short: '公安户政',
    name: (county, city) => (county.endsWith('区') ? `${city}公安局${county}分局` : `${county}公安局`),
    prefix: '11',
    items: [
      item('居民身份证换领', '20', 6, 1, 0, 15, true),
      item('居民身份证首次申领', '20', 1.5, 1, 0, 15),
      item('户口迁移（迁入）审批', '01', 2, 0.9, 0, 5, true),
      item('普通护照签发', '01', 2, 0.9, 0, 7, true),
      item('往来港澳通行证签发', '01', 1.5, 0.8, 0, 7),
      item('无犯罪记录证明开具', '20', 1.5, 0.5, 0, 3),
      item('见义勇为人员奖励和表彰', '08', 0.05, 1, 0, 30),
    ],
  },
  {
    key: 'hrss',
    short: '人社',
    name: (county) => `${county}人力资源和社会保障局`,
    prefix: '11',
    items: [
      item('社会保障卡申领', '20', 5, 0.6, 0, 10, true),
      item('失业保险金申领', '05', 2, 0.3, 0, 10, true),
      item('工伤认定', '07', 0.5, 0.8, 0.3, 60),
      item('退休人员基本养老金申领', '05', 1.5, 0.6, 0, 20),
      item('劳动保障监察投诉处理', '06', 0.5, 0.7, 0, 30),
      item('技能人才评选表彰奖励', '08', 0.05, 1, 0, 30),
    ],
  },
  {
    key: 'realestate',
    short: '不动产',
    name: (county) => `${county}不动产登记中心`,
    prefix: '12',
    items: [
      item('不动产首次登记', '07', 1.5, 0.9, 0.3, 5, true),
      item('不动产转移登记', '07', 3, 0.85, 0.1, 5, true),
      item('不动产抵押登记', '07', 2, 0.6, 0.4, 3, true),
      item('不动产登记资料查询', '20', 2, 0.7, 0.1, 0),
    ],
  },
  {
    key: 'tax',
    short: '税务',
    name: (county, city) => `国家税务总局${city}${county}税务局`,
    prefix: '11',
    items: [
      item('发票领用', '20', 4, 0.3, 0.9, 0, true),
      item('增值税纳税申报', '10', 3, 0.1, 1, 0, true),
      item('个人所得税综合所得汇算清缴', '10', 2, 0.05, 0, 0),
      item('社会保险费征收', '04', 2, 0.2, 0.5, 0, true),
      item('城镇土地使用税征收', '04', 0.5, 0.3, 1, 0),
      item('税务行政处罚', '02', 0.2, 0.9, 0.9, 15),
    ],
  },
  {
    key: 'medical',
    short: '医保',
    name: (county) => `${county}医疗保障局`,
    prefix: '11',
    items: [
      item('基本医疗保险参保登记', '20', 2, 0.5, 0.2, 0, true),
      item('异地就医备案', '20', 2.5, 0.1, 0, 0, true),
      item('医疗费用手工报销', '05', 2, 0.9, 0, 20, true),
      item('生育津贴支付', '05', 0.8, 0.5, 0, 15),
      item('门诊慢特病待遇认定', '07', 1, 0.7, 0, 15),
    ],
  },
  {
    key: 'civil',
    short: '民政',
    name: (county) => `${county}民政局`,
    prefix: '11',
    items: [
      item('结婚登记', '07', 1.5, 1, 0, 0, true),
      item('离婚登记', '07', 0.5, 1, 0, 30),
      item('最低生活保障审核确认', '05', 1, 0.9, 0, 30, true),
      item('社会团体成立登记', '01', 0.2, 0.8, 1, 30),
    ],
  },
  {
    key: 'natural',
    short: '自然资源',
    name: (county) => `${county}自然资源和规划局`,
    prefix: '11',
    items: [
      item('建设工程规划许可', '01', 0.5, 0.5, 1, 20, true),
      item('乡村建设规划许可', '01', 0.5, 0.8, 0, 20, true),
      item('土地权属争议裁决', '09', 0.1, 1, 0.3, 60),
    ],
  },
  {
    key: 'housing',
    short: '住建',
    name: (county) => `${county}住房和城乡建设局`,
    prefix: '11',
    items: [
      item('建筑工程施工许可', '01', 0.6, 0.4, 1, 7, true),
      item('商品房预售许可', '01', 0.2, 0.6, 1, 10),
      item('对建设工程质量违法行为的行政处罚', '02', 0.1, 1, 1, 30),
    ],
  },
  {
    key: 'transport',
    short: '交通',
    name: (county) => `${county}交通运输局`,
    prefix: '11',
    items: [
      item('道路货物运输经营许可', '01', 0.6, 0.6, 0.8, 10, true),
      item('网络预约出租汽车驾驶员证核发', '01', 0.8, 0.6, 0, 10, true),
      item('对道路运输违法行为的行政处罚', '02', 0.2, 1, 0.6, 30),
    ],
  },
  {
    key: 'health',
    short: '卫健',
    name: (county) => `${county}卫生健康局`,
    prefix: '11',
    items: [
      item('医师执业注册', '01', 0.4, 0.5, 0, 20, true),
      item('公共场所卫生许可', '01', 0.5, 0.6, 1, 10, true),
      item('计划生育家庭奖励扶助金给付', '05', 0.4, 0.8, 0, 30),
    ],
  },
];

/** Items of a county's 政务服务中心 itself. */
export const HALL_ITEMS: readonly ItemTemplate[] = [
  item('12345政务服务便民热线诉求办理', 'hotline', 4, 0, 0, 5, true),
  item('政务服务事项咨询', '20', 1, 1, 0, 0, true),
  item('帮办代办服务', '20', 0.5, 1, 0.3, 1),
];

export interface ProvincialDepartment {
  name: string;
  prefix: '11' | '12';
  kind: 'department' | 'center';
  items: ItemTemplate[];
}

/** Provincial units at 510000. Between them every item type occurs, whatever counties are chosen. */
export const PROVINCIAL_DEPARTMENTS: readonly ProvincialDepartment[] = [
  {
    name: '四川省政务服务和公共资源交易服务中心',
    prefix: '12',
    kind: 'center',
    items: [item('12345政务服务便民热线诉求办理（省级）', 'hotline', 2, 0, 0, 5), item('政务服务事项咨询（省级）', '20', 0.5, 0, 0, 0)],
  },
  {
    name: '四川省市场监督管理局',
    prefix: '11',
    kind: 'department',
    items: [
      item('药品经营许可（批发）', '01', 0.4, 0, 1, 20),
      item('特种设备生产单位许可', '01', 0.3, 0, 1, 20),
      item('对违法广告行为的行政处罚', '02', 0.05, 0, 1, 30),
      item('查封、扣押与特种设备事故有关的特种设备', '03', 0.03, 0, 1, 15),
      item('产品质量监督抽查', '06', 0.1, 0, 1, 20),
    ],
  },
  {
    name: '四川省人力资源和社会保障厅',
    prefix: '11',
    kind: 'department',
    items: [
      item('人力资源服务许可', '01', 0.2, 0, 1, 20),
      item('四川省技术能手评选表彰', '08', 0.05, 0, 0, 30),
      item('职称评审结果确认', '07', 0.3, 0, 0, 20),
    ],
  },
  {
    name: '四川省自然资源厅',
    prefix: '11',
    kind: 'department',
    items: [item('采矿权新立登记', '01', 0.1, 0, 1, 30), item('跨市（州）土地权属争议裁决', '09', 0.02, 0, 0.5, 60)],
  },
  {
    name: '国家税务总局四川省税务局',
    prefix: '11',
    kind: 'department',
    items: [item('车辆购置税征收', '04', 0.5, 0, 0.3, 0), item('纳税信用复评', '10', 0.2, 0, 1, 15)],
  },
  {
    name: '四川省医疗保障局',
    prefix: '11',
    kind: 'department',
    items: [item('省本级参保人员异地就医备案', '20', 0.6, 0, 0, 0), item('省本级离休人员医疗费用报销', '05', 0.1, 0, 0, 20)],
  },
  {
    name: '四川省住房和城乡建设厅',
    prefix: '11',
    kind: 'department',
    items: [item('建筑业企业资质核准', '01', 0.3, 0, 1, 20)],
  },
];

/** The comprehensive windows a hall opens (综合窗口改革), numbered. */
export const HALL_WINDOW_NAMES = {
  comprehensive: (n: number) => `综合受理${n}号窗口`,
  pickup: '出件窗口',
  assisted: '帮办代办窗口',
  special: (short: string) => `${short}专窗`,
};

export const STAGE_NAMES = {
  instant: '受理办结',
  accept: '窗口受理',
  review: '审核办结',
  reviewOnly: '审核',
  pickup: '出件',
  online: '网上办理',
  preReview: '网上预审',
  hotlineAccept: '热线受理',
  hotlineHandle: '承办单位办理',
} as const;

/** Comments by theme; indicator codes map to a theme through their names. */
export const BAD_COMMENTS: Record<string, readonly string[]> = {
  efficiency: ['办理时间太长了，超过承诺时限还没办好', '等了一个多小时才轮到我，效率太低', '材料交上去一个星期都没有消息', '审批拖拉，打电话问也说不清楚什么时候能办好'],
  guide: ['网上办事指南写的材料和窗口要求的不一样', '办事指南说明不清楚，白跑了一趟', '指南上的电话打不通，信息也没有更新'],
  convenience: ['跑了三趟才办好，说好的最多跑一次呢', '同一个材料要在好几个窗口重复交', '只能现场办理，不能网上办，很不方便'],
  platform: ['网站老是卡，提交了好几次都失败', 'APP上传照片一直报错，只能跑去现场', '手机上操作太复杂，老年人根本不会用'],
  waiting: ['排队的人太多了，只开了两个窗口', '中午窗口没人，等了很久'],
  competence: ['工作人员业务不熟，问了半天也说不明白', '窗口人员解答前后矛盾，让我回去补材料又说不用'],
  attitude: ['工作人员态度冷淡，爱理不理', '窗口人员说话很不耐烦', '问了两句就被呛回来了，服务态度差'],
  materials: ['要求提供的证明材料太多，有些明明网上可以查到', '让我开一个根本不需要的证明'],
  other: ['希望改进', '体验不好', '问题一直没有解决'],
};

/** Praise, for services at a hall or over the phone (offline) and for online services. */
export const GOOD_COMMENTS: Record<'offline' | 'online', Record<4 | 5, readonly string[]>> = {
  offline: {
    5: ['工作人员态度很好，办事效率高！', '一次就办好了，点赞', '工作人员耐心解答，非常感谢', '帮办代办服务很贴心，老人也能办', '比以前快多了，十分钟就办完了', '窗口服务热情周到，给政务中心点赞'],
    4: ['整体不错，就是排队稍微久了一点', '办理顺利，指引清楚', '服务挺好的，希望继续保持', '办得挺快，工作人员也客气'],
  },
  online: {
    5: ['网上办理很方便，不用跑腿', '全程网办，足不出户，非常满意', '手机上几分钟就提交了，审核也很快', '一次都没跑就办好了，点赞'],
    4: ['网上办理挺方便，就是上传材料有点慢', '办理顺利，指南写得清楚', '整体不错，希望进度提醒再及时一些'],
  },
};

export const MIDDLING_COMMENTS: readonly string[] = ['还可以，就是等的时间有点长', '材料要求说明可以再清楚一些', '一般吧，希望多开几个窗口', '系统有点慢，其他还行', '办是办好了，但来回跑了两趟'];

export const FOLLOW_UP_COMMENTS = {
  resolved: ['追评：问题已经解决，工作人员主动回访，满意', '追评：后来补办很顺利，感谢跟进', '追评：整改很及时，给个好评'],
  unresolved: ['追评：问题还是没有解决', '追评：回访电话打了，但事情没办好'],
  neutral: ['追评：证件已经拿到了', '追评：后续办理也很顺利', '追评：总体满意'],
};

/** Which comment theme an indicator's Chinese name belongs to. */
export function commentTheme(indicatorName: string): string {
  if (/态度/.test(indicatorName)) return 'attitude';
  if (/等候|等待/.test(indicatorName)) return 'waiting';
  if (/效率/.test(indicatorName)) return 'efficiency';
  if (/指南/.test(indicatorName)) return 'guide';
  if (/便捷|跑动/.test(indicatorName)) return 'convenience';
  if (/平台|操作/.test(indicatorName)) return 'platform';
  if (/熟练|解答|水平/.test(indicatorName)) return 'competence';
  if (/材料/.test(indicatorName)) return 'materials';
  return 'other';
}

/** What a handling org answers a 差评 with, by the theme of the complaint (kept SMS-short). */
export const TICKET_REPLIES: Record<string, readonly string[]> = {
  efficiency: [
    '您好，经核实，您的办件因内部流转延误超出承诺时限，现已办结，我们已优化审批流程并明确各环节时限。感谢您的监督！',
    '您好，您反映的办理时间过长问题属实，已督促承办科室加快办理，并建立超时预警提醒，给您带来不便深表歉意。',
  ],
  guide: [
    '您好，经核实，网上办事指南与窗口要求不一致，我们已更新指南并统一窗口口径，欢迎再次监督。',
    '您好，办事指南中的材料说明和咨询电话已全面更新，同时安排专人定期核对，感谢您的意见。',
  ],
  convenience: [
    '您好，针对您反映的多次跑动问题，该事项已纳入“一窗通办”，材料一次提交、部门内部流转，感谢您的建议。',
    '您好，该事项现已开通网上办理，重复提交的材料改由部门间共享获取，给您带来不便深表歉意。',
  ],
  platform: [
    '您好，您反映的系统卡顿、上传失败问题已由技术团队修复，现已恢复正常；如仍有问题可拨打12345咨询。',
    '您好，我们已优化手机端操作流程并增加适老化模式，窗口也可提供帮办服务，感谢您的反馈。',
  ],
  waiting: [
    '您好，经核实，当天高峰时段窗口开放不足，我们已增设弹性窗口并实行午间不打烊，减少群众等候时间。',
    '您好，我们已调整窗口排班并开通网上预约，高峰时段增派人员，感谢您的监督。',
  ],
  competence: [
    '您好，经核实，窗口工作人员对相关政策掌握不到位，已组织专项业务培训，并安排专人为您跟进后续事项。',
    '您好，您反映的解答前后不一问题属实，我们已统一一次性告知清单并加强业务考核，向您致歉。',
  ],
  attitude: [
    '您好，经核实，窗口工作人员服务态度确有不当，已对其批评教育并纳入月度考核，我们向您诚恳致歉。',
    '您好，针对您反映的服务态度问题，已约谈当事工作人员并开展文明服务培训，感谢您的监督。',
  ],
  materials: [
    '您好，经核实，该证明材料可通过部门间数据共享获取，我们已取消该项要求，后续无需您再提供。',
    '您好，我们已对照清单精简申请材料，可在线核验的证明不再要求群众提供，感谢您的意见。',
  ],
  other: ['您好，您反映的问题我们已认真核实并整改，感谢您对政务服务工作的监督和支持。', '您好，相关问题已由单位负责人督办整改完毕，欢迎您继续监督。'],
};

/** A second reply, after the rater was not satisfied at the callback. */
export const TICKET_SECOND_REPLIES: readonly string[] = [
  '您好，针对回访中您提出的问题，单位负责人已再次督办，相关事项现已办理完毕，并安排专人跟踪回访。',
  '您好，我们重新核查了您的诉求，已协调相关科室一并解决，再次向您致歉，欢迎继续监督。',
];

export const TICKET_APPEAL_REASONS = {
  mistaken: ['经调阅窗口录像和办件记录，评价人误将对其他部门的意见评价至本单位', '回访时评价人表示系误操作，本意为满意，请求撤销该差评'],
  malicious: ['该评价人就同一事项多次给出差评，内容与事实不符，已附情况说明', '评价内容为与办件无关的诉求，经核实不属于本单位服务问题'],
} as const;

export const TICKET_EXTENSION_REASONS: readonly string[] = ['整改涉及业务系统改造，需协调省级平台，申请延期答复', '需会同其他部门会商处理，无法在时限内完成整改'];

export const TICKET_CANNOT_FIX_REASONS: readonly string[] = ['评价人诉求超出法定办理条件，依法无法满足，已向其解释政策依据', '涉及上级部门审批权限，本单位无法整改，已告知评价人办理途径'];

export const TICKET_DECISION_NOTES = {
  appealUpheld: ['经核查，申诉理由成立，该评价不计入考核', '证据充分，同意申诉'],
  appealRefused: ['申诉理由不充分，请继续整改并按时答复', '现有材料不能证明评价失实，驳回申诉'],
  extensionGranted: ['同意延期，请按期完成整改并答复'],
  extensionRefused: ['延期理由不充分，请按原时限答复'],
  cannotFixApproved: ['情况属实，同意按无法整改办结，请做好解释工作'],
  cannotFixRefused: ['不同意，请继续整改并答复评价人'],
} as const;
