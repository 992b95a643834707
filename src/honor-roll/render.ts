// The public 好评榜 pages (pure: a view and a language → the page's title and body; the frame, the
// language switch and the style sheet come from src/pages/public-page.ts). One language at a time;
// no script; a period picker made of links and a GET form; readable on a 360-px phone with large
// type. The roll says in plain words that its figures are sealed and can be checked; the details
// for checking them (the closing time, the SM3 digest, the key, the command) are on a page of
// their own, "how to verify". Every text from data is escaped.
import { beijingMinute } from '../clock.ts';
import { sayIn, type Lang, type Say } from '../pages/public-page.ts';
import { escapeHtml } from '../pages/simple-page.ts';
import type { HonorClass, HonorEntry, HonorRollView, PeriodRef, Seal } from './honor-roll.ts';

export const HONOR_ROLL_PATH = '/honor-roll';
export const HONOR_ROLL_VERIFY_PATH = '/honor-roll/verify';
export const HONOR_ROLL_API_PATH = '/api/v1/public/honor-roll';
/** The command that checks a published snapshot: SM3 digest, SM2 signature, and every figure recomputed from the ledger. */
export const verifyCommand = (periodKey: string) => `npm run cli -- verify-snapshot ${periodKey}`;

const e = escapeHtml;

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

export const formatCount = (n: number) => String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
export const formatScore = (score: number) => score.toFixed(2);
export const formatRate = (rate: number | null) => (rate === null ? '—' : `${(rate * 100).toFixed(2)}%`);

export const pageUrl = (key: string) => `${HONOR_ROLL_PATH}?period=${encodeURIComponent(key)}`;
export const verifyUrl = (key: string) => `${HONOR_ROLL_VERIFY_PATH}?period=${encodeURIComponent(key)}`;
export const apiUrl = (key: string) => `${HONOR_ROLL_API_PATH}?period=${encodeURIComponent(key)}`;

/** What a page of this module gives the frame. */
export interface HonorPage {
  title: string;
  body: string;
}

const periodText = (t: Say, period: Pick<PeriodRef, 'kind' | 'key' | 'fromDay'>) => {
  const name = periodName(period);
  return t(name.zh, name.en);
};

function entryHtml(t: Say, entry: HonorEntry): string {
  const tied = entry.tied ? `<small>${t('并列', 'tied')}</small>` : '';
  const figure = (label: string, value: string) => `<div><dt>${label}</dt><dd>${e(value)}</dd></div>`;
  return (
    `<li><p class="rank"><span class="sr">${t('第', 'No. ')}</span>${entry.rank}<span class="sr">${t('名', '')}</span>${tied}</p>` +
    `<div class="unit"><p class="name">${e(entry.displayName)}</p><dl class="figs">` +
    figure(t('综合得分', 'Score'), formatScore(entry.compositeScore)) +
    figure(t('好评率', 'Good rate'), formatRate(entry.goodRate)) +
    figure(t('评价数', 'Ratings'), formatCount(entry.evaluations)) +
    `</dl></div></li>`
  );
}

function classHtml(t: Say, c: HonorClass, minimumVolume: number): string {
  const id = `class-${c.unitClass}`;
  const list =
    c.entries.length === 0
      ? `<p>${t('本期没有单位达到参加排名的评价量。', 'No unit reached the number of ratings needed to be ranked in this period.')}</p>`
      : `<ol class="roll" aria-labelledby="${id}">${c.entries.map((entry) => entryHtml(t, entry)).join('')}</ol>`;
  const counted = c.rankedCount > c.entries.length ? `<p class="hint">${t(`共 ${c.rankedCount} 个单位参加排名。`, `${c.rankedCount} units were ranked in all.`)}</p>` : '';
  const n = c.belowMinimumCount;
  const below =
    n > 0
      ? `<p class="hint">${t(
          `另有 ${n} 个单位本期主动评价不足 ${minimumVolume} 条，未参加排名。`,
          `${n} more ${n === 1 ? 'unit' : 'units'} had fewer than ${minimumVolume} ratings given by people and ${n === 1 ? 'was' : 'were'} not ranked.`,
        )}</p>`
      : '';
  return `<section class="card" aria-labelledby="${id}"><h2 id="${id}">${t(c.name.zh, c.name.en)}</h2>${list}${counted}${below}</section>`;
}

