// Made-up people for the demo: Chinese names, mobile numbers and resident ID numbers with a correct
// GB 11643 check character. None of them belongs to anybody on purpose.
import { CumulativeSampler, type Random } from './random.ts';

// Common surnames, weighted towards those frequent in Sichuan.
const SURNAMES: ReadonlyArray<readonly [string, number]> = [
  ['王', 9], ['张', 8], ['李', 9], ['刘', 7], ['陈', 8], ['杨', 6], ['黄', 4], ['周', 4], ['吴', 4], ['罗', 4],
  ['何', 4], ['赵', 3], ['胡', 3], ['邓', 3], ['曾', 3], ['唐', 3], ['彭', 3], ['蒋', 2], ['谢', 2], ['杜', 2],
  ['冯', 2], ['吕', 1], ['徐', 2], ['孙', 2], ['马', 2], ['朱', 2], ['郭', 2], ['林', 2], ['高', 2], ['郑', 1],
  ['梁', 1], ['宋', 1], ['许', 1], ['韩', 1], ['曹', 1], ['肖', 2], ['田', 1], ['董', 1], ['袁', 2], ['蔡', 1],
  ['余', 2], ['叶', 1], ['程', 1], ['苏', 1], ['魏', 1], ['丁', 1], ['任', 2], ['姚', 1], ['卢', 1], ['钟', 1],
  ['谭', 1], ['廖', 2], ['熊', 1], ['邱', 1], ['雷', 1], ['龙', 1], ['向', 1], ['严', 1], ['文', 1], ['付', 1],
];

const GIVEN = [
  '伟', '芳', '娜', '敏', '静', '丽', '强', '磊', '军', '洋', '勇', '艳', '杰', '娟', '涛', '明', '超', '秀', '霞', '平',
  '刚', '桂', '英', '华', '玉', '兰', '建', '国', '文', '斌', '红', '梅', '林', '鑫', '浩', '宇', '欣', '怡', '晨', '雪',
  '佳', '俊', '婷', '凯', '瑶', '琳', '波', '辉', '燕', '蓉', '川', '渝', '志', '春', '晓', '云', '海', '峰', '丹', '萍',
  '思', '雨', '梓', '涵', '子', '轩', '博', '诗', '琪', '嘉', '睿', '航', '宏', '成', '德', '兵', '福', '清', '秋', '莉',
];

const SURNAME_SAMPLER = new CumulativeSampler<string>();
for (const [surname, weight] of SURNAMES) SURNAME_SAMPLER.add(surname, weight);

export function chineseName(random: Random): string {
  const surname = SURNAME_SAMPLER.sample(random);
  const given = random.chance(0.7) ? random.pick(GIVEN) + random.pick(GIVEN) : random.pick(GIVEN);
  return surname + given;
}

const MOBILE_PREFIXES = ['130', '131', '132', '133', '135', '136', '137', '138', '139', '150', '151', '152', '153', '155', '157', '158', '159', '166', '173', '177', '180', '181', '182', '183', '186', '187', '188', '189', '191', '198', '199'];

export function mobileNumber(random: Random): string {
  return random.pick(MOBILE_PREFIXES) + String(random.int(0, 99_999_999)).padStart(8, '0');
}

const RESIDENT_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const RESIDENT_CHECK = '10X98765432';

/** The GB 11643 check character of the first 17 digits. */
export function residentIdCheckChar(first17: string): string {
  const sum = RESIDENT_WEIGHTS.reduce((total, weight, i) => total + weight * Number(first17[i]), 0);
  return RESIDENT_CHECK.charAt(sum % 11);
}

/** An 18-character resident ID: region (6), birth date (8), sequence (3, odd for men), check. */
export function residentId(random: Random, regionCode: string, birthYearRange: readonly [number, number] = [1950, 2006]): string {
  const year = random.int(birthYearRange[0], birthYearRange[1]);
  const month = random.int(1, 12);
  const day = random.int(1, new Date(Date.UTC(year, month, 0)).getUTCDate());
  const birth = `${year}${String(month).padStart(2, '0')}${String(day).padStart(2, '0')}`;
  const first17 = `${regionCode}${birth}${String(random.int(0, 999)).padStart(3, '0')}`;
  return first17 + residentIdCheckChar(first17);
}

export interface DemoPerson {
  name: string;
  phone: string;
  certNo?: string;
}
