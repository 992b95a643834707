import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { invitationText, parseSmsReply, planInvitation, quietHoursEnd, REPLY_INSTRUCTIONS, thanksText, type InvitationFacts } from './rules.ts';

const WORDS: Array<[string, number]> = [
  ['非常满意', 5],
  ['满意', 4],
  ['基本满意', 3],
  ['不满意', 2],
  ['非常不满意', 1],
];
const FULL_WIDTH = ['１', '２', '３', '４', '５'];
// Spaces (ASCII, ideographic, no-break), punctuation (ASCII and CJK), symbols, a zero-width space, line breaks.
const NOISE = [' ', '\u3000', '\u00a0', '\u200b', '\n', '\r\n', '\t', '。', '，', '！', '.', ',', '!', '～', '~', '“', '”', '【', '】', '(', ')', '、', '…', '👍', '\ufe0f'];
const noise = fc.array(fc.constantFrom(...NOISE), { maxLength: 4 }).map((parts) => parts.join(''));

describe('parseSmsReply', () => {
  it('reads the digits, full-width digits and the five level words', () => {
    for (let level = 1; level <= 5; level++) {
      expect(parseSmsReply(String(level))).toEqual({ kind: 'level', level });
      expect(parseSmsReply(FULL_WIDTH[level - 1] ?? '')).toEqual({ kind: 'level', level });
    }
    for (const [word, level] of WORDS) expect(parseSmsReply(word), word).toEqual({ kind: 'level', level });
  });

  it('matches the whole text: 满意 inside 不满意 or 非常满意 never counts alone', () => {
    expect(parseSmsReply('不满意')).toEqual({ kind: 'level', level: 2 });
    expect(parseSmsReply('非常不满意')).toEqual({ kind: 'level', level: 1 });
    for (const text of ['满意吗', '不太满意', '我很满意', '满意满意', '5分', '55', '5 4', '0', '6', '12', '五', '好评', '']) {
      expect(parseSmsReply(text), text).toEqual({ kind: 'unknown' });
    }
  });

  it('ignores spaces and punctuation around and inside the answer, whatever they are', () => {
    const answers = fc.constantFrom<[string, number]>(...WORDS, ...FULL_WIDTH.map((d, i): [string, number] => [d, i + 1]), ['1', 1], ['2', 2], ['3', 3], ['4', 4], ['5', 5]);
    fc.assert(
      fc.property(answers, noise, noise, noise, ([answer, level], before, inside, after) => {
        const chars = [...answer];
        const cut = Math.floor(chars.length / 2);
        const text = `${before}${chars.slice(0, cut).join('')}${chars.length > 1 ? inside : ''}${chars.slice(cut).join('')}${after}`;
        expect(parseSmsReply(text)).toEqual({ kind: 'level', level });
      }),
    );
  });

  it('finds no rating in anything else', () => {
    const valid = new Set(['1', '2', '3', '4', '5', 'T', 'TD', '退订', ...WORDS.map(([w]) => w)]);
    fc.assert(
      fc.property(fc.string({ maxLength: 12, unit: 'grapheme' }), (text) => {
        const folded = text.normalize('NFKC').replace(/[\p{P}\p{S}\p{M}\p{Z}\p{Cc}\p{Cf}]/gu, '').toUpperCase();
        fc.pre(!valid.has(folded));
        expect(parseSmsReply(text)).toEqual({ kind: 'unknown' });
      }),
    );
    for (const digit of ['0', '6', '7', '8', '9', '０', '６']) expect(parseSmsReply(digit)).toEqual({ kind: 'unknown' });
  });

  it('finds no rating in an answer with a word added, unless that makes another answer', () => {
    const valid = new Set(['1', '2', '3', '4', '5', ...WORDS.map(([w]) => w)]);
    const answers = fc.constantFrom('1', '2', '3', '4', '5', '２', ...WORDS.map(([w]) => w));
    const extra = fc.constantFrom('好', '分', '星', '吗', '很', '太', '不', '非常', '基本', 'a', '0', '6', '5');
    fc.assert(
      fc.property(answers, extra, fc.nat(), (answer, word, at) => {
        const chars = [...answer];
        const cut = at % (chars.length + 1);
        const text = `${chars.slice(0, cut).join('')}${word}${chars.slice(cut).join('')}`;
        const result = parseSmsReply(text);
        if (valid.has(text.normalize('NFKC'))) expect(result.kind).toBe('level');
        else expect(result).toEqual({ kind: 'unknown' });
      }),
    );
  });

  it('notes an opt-out (T, TD, 退订, any case or width)', () => {
    for (const text of ['T', 't', 'TD', 'td', 'ＴＤ', ' 退订 ', '退订。']) expect(parseSmsReply(text), text).toEqual({ kind: 'unsubscribe' });
    expect(parseSmsReply('5\ufe0f\u20e3')).toEqual({ kind: 'level', level: 5 }); // the keycap emoji 5️⃣
  });
});

