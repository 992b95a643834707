// The public honor roll over HTTP on both engines: a small province rated in October 2026 (real
// cases, real evaluations through the intake), the live ranking while the month runs, then the
// month closed and signed, and the published figures in JSON and HTML.
import { afterAll, beforeAll, expect, it } from 'vitest';
import { trustedKeysOf } from '../crypto/signing-key.ts';
import { generateSm2KeyPair } from '../crypto/sm.ts';
import { foldLedger } from '../scoring/feed.ts';
import { parsePeriod, type Period } from '../scoring/periods.ts';
import { closePeriod, readSnapshot, verifySnapshot } from '../scoring/snapshots.ts';
import { startSystem, type System } from '../system.ts';
import { testClock } from '../../test/clock.ts';
import { testConfig } from '../../test/config.ts';
import { describeOnEngines } from '../../test/engines.ts';
import { rateUnit, times } from './testing.ts';

const IN_OCTOBER = '2026-10-20T02:00:00.000Z';
const AFTER_CLOSING_DELAY = '2026-11-25T02:00:00.000Z';
const API = '/api/v1/public/honor-roll';

interface Entry {
  rank: number;
  tied: boolean;
  unitId: string;
  name: string;
  displayName: string;
  compositeScore: number;
  goodRate: number | null;
  evaluations: number;
}
interface RollClass {
  unitClass: string;
  entries: Entry[];
  ranked: number;
  belowMinimum: number;
}

