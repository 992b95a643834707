// The public 好评榜 page (pure: a view → one HTML document). Chinese first, English second; no
// script, one small inline style sheet, a period picker made of links and a GET form; readable on a
// 360-px phone with large type. Every text from data is escaped.
import { escapeHtml } from '../pages/simple-page.ts';
import type { HonorClass, HonorEntry, HonorRollView, PeriodRef, Seal } from './honor-roll.ts';

export const HONOR_ROLL_PATH = '/honor-roll';
export const HONOR_ROLL_API_PATH = '/api/v1/public/honor-roll';
/** The command that checks a published snapshot: SM3 digest, SM2 signature, and every figure recomputed from the ledger. */
export const verifyCommand = (periodKey: string) => `npm run cli -- verify-snapshot ${periodKey}`;

const STYLE = `body{font:18px/1.6 system-ui,-apple-system,"PingFang SC","Microsoft YaHei",sans-serif;margin:0;color:#111;background:#fff}
main{max-width:44em;margin:0 auto;padding:8px 14px 32px}h1{font-size:25px;line-height:1.3;margin:12px 0 4px}
h2{font-size:21px;line-height:1.35;margin:28px 0 6px;padding-bottom:4px;border-bottom:3px solid #b91c1c}
.en{color:#444;font-size:15px;font-weight:normal}p{margin:6px 0}
.status{padding:8px 12px;border-left:6px solid #6b7280;background:#f3f4f6;margin:12px 0}
.status.published{border-color:#15803d;background:#f0fdf4}.status.live{border-color:#b45309;background:#fffbeb}
ol.roll{list-style:none;margin:0;padding:0}ol.roll li{display:flex;align-items:flex-start;border-bottom:1px solid #d4d4d4;padding:10px 0}
.rank{flex:0 0 2.2em;margin:0;text-align:center;font-size:24px;font-weight:bold;line-height:1.2}
.rank small{display:block;font-size:13px;font-weight:normal;color:#b91c1c}
.unit{flex:1 1 auto;min-width:0}.name{margin:0;font-weight:bold;overflow-wrap:break-word;word-wrap:break-word;word-break:break-word}
.figs{display:flex;flex-wrap:wrap;margin:2px 0 0}.figs div{margin:0 14px 0 0}
.figs dt{font-size:14px;line-height:1.3;color:#444}.figs dt span{display:block;font-size:12px}.figs dd{margin:0;font-size:19px;line-height:1.4}
.jump a{margin-right:14px}
.sr{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.note li{margin:6px 0}.seal dt{font-size:15px;color:#444;margin-top:6px}.seal dd{margin:0}
code{font-size:15px;overflow-wrap:break-word;word-wrap:break-word;word-break:break-all;background:#f3f4f6;padding:0 3px}
nav a{display:inline-block;padding:6px 10px;margin:4px 6px 4px 0;border:1px solid #1a56db;border-radius:6px;color:#1a56db;text-decoration:none}
nav a[aria-current]{background:#1a56db;color:#fff}a:focus,input:focus,button:focus{outline:3px solid #1a56db;outline-offset:2px}
label{display:block;margin-top:8px}input{font-size:18px;padding:8px;width:9em;max-width:60%;border:2px solid #555;border-radius:6px}
button{font-size:18px;padding:8px 14px;margin-left:6px;border:2px solid #111;border-radius:6px;background:#fff}`;

const e = escapeHtml;
const en = (text: string) => `<span class="en" lang="en">${e(text)}</span>`;

const MONTHS_EN = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December'];

/** A period in words: 2026年10月 / October 2026. */
export function periodName(period: Pick<PeriodRef, 'kind' | 'key' | 'fromDay'>): { zh: string; en: string } {
  const year = period.fromDay.slice(0, 4);
  const month = Number(period.fromDay.slice(5, 7));
  const day = Number(period.fromDay.slice(8, 10));
  switch (period.kind) {
    case 'year':
      return { zh: `${year}年度`, en: year };
    case 'quarter':
      return { zh: `${year}年第${period.key.slice(-1)}季度`, en: `Q${period.key.slice(-1)} ${year}` };
    case 'month':
      return { zh: `${year}年${month}月`, en: `${MONTHS_EN[month - 1] ?? ''} ${year}` };
    case 'week':
      return { zh: `${period.key.slice(0, 4)}年第${Number(period.key.slice(-2))}周`, en: `Week ${Number(period.key.slice(-2))} of ${period.key.slice(0, 4)}` };
    case 'day':
      return { zh: `${year}年${month}月${day}日`, en: `${day} ${MONTHS_EN[month - 1] ?? ''} ${year}` };
  }
}

