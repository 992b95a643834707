// QR codes through HTTP: a case stage's dynamic code, and an org's posters as a printer gets them:
// the PDF rendered to pictures, every code read back, and each one followed to its place.
import { uuidv7 } from 'uuidv7';
import { afterAll, beforeAll, beforeEach, expect, it } from 'vitest';
import { createStaffAccount } from '../auth/staff-accounts.ts';
import { placeUrl } from '../ratings/places.ts';
import { startSystem, type System } from '../system.ts';
import { testClock } from '../../test/clock.ts';
import { testConfig } from '../../test/config.ts';
import { describeOnEngines } from '../../test/engines.ts';
import { makeCompletedCase, makeIntegrator, makeItem, makeOrg, signedInject, type TestIntegrator } from '../../test/factories.ts';
import { PAGE_POINTS, TEXTS } from './poster-pdf.ts';
import { qrSvg } from './qr.ts';
import { decodeQrPng, pageSizes, renderPdf } from './testing.ts';
import { missingTool } from '../../test/tools.ts';

const NOW = '2026-11-20T06:00:00.000Z'; // 14:00 Beijing
const WINDOWS = ['综合受理窗口', '不动产登记窗口', '社保医保服务窗口'];
const STAFF = [
  { name: '李明', window: 0 },
  { name: '王喆堃', window: null },
];

