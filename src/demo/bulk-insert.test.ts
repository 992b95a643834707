import { beforeAll, expect, it } from 'vitest';
import { uuidv7 } from 'uuidv7';
import { seedSichuanRegions } from '../catalog/regions.ts';
import { makeDeptCode } from '../catalog/dept-code.ts';
import { describeOnEngines } from '../../test/engines.ts';
import { bulkInsert, type Column } from './bulk-insert.ts';

describeOnEngines('bulk insert through unnest', (database) => {
  beforeAll(async () => {
    await seedSichuanRegions(database().db);
  });

  it('round-trips awkward text, nulls, times, bytes and JSON, in chunks', async () => {
    const db = database().db;
    const created = new Date('2026-03-04T05:06:07.089Z');
    const names = ['逗号,引号"花括号{}反斜杠\\单引号\'', 'NULL', '', ' 前后空格 ', '换行\n制表\t', 'ordinary', '😀 emoji', 'a'.repeat(200)];
    const orgs = names.map((name, i) => ({ id: uuidv7(), deptCode: makeDeptCode(77000000 + i, { regionCode: '510104' }), name: name || '空', parent: null as string | null }));
    const orgColumns: Array<Column<(typeof orgs)[number]>> = [
      { name: 'id', type: 'uuid', value: (o) => o.id },
      { name: 'dept_code', type: 'text', value: (o) => o.deptCode },
      { name: 'name', type: 'text', value: (o) => o.name },
      { name: 'kind', type: 'text', value: () => 'department' },
      { name: 'region_code', type: 'text', value: () => '510104' },
      { name: 'parent_id', type: 'uuid', value: (o) => o.parent },
      { name: 'created_at', type: 'timestamptz', value: () => created },
    ];
    await bulkInsert(db, 'org', orgColumns, orgs, 3);
    const stored = await db.selectFrom('org').select(['id', 'name', 'parent_id', 'created_at']).where('region_code', '=', '510104').orderBy('id').execute();
    expect(stored.map((o) => o.name)).toEqual(orgs.map((o) => o.name));
    expect(stored.every((o) => o.parent_id === null && o.created_at.getTime() === created.getTime())).toBe(true);

    const item = { id: uuidv7(), org: orgs[0]?.id ?? '' };
    await db.insertInto('service_item').values({ id: item.id, task_code: 'bulk-1', name: '事项', item_type: '01', org_id: item.org, region_code: '510104', created_at: created }).execute();
    const cases = [0, 1, 2].map((i) => ({ id: uuidv7(), projectNo: `510104-20260304-00000${i}`, pii: i === 1 ? null : Uint8Array.from([0, 1, 255, i, 92, 123]), masked: i === 2 ? null : JSON.stringify({ name: `张*${i}`, phone: '138****0000' }) }));
    const caseColumns: Array<Column<(typeof cases)[number]>> = [
      { name: 'id', type: 'uuid', value: (c) => c.id },
      { name: 'project_no', type: 'text', value: (c) => c.projectNo },
      { name: 'item_id', type: 'uuid', value: () => item.id },
      { name: 'org_id', type: 'uuid', value: () => item.org },
      { name: 'region_code', type: 'text', value: () => '510104' },
      { name: 'pro_status', type: 'int2', value: () => 3 },
      { name: 'applicant_pii', type: 'bytea', value: (c) => c.pii },
      { name: 'applicant_masked', type: 'jsonb', value: (c) => c.masked },
      { name: 'source_app', type: 'text', value: () => 'test' },
      { name: 'created_at', type: 'timestamptz', value: () => created },
      { name: 'updated_at', type: 'timestamptz', value: () => created },
    ];
    await bulkInsert(db, 'service_case', caseColumns, cases);
    const back = await db.selectFrom('service_case').select(['project_no', 'applicant_pii', 'applicant_masked', 'pro_status']).orderBy('project_no').execute();
    expect(back.map((c) => (c.applicant_pii === null ? null : [...c.applicant_pii]))).toEqual(cases.map((c) => (c.pii === null ? null : [...c.pii])));
    expect(back.map((c) => c.applicant_masked)).toEqual(cases.map((c) => (c.masked === null ? null : JSON.parse(c.masked))));
    expect(back.every((c) => c.pro_status === 3)).toBe(true);
  });
});