describe('quietHoursEnd', () => {
  const quiet = { startHour: 21, endHour: 8 };
  // Beijing = UTC+8: 21:00 Beijing is 13:00 UTC, 08:00 Beijing is 00:00 UTC.
  it('is null outside the quiet hours and the next 08:00 Beijing inside them', () => {
    expect(quietHoursEnd(new Date('2026-11-20T12:59:59Z'), quiet)).toBeNull(); // 20:59:59
    expect(quietHoursEnd(new Date('2026-11-20T13:00:00Z'), quiet)).toEqual(new Date('2026-11-21T00:00:00Z')); // 21:00 → next 08:00
    expect(quietHoursEnd(new Date('2026-11-20T15:30:00Z'), quiet)).toEqual(new Date('2026-11-21T00:00:00Z')); // 23:30
    expect(quietHoursEnd(new Date('2026-11-20T16:00:00Z'), quiet)).toEqual(new Date('2026-11-21T00:00:00Z')); // 00:00 next day
    expect(quietHoursEnd(new Date('2026-11-20T23:59:59Z'), quiet)).toEqual(new Date('2026-11-21T00:00:00Z')); // 07:59:59
    expect(quietHoursEnd(new Date('2026-11-21T00:00:00Z'), quiet)).toBeNull(); // 08:00
  });

  it('handles hours within one day, and none', () => {
    expect(quietHoursEnd(new Date('2026-11-20T05:00:00Z'), { startHour: 12, endHour: 14 })).toEqual(new Date('2026-11-20T06:00:00Z')); // 13:00 → 14:00
    expect(quietHoursEnd(new Date('2026-11-20T07:00:00Z'), { startHour: 12, endHour: 14 })).toBeNull();
    expect(quietHoursEnd(new Date('2026-11-20T15:00:00Z'), null)).toBeNull();
  });

  it('always ends later, inside the next day, outside the quiet hours', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 23 }), fc.date({ min: new Date('2020-01-01Z'), max: new Date('2040-01-01Z'), noInvalidDate: true }), (startHour, endHour, now) => {
        fc.pre(startHour !== endHour);
        const end = quietHoursEnd(now, { startHour, endHour });
        if (end === null) return;
        expect(end.getTime()).toBeGreaterThan(now.getTime());
        expect(end.getTime() - now.getTime()).toBeLessThanOrEqual(24 * 3600_000);
        expect(quietHoursEnd(end, { startHour, endHour })).toBeNull();
      }),
    );
  });
});