describeOnEngines('QR codes and posters', (database) => {
  const clock = testClock(NOW);
  const config = testConfig({ JOBS_ENABLED: 'false' });
  let system: System;
  let org: { id: string; name: string };
  let emptyOrg: { id: string };
  const windows: Array<{ id: string; name: string }> = [];
  const staff: Array<{ id: string; name: string; windowName: string | null }> = [];
  const tokens: Record<'province' | 'mianyang' | 'handler', string> = { province: '', mianyang: '', handler: '' };
  let integrator: TestIntegrator;
  let elsewhere: TestIntegrator;

  const db = () => database().db;
  const pathOf = (url: string) => url.replace(config.http.publicBaseUrl, '').replace(/^\/p\//, '/api/v1/public/places/');
  const asStaff = (who: keyof typeof tokens, url: string) => system.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${tokens[who]}` } });

  beforeAll(async () => {
    system = await startSystem(config, { database: database(), clock });
    org = await makeOrg(db(), { name: '武侯区政务服务中心', regionCode: '510107' });
    emptyOrg = await makeOrg(db(), { regionCode: '510107' });
    const at = new Date('2026-01-01T00:00:00Z');
    for (const [i, name] of WINDOWS.entries()) {
      const row = { id: uuidv7(), org_id: org.id, code: `PW${i + 1}`, name, created_at: at };
      await db().insertInto('service_window').values(row).execute();
      windows.push(row);
    }
    for (const [i, person] of STAFF.entries()) {
      const window = person.window === null ? null : windows[person.window];
      const row = { id: uuidv7(), org_id: org.id, window_id: window?.id ?? null, staff_no: `PS${i + 1}`, name: person.name, created_at: at };
      await db().insertInto('staff').values(row).execute();
      staff.push({ id: row.id, name: row.name, windowName: window?.name ?? null });
    }
    const accounts = [
      { key: 'province', username: 'qr.province', role: 'province_admin', scopeRegionCode: '510000' },
      { key: 'mianyang', username: 'qr.mianyang', role: 'city_admin', scopeRegionCode: '510700' },
      { key: 'handler', username: 'qr.handler', role: 'org_handler', scopeOrgId: org.id },
    ] as const;
    for (const account of accounts) {
      await createStaffAccount(db(), { displayName: account.username, password: 'qr-poster-password', ...account }, clock());
      const login = await system.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username: account.username, password: 'qr-poster-password' } });
      expect(login.statusCode, login.body).toBe(200);
      tokens[account.key] = login.json().token;
    }
    integrator = await makeIntegrator(db(), config);
    elsewhere = await makeIntegrator(db(), config, { regionCode: '510700' });
  });
  beforeEach(() => clock.set(NOW));
  afterAll(async () => {
    await system.close();
  });

  it('shows a case stage’s rating link as an SVG and a PNG that decode to the link, to callers within its scope', async () => {
    const item = await makeItem(db(), { id: org.id, region_code: '510107' });
    const projectNo = await makeCompletedCase(db(), config, item, '2026-11-20 13:00:00');
    const issued = await signedInject(system.app, integrator, clock(), 'POST', '/api/v1/rating-links', { projectNo, channel: 'hall_terminal' });
    expect(issued.statusCode, issued.body).toBe(201);
    const { id, url } = issued.json();

    const svg = await signedInject(system.app, integrator, clock(), 'GET', `/api/v1/rating-links/${id}/qr.svg`);
    expect(svg.statusCode, svg.body).toBe(200);
    expect(svg.headers['content-type']).toBe('image/svg+xml; charset=utf-8');
    expect(svg.headers['cache-control']).toBe('private, no-store');
    // The very SVG of the link's URL (qr.browser.test.ts reads that SVG back in Chromium).
    expect(svg.body).toBe(await qrSvg(url, 'M'));

    const png = await asStaff('handler', `/api/v1/rating-links/${id}/qr.png`);
    expect(png.statusCode, png.body).toBe(200);
    expect(png.headers['content-type']).toBe('image/png');
    const scanned = decodeQrPng(png.rawPayload);
    expect(scanned).toBe(url);
    const opened = await system.app.inject({ method: 'GET', url: `/api/v1/public/ratings/${String(scanned).split('/rate/')[1]}` });
    expect(opened.statusCode, opened.body).toBe(200);
    expect(opened.json()).toMatchObject({ status: 'open', case: { orgName: org.name } });

    expect((await signedInject(system.app, elsewhere, clock(), 'GET', `/api/v1/rating-links/${id}/qr.svg`)).json().code).toBe('AUTH_OUT_OF_SCOPE');
    expect((await asStaff('mianyang', `/api/v1/rating-links/${id}/qr.svg`)).json().code).toBe('AUTH_OUT_OF_SCOPE');
    expect((await system.app.inject({ method: 'GET', url: `/api/v1/rating-links/${id}/qr.svg` })).json().code).toBe('AUTH_REQUIRED');
    const unknown = await asStaff('province', `/api/v1/rating-links/${uuidv7()}/qr.svg`);
    expect([unknown.statusCode, unknown.json().code]).toEqual([404, 'LINK_INVALID']);
    clock.advance((config.rules.ratingWindowDays + 1) * 86_400_000);
    const expired = await signedInject(system.app, integrator, clock(), 'GET', `/api/v1/rating-links/${id}/qr.png`);
    expect([expired.statusCode, expired.json().code]).toEqual([410, 'LINK_EXPIRED']);
  });

  it('makes one page per window and staff member, of the real A5 or A4 size, with the fonts embedded as subsets', async () => {
    const a5 = await asStaff('province', `/api/v1/orgs/${org.id}/posters.pdf?size=A5&kinds=window,staff`);
    expect(a5.statusCode, a5.body).toBe(200);
    expect(a5.headers['content-type']).toBe('application/pdf');
    expect(a5.headers['content-disposition']).toContain(`filename*=UTF-8''${encodeURIComponent(`${org.name}-评价二维码-A5.pdf`)}`);
    const pdf = a5.rawPayload;
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(pageSizes(pdf)).toEqual(Array.from({ length: 5 }, () => PAGE_POINTS.A5));
    const latin = pdf.toString('latin1');
    expect(latin).toMatch(/\/BaseFont \/[A-Z]{6}\+NotoSansSC-Regular/);
    expect(latin).toMatch(/\/BaseFont \/[A-Z]{6}\+NotoSansSC-Bold/);
    expect(latin).toContain('/FontFile2');
    expect(pdf.length).toBeLessThan(150_000);

    const a4 = await asStaff('province', `/api/v1/orgs/${org.id}/posters.pdf`);
    expect(a4.statusCode, a4.body).toBe(200);
    expect(pageSizes(a4.rawPayload)).toEqual(Array.from({ length: 3 }, () => PAGE_POINTS.A4));
    const staffOnly = await signedInject(system.app, integrator, clock(), 'GET', `/api/v1/orgs/${org.id}/posters.pdf?size=A4&kinds=staff`);
    expect(staffOnly.statusCode, staffOnly.body).toBe(200);
    expect(pageSizes(staffOnly.rawPayload)).toHaveLength(2);
  });

  it.skipIf(missingTool('poppler'))('renders every page with a code that decodes to that page’s place, and the place opens', async () => {
    const response = await asStaff('province', `/api/v1/orgs/${org.id}/posters.pdf?size=A5&kinds=window,staff`);
    const pages = await renderPdf(response.rawPayload, 100);
    expect(pages).toHaveLength(5);
    const seen: string[] = [];
    for (const [i, page] of pages.entries()) {
      const text = page.text.replace(/\s+/g, ' ');
      for (const expected of [org.name, '四川省成都市武侯区', TEXTS.scanWith.zh, TEXTS.scanWith.en, TEXTS.voluntary.zh]) expect(text, `page ${i + 1}`).toContain(expected);
      const url = decodeQrPng(page.png);
      expect(url, `page ${i + 1}`).not.toBeNull();
      const opened = await system.app.inject({ method: 'GET', url: pathOf(String(url)) });
      expect(opened.statusCode, opened.body).toBe(200);
      const window = windows.find((w) => text.includes(w.name) && !staff.some((s) => text.includes(s.name)));
      if (window) {
        expect(text).toContain(TEXTS.window.zh);
        expect(url).toBe(placeUrl(config, 'window', window.id));
        expect(opened.json()).toMatchObject({ kind: 'window', place: { windowName: window.name, orgName: org.name } });
        seen.push(window.name);
      } else {
        const person = staff.find((s) => text.includes(s.name));
        if (!person) throw new Error(`page ${i + 1} names no window or staff member: ${text}`);
        expect(text).toContain(TEXTS.staff.zh);
        if (person.windowName) expect(text).toContain(person.windowName);
        expect(url).toBe(placeUrl(config, 'staff', person.id));
        expect(opened.json()).toMatchObject({ kind: 'staff', place: { windowName: person.windowName, staffName: expect.stringMatching(new RegExp(`^${person.name[0]}\\*+$`)) } });
        seen.push(person.name);
      }
    }
    // Windows in code order, then staff in staff-number order.
    expect(seen).toEqual([...WINDOWS, ...STAFF.map((s) => s.name)]);
  });

  it('makes the posters of 50 windows in one PDF, quickly', async () => {
    const big = await makeOrg(db(), { name: '成都市武侯区行政审批局政务服务中心', regionCode: '510107' });
    const at = new Date('2026-01-01T00:00:00Z');
    await db()
      .insertInto('service_window')
      .values(Array.from({ length: 50 }, (_, i) => ({ id: uuidv7(), org_id: big.id, code: `B${String(i + 1).padStart(2, '0')}`, name: `${i + 1}号综合窗口`, created_at: at })))
      .execute();
    const started = performance.now();
    const response = await asStaff('province', `/api/v1/orgs/${big.id}/posters.pdf?size=A4`);
    const elapsed = performance.now() - started;
    expect(response.statusCode, response.body).toBe(200);
    expect(pageSizes(response.rawPayload)).toHaveLength(50);
    // About 0.2 s and 210 kB on a quiet machine; the bound leaves room for a busy CI.
    expect(response.rawPayload.length).toBeLessThan(400_000);
    expect(elapsed).toBeLessThan(10_000);
  });

  it('lets only catalog writers of the org’s region have its posters', async () => {
    const url = `/api/v1/orgs/${org.id}/posters.pdf?size=A4`;
    expect((await system.app.inject({ method: 'GET', url })).json().code).toBe('AUTH_REQUIRED');
    expect((await asStaff('mianyang', url)).json().code).toBe('AUTH_OUT_OF_SCOPE');
    expect((await asStaff('handler', url)).json().code).toBe('AUTH_OUT_OF_SCOPE');
    expect((await signedInject(system.app, elsewhere, clock(), 'GET', url)).json().code).toBe('AUTH_OUT_OF_SCOPE');
    expect((await asStaff('province', `/api/v1/orgs/${uuidv7()}/posters.pdf`)).json().code).toBe('ORG_UNKNOWN');
    expect((await asStaff('province', `/api/v1/orgs/${org.id}/posters.pdf?size=A3`)).json().code).toBe('VALIDATION_FAILED');
    expect((await asStaff('province', `/api/v1/orgs/${org.id}/posters.pdf?kinds=window,desk`)).json().code).toBe('VALIDATION_FAILED');
    const empty = await asStaff('province', `/api/v1/orgs/${emptyOrg.id}/posters.pdf`);
    expect([empty.statusCode, empty.json().code]).toEqual([404, 'NOT_FOUND']);
  });
});