function statusHtml(t: Say, view: HonorRollView): string {
  const name = periodName(view.period);
  switch (view.status) {
    case 'published':
      return (
        `<p class="status published"><strong>${t('已发布', 'Published')}</strong> · ` +
        `${t('数字由系统自动生成并已签名，任何改动都会被发现。', 'The figures were generated by the system and are signed, so any change would show.')} ` +
        `<a href="${e(verifyUrl(view.period.key))}">${t('如何核验', 'How to check them')}</a></p>`
      );
    case 'live': {
      const asOf = view.asOf ? beijingMinute(view.asOf) : '';
      return (
        `<div class="status live"><p><strong>${t('实时（未发布）', 'Live, not yet published')}</strong></p>` +
        `<p>${t(
          `${name.zh}尚未结束，以下是截至 ${asOf}（北京时间）的实时排名，会随新的评价变化，以期末发布的结果为准。`,
          `${name.en} is not over: this is the ranking as of ${asOf} Beijing time, and it changes as ratings arrive. The figures published at the end of the period are the ones that count.`,
        )}</p></div>`
      );
    }
    case 'not_published':
      return (
        `<div class="status"><p><strong>${t(`${name.zh}的结果尚未发布。`, `The figures for ${name.en} are not published yet.`)}</strong></p>` +
        (view.pending === 'not_ended'
          ? `<p>${t('该周期尚未结束。', 'The period has not ended.')}</p>`
          : `<p>${t('周期结束后，数字经系统汇总并签名才发布，请稍后再看。', 'Figures are published once the period has ended and they have been totted up and signed; please look again later.')}</p>`) +
        `</div>`
      );
  }
}

function pickerHtml(t: Say, view: Pick<HonorRollView, 'published' | 'currentMonth'>, shownKey: string | null, inputValue: string): string {
  const link = (key: string, label: string) => `<a href="${e(pageUrl(key))}"${key === shownKey ? ' aria-current="page"' : ''}>${label}</a>`;
  const current = view.currentMonth;
  const links = [link(current.key, t('本月（实时）', 'This month (live)'))]
    .concat(view.published.filter((p) => p.key !== current.key).map((p) => link(p.key, periodText(t, p))))
    .join('');
  return (
    `<nav class="card" aria-labelledby="periods"><h2 id="periods">${t('其他周期', 'Other periods')}</h2><p class="periods">${links}</p>` +
    `<form class="period-form" method="get" action="${HONOR_ROLL_PATH}"><label class="field" for="period">${t('输入周期，如 2026-10、2026-Q3、2026', 'A period, e.g. 2026-10, 2026-Q3, 2026')}</label>` +
    `<input class="text" id="period" name="period" value="${e(inputValue)}" maxlength="30" autocomplete="off" spellcheck="false">` +
    `<button type="submit" class="secondary">${t('查看', 'Show')}</button></form></nav>`
  );
}

const heading = (t: Say) => `<h1 id="top">${t('政务服务“好差评”好评榜', 'Honor roll of government services')}</h1>`;

/** The honor roll page of one period. */
export function renderHonorRoll(view: HonorRollView, lang: Lang): HonorPage {
  const t = sayIn(lang);
  const name = periodName(view.period);
  const { fromDay, toDay } = view.period;
  const roll = view.roll;
  const body =
    `<section class="card" aria-labelledby="top">${heading(t)}` +
    `<p><strong>${t(name.zh, name.en)}</strong> · ${t(`统计周期 ${fromDay} 至 ${toDay}`, `${fromDay} to ${toDay}`)}</p>` +
    statusHtml(t, view) +
    `<p class="jump">${roll ? `<a href="#method">${t('计分方法', 'How scores work')}</a> · ` : ''}<a href="#periods">${t('其他周期', 'Other periods')}</a></p></section>` +
    (roll ? roll.classes.map((c) => classHtml(t, c, roll.minimumVolume)).join('') : '') +
    (roll
      ? `<section class="card note" aria-labelledby="method"><h2 id="method">${t('计分方法', 'How the score is computed')}</h2><ul>${(lang === 'zh' ? roll.note.zh : roll.note.en).map((l) => `<li>${e(l)}</li>`).join('')}</ul>` +
        (view.status === 'published' ? `<p><a href="${e(verifyUrl(view.period.key))}">${t('这些数字可信吗？如何核验', 'Can these figures be trusted? How to check them')}</a></p>` : '') +
        `</section>`
      : '') +
    pickerHtml(t, view, view.period.key, view.period.key);
  return { title: t(`${name.zh}好评榜`, `Honor roll, ${name.en}`), body };
}

