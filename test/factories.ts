// Factories for test data: real rows through the real commands, with defaults a test can override.
import type { Kysely } from 'kysely';
import { uuidv7 } from 'uuidv7';
import { createIntegratorApp } from '../src/auth/integrator-apps.ts';
import { signRequest, newNonce } from '../src/auth/signature.ts';
import { makeDeptCode } from '../src/catalog/dept-code.ts';
import { registerCase, type CaseInput } from '../src/cases/register-case.ts';
import type { Config } from '../src/config/config.ts';
import type { DB } from '../src/db/schema.ts';
import type { App } from '../src/http/app-type.ts';

let serial = 0;
const next = () => ++serial;

export async function makeOrg(db: Kysely<DB>, overrides: { regionCode?: string; name?: string; kind?: 'department' | 'hall' | 'center' | 'other' } = {}) {
  const n = next();
  const row = {
    id: uuidv7(),
    dept_code: makeDeptCode(`${process.pid}${n}`.padStart(8, '0').slice(-8)),
    name: overrides.name ?? `测试局${n}`,
    kind: overrides.kind ?? ('department' as const),
    region_code: overrides.regionCode ?? '510104',
    parent_id: null,
    created_at: new Date('2026-01-01T00:00:00Z'),
  };
  await db.insertInto('org').values(row).execute();
  return row;
}

export async function makeItem(db: Kysely<DB>, org: { id: string; region_code: string }, overrides: { itemType?: string } = {}) {
  const n = next();
  const row = {
    id: uuidv7(),
    task_code: `T${process.pid}-${n}`,
    name: `测试事项${n}`,
    item_type: overrides.itemType ?? '01',
    org_id: org.id,
    region_code: org.region_code,
    created_at: new Date('2026-01-01T00:00:00Z'),
  };
  await db.insertInto('service_item').values(row).execute();
  return row;
}

export async function makeWindow(db: Kysely<DB>, org: { id: string }) {
  const n = next();
  const row = { id: uuidv7(), org_id: org.id, code: `W${n}`, name: `${n}号窗口`, created_at: new Date('2026-01-01T00:00:00Z') };
  await db.insertInto('service_window').values(row).execute();
  return row;
}

export async function makeStaff(db: Kysely<DB>, org: { id: string }, window: { id: string } | null = null) {
  const n = next();
  const row = { id: uuidv7(), org_id: org.id, window_id: window?.id ?? null, staff_no: `S${n}`, name: `工作人员${n}`, created_at: new Date('2026-01-01T00:00:00Z') };
  await db.insertInto('staff').values(row).execute();
  return row;
}

/** A completed one-stage case of `item`, done at `completedAt`. */
export async function makeCompletedCase(db: Kysely<DB>, config: Config, item: { task_code: string }, completedAt: string, overrides: Partial<CaseInput> = {}) {
  const projectNo = overrides.projectNo ?? `510104-20261101-${String(next()).padStart(6, '0')}`;
  await registerCase(
    { db, config, now: new Date(new Date(completedAt).getTime() + 1000), sourceApp: 'test', scope: { regionPath: '510000/', orgId: null } },
    { projectNo, taskCode: item.task_code, proStatus: 3, acceptDate: completedAt, resultDate: completedAt, ...overrides },
  );
  return projectNo;
}

export interface TestIntegrator {
  appId: string;
  secret: string;
}

export async function makeIntegrator(db: Kysely<DB>, config: Config, overrides: { regionCode?: string; orgId?: string; channelProfile?: 'national' | 'sms-six' } = {}): Promise<TestIntegrator> {
  const appId = `app-${process.pid}-${next()}`;
  const { secret } = await createIntegratorApp(
    db,
    config,
    { appId, name: '测试接入应用', regionCode: overrides.regionCode ?? '510000', orgId: overrides.orgId ?? null, channelProfile: overrides.channelProfile ?? 'national' },
    new Date('2026-01-01T00:00:00Z'),
  );
  return { appId, secret };
}

/** An HTTP request through app.inject(), signed as an integrator would sign it. */
export async function signedInject(app: App, integrator: TestIntegrator, now: Date, method: 'GET' | 'POST', url: string, body?: unknown) {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const headers = signRequest({ appId: integrator.appId, secret: integrator.secret, method, path: url, body: payload, timestamp: now.getTime(), nonce: newNonce() });
  return app.inject({ method, url, headers: { ...headers, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) }, ...(payload === undefined ? {} : { payload }) });
}
