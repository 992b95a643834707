import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeOnEngines } from '../../test/engines.ts';
import type { Caller } from '../http/caller.ts';
import { catalogWriteGuard, readAll } from './access.ts';
import { formatImportReport, importFile } from './catalog-cli.ts';
import { makeDeptCode } from './dept-code.ts';
import { importCatalog, type ImportReport } from './import.ts';
import { csvRows } from './import-source.ts';
import { getOrg, listOrgs } from './orgs.ts';
import { seedSichuanRegions } from './regions.ts';
import { listServiceItems } from './service-items.ts';
import { listStaff } from './staff.ts';

const now = new Date('2026-12-01T02:00:00Z');
const utf8 = new TextEncoder();

const A = makeDeptCode(1001, { regionCode: '510100' });
const B = makeDeptCode(1002, { regionCode: '510104' });
const C = makeDeptCode(1003, { regionCode: '510104' });
const D = makeDeptCode(1004, { regionCode: '510105' });
const hostile = `'; DROP TABLE org; -- "quoted", <b>x</b>`;

// Line numbers are physical lines of the file; the header is line 1.
const orgsCsv = [
  /* 1 */ 'deptCode,deptName,kind,areaCode,parentDeptCode',
  /* 2 */ `${A},成都市政务服务中心,center,510100,`,
  /* 3 */ '',
  /* 4 */ '91350100M000100Y44,校验位错误,department,510104,',
  /* 5 */ `${B},"锦江区`,
  /* 6 */ `政务服务中心",hall,510104,${A}`,
  /* 7 */ `${C},"${hostile.replace(/"/g, '""')}",,510104,${A}`,
  /* 8 */ `${D},青羊区某局,,510199,`,
  /* 9 */ `${A},重复的成都,center,510100,`,
  /* 10 */ `${makeDeptCode(1005)},列数不对,department`,
  /* 11 */ ',,,,',
  /* 12 */ `${makeDeptCode(1006)},子部门,department,510105,${D}`,
  /* 13 */ `${makeDeptCode(1007)},类型错误,bureau,510105,`,
  /* 14 */ `${makeDeptCode(1008)},锦江区某局,department,510104,${C}`,
  '',
].join('\n');

const expectedOrgErrors = [
  { line: 4, code: 'ORG_DEPT_CODE_INVALID', field: 'deptCode' },
  { line: 5, code: 'TEXT_INVALID_CHARACTERS', field: 'deptName' },
  { line: 8, code: 'REGION_UNKNOWN', field: 'areaCode' },
  { line: 9, code: 'IMPORT_DUPLICATE_ROW', field: 'deptCode' },
  { line: 10, code: 'IMPORT_ROW_MALFORMED' },
  // Its parent (line 8) was refused, so the reference does not resolve.
  { line: 12, code: 'ORG_UNKNOWN', field: 'parentDeptCode' },
  { line: 13, code: 'ORG_KIND_INVALID', field: 'kind' },
];

function brief(report: ImportReport) {
  return report.errors.map(({ line, code, field }) => (field === undefined ? { line, code } : { line, code, field }));
}