/** Beijing time, to the minute: 2026-11-20 10:00. */
export const beijingMinute = (instant: Date) => new Date(instant.getTime() + 8 * 3600_000).toISOString().slice(0, 16).replace('T', ' ');

export const formatCount = (n: number) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
export const formatScore = (score: number) => score.toFixed(2);
export const formatRate = (rate: number | null) => (rate === null ? '—' : `${(rate * 100).toFixed(2)}%`);

export const pageUrl = (key: string) => `${HONOR_ROLL_PATH}?period=${encodeURIComponent(key)}`;
export const apiUrl = (key: string) => `${HONOR_ROLL_API_PATH}?period=${encodeURIComponent(key)}`;

function entryHtml(entry: HonorEntry): string {
  const tied = entry.tied ? `<small>并列 <span lang="en">tied</span></small>` : '';
  const figure = (zh: string, english: string, value: string) => `<div><dt>${zh} <span lang="en">${english}</span></dt><dd>${e(value)}</dd></div>`;
  return (
    `<li><p class="rank"><span class="sr">第</span>${entry.rank}<span class="sr">名</span>${tied}</p>` +
    `<div class="unit"><p class="name">${e(entry.name)}</p><dl class="figs">` +
    figure('综合得分', 'Score', formatScore(entry.compositeScore)) +
    figure('好评率', 'Good rate', formatRate(entry.goodRate)) +
    figure('评价数', 'Evaluations', formatCount(entry.evaluations)) +
    `</dl></div></li>`
  );
}

function classHtml(c: HonorClass, minimumVolume: number): string {
  const id = `class-${c.unitClass}`;
  const list =
    c.entries.length === 0
      ? `<p>本期没有单位达到参加排名的评价量。${en('No unit reached the volume needed to be ranked in this period.')}</p>`
      : `<ol class="roll" aria-labelledby="${id}">${c.entries.map(entryHtml).join('')}</ol>`;
  const counted = c.rankedCount > c.entries.length ? `<p>共 ${c.rankedCount} 个单位参加排名。${en(`${c.rankedCount} units were ranked in all.`)}</p>` : '';
  const below =
    c.belowMinimumCount > 0
      ? `<p>另有 ${c.belowMinimumCount} 个单位本期主动评价不足 ${minimumVolume} 条，未参加排名。${en(
          `${c.belowMinimumCount} more ${c.belowMinimumCount === 1 ? 'unit' : 'units'} had fewer than ${minimumVolume} active evaluations and ${c.belowMinimumCount === 1 ? 'was' : 'were'} not ranked.`,
        )}</p>`
      : '';
  return `<section><h2 id="${id}">${e(c.name.zh)} ${en(c.name.en)}</h2>${list}${counted}${below}</section>`;
}

function statusHtml(view: HonorRollView, name: { zh: string; en: string }): string {
  switch (view.status) {
    case 'published':
      return `<p class="status published"><strong>已发布</strong> ${en('Published')}<br>${view.seal ? `关账时间 ${e(beijingMinute(view.seal.closedAt))}（北京时间）${en(`closed at ${beijingMinute(view.seal.closedAt)} Beijing time`)}` : ''}</p>`;
    case 'live':
      return (
        `<div class="status live"><p><strong>实时（未发布）</strong> ${en('Live, provisional')}</p>` +
        `<p>${e(name.zh)}尚未结束，以下是截至 ${e(view.asOf ? beijingMinute(view.asOf) : '')}（北京时间）的实时排名，会随新的评价变化，以关账发布的结果为准。</p>` +
        `<p>${en(`${name.en} is not over: this is the ranking as of ${view.asOf ? beijingMinute(view.asOf) : ''} Beijing time, and it changes as evaluations arrive. The figures published when the period is closed are the ones that count.`)}</p></div>`
      );
    case 'not_published':
      return (
        `<div class="status"><p><strong>${e(name.zh)}的结果尚未发布。</strong> ${en(`The figures for ${name.en} are not published yet.`)}</p>` +
        (view.pending === 'not_ended'
          ? `<p>该周期尚未结束。${en('The period has not ended.')}</p>`
          : `<p>周期结束后，经关账并签名方可发布，请稍后再看。${en('Figures are published once the period has ended and been closed and signed; please look again later.')}</p>`) +
        `</div>`
      );
  }
}

