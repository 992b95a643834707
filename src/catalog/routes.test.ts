import { afterAll, beforeAll, expect, it } from 'vitest';
import { createStaffAccount } from '../auth/staff-accounts.ts';
import { startSystem, type System } from '../system.ts';
import { testClock } from '../../test/clock.ts';
import { testConfig } from '../../test/config.ts';
import { describeOnEngines } from '../../test/engines.ts';
import { makeIntegrator, signedInject } from '../../test/factories.ts';
import { makeDeptCode } from './dept-code.ts';

describeOnEngines('catalog over HTTP', (database) => {
  const clock = testClock('2026-11-20T02:00:00Z');
  let system: System;
  const tokens: Record<string, string> = {};
  const as = (user: string) => ({ authorization: `Bearer ${tokens[user] ?? ''}` });

  beforeAll(async () => {
    system = await startSystem(testConfig(), { database: database(), clock });
    const password = 'catalog-test-password';
    await createStaffAccount(database().db, { username: 'province', password, displayName: '省管理员', role: 'province_admin', scopeRegionCode: '510000' }, clock());
    await createStaffAccount(database().db, { username: 'chengdu', password, displayName: '成都管理员', role: 'city_admin', scopeRegionCode: '510100' }, clock());
    for (const username of ['province', 'chengdu']) {
      tokens[username] = (await system.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password } })).json().token;
    }
  });
  afterAll(async () => {
    await system.close();
  });

  it('serves the region tree publicly', async () => {
    const response = await system.app.inject({ method: 'GET', url: '/api/v1/catalog/regions?parent=510000' });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(JSON.stringify(body)).toContain('成都市');
    const one = await system.app.inject({ method: 'GET', url: '/api/v1/catalog/regions/510104' });
    expect(one.json()).toMatchObject({ code: '510104', name: '锦江区' });
  });

  it('lets admins write within their scope only', async () => {
    const org = { deptCode: makeDeptCode('70000001'), deptName: '锦江区市场监督管理局', kind: 'department', areaCode: '510104' };
    expect((await system.app.inject({ method: 'POST', url: '/api/v1/catalog/orgs', payload: org })).json().code).toBe('AUTH_REQUIRED');
    expect((await system.app.inject({ method: 'POST', url: '/api/v1/catalog/orgs', headers: as('chengdu'), payload: org })).statusCode).toBeLessThan(300);
    const outside = await system.app.inject({ method: 'POST', url: '/api/v1/catalog/orgs', headers: as('chengdu'), payload: { ...org, deptCode: makeDeptCode('70000002'), areaCode: '510302' } });
    expect([outside.statusCode, outside.json().code]).toEqual([403, 'AUTH_OUT_OF_SCOPE']);
  });

  it('imports a file with bad rows only when told to skip them, reporting each by line', async () => {
    const good = makeDeptCode('70000003');
    const content = `deptCode,deptName,kind,areaCode\n${good},青羊区政务服务中心,hall,510105\n123,坏的代码,department,510105\n`;
    const refused = await system.app.inject({ method: 'POST', url: '/api/v1/catalog/import/orgs', headers: as('province'), payload: { format: 'csv', content } });
    expect([refused.statusCode, refused.json().code]).toEqual([422, 'IMPORT_HAS_ERRORS']);
    expect(JSON.stringify(refused.json().details)).toContain('"line":3');
    expect(await database().db.selectFrom('org').select('id').where('dept_code', '=', good).executeTakeFirst()).toBeUndefined();
    const skipped = await system.app.inject({ method: 'POST', url: '/api/v1/catalog/import/orgs', headers: as('province'), payload: { format: 'csv', content, skipBadRows: true } });
    expect(skipped.statusCode).toBe(200);
    expect(skipped.json()).toMatchObject({ total: 2, imported: 1, skipped: 1 });
  });

  it('accepts catalog pushes from an integrator app within its region', async () => {
    const chengduApp = await makeIntegrator(database().db, system.config, { regionCode: '510100' });
    const response = await signedInject(system.app, chengduApp, clock(), 'POST', '/api/v1/catalog/orgs', { deptCode: makeDeptCode('70000004'), deptName: '武侯区税务局', kind: 'department', areaCode: '510107' });
    expect(response.statusCode).toBeLessThan(300);
  });
});