describe('CSV rows (pure)', () => {
  it('numbers rows by physical line, across quoted line breaks, CRLF and blank lines alike', () => {
    const spec = { columns: ['a', 'b'], required: ['a'] };
    const text = 'a,b\n1,"x\ny"\n\n2,3\n"4\n\n",5\n6,7';
    expect(csvRows(text, spec).map((r) => r.line)).toEqual([2, 5, 6, 9]);
    expect(csvRows(text.replace(/\n/g, '\r\n'), spec).map((r) => r.line)).toEqual([2, 5, 6, 9]);
    expect(csvRows(text.replace(/\n/g, '\r'), spec).map((r) => r.line)).toEqual([2, 5, 6, 9]);
    expect(csvRows('\n\nA,B\n1,2', spec)).toEqual([{ line: 4, values: { a: '1', b: '2' }, malformed: false }]);
  });

  it('refuses unknown, repeated and missing columns, and unclosed quotes', () => {
    const spec = { columns: ['a', 'b'], required: ['a'] };
    expect(() => csvRows('a,c\n1,2', spec)).toThrow(expect.objectContaining({ code: 'IMPORT_COLUMNS_INVALID', details: expect.objectContaining({ unknown: ['c'] }) }));
    expect(() => csvRows('a,a\n1,2', spec)).toThrow(expect.objectContaining({ code: 'IMPORT_COLUMNS_INVALID' }));
    expect(() => csvRows('b\n1', spec)).toThrow(expect.objectContaining({ code: 'IMPORT_COLUMNS_INVALID', details: expect.objectContaining({ missing: ['a'] }) }));
    expect(() => csvRows('', spec)).toThrow(expect.objectContaining({ code: 'IMPORT_COLUMNS_INVALID' }));
    expect(() => csvRows('a,b\n1,2\n"3,4\n', spec)).toThrow(expect.objectContaining({ code: 'IMPORT_MALFORMED' }));
  });
});