describe('planInvitation', () => {
  const completedAt = new Date('2026-11-10T02:00:00Z'); // 10:00 Beijing
  const settings = { inviteAfterDays: 3, quietHours: { startHour: 21, endHour: 8 }, ratingWindowDays: 30 };
  const facts: InvitationFacts = { completedAt, hasPhone: true, optedOut: false, invited: false, rated: false };

  it('waits for N days after completion, then sends', () => {
    expect(planInvitation(facts, new Date('2026-11-12T02:00:00Z'), settings)).toEqual({ kind: 'wait', until: new Date('2026-11-13T02:00:00Z') });
    expect(planInvitation(facts, new Date('2026-11-13T02:00:00Z'), settings)).toEqual({ kind: 'send', windowClosesAt: new Date('2026-12-10T02:00:00Z') });
  });

  it('waits out the quiet hours, also when N days end inside them', () => {
    const lateCompletion = { ...facts, completedAt: new Date('2026-11-10T14:00:00Z') }; // 22:00 Beijing
    expect(planInvitation(lateCompletion, new Date('2026-11-13T14:00:00Z'), settings)).toEqual({ kind: 'wait', until: new Date('2026-11-14T00:00:00Z') });
    expect(planInvitation(lateCompletion, new Date('2026-11-12T02:00:00Z'), settings)).toEqual({ kind: 'wait', until: new Date('2026-11-14T00:00:00Z') });
    expect(planInvitation(lateCompletion, new Date('2026-11-14T00:00:00Z'), settings).kind).toBe('send');
  });

  it('never invites twice, nor for a rated, uncompleted, phoneless or opted-out stage, nor after the window', () => {
    const now = new Date('2026-11-13T02:00:00Z');
    expect(planInvitation({ ...facts, invited: true }, now, settings)).toEqual({ kind: 'skip', reason: 'invited' });
    expect(planInvitation({ ...facts, rated: true }, now, settings)).toEqual({ kind: 'skip', reason: 'rated' });
    expect(planInvitation({ ...facts, completedAt: null }, now, settings)).toEqual({ kind: 'skip', reason: 'not_completed' });
    expect(planInvitation({ ...facts, hasPhone: false }, now, settings)).toEqual({ kind: 'skip', reason: 'no_phone' });
    expect(planInvitation({ ...facts, optedOut: true }, now, settings)).toEqual({ kind: 'skip', reason: 'opted_out' });
    expect(planInvitation(facts, new Date('2026-12-10T02:00:00Z'), settings)).toEqual({ kind: 'skip', reason: 'window_closed' });
    // Quiet hours that end after the window closed: too late.
    const closesAtNight = { ...facts, completedAt: new Date('2026-11-10T15:00:00Z') }; // window closes 23:00 Beijing
    expect(planInvitation(closesAtNight, new Date('2026-12-10T14:00:00Z'), settings)).toEqual({ kind: 'skip', reason: 'window_closed' });
  });
});

describe('invitationText', () => {
  it('names the service, gives the reply instructions and the link, and clips long names', () => {
    const text = invitationText({ orgName: '锦江区政务服务中心', itemName: '个体工商户设立登记'.repeat(4), shortUrl: 'https://hcp.sc.gov.cn/s/7qmr2xw9ab' });
    expect(text.startsWith('【政务服务好差评】')).toBe(true);
    expect(text).toContain(REPLY_INSTRUCTIONS);
    expect(text).toContain('锦江区政务服务中心');
    expect(text).toContain('…”');
    expect(text.endsWith('https://hcp.sc.gov.cn/s/7qmr2xw9ab')).toBe(true);
  });
});

describe('thanksText', () => {
  const facts = (level: number) => ({ level, levelName: String(level), receiptNo: 'R1', replyDays: 15, shortUrl: 'https://e.example/s/abc', receiptUrl: 'https://e.example/r/R1' });
  it('promises a rectification and an answer for a 差评 only', () => {
    for (const level of [1, 2]) expect(thanksText(facts(level)), String(level)).toContain('办理单位将核实整改，并在15日内答复您');
    for (const level of [3, 4, 5]) {
      expect(thanksText(facts(level)), String(level)).toContain('感谢您的评价');
      expect(thanksText(facts(level)), String(level)).not.toContain('核实整改');
    }
  });
});