function sealHtml(seal: Seal, schemeVersion: string, periodKey: string): string {
  const command = verifyCommand(periodKey);
  return (
    `<section><h2 id="verify">数据核验 ${en('Verification')}</h2>` +
    `<p>本期数字关账后由系统自动生成，并用国密 SM2 签名；命令 <code>${e(command)}</code> 核验签名，并由评价台账重新计算全部数字。</p>` +
    `<p>${en('The figures of this period were generated by the system when it was closed and are signed with SM2; the command')} <code lang="en">${e(command)}</code> ${en('checks the signature and recomputes every figure from the evaluation ledger.')}</p>` +
    `<dl class="seal"><dt>摘要（SM3）${en('Digest (SM3)')}</dt><dd><code>${e(seal.digest)}</code></dd>` +
    `<dt>签名密钥 ${en('Signing key id')}</dt><dd><code>${e(seal.keyId)}</code></dd>` +
    `<dt>计分方案版本 ${en('Scoring scheme version')}</dt><dd>${e(schemeVersion)}</dd></dl></section>`
  );
}

function pickerHtml(view: Pick<HonorRollView, 'published' | 'currentMonth'>, shownKey: string | null, inputValue: string): string {
  const link = (key: string, label: string) => `<a href="${e(pageUrl(key))}"${key === shownKey ? ' aria-current="page"' : ''}>${label}</a>`;
  const current = view.currentMonth;
  const links = [link(current.key, `本月（实时）<span lang="en">This month (live)</span>`)]
    .concat(view.published.filter((p) => p.key !== current.key).map((p) => link(p.key, e(periodName(p).zh))))
    .join('');
  return (
    `<nav aria-labelledby="periods"><h2 id="periods">其他周期 ${en('Other periods')}</h2><p>${links}</p>` +
    `<form method="get" action="${HONOR_ROLL_PATH}"><label for="period">输入周期，如 2026-10、2026-Q3、2026 ${en('A period, e.g. 2026-10, 2026-Q3, 2026')}</label>` +
    `<input id="period" name="period" value="${e(inputValue)}" maxlength="30" autocomplete="off" spellcheck="false">` +
    `<button type="submit">查看 <span lang="en">Show</span></button></form></nav>`
  );
}

function htmlDocument(title: string, body: string): string {
  return `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${e(title)}</title><style>${STYLE}</style></head><body><main>${body}</main></body></html>`;
}

const HEADING = `<h1>政务服务“好差评”好评榜 ${en('Honor roll of government services')}</h1>`;

/** The honor roll page of one period. */
export function renderHonorRoll(view: HonorRollView): string {
  const name = periodName(view.period);
  const { fromDay, toDay } = view.period;
  const roll = view.roll;
  const body =
    HEADING +
    `<p><strong>${e(name.zh)}</strong> ${en(name.en)}<br>统计周期 ${e(fromDay)} 至 ${e(toDay)} ${en(`period ${fromDay} to ${toDay}`)}</p>` +
    statusHtml(view, name) +
    `<p class="jump">${roll ? `<a href="#method">计分方法 <span lang="en">How scores work</span></a>` : ''}<a href="#periods">其他周期 <span lang="en">Other periods</span></a></p>` +
    (roll ? roll.classes.map((c) => classHtml(c, roll.minimumVolume)).join('') : '') +
    (roll
      ? `<section class="note"><h2 id="method">计分方法 ${en('How the score is computed')}</h2><ul>${roll.note.zh.map((l) => `<li>${e(l)}</li>`).join('')}</ul>` +
        `<ul lang="en" class="en">${roll.note.en.map((l) => `<li>${e(l)}</li>`).join('')}</ul></section>`
      : '') +
    (roll && view.seal ? sealHtml(view.seal, roll.schemeVersion, view.period.key) : '') +
    pickerHtml(view, view.period.key, view.period.key) +
    `<p><a href="${e(apiUrl(view.period.key))}">数据（JSON）<span lang="en">Data (JSON)</span></a></p>`;
  return htmlDocument(`${name.zh}好评榜 · Honor roll ${name.en}`, body);
}

/** A page that explains a problem (a malformed period) and still offers the picker. */
export function renderProblem(zh: string, english: string, picker: Pick<HonorRollView, 'published' | 'currentMonth'>, inputValue: string): string {
  return htmlDocument('好评榜 · Honor roll', `${HEADING}<div class="status" role="alert"><p><strong>${e(zh)}</strong></p><p>${en(english)}</p></div>${pickerHtml(picker, null, inputValue)}`);
}
