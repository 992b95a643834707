import { describe, expect, it } from 'vitest';
import { assessRatings, mergeReasons, type RatingFacts } from './engine.ts';
import { INITIAL_RISK_POLICY as policy, combinedScore } from './policy.ts';
import { abusiveWordsIn, hammingDistance, simHash, normalizeComment, textFingerprint } from './text.ts';
import { networkOf } from './address.ts';

const T0 = Date.parse('2026-12-07T02:00:00Z');
let n = 0;
function rating(overrides: Partial<RatingFacts> & { minute?: number } = {}): RatingFacts {
  n += 1;
  const { minute = 0, ...rest } = overrides;
  const at = new Date(T0 + minute * 60_000);
  return {
    id: `r${n}`, at, level: 5, comment: null, isDefault: false, path: 'link', source: 'hcp-rating-page', deviceId: null,
    installKey: `install-${n}`, networkKey: `net-${n}`, phoneKey: `phone-${n}`, caseId: `case-${n}`, caseStageId: `stage-${n}`,
    orgId: 'org-1', windowId: 'window-1', staffId: `staff-${n}`, completedAt: new Date(at.getTime() - 3_600_000), ...rest,
  };
}
const held = (result: ReturnType<typeof assessRatings>) => result.assessments.filter((a) => a.score >= policy.holdAt).map((a) => a.evaluationId);

describe('text', () => {
  it('near-identical comments are a few bits apart, different ones are not', () => {
    const a = simHash(normalizeComment('张科长帮我把材料补齐了，还主动打电话提醒我来取证'));
    const b = simHash(normalizeComment('张科长帮我把材料补齐了！还主动打电话提醒我来取证。'));
    const c = simHash(normalizeComment('排队两个小时窗口只开了一个，系统还总是卡住'));
    expect(hammingDistance(a, b)).toBe(0);
    expect(hammingDistance(a, c)).toBeGreaterThan(policy.text.maxDistance);
  });
  it('stock praise has no fingerprint, a distinctive comment has one', () => {
    expect(textFingerprint('工作人员很耐心，服务态度很好，非常满意！')).toBeNull();
    expect(textFingerprint('办事效率高，点赞')).toBeNull();
    expect(textFingerprint('帮我查到了十年前的档案，太感动')).not.toBeNull();
  });
  it('finds insults, not fair complaints', () => {
    expect(abusiveWordsIn('这个人就是个废物，去死吧')).toEqual(['去死', '废物']);
    expect(abusiveWordsIn('服务太差，等了两个小时')).toEqual([]);
  });
  it('groups addresses by /24 and /64', () => {
    expect(networkOf('203.0.113.77')).toBe('203.0.113.0/24');
    expect(networkOf('::ffff:203.0.113.9')).toBe('203.0.113.0/24');
    expect(networkOf('2001:db8:1:2:aaaa:bbbb:cccc:dddd')).toBe('2001:db8:1:2::/64');
  });
});

describe('assessRatings', () => {
  it('honest ratings with stock praise from one hall network are not held', () => {
    const honest = Array.from({ length: 30 }, (_, k) => rating({ minute: k * 2, comment: '工作人员很耐心，服务很好', networkKey: 'hall-wifi', staffId: `staff-${k % 5}` }));
    expect(held(assessRatings(honest, honest, policy))).toEqual([]);
  });
  it('a scripted comment on one staff member is a cluster, and earlier members are escalated', () => {
    const script = '李老师业务精通讲解清楚帮助我们解决了大难题';
    const earlier = [rating({ minute: 0, comment: script, staffId: 'staff-x' }), rating({ minute: 5, comment: `${script}！`, staffId: 'staff-x' })];
    const fresh = [rating({ minute: 9, comment: script, staffId: 'staff-x' })];
    const result = assessRatings(fresh, [...earlier, ...fresh], policy);
    expect(held(result)).toEqual([fresh[0]?.id]);
    expect(result.escalations.map((e) => e.evaluationId).sort()).toEqual(earlier.map((r) => r.id).sort());
    expect(result.assessments[0]?.reasons[0]?.code).toBe('near_duplicate_text');
  });
  it('a device pressed at machine speed is held; one quick press alone is not', () => {
    const pressed = Array.from({ length: 4 }, (_, k) => {
      const at = new Date(T0 + k * 120_000);
      return rating({ minute: k * 2, path: 'kiosk', deviceId: 'dev-1', installKey: null, completedAt: new Date(at.getTime() - 2000) });
    });
    expect(held(assessRatings(pressed, pressed, policy))).toHaveLength(4);
    const one = pressed.slice(0, 1);
    expect(held(assessRatings(one, one, policy))).toEqual([]);
  });
  it('one phone giving 差评 on four cases is held; three is not', () => {
    const bad = Array.from({ length: 4 }, (_, k) => rating({ minute: k * 20, level: 1, path: 'sms', phoneKey: 'p1', installKey: null }));
    expect(held(assessRatings(bad, bad, policy))).toHaveLength(4);
    expect(held(assessRatings(bad.slice(0, 3), bad.slice(0, 3), policy))).toEqual([]);
  });
  it('insults aimed at a staff member are held', () => {
    const r = rating({ level: 1, comment: '你就是个废物' });
    expect(held(assessRatings([r], [r], policy))).toEqual([r.id]);
    const fair = rating({ level: 1, comment: '等了两个小时没人管' });
    expect(held(assessRatings([fair], [fair], policy))).toEqual([]);
  });
  it('system default ratings are never assessed as risky', () => {
    const r = rating({ level: 1, comment: '你就是个废物', isDefault: true });
    expect(assessRatings([r], [r], policy).assessments[0]?.score).toBe(0);
  });
  it('combines weights as independent chances and merges reasons by code', () => {
    expect(combinedScore([0.5, 0.6])).toBeCloseTo(0.8);
    const merged = mergeReasons([{ code: 'target_surge', weight: 0.5, detail: {} }], [{ code: 'target_surge', weight: 0.6, detail: {} }, { code: 'abusive_language', weight: 0.75, detail: {} }]);
    expect(merged.map((r) => [r.code, r.weight])).toEqual([['abusive_language', 0.75], ['target_surge', 0.6]]);
  });
});
