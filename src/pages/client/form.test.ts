import { describe, expect, it } from 'vitest';
import { beijingTime, bodyOf, installIdOf, charCount, chooseAnonymous, chooseLevel, emptyForm, newClientId, phoneIsValid, problemsOf, toggleIndicator, type LevelChoice } from './form.ts';

const LEVELS: LevelChoice[] = [
  { level: 5, zh: '非常满意', en: 'Very satisfied', indicators: [{ code: '101', zh: '办事效率高', en: 'Quick' }] },
  { level: 2, zh: '不满意', en: 'Dissatisfied', indicators: [{ code: '401', zh: '办事效率低', en: 'Slow' }, { code: '402', zh: '态度差', en: 'Rude' }] },
];

describe('rating form', () => {
  it('counts characters as the server does: code points, so an emoji is one', () => {
    expect(charCount('好评👍')).toBe(3);
    expect('好评👍'.length).toBe(4);
    expect(problemsOf({ ...emptyForm(), level: 5, comment: '👍'.repeat(10) }, 10)).toEqual([]);
    expect(problemsOf({ ...emptyForm(), level: 5, comment: '👍'.repeat(11) }, 10)).toEqual(['comment']);
  });

  it('needs a level, and at least one indicator for a 差评 only', () => {
    expect(problemsOf(emptyForm(), 500)).toEqual(['level']);
    expect(problemsOf({ ...emptyForm(), level: 2 }, 500)).toEqual(['indicators']);
    expect(problemsOf({ ...emptyForm(), level: 1 }, 500)).toEqual(['indicators']);
    expect(problemsOf({ ...emptyForm(), level: 3 }, 500)).toEqual([]);
    expect(problemsOf({ ...emptyForm(), level: 2, indicators: ['401'] }, 500)).toEqual([]);
  });

  it('drops the indicators of the previous level when another is chosen', () => {
    let model = chooseLevel(emptyForm(), 2, LEVELS);
    model = toggleIndicator(model, '401', true);
    model = toggleIndicator(model, '402', true);
    model = toggleIndicator(model, '401', false);
    expect(model.indicators).toEqual(['402']);
    expect(chooseLevel(model, 5, LEVELS).indicators).toEqual([]);
    expect(chooseLevel(model, 2, LEVELS).indicators).toEqual(['402']);
  });

  it('checks the phone only when the rater leaves one, and sends it only when not anonymous', () => {
    expect(phoneIsValid('+86 138 1234 5678')).toBe(true);
    expect(phoneIsValid('028-86001234')).toBe(true);
    expect(phoneIsValid('1234')).toBe(false);
    expect(problemsOf({ ...emptyForm(), level: 4, anonymous: false, phone: '1234' }, 500)).toEqual(['phone']);
    expect(problemsOf({ ...emptyForm(), level: 4, anonymous: true, phone: '1234' }, 500)).toEqual([]);
    expect(bodyOf({ ...emptyForm(), level: 4, anonymous: false, phone: '138 1234 5678' }, 'c1')).toEqual({ clientId: 'c1', level: 4, indicators: [], anonymous: false, phone: '13812345678', website: '' });
    expect(bodyOf({ ...emptyForm(), level: 4, anonymous: true, phone: '13812345678', comment: '  ' }, 'c1')).toEqual({ clientId: 'c1', level: 4, indicators: [], anonymous: true, website: '' });
  });

  it('is not anonymous for a 差评 unless the rater says so, and anonymous for a good rating', () => {
    const levels: LevelChoice[] = [...LEVELS, { level: 1, zh: '非常不满意', en: 'Very dissatisfied', indicators: [] }];
    expect(emptyForm().anonymous).toBe(true);
    const bad = chooseLevel(emptyForm(), 2, levels);
    expect(bad.anonymous).toBe(false);
    expect(chooseLevel(bad, 5, levels).anonymous).toBe(true);
    expect(chooseLevel(chooseLevel(bad, 5, levels), 1, levels).anonymous).toBe(false);
    // Once the rater has chosen, the level no longer moves the switch, either way.
    const keptAnonymous = chooseAnonymous(bad, true);
    expect(chooseLevel(keptAnonymous, 1, levels).anonymous).toBe(true);
    const keptNamed = chooseAnonymous(chooseLevel(emptyForm(), 5, levels), false);
    expect(chooseLevel(keptNamed, 4, levels).anonymous).toBe(false);
  });

  it('makes client ids the API accepts, with or without crypto.randomUUID', () => {
    const pattern = /^[A-Za-z0-9_-]{8,53}$/;
    expect(newClientId(globalThis.crypto)).toMatch(pattern);
    expect(newClientId({ getRandomValues: (a) => globalThis.crypto.getRandomValues(a) })).toMatch(/^[0-9a-f]{32}$/);
    expect(newClientId(undefined)).toMatch(/^[0-9a-f]{32}$/);
    expect(newClientId(undefined)).not.toBe(newClientId(undefined));
  });

  it('shows times in Beijing time without Intl', () => {
    expect(beijingTime('2026-11-19T02:05:00.000Z')).toBe('2026-11-19 10:05');
    expect(beijingTime('2026-12-31T16:00:00.000Z')).toBe('2027-01-01 00:00');
    expect(beijingTime('nonsense')).toBe('');
  });

  it('keeps one random install id per browser, sends it, and sends none where nothing is kept', () => {
    const kept = new Map<string, string>();
    const storage = { get: (k: string) => kept.get(k) ?? null, set: (k: string, v: string) => void kept.set(k, v) };
    const first = installIdOf(storage, globalThis.crypto);
    expect(first).toMatch(/^[A-Za-z0-9_-]{16,64}$/);
    expect(installIdOf(storage, globalThis.crypto)).toBe(first);
    expect(bodyOf({ ...emptyForm(), level: 5, anonymous: true }, 'c1', first)).toMatchObject({ installId: first });
    const forgetful = { get: () => null, set: () => undefined };
    expect(installIdOf(forgetful, globalThis.crypto)).toBeNull();
  });
});
