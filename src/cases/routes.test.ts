import { afterAll, beforeAll, expect, it } from 'vitest';
import { startSystem, type System } from '../system.ts';
import { testClock } from '../../test/clock.ts';
import { testConfig } from '../../test/config.ts';
import { describeOnEngines } from '../../test/engines.ts';
import { makeIntegrator, makeItem, makeOrg, signedInject, type TestIntegrator } from '../../test/factories.ts';

describeOnEngines('service cases over HTTP', (database) => {
  const clock = testClock('2026-11-20T02:00:00Z');
  let system: System;
  let chengdu: TestIntegrator;
  let taskCode = '';

  beforeAll(async () => {
    system = await startSystem(testConfig(), { database: database(), clock });
    const org = await makeOrg(database().db, { regionCode: '510104' });
    taskCode = (await makeItem(database().db, { id: org.id, region_code: '510104' })).task_code;
    chengdu = await makeIntegrator(database().db, system.config, { regionCode: '510100' });
  });
  afterAll(async () => {
    await system.close();
  });

  it('registers a case in national field names, shows it masked, and opens rating once completed', async () => {
    const projectNo = '510104-20261119-000123';
    const body = { projectNo, taskCode, proStatus: 2, acceptDate: '2026-11-19 09:00:00', userName: '钱七', mobile: '13511112222', certKey: '11010519491231002X' };
    const created = await signedInject(system.app, chengdu, clock(), 'POST', '/api/v1/cases', body);
    expect([created.statusCode, created.json().created]).toEqual([201, true]);
    const read = await signedInject(system.app, chengdu, clock(), 'GET', `/api/v1/cases/${projectNo}`);
    expect(read.json()).toMatchObject({ projectNo, proStatus: 2, applicant: { name: '钱*', phone: '135****2222', certNo: '1101**********002X' }, stages: [{ serviceNumber: 1, status: 2, rated: false }] });
    expect(JSON.stringify(read.json())).not.toContain('13511112222');

    const notYet = await signedInject(system.app, chengdu, clock(), 'POST', '/api/v1/evaluations', { projectNo, level: 5, channel: 'pc', assessedAt: '2026-11-19 12:00:00' });
    expect(notYet.json().code).toBe('EVALUATION_STAGE_NOT_COMPLETED');
    const completed = await signedInject(system.app, chengdu, clock(), 'POST', '/api/v1/cases', { ...body, proStatus: 3, resultDate: '2026-11-19 11:00:00' });
    expect([completed.statusCode, completed.json().created]).toEqual([200, false]);
    const rated = await signedInject(system.app, chengdu, clock(), 'POST', '/api/v1/evaluations', { projectNo, level: 5, channel: 'pc', assessedAt: '2026-11-19 12:00:00' });
    expect(rated.statusCode).toBe(201);
    const after = await signedInject(system.app, chengdu, clock(), 'GET', `/api/v1/cases/${projectNo}`);
    expect(after.json().stages).toMatchObject([{ serviceNumber: 1, status: 3, rated: true }]);
  });

  it('keeps other regions’ cases out of reach', async () => {
    const zigong = await makeIntegrator(database().db, system.config, { regionCode: '510300' });
    const response = await signedInject(system.app, zigong, clock(), 'POST', '/api/v1/cases', { projectNo: '510104-20261119-000999', taskCode, proStatus: 1 });
    expect([response.statusCode, response.json().code]).toEqual([403, 'AUTH_OUT_OF_SCOPE']);
    const hidden = await signedInject(system.app, zigong, clock(), 'GET', '/api/v1/cases/510104-20261119-000123');
    expect([hidden.statusCode, hidden.json().code]).toEqual([404, 'CASE_NOT_FOUND']);
  });
});