function sealHtml(t: Say, seal: Seal, schemeVersion: string, periodKey: string): string {
  const row = (label: string, value: string) => `<div><dt>${label}</dt><dd>${value}</dd></div>`;
  return (
    `<section class="card" aria-labelledby="details"><h2 id="details">${t('本期的核验信息（供技术人员使用）', 'This period’s details for checking (for technical staff)')}</h2>` +
    `<dl class="facts">` +
    row(t('关账时间', 'Closed'), t(`${beijingMinute(seal.closedAt)}（北京时间）`, `${beijingMinute(seal.closedAt)} Beijing time`)) +
    row(t('计分方案版本', 'Scoring scheme version'), e(schemeVersion)) +
    row(t('数字摘要（SM3）', 'Digest (SM3)'), `<span class="code">${e(seal.digest)}</span>`) +
    row(t('签名密钥编号（SM2）', 'Signing key id (SM2)'), `<span class="code">${e(seal.keyId)}</span>`) +
    `</dl>` +
    `<p>${t('在服务器上运行下面的命令，核对签名，并由评价台账重新计算全部数字：', 'On the server, this command checks the signature and recomputes every figure from the ledger of ratings:')}</p>` +
    `<pre class="code" lang="en">${e(verifyCommand(periodKey))}</pre>` +
    `<p><a href="${e(apiUrl(periodKey))}">${t('本期数据（JSON）', 'This period’s data (JSON)')}</a></p></section>`
  );
}

/** How anyone can tell the honor roll's figures are genuine, in plain words, then the period's seal. */
export function renderVerifyPage(view: HonorRollView, lang: Lang): HonorPage {
  const t = sayIn(lang);
  const name = periodName(view.period);
  const roll = view.roll;
  const seal = view.status === 'published' && view.seal && roll ? sealHtml(t, view.seal, roll.schemeVersion, view.period.key) : '';
  const body =
    `<section class="card" aria-labelledby="top"><h1 id="top">${t('如何核验好评榜的数字', 'How to check the honor roll’s figures')}</h1>` +
    `<p>${t('好评榜的数字不是人工填写的。每个月、季度和年度结束后，系统根据全部评价记录自动算出当期的全部数字，保存成一份不能再修改的文件。', 'Nobody types in the honor roll’s figures. When a month, quarter or year ends, the system works out every figure of the period from the record of all ratings and keeps them in a file that cannot be changed afterwards.')}</p>` +
    `<p>${t('这份文件用国家密码标准（SM2）签名。签名就像公章：文件里只要改动一个数字，签名就对不上。', 'That file is signed to the national cryptography standard (SM2). A signature works like an official seal: change a single figure and the signature no longer matches.')}</p>` +
    `<p>${t('评价记录本身也是连环记账的：每条评价都带着前一条的“指纹”，删改任何一条都会被发现。因此，监督部门随时可以由评价记录把全部数字重新算一遍，看是否与发布的一致。', 'The record of ratings is chained too: each rating carries a fingerprint of the one before, so removing or changing any of them shows. The supervising office can therefore recompute every figure from the record at any time and compare it with what was published.')}</p>` +
    `<p>${t('如对某个数字有疑问，可以向当地政务服务管理部门或 12345 热线反映。', 'If a figure looks wrong to you, tell the local government service office or call the 12345 hotline.')}</p></section>` +
    (seal ||
      `<section class="card"><p>${t(`${name.zh}的数字尚未发布，暂时没有可以核验的内容。`, `The figures for ${name.en} are not published yet, so there is nothing to check.`)}</p></section>`) +
    `<p><a href="${e(pageUrl(view.period.key))}">${t(`返回${name.zh}好评榜`, `Back to the honor roll for ${name.en}`)}</a></p>`;
  return { title: t('如何核验好评榜的数字', 'How to check the honor roll’s figures'), body };
}

/** A page that explains a problem (a malformed period) and still offers the picker. */
export function renderProblem(lang: Lang, problem: { zh: string; en: string }, picker: Pick<HonorRollView, 'published' | 'currentMonth'>, inputValue: string): HonorPage {
  const t = sayIn(lang);
  return {
    title: t('好评榜', 'Honor roll'),
    body: `<section class="card" aria-labelledby="top">${heading(t)}<div class="status" role="alert"><p><strong>${t(problem.zh, problem.en)}</strong></p></div></section>${pickerHtml(t, picker, null, inputValue)}`,
  };
}