describeOnEngines('public honor roll', (database) => {
  const clock = testClock(IN_OCTOBER);
  const config = testConfig({ JOBS_ENABLED: 'false', SCORE_FEED_INTERVAL_MS: '0', RATE_LIMIT_PUBLIC_PER_IP: '1000' });
  const signer = { keyId: 'test-sm2', privateKey: generateSm2KeyPair().privateKey };
  const october = parsePeriod('2026-10') as Period;
  let system: System;
  let departmentId: string;

  const db = () => database().db;
  const get = (url: string, cookie?: string) => system.app.inject({ method: 'GET', url, ...(cookie ? { headers: { cookie } } : {}) });
  const classOf = (body: { classes: RollClass[] }, unitClass: string) => body.classes.find((c) => c.unitClass === unitClass) as RollClass;

  beforeAll(async () => {
    system = await startSystem(config, { database: database(), clock });
    const rate = (regionCode: string, orgName: string, levels: number[]) => rateUnit(db(), config, system.intake, { regionCode, orgName, levels });
    // 锦江区 and 青羊区 are rated alike (a tie); 自流井区 has too few ratings; a provincial department has 差评.
    await rate('510104', '锦江区政务服务中心', [...times(25, 5), ...times(5, 4)]);
    await rate('510105', '青羊区政务服务中心', [...times(25, 5), ...times(5, 4)]);
    await rate('510302', '自流井区政务服务中心', times(5, 5));
    departmentId = (await rate('510000', '四川省<测试>厅', [...times(28, 5), ...times(2, 2)])).id;
    await foldLedger(db());
  }, 120_000);
  afterAll(async () => {
    await system.close();
  });

  it('refuses malformed periods and ranges, in JSON and on the page', async () => {
    const bad = await get(`${API}?period=2026-13`);
    expect(bad.statusCode).toBe(422);
    expect(bad.json().code).toBe('PERIOD_INVALID');
    const range = await get(`${API}?period=2026-10-01..2026-10-05`);
    expect(range.statusCode).toBe(422);
    expect(range.json().code).toBe('PERIOD_KIND_NOT_CLOSABLE');
    const page = await get(`/honor-roll?period=${encodeURIComponent('"><script>x</script>')}`);
    expect(page.statusCode).toBe(422);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.body).toContain('统计周期格式错误');
    expect(page.body).not.toContain('<script>');
    expect(page.body).toContain('<form class="period-form" method="get" action="/honor-roll">');
  });

  it('while October runs, shows its live ranking labelled as not published, and no other period', async () => {
    const live = await get(API);
    expect(live.statusCode, live.body).toBe(200);
    const body = live.json();
    expect(body).toMatchObject({ period: { kind: 'month', key: '2026-10' }, status: 'live', published: false, digest: null, keyId: null, schemeVersion: '2026.1', minimumVolume: 30 });
    expect(body.asOf).toBe(IN_OCTOBER);
    expect(classOf(body, 'county').entries.map((e) => [e.rank, e.tied, e.name])).toEqual([
      [1, true, '锦江区'],
      [1, true, '青羊区'],
    ]);
    expect(live.headers['cache-control']).toBe('public, max-age=60');
    const page = await get('/honor-roll');
    expect(page.body).toContain('实时（未发布）');
    expect(page.body).not.toContain('SM2');
    // Counties are named with their 市（州） on the page; the JSON keeps the signed name beside the public one.
    expect(page.body).toContain('成都市锦江区');
    expect(classOf(body, 'county').entries.map((e) => e.displayName)).toEqual(['成都市锦江区', '成都市青羊区']);

    const september = await get(`${API}?period=2026-09`);
    expect(september.json()).toMatchObject({ status: 'not_published', published: false, pending: 'awaiting_close', classes: [], method: null });
    const december = await get(`${API}?period=2026-12`);
    expect(december.json()).toMatchObject({ status: 'not_published', pending: 'not_ended' });
    expect(december.headers['cache-control']).toBe('public, max-age=300');
    const html = await get('/honor-roll?period=2026-Q3');
    expect(html.statusCode).toBe(200);
    expect(html.body).toContain('2026年第3季度的结果尚未发布');
  });

  it('once October is closed and signed, shows the published figures with their digest and key, ties and the units left unranked', async () => {
    clock.set(AFTER_CLOSING_DELAY);
    await closePeriod(db(), signer, october, 'test', clock());
    const stored = await readSnapshot(db(), 'month', '2026-10');
    expect(stored).toBeDefined();
    // What the page publishes can be checked from the ledger alone.
    expect((await verifySnapshot(db(), 'month', '2026-10', trustedKeysOf(signer))).ok).toBe(true);

    for (const url of [API, `${API}?period=2026-10`]) {
      const response = await get(url);
      expect(response.statusCode, response.body).toBe(200);
      const body = response.json();
      expect(body).toMatchObject({ period: { kind: 'month', key: '2026-10', fromDay: '2026-10-01', toDay: '2026-10-31' }, status: 'published', published: true, digest: stored?.digest, keyId: 'test-sm2', schemeVersion: '2026.1', asOf: null, pending: null });
      expect(body.digest).toMatch(/^[0-9a-f]{64}$/);

      const prefectures = classOf(body, 'prefecture');
      // 成都市 holds both of its rated districts (60 ratings); 自贡市 has 5 and is not ranked.
      expect(prefectures.entries.map((e) => [e.rank, e.tied, e.unitId, e.evaluations])).toEqual([[1, false, '510100', 60]]);
      expect(prefectures.belowMinimum).toBe(20);
      const counties = classOf(body, 'county');
      expect(counties.entries.map((e) => [e.rank, e.tied, e.name, e.evaluations, e.goodRate])).toEqual([
        [1, true, '锦江区', 30, 1],
        [1, true, '青羊区', 30, 1],
      ]);
      expect(counties.entries[0]?.compositeScore).toBe(counties.entries[1]?.compositeScore);
      expect(counties.ranked).toBe(2);
      expect(counties.belowMinimum).toBeGreaterThan(100);
      const departments = classOf(body, 'provincial_department');
      expect(departments.entries).toHaveLength(1);
      expect(departments.entries[0]).toMatchObject({ rank: 1, tied: false, unitId: departmentId, name: '四川省<测试>厅', evaluations: 30, goodRate: 0.9333 });
      expect(departments.entries[0]?.compositeScore).toBeLessThan(counties.entries[0]?.compositeScore ?? 0);
      expect(body.method.zh.join('')).toContain('综合得分 = 评价得分 × 70% + 差评整改得分 × 20% + 调查暗访得分 × 10%');

      // The published numbers are the snapshot's, exactly.
      const documented = stored?.document.rankings.find((r) => r.unitClass === 'county')?.ranked.map((r) => r.compositeScore);
      expect(counties.entries.map((e) => e.compositeScore)).toEqual(documented);
    }
    const named = await get(`${API}?period=2026-10`);
    expect(named.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const latest = await get(API);
    expect(latest.headers['cache-control']).toBe('public, max-age=300');
  });

  it('renders the published month on the page: ties and the scoring note, escaped; the seal on the page on how to verify', async () => {
    const stored = await readSnapshot(db(), 'month', '2026-10');
    const page = await get('/honor-roll?period=2026-10');
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    expect(page.headers['content-security-policy']).toContain("script-src 'none'");
    expect(page.headers['cache-control']).toBe('public, max-age=3600');
    expect(page.headers.vary).toBe('Cookie');
    const html = page.body;
    expect(html).toContain('<html lang="zh-CN">');
    expect(html).toContain('2026年10月');
    expect(html).toContain('2026-10-01 至 2026-10-31');
    // No developer text on the public roll: the seal and the command are on the page on how to verify.
    for (const jargon of [stored?.digest ?? 'missing', 'test-sm2', 'npm run cli', '关账时间']) expect(html).not.toContain(jargon);
    expect(html).toContain('href="/honor-roll/verify?period=2026-10"');
    const verify = await get('/honor-roll/verify?period=2026-10');
    expect(verify.statusCode).toBe(200);
    expect(verify.body).toContain(stored?.digest);
    expect(verify.body).toContain('test-sm2');
    expect(verify.body).toContain('npm run cli -- verify-snapshot 2026-10');
    expect(verify.body).toContain('关账时间');
    expect(html.match(/<small>并列/g)).toHaveLength(2);
    expect(html).toContain('四川省&lt;测试&gt;厅');
    expect(html).not.toContain('四川省<测试>厅');
    expect(html).toContain('另有 20 个单位本期主动评价不足 30 条，未参加排名。');
    expect(html).toContain('<a href="/honor-roll?period=2026-10" aria-current="page">2026年10月</a>');
    // The default page is the same month.
    const latest = await get('/honor-roll');
    expect(latest.body).toContain('<a href="/honor-roll?period=2026-10" aria-current="page">2026年10月</a>');
  });

  it('speaks English by the switch, remembers it in a cookie, and keeps the period', async () => {
    const switched = await get('/honor-roll?period=2026-10&lang=en');
    expect(switched.statusCode).toBe(200);
    expect(switched.body).toContain('<html lang="en">');
    expect(switched.body).toContain('Honor roll of government services');
    expect(switched.body).not.toContain('好评榜');
    expect(String(switched.headers['set-cookie'])).toContain('hcp_lang=en; Path=/');
    // The switch is a GET form back to the same period, in the other language.
    expect(switched.body).toContain('<input type="hidden" name="period" value="2026-10"><button type="submit" class="tool" name="big" value="1" aria-pressed="false">');
    expect(switched.body).toContain('name="lang" value="zh" lang="zh-CN">中文</button>');
    const remembered = await get('/honor-roll?period=2026-10', 'hcp_lang=en');
    expect(remembered.body).toContain('<html lang="en">');
    expect(remembered.headers['set-cookie']).toBeUndefined();
    const big = await get('/honor-roll?period=2026-10', 'hcp_lang=en; hcp_big=1');
    expect(big.body).toContain('<html lang="en" class="big">');
  });

  it('takes HEAD and ignores unknown query parameters', async () => {
    const head = await system.app.inject({ method: 'HEAD', url: '/honor-roll?period=2026-10&from=poster' });
    expect(head.statusCode).toBe(200);
    const json = await get(`${API}?period=2026-10&utm_source=x`);
    expect(json.statusCode).toBe(200);
  });
});