describeOnEngines('catalog import', (database) => {
  beforeAll(async () => {
    await seedSichuanRegions(database().db);
  });

  it('refuses a CSV with errors as a whole, reporting every bad row at its line', async () => {
    const { db } = database();
    const report = await importCatalog(db, 'orgs', { format: 'csv', content: orgsCsv }, {}, now);
    expect(brief(report)).toEqual(expectedOrgErrors);
    expect(report).toMatchObject({ kind: 'orgs', total: 10, imported: 0, skipped: 10 });
    expect(report.errors[0]).toMatchObject({ message: '统一社会信用代码格式或校验位错误', messageEn: expect.stringContaining('unified social credit code') });
    expect(await listOrgs(db, readAll, { limit: 100 })).toEqual([]);
  });

  it('reports the same lines for a CRLF file', async () => {
    const { db } = database();
    const report = await importCatalog(db, 'orgs', { format: 'csv', content: orgsCsv.replace(/\n/g, '\r\n') }, {}, now);
    expect(brief(report)).toEqual(expectedOrgErrors);
  });

  it('stores the good rows with skipBadRows, rows referring to rows above them, hostile text verbatim; re-import is idempotent', async () => {
    const { db } = database();
    const report = await importCatalog(db, 'orgs', { format: 'csv', content: orgsCsv }, { skipBadRows: true }, now);
    expect(brief(report)).toEqual(expectedOrgErrors);
    expect(report).toMatchObject({ total: 10, imported: 3, skipped: 7 });
    const stored = await listOrgs(db, readAll, { limit: 100 });
    expect(stored.map((o) => o.dept_code).sort()).toEqual([A, C, makeDeptCode(1008)].sort());
    expect((await getOrg(db, C, readAll))?.name).toBe(hostile);
    expect((await getOrg(db, C, readAll))?.parent_dept_code).toBe(A);
    expect((await getOrg(db, makeDeptCode(1008), readAll))?.parent_dept_code).toBe(C);

    const again = await importCatalog(db, 'orgs', { format: 'csv', content: orgsCsv }, { skipBadRows: true }, now);
    expect(again).toMatchObject({ imported: 3 });
    const after = await listOrgs(db, readAll, { limit: 100 });
    expect(after.map((o) => o.id)).toEqual(stored.map((o) => o.id));
  });

  it('accepts a UTF-8 BOM and refuses GBK bytes with a clear error', async () => {
    const { db } = database();
    const withBom = new Uint8Array([0xef, 0xbb, 0xbf, ...utf8.encode(`deptCode,deptName,areaCode\n${makeDeptCode(1101)},带BOM的部门,510107\n`)]);
    const report = await importCatalog(db, 'orgs', { format: 'csv', content: withBom }, {}, now);
    expect(report).toMatchObject({ total: 1, imported: 1, errors: [] });
    // "\uFEFF" at the start of text content (pasted from a file) is ignored too.
    expect(await importCatalog(db, 'orgs', { format: 'csv', content: `\ufeffdeptCode,deptName,areaCode\n${makeDeptCode(1101)},带BOM的部门,510107\n` }, {}, now)).toMatchObject({ imported: 1 });

    // 成都市 in GBK: B3C9 B6BC CAD0.
    const gbk = new Uint8Array([...utf8.encode(`deptCode,deptName,areaCode\n${makeDeptCode(1102)},`), 0xb3, 0xc9, 0xb6, 0xbc, 0xca, 0xd0, ...utf8.encode(',510100\n')]);
    await expect(importCatalog(db, 'orgs', { format: 'csv', content: gbk }, { skipBadRows: true }, now)).rejects.toMatchObject({
      code: 'IMPORT_NOT_UTF8',
      details: { likelyEncoding: 'GB18030/GBK' },
    });
    expect(await getOrg(db, makeDeptCode(1102), readAll)).toBeNull();
  });

  it('imports JSON arrays, numbering rows from 1 and checking types and keys', async () => {
    const { db } = database();
    const E = makeDeptCode(1201, { regionCode: '510300' });
    const rows = [
      { deptCode: E, deptName: '自贡市政务服务中心', kind: 'center', areaCode: 510300 },
      { deptCode: makeDeptCode(1202), deptName: '多了字段', areaCode: '510302', extra: 1 },
      'not an object',
      { deptCode: makeDeptCode(1203), deptName: true, areaCode: '510302' },
      { deptCode: makeDeptCode(1204), deptName: '自流井区某局', areaCode: '510302', parentDeptCode: E },
      { deptCode: makeDeptCode(1205), areaCode: '510302', parentDeptCode: null },
    ];
    const report = await importCatalog(db, 'orgs', { format: 'json', content: JSON.stringify(rows) }, {}, now);
    expect(brief(report)).toEqual([
      { line: 2, code: 'CATALOG_FIELD_UNKNOWN', field: 'extra' },
      { line: 3, code: 'IMPORT_ROW_MALFORMED' },
      { line: 4, code: 'CATALOG_FIELD_NOT_TEXT', field: 'deptName' },
      { line: 4, code: 'CATALOG_FIELD_REQUIRED', field: 'deptName' },
      { line: 6, code: 'CATALOG_FIELD_REQUIRED', field: 'deptName' },
    ]);
    expect(await getOrg(db, E, readAll)).toBeNull();

    const skipped = await importCatalog(db, 'orgs', { format: 'json', content: JSON.stringify(rows) }, { skipBadRows: true }, now);
    expect(skipped).toMatchObject({ total: 6, imported: 2, skipped: 4 });
    expect((await getOrg(db, makeDeptCode(1204), readAll))?.parent_dept_code).toBe(E);

    await expect(importCatalog(db, 'orgs', { format: 'json', content: '[{"deptCode": ' }, {}, now)).rejects.toMatchObject({ code: 'IMPORT_MALFORMED' });
    await expect(importCatalog(db, 'orgs', { format: 'json', content: '{"deptCode": "x"}' }, {}, now)).rejects.toMatchObject({ code: 'IMPORT_MALFORMED' });
    await expect(importCatalog(db, 'orgs', { format: 'json', content: '[{"__proto__": {"x": 1}}]' }, {}, now)).rejects.toMatchObject({ code: 'IMPORT_MALFORMED' });
  });

  it('imports items, windows and staff that refer to orgs, and to windows imported earlier', async () => {
    const { db } = database();
    const items = ['taskCode,taskName,itemType,deptCode,areaCode', `T-100,户籍迁移,1,${A},`, `T-101,热线咨询,hotline,${A},510104`, `T-102,越界事项,20,${C},510100`, `T-103,无此部门,20,${makeDeptCode(9999)},`].join('\n');
    const report = await importCatalog(db, 'items', { format: 'csv', content: items }, { skipBadRows: true }, now);
    expect(brief(report)).toEqual([
      { line: 4, code: 'SERVICE_ITEM_REGION_OUTSIDE_ORG', field: 'areaCode' },
      { line: 5, code: 'ORG_UNKNOWN', field: 'deptCode' },
    ]);
    expect((await listServiceItems(db, readAll, { limit: 10 })).map((i) => [i.task_code, i.item_type, i.region_code])).toEqual([
      ['T-100', '01', '510100'],
      ['T-101', 'hotline', '510104'],
    ]);

    const windows = JSON.stringify([
      { deptCode: C, windowCode: 'A01', windowName: '综合窗口' },
      { deptCode: C, windowCode: 'A01', windowName: '重复' },
    ]);
    expect(brief(await importCatalog(db, 'windows', { format: 'json', content: windows }, {}, now))).toEqual([{ line: 2, code: 'IMPORT_DUPLICATE_ROW', field: 'windowCode' }]);
    expect(await importCatalog(db, 'windows', { format: 'json', content: JSON.stringify([{ deptCode: C, windowCode: 'A01', windowName: '综合窗口' }]) }, {}, now)).toMatchObject({ imported: 1 });

    const staff = ['STAFFNO,staffname,deptcode,windowcode', `001,张三,${C},A01`, `002,李四,${C},B02`, `003,王五,${C},`].join('\n');
    const staffReport = await importCatalog(db, 'staff', { format: 'csv', content: staff }, { skipBadRows: true }, now);
    expect(brief(staffReport)).toEqual([{ line: 3, code: 'WINDOW_UNKNOWN', field: 'windowCode' }]);
    expect((await listStaff(db, readAll, { limit: 10 })).map((s) => [s.staff_no, s.window_code])).toEqual([
      ['001', 'A01'],
      ['003', null],
    ]);
  });

  it("reports rows outside the caller's scope like other bad rows", async () => {
    const { db } = database();
    const jinjiangAdmin: Caller = { kind: 'staff', accountId: 'x', username: 'jj', role: 'city_admin', regionPath: '510000/510100/510104/', orgId: null };
    const csv = ['deptCode,deptName,areaCode', `${makeDeptCode(1301)},锦江区新局,510104`, `${makeDeptCode(1302)},青羊区新局,510105`].join('\n');
    const report = await importCatalog(db, 'orgs', { format: 'csv', content: csv }, { guard: catalogWriteGuard(jinjiangAdmin) }, now);
    expect(brief(report)).toEqual([{ line: 3, code: 'AUTH_OUT_OF_SCOPE' }]);
    expect(report.imported).toBe(0);
    expect(await getOrg(db, makeDeptCode(1301), readAll)).toBeNull();
  });

  it('imports files by extension for the CLI and words the report', async () => {
    const { db } = database();
    const folder = mkdtempSync(join(tmpdir(), 'hcp-import-'));
    const csvFile = join(folder, 'orgs.CSV');
    writeFileSync(csvFile, orgsCsv);
    const report = await importFile(db, 'orgs', csvFile, { skipBadRows: false }, now);
    expect(report.imported).toBe(0);
    const lines = formatImportReport(report);
    expect(lines[0]).toBe('部门导入：共 10 行，导入 0 行，未导入 10 行，错误 7 处 / orgs import: 10 rows, 0 imported, 10 not imported, 7 errors');
    expect(lines[1]).toBe('文件有错误，未导入任何数据 / The file has errors; nothing was imported');
    expect(lines[2]).toBe(
      '第 4 行 / line 4: ORG_DEPT_CODE_INVALID [deptCode] 统一社会信用代码格式或校验位错误 / Malformed unified social credit code (deptCode) or wrong check character',
    );
    expect(lines).toHaveLength(2 + 7);

    const jsonFile = join(folder, 'windows.json');
    writeFileSync(jsonFile, JSON.stringify([{ deptCode: A, windowCode: 'W1', windowName: '一号窗' }]));
    expect(await importFile(db, 'windows', jsonFile, {}, now)).toMatchObject({ imported: 1 });
    const textFile = join(folder, 'orgs.txt');
    writeFileSync(textFile, 'x');
    await expect(importFile(db, 'orgs', textFile, {}, now)).rejects.toMatchObject({ code: 'IMPORT_FORMAT_UNKNOWN' });
  });
});
