import { Readable } from 'node:stream';
import { sql } from 'kysely';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createStaffAccount } from '../auth/staff-accounts.ts';
import type { Config } from '../config/config.ts';
import { sm3 } from '../crypto/sm.ts';
import { startSystem, type System } from '../system.ts';
import { testClock } from '../../test/clock.ts';
import { testConfig } from '../../test/config.ts';
import { describeOnEngines } from '../../test/engines.ts';
import { makeCompletedCase, makeIntegrator, makeItem, makeOrg, signedInject, type TestIntegrator } from '../../test/factories.ts';

const PASSWORD = 'evidence-test-password';
const MAX = 16 * 1024;

/** Bytes of a type by its signature, then `size` bytes in all; NUL bytes included on purpose. */
function file(type: 'jpeg' | 'png' | 'pdf', size: number, seed = 0): Buffer {
  const magic = { jpeg: [0xff, 0xd8, 0xff, 0xe0], png: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], pdf: [...Buffer.from('%PDF-1.7\n')] }[type];
  const bytes = Buffer.alloc(size);
  Buffer.from(magic).copy(bytes);
  for (let i = magic.length; i < size; i++) bytes[i] = (i * 31 + seed) % 256;
  return bytes;
}

describeOnEngines('evidence files', (database) => {
  const clock = testClock('2026-11-20T02:00:00.000Z');
  let config: Config;
  let system: System;
  let integrator: TestIntegrator;
  let item: { task_code: string };
  const tokens: Record<string, string> = {};
  const ids: Record<string, string> = {};
  const db = () => database().db;

  const upload = (who: string | null, body: Buffer | string, contentType: string | null, filename?: string) =>
    system.app.inject({
      method: 'POST',
      url: '/api/v1/evidence',
      headers: {
        ...(who === null ? {} : { authorization: `Bearer ${tokens[who]}` }),
        ...(contentType === null ? {} : { 'content-type': contentType }),
        ...(filename === undefined ? {} : { 'x-hcp-filename': filename }),
      },
      payload: body,
    });
  const get = (who: string, url: string, headers: Record<string, string> = {}) => system.app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${tokens[who]}`, ...headers } });
  const step = (who: string, ticketId: string, body: Record<string, unknown>) =>
    system.app.inject({ method: 'POST', url: `/api/v1/tickets/${ticketId}/steps`, headers: { authorization: `Bearer ${tokens[who]}` }, payload: body });
  const files = async () => Number((await sql<{ n: string }>`select count(*) as n from evidence_file`.execute(db())).rows[0]?.n);

  async function account(username: string, role: 'org_handler' | 'supervisor', scope: { scopeOrgId?: string; scopeRegionCode?: string }) {
    const created = await createStaffAccount(db(), { username, displayName: username, role, password: PASSWORD, ...scope }, clock());
    ids[username] = created.id;
    const login = await system.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { username, password: PASSWORD } });
    tokens[username] = login.json().token;
  }

  async function badTicket() {
    const projectNo = await makeCompletedCase(db(), config, item, '2026-11-19 10:00:00');
    const response = await signedInject(system.app, integrator, clock(), 'POST', '/api/v1/evaluations', {
      projectNo,
      level: 1,
      indicators: ['507'],
      comment: '窗口人员态度很差',
      channel: 'mobile',
      assessedAt: new Date(clock().getTime() - 60_000).toISOString(),
    });
    expect(response.statusCode, response.body).toBe(201);
    return db().selectFrom('ticket').selectAll().where('evaluation_id', '=', response.json().evaluation.id).executeTakeFirstOrThrow();
  }

  beforeAll(async () => {
    // The app's JSON limit is far below the evidence limit: each applies to its own bodies.
    config = testConfig({ JOBS_ENABLED: 'false', SESSION_TTL_HOURS: '720', BODY_LIMIT_BYTES: '4096', EVIDENCE_MAX_BYTES: String(MAX) });
    system = await startSystem(config, { database: database(), clock });
    const org = await makeOrg(db(), { regionCode: '510104' });
    const otherOrg = await makeOrg(db(), { regionCode: '510104' });
    item = await makeItem(db(), org);
    integrator = await makeIntegrator(db(), config);
    await account('handler.a', 'org_handler', { scopeOrgId: org.id });
    await account('handler.b', 'org_handler', { scopeOrgId: org.id });
    await account('handler.other', 'org_handler', { scopeOrgId: otherOrg.id });
    await account('sup.county', 'supervisor', { scopeRegionCode: '510104' });
    await account('sup.elsewhere', 'supervisor', { scopeRegionCode: '510105' });
  });
  afterAll(async () => {
    await system.close();
  });

  it('takes a JPEG, a PNG and a PDF as raw bytes, keyed by their SM3 digest, with a safe name', async () => {
    for (const [type, contentType, name, expected] of [
      ['jpeg', 'image/jpeg', encodeURIComponent('现场照片.jpg'), '现场照片.jpg'],
      ['png', 'image/png; charset=binary', encodeURIComponent('../../截图'), '截图.png'],
      ['pdf', 'application/pdf', undefined, '佐证材料.pdf'],
    ] as const) {
      // Larger than the app's JSON limit (4 KiB): the upload has its own.
      const bytes = file(type, 10_000);
      // Binary bodies hold NUL bytes: the app's NUL guard is for JSON and leaves them alone.
      expect(bytes.includes(0)).toBe(true);
      const response = await upload('handler.a', bytes, contentType, name);
      expect(response.statusCode, response.body).toBe(201);
      const digest = sm3(bytes).toString('hex');
      expect(response.json()).toEqual({ digest, mediaType: contentType.split(';')[0], size: 10_000, name: expected });
      const row = await db().selectFrom('evidence_file').selectAll().where('digest', '=', digest).executeTakeFirstOrThrow();
      expect(Buffer.from(row.bytes).equals(bytes)).toBe(true);
      expect(row).toMatchObject({ media_type: contentType.split(';')[0], size: 10_000, uploaded_by: ids['handler.a'] });
    }
    // The JSON routes keep the app's limit.
    const big = await step('handler.a', '0190a5b0-0000-7000-8000-000000000099', { step: 'verified', note: 'x'.repeat(5000) });
    expect(big.statusCode).toBe(413);
    expect(big.json().code).toBe('BODY_TOO_LARGE');
  });

  it('refuses a declared type that the content is not, a type it does not take, an empty body, and too many bytes (storing nothing)', async () => {
    const before = await files();
    const mismatch = await upload('handler.a', file('jpeg', 100), 'image/png');
    expect([mismatch.statusCode, mismatch.json().code]).toEqual([415, 'EVIDENCE_TYPE_MISMATCH']);
    const gif = await upload('handler.a', Buffer.from('GIF89a\u0001\u0000\u0001\u0000'), 'image/png');
    expect([gif.statusCode, gif.json().code]).toEqual([415, 'EVIDENCE_TYPE_UNSUPPORTED']);
    for (const contentType of ['image/gif', 'text/html', 'application/octet-stream', 'application/json']) {
      const refused = await upload('handler.a', contentType === 'application/json' ? '{"a":1}' : file('png', 100), contentType);
      expect([refused.statusCode, refused.json().code], contentType).toEqual([415, 'EVIDENCE_TYPE_UNSUPPORTED']);
    }
    const untyped = await upload('handler.a', file('png', 100), null);
    expect([untyped.statusCode, untyped.json().code]).toEqual([415, 'EVIDENCE_TYPE_UNSUPPORTED']);
    const empty = await upload('handler.a', Buffer.alloc(0), 'image/png');
    expect([empty.statusCode, empty.json().code]).toEqual([422, 'EVIDENCE_EMPTY']);
    const tooLarge = await upload('handler.a', file('png', MAX + 1), 'image/png');
    expect([tooLarge.statusCode, tooLarge.json()]).toMatchObject([413, { code: 'EVIDENCE_TOO_LARGE', details: { maxBytes: MAX } }]);
    // Sent in chunks with no Content-Length: counted while it arrives.
    const big = file('png', MAX + 100, 6);
    const streamed = await system.app.inject({
      method: 'POST',
      url: '/api/v1/evidence',
      headers: { authorization: `Bearer ${tokens['handler.a']}`, 'content-type': 'image/png' },
      payload: Readable.from([big.subarray(0, 4096), big.subarray(4096)]),
    });
    expect([streamed.statusCode, streamed.json().code]).toEqual([413, 'EVIDENCE_TOO_LARGE']);
    const exactly = await upload('handler.a', file('png', MAX, 7), 'image/png');
    expect(exactly.statusCode).toBe(201);
    const badName = await upload('handler.a', file('png', 100, 8), 'image/png', '%E6%95');
    expect([badName.statusCode, badName.json().code]).toEqual([422, 'EVIDENCE_FILENAME_INVALID']);
    expect(await files()).toBe(before + 1);
  });

  it('refuses an anonymous upload (the app’s authentication runs for this route too)', async () => {
    const before = await files();
    const anonymous = await upload(null, file('png', 100, 9), 'image/png');
    expect([anonymous.statusCode, anonymous.json().code]).toEqual([401, 'AUTH_REQUIRED']);
    const forged = await system.app.inject({ method: 'POST', url: '/api/v1/evidence', headers: { authorization: 'Bearer not-a-session', 'content-type': 'image/png' }, payload: file('png', 100, 9) });
    expect(forged.statusCode).toBe(401);
    expect(await files()).toBe(before);
  });

  it('stores the same bytes once, whoever uploads them; each uploader sees their own upload only', async () => {
    const bytes = file('pdf', 3000, 42);
    const first = await upload('handler.a', bytes, 'application/pdf', encodeURIComponent('整改报告.pdf'));
    const again = await upload('handler.b', bytes, 'application/pdf', encodeURIComponent('报告副本.pdf'));
    expect(first.statusCode).toBe(201);
    expect(again.statusCode).toBe(201);
    expect(again.json().digest).toBe(first.json().digest);
    const digest: string = first.json().digest;
    expect(await db().selectFrom('evidence_file').select(['uploaded_by']).where('digest', '=', digest).execute()).toEqual([{ uploaded_by: ids['handler.a'] }]);
    const uploads = await db().selectFrom('evidence_upload').select(['account_id', 'name']).where('digest', '=', digest).execute();
    expect(uploads.sort((x, y) => x.name.localeCompare(y.name))).toEqual(
      [
        { account_id: ids['handler.a'], name: '整改报告.pdf' },
        { account_id: ids['handler.b'], name: '报告副本.pdf' },
      ].sort((x, y) => x.name.localeCompare(y.name)),
    );
    const mine = await get('handler.b', `/api/v1/evidence/${digest}`);
    expect(mine.statusCode).toBe(200);
    expect(mine.headers['content-disposition']).toBe(`attachment; filename="____.pdf"; filename*=UTF-8''${encodeURIComponent('报告副本.pdf')}`);
    expect(mine.rawPayload.equals(bytes)).toBe(true);
    const notMine = await get('sup.county', `/api/v1/evidence/${digest}`);
    expect([notMine.statusCode, notMine.json().code]).toEqual([404, 'EVIDENCE_FILE_NOT_FOUND']);
    // A stored file is never changed.
    await expect(sql`UPDATE evidence_file SET media_type = 'image/png' WHERE digest = ${digest}`.execute(db())).rejects.toThrow(/LEDGER_APPEND_ONLY/);
  });

  it('records an attached file in the step’s event with its digest, stored type and size; the ticket’s viewers read it back', async () => {
    const ticket = await badTicket();
    const photo = file('jpeg', 2048, 1);
    const uploaded = (await upload('handler.a', photo, 'image/jpeg', encodeURIComponent('窗口录像截图.jpg'))).json();
    const accepted = await step('handler.a', ticket.id, { step: 'accept', version: 0 });
    expect(accepted.statusCode, accepted.body).toBe(200);
    const verified = await step('handler.a', ticket.id, {
      step: 'verified',
      version: 1,
      note: '调取录像，情况属实',
      attachments: [
        { evidence: uploaded.digest, name: '录像截图' },
        { name: '核实记录.pdf', uri: 'oss://hcp/evidence/1.pdf' },
      ],
    });
    expect(verified.statusCode, verified.body).toBe(200);
    const recorded = [
      { name: '录像截图.jpg', evidence: uploaded.digest, mediaType: 'image/jpeg', size: 2048 },
      { name: '核实记录.pdf', uri: 'oss://hcp/evidence/1.pdf' },
    ];
    const event = await db().selectFrom('ticket_event').select('attachments').where('ticket_id', '=', ticket.id).where('seq', '=', 2).executeTakeFirstOrThrow();
    expect(event.attachments).toEqual(recorded);
    const detail = await get('sup.county', `/api/v1/tickets/${ticket.id}`);
    expect(detail.json().events[1].attachments).toEqual(recorded);

    const url = `/api/v1/tickets/${ticket.id}/evidence/${uploaded.digest}`;
    for (const who of ['sup.county', 'handler.b']) {
      const response = await get(who, url);
      expect(response.statusCode, who).toBe(200);
      expect(response.rawPayload.equals(photo)).toBe(true);
      expect(response.headers).toMatchObject({
        'content-type': 'image/jpeg',
        'content-disposition': `inline; filename="____.jpg"; filename*=UTF-8''${encodeURIComponent('录像截图.jpg')}`,
        'x-content-type-options': 'nosniff',
        'content-security-policy': 'sandbox',
        'cache-control': 'private, no-cache',
        etag: `"${uploaded.digest}"`,
        'content-length': '2048',
      });
    }
    const unchanged = await get('handler.b', url, { 'if-none-match': `"${uploaded.digest}"` });
    expect(unchanged.statusCode).toBe(304);
    expect(unchanged.rawPayload.length).toBe(0);

    // Outside the ticket's org or region, an unknown ticket, a file the ticket does not name: the same 404.
    const elsewhere = (await upload('handler.a', file('png', 500, 3), 'image/png')).json();
    for (const [who, target] of [
      ['sup.elsewhere', url],
      ['handler.other', url],
      ['sup.county', `/api/v1/tickets/${ticket.id}/evidence/${elsewhere.digest}`],
      ['handler.a', `/api/v1/tickets/${ticket.id}/evidence/${'0'.repeat(64)}`],
      ['sup.county', `/api/v1/tickets/0190a5b0-0000-7000-8000-000000000099/evidence/${uploaded.digest}`],
    ] as const) {
      const refused = await get(who, target);
      expect([refused.statusCode, refused.json().code], `${who} ${target}`).toEqual([404, 'EVIDENCE_FILE_NOT_FOUND']);
      expect(refused.rawPayload.includes(photo.subarray(0, 64))).toBe(false);
    }
    // A colleague may cite a file the ticket already names, without having uploaded it.
    const decided = await step('handler.b', ticket.id, { step: 'reply', text: '已对窗口人员进行批评教育', attachments: [{ evidence: uploaded.digest, name: '截图.jpg' }] });
    expect(decided.statusCode, decided.body).toBe(200);
  });

  it('refuses a step naming an unknown file, or one somebody else uploaded, and stores nothing of it', async () => {
    const ticket = await badTicket();
    const others = (await upload('handler.other', file('png', 600, 5), 'image/png')).json();
    for (const digest of ['f'.repeat(64), others.digest]) {
      const refused = await step('handler.a', ticket.id, {
        step: 'accept',
        version: 0,
        attachments: [
          { name: '核实记录.pdf', uri: 'oss://hcp/evidence/2.pdf' },
          { evidence: digest, name: '照片.png' },
        ],
      });
      expect([refused.statusCode, refused.json()]).toMatchObject([422, { code: 'EVIDENCE_NOT_FOUND', details: { evidence: digest } }]);
    }
    expect(await db().selectFrom('ticket_event').select('seq').where('ticket_id', '=', ticket.id).execute()).toEqual([]);
    expect(await db().selectFrom('ticket').select(['state', 'version']).where('id', '=', ticket.id).executeTakeFirstOrThrow()).toEqual({ state: 'open', version: 0 });
    const malformed = await step('handler.a', ticket.id, { step: 'accept', attachments: [{ evidence: 'not-a-digest', name: 'x' }] });
    expect(malformed.statusCode).toBe(400);
  });

  it('describes the upload body as binary in each accepted type in the OpenAPI document', () => {
    const document = system.app.swagger() as { paths: Record<string, Record<string, { requestBody?: { content: Record<string, { schema: unknown }> }; parameters?: Array<{ name: string; in: string }> }>> };
    const operation = document.paths['/api/v1/evidence']?.post;
    expect(operation?.requestBody?.content).toEqual({
      'image/jpeg': { schema: { type: 'string', format: 'binary' } },
      'image/png': { schema: { type: 'string', format: 'binary' } },
      'application/pdf': { schema: { type: 'string', format: 'binary' } },
    });
    expect(operation?.parameters?.map((p) => [p.in, p.name])).toEqual([['header', 'x-hcp-filename']]);
  });
});
