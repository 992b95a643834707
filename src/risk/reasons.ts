// What a reviewer reads for each reason code (Chinese first; English for the language switch).
import type { ReasonCode, RiskReason } from './engine.ts';

type Detail = RiskReason['detail'];
const v = (d: Detail, key: string) => String(d[key] ?? '—');

const TEXTS: Record<ReasonCode | 'reported', (d: Detail) => { zh: string; en: string }> = {
  near_duplicate_text: (d) => ({
    zh: `${v(d, 'hours')} 小时内同一${d.scope === 'source' ? '来源' : '对象'}出现 ${v(d, 'count')} 条几乎相同的非常用语评价`,
    en: `${v(d, 'count')} near-identical distinctive comments ${d.scope === 'source' ? 'from one source' : 'on one target'} within ${v(d, 'hours')} h`,
  }),
  machine_speed: (d) => ({
    zh: `${v(d, 'minutes')} 分钟内同一来源有 ${v(d, 'count')} 条评价在办结后 ${v(d, 'seconds')} 秒内提交（人来不及阅读）`,
    en: `${v(d, 'count')} ratings from one source within ${v(d, 'minutes')} min, each under ${v(d, 'seconds')} s after completion (faster than a person reads)`,
  }),
  fast_after_completion: (d) => ({ zh: `办结后 ${v(d, 'seconds')} 秒即评价`, en: `Rated ${v(d, 'seconds')} s after completion` }),
  uniform_timing: (d) => ({
    zh: `${v(d, 'minutes')} 分钟内同一来源对同一对象给出 ${v(d, 'count')} 条同等级评价，办结到评价的间隔相差不超过 ${v(d, 'spread')} 秒`,
    en: `${v(d, 'count')} same-level ratings of one target from one source within ${v(d, 'minutes')} min, delays after completion within ${v(d, 'spread')} s of each other`,
  }),
  phone_velocity: (d) => ({
    zh: `同一手机号 ${v(d, 'hours')} 小时内评价了 ${v(d, 'cases')} 个不同办件${d.bad === 1 ? '（均为差评）' : ''}`,
    en: `One phone rated ${v(d, 'cases')} different cases within ${v(d, 'hours')} h${d.bad === 1 ? ' (all bad)' : ''}`,
  }),
  install_velocity: (d) => ({
    zh: `同一浏览器 ${v(d, 'minutes')} 分钟内评价了 ${v(d, 'subjects')} 个不同对象`,
    en: `One browser rated ${v(d, 'subjects')} different subjects within ${v(d, 'minutes')} min`,
  }),
  network_concentration: (d) => ({
    zh: `同一网段 ${v(d, 'minutes')} 分钟内对同一对象评价 ${v(d, 'count')} 次`,
    en: `${v(d, 'count')} ratings of one target from one network within ${v(d, 'minutes')} min`,
  }),
  target_surge: (d) => ({
    zh: `同一窗口或人员 ${v(d, 'minutes')} 分钟内突然收到 ${v(d, 'count')} 条 ${v(d, 'level')} 级评价`,
    en: `One window or staff member suddenly got ${v(d, 'count')} level-${v(d, 'level')} ratings within ${v(d, 'minutes')} min`,
  }),
  abusive_language: (d) => ({ zh: `差评中含针对工作人员的侮辱性用语：${v(d, 'words')}`, en: `Insults aimed at a staff member in a bad rating: ${v(d, 'words')}` }),
  reported: () => ({ zh: '监管人员举报', en: 'Reported by a supervisor' }),
};

export function describeReason(code: string, detail: Detail): { zh: string; en: string } {
  const text = Object.hasOwn(TEXTS, code) ? TEXTS[code as ReasonCode] : undefined;
  return text ? text(detail) : { zh: code, en: code };
}
