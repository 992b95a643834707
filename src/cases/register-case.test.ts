import { beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../errors.ts';
import { prepareDatabase } from '../system.ts';
import { testConfig } from '../../test/config.ts';
import { describeOnEngines } from '../../test/engines.ts';
import { makeItem, makeOrg, makeStaff, makeWindow } from '../../test/factories.ts';
import { registerCase, type CaseInput } from './register-case.ts';
import { nextStageState } from './rules.ts';

describe('stage rules (pure)', () => {
  const done = new Date('2026-11-18T02:00:00Z');
  it('moves forward only and keeps a recorded completion', () => {
    expect(nextStageState({ serviceNumber: 1, status: 2, completedAt: null }, { serviceNumber: 1, status: 3, completedAt: done })).toEqual({ serviceNumber: 1, status: 3, completedAt: done });
    expect(nextStageState({ serviceNumber: 1, status: 3, completedAt: done }, { serviceNumber: 1, status: 2, completedAt: null })).toMatchObject({ code: 'CASE_STATUS_INVALID' });
    expect(nextStageState({ serviceNumber: 1, status: 3, completedAt: done }, { serviceNumber: 1, status: 3, completedAt: new Date('2026-11-19T00:00:00Z') })).toMatchObject({ code: 'CASE_STATUS_INVALID' });
    expect(nextStageState(undefined, { serviceNumber: 1, status: 3, completedAt: null })).toMatchObject({ code: 'CASE_DATES_INVALID' });
  });
});

describeOnEngines('registering service cases', (database) => {
  const config = testConfig();
  const now = new Date('2026-11-20T02:00:00Z');
  const province = { regionPath: '510000/', orgId: null };
  let taskCode = '';
  let deptCode = '';
  let windowCode = '';
  let staffNo = '';

  const register = (input: Partial<CaseInput> & { projectNo: string }, scope = province) =>
    registerCase({ db: database().db, config, now, sourceApp: 'test', scope }, { taskCode, proStatus: 2, ...input });
  const refusalOf = async (promise: Promise<unknown>) => {
    try {
      await promise;
      return null;
    } catch (error) {
      if (error instanceof AppError) return error.code;
      throw error;
    }
  };

  beforeAll(async () => {
    const { db } = database();
    await prepareDatabase(database());
    const org = await makeOrg(db);
    deptCode = org.dept_code;
    taskCode = (await makeItem(db, { id: org.id, region_code: '510104' })).task_code;
    const window = await makeWindow(db, org);
    windowCode = window.code;
    staffNo = (await makeStaff(db, org, window)).staff_no;
  });

  it('registers a case with stages, window and staff, and applicant data sealed', async () => {
    const result = await register({
      projectNo: '510104-20261118-000001',
      proStatus: 3,
      acceptDate: '2026-11-18 09:00:00',
      resultDate: '2026-11-18 10:00:00',
      userName: '赵六',
      mobile: '13700001111',
      stages: [
        { serviceNumber: 1, name: '受理', status: 3, completedAt: '2026-11-18 09:05:00', windowCode, staffNo },
        { serviceNumber: 2, name: '办结', status: 3, completedAt: '2026-11-18 10:00:00' },
      ],
    });
    expect(result.created).toBe(true);
    const stored = await database().db.selectFrom('service_case').selectAll().where('id', '=', result.id).executeTakeFirstOrThrow();
    expect(stored.applicant_masked).toEqual({ name: '赵*', phone: '137****1111' });
    expect(Buffer.from(stored.applicant_pii ?? new Uint8Array()).includes(Buffer.from('13700001111'))).toBe(false);
    const stages = await database().db.selectFrom('case_stage').selectAll().where('case_id', '=', result.id).orderBy('service_number').execute();
    expect(stages.map((s) => [s.service_number, s.status, s.completed_at?.toISOString(), s.window_id !== null, s.staff_id !== null])).toEqual([
      [1, 3, '2026-11-18T01:05:00.000Z', true, true],
      [2, 3, '2026-11-18T02:00:00.000Z', false, false],
    ]);
  });

  it('is idempotent by projectNo and moves status forward only', async () => {
    const projectNo = '510104-20261118-000002';
    expect((await register({ projectNo })).created).toBe(true);
    expect((await register({ projectNo })).created).toBe(false);
    await register({ projectNo, proStatus: 3, resultDate: '2026-11-19 10:00:00' });
    const stage = await database().db.selectFrom('case_stage as s').innerJoin('service_case as c', 'c.id', 's.case_id').select(['s.status', 's.completed_at']).where('c.project_no', '=', projectNo).executeTakeFirstOrThrow();
    expect(stage).toEqual({ status: 3, completed_at: new Date('2026-11-19T02:00:00Z') });
    expect(await refusalOf(register({ projectNo, proStatus: 2 }))).toBe('CASE_STATUS_INVALID');
    expect(await refusalOf(register({ projectNo, proStatus: 3, resultDate: '2026-11-19 11:00:00' }))).toBe('CASE_STATUS_INVALID');
  });

  it('refuses what does not fit, storing nothing', async () => {
    expect(await refusalOf(register({ projectNo: 'X-1', taskCode: 'NO-SUCH-ITEM' }))).toBe('SERVICE_ITEM_UNKNOWN');
    expect(await refusalOf(register({ projectNo: 'X-2', deptCode: '91350100M000100Y43' }))).toBe('ORG_UNKNOWN');
    expect(await refusalOf(register({ projectNo: 'X-3', proStatus: 3 }))).toBe('CASE_DATES_INVALID');
    expect(await refusalOf(register({ projectNo: 'X-4', proStatus: 3, acceptDate: '2026-11-19 10:00:00', resultDate: '2026-11-18 10:00:00' }))).toBe('CASE_DATES_INVALID');
    expect(await refusalOf(register({ projectNo: 'X-5', proStatus: 3, resultDate: '2026-12-30 10:00:00' }))).toBe('CASE_DATES_INVALID');
    expect(await refusalOf(register({ projectNo: 'X-6', stages: [{ serviceNumber: 1, status: 2, windowCode: 'NO-WINDOW' }] }))).toBe('WINDOW_UNKNOWN');
    expect(await refusalOf(register({ projectNo: 'X-7', mobile: '999' }))).toBe('PII_INVALID');
    expect(await refusalOf(register({ projectNo: 'X-8' }, { regionPath: '510000/510300/', orgId: null }))).toBe('AUTH_OUT_OF_SCOPE');
    expect(await refusalOf(register({ projectNo: 'X-9', deptCode, areaCode: '510302' }))).toBeNull();
    expect(await refusalOf(register({ projectNo: 'X-9', deptCode, areaCode: '510104' }))).toBe('CASE_CONFLICT');
    const stored = await database().db.selectFrom('service_case').select('project_no').where('project_no', 'like', 'X-%').execute();
    expect(stored.map((s) => s.project_no)).toEqual(['X-9']);
  });
});
