// Replays planned traffic (bench/fraud/traffic.ts) through the real HTTP paths of a running system
// (a listening server, fetch, signed integrator and hotline requests, rating links, posters, hall
// device links), with the server's clock set to each rating's simulated moment; the risk assessor
// runs as the traffic goes; then every rating's outcome is read back: refused, accepted, held.
import { randomUUID } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { createIntegratorApp } from '../../src/auth/integrator-apps.ts';
import { newNonce, signRequest } from '../../src/auth/signature.ts';
import type { Config } from '../../src/config/config.ts';
import { BAD_LEVELS } from '../../src/evaluations/levels.ts';
import { registerDevice } from '../../src/kiosk/devices.ts';
import { KIOSK_SOURCE_PREFIX } from '../../src/kiosk/push.ts';
import { inviteToRate, RATING_INVITE } from '../../src/hotline/invitations.ts';
import { issueLinkForStage } from '../../src/ratings/links.ts';
import { placeUrl } from '../../src/ratings/places.ts';
import { evaluationContribution, addCounts, emptyTally, type TallyCounts } from '../../src/scoring/tally.ts';
import { exclusionOf } from '../../src/scoring/exclusion.ts';
import { foldWaiting } from '../../src/scoring/feed.ts';
import { sumTallies } from '../../src/scoring/tally-store.ts';
import { unitFigures } from '../../src/scoring/figures.ts';
import { schemeInForce } from '../../src/scoring/schemes.ts';
import type { System } from '../../src/system.ts';
import type { TestClock } from '../../test/clock.ts';
import { makeCompletedCase, makeItem, makeOrg, makeStaff, makeWindow } from '../../test/factories.ts';
import type { PlannedRating, World } from './traffic.ts';

export const HOTLINE_APP_ID = 'bench-hotline';

export interface Outcome {
  planned: PlannedRating;
  /** HTTP status of the rating request (0: not sent). */
  status: number;
  evaluationId: string | null;
  held: boolean;
}

interface Places {
  orgs: Map<string, { id: string; itemCode: string }>;
  windows: Map<string, { id: string; code: string; org: string; deviceId: string; credential: string }>;
  staff: Map<string, { id: string; staffNo: string; posterToken: string }>;
}

const beijing = (ms: number) => new Date(ms + 8 * 3_600_000).toISOString().slice(0, 19).replace('T', ' ');

async function buildPlaces(system: System, world: World, clock: TestClock): Promise<Places> {
  const db = system.database.db;
  const places: Places = { orgs: new Map(), windows: new Map(), staff: new Map() };
  const admin = { kind: 'staff' as const, accountId: 'bench', username: 'bench', role: 'province_admin' as const, regionPath: '510000/', orgId: null };
  for (const o of world.orgs) {
    const org = await makeOrg(db, { name: `测试政务服务中心${o.key}`, kind: 'hall' });
    const item = await makeItem(db, org);
    places.orgs.set(o.key, { id: org.id, itemCode: item.task_code });
    for (const w of o.windows) {
      const window = await makeWindow(db, org);
      const device = await registerDevice(db, admin, { windowId: window.id, kind: 'evaluator', name: `${w.key} 评价器` }, clock());
      places.windows.set(w.key, { id: window.id, code: window.code, org: o.key, deviceId: device.id, credential: device.credential });
      for (const s of w.staff) {
        const staff = await makeStaff(db, org, window);
        const url = placeUrl(system.config, 'staff', staff.id);
        places.staff.set(s, { id: staff.id, staffNo: staff.staff_no, posterToken: url.split('/p/staff/')[1] ?? '' });
      }
    }
  }
  return places;
}

/** A valid reason code for a level (offline: every planned stage was served at a window). */
function indicatorsFor(level: number, catalogue: Map<string, { levels: number[]; scope: string }>): string[] {
  if (!BAD_LEVELS.has(level)) return [];
  for (const [code, option] of catalogue) if (option.levels.includes(level) && option.scope !== 'online') return [code];
  return [];
}

export async function replay(system: System, clock: TestClock, world: World, planned: readonly PlannedRating[], options: { assessEvery: number; log?: (line: string) => void }): Promise<Outcome[]> {
  const db = system.database.db;
  const config: Config = system.config;
  const places = await buildPlaces(system, world, clock);
  const integrators = new Map<string, { appId: string; secret: string }>();
  for (const name of ['city-a', 'city-b', HOTLINE_APP_ID]) {
    const created = await createIntegratorApp(db, config, { appId: name === HOTLINE_APP_ID ? name : `bench-${name}`, name, regionCode: '510000', orgId: null, channelProfile: 'national' }, clock());
    integrators.set(name, { appId: name === HOTLINE_APP_ID ? name : `bench-${name}`, secret: created.secret });
  }
  const rows = await db.selectFrom('indicator').selectAll().execute();
  const catalogue = new Map(rows.filter((r) => r.version === rows.map((x) => x.version).sort().at(-1)).map((r) => [r.code, { levels: r.levels.map(Number), scope: r.scope }]));

  await system.app.listen({ host: '127.0.0.1', port: 0 });
  const base = `http://127.0.0.1:${(system.app.server.address() as AddressInfo).port}`;
  const send = async (method: 'GET' | 'POST', path: string, body: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(`${base}${path}`, { method, headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers }, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await response.text();
    return { status: response.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  };
  const signed = (app: string, path: string, body: unknown) => {
    const integrator = integrators.get(app) as { appId: string; secret: string };
    const payload = JSON.stringify(body);
    const headers = signRequest({ appId: integrator.appId, secret: integrator.secret, method: 'POST', path, body: payload, timestamp: clock().getTime(), nonce: newNonce() });
    return send('POST', path, body, { ...headers });
  };

  const invite = inviteToRate({ config });
  const outcomes: Outcome[] = [];
  const pendingBatches = new Map<string, Array<{ outcome: Outcome; item: Record<string, unknown> }>>();
  const flushBatch = async (sender: string) => {
    const items = pendingBatches.get(sender) ?? [];
    pendingBatches.delete(sender);
    if (items.length === 0) return;
    const answer = await signed(sender, '/api/v1/evaluations/batch', { format: 'native', items: items.map((i) => i.item) });
    const results = (answer.json.results as Array<{ status: string; evaluation?: { id: string } }> | undefined) ?? [];
    items.forEach(({ outcome }, k) => {
      const result = results[k];
      if (result?.status === 'refused') options.log?.(`batch item refused: ${JSON.stringify(result)}`);
      outcome.status = answer.status === 200 && result && result.status !== 'refused' ? 201 : answer.status === 200 ? 422 : answer.status;
      outcome.evaluationId = result?.evaluation?.id ?? null;
    });
  };
  const receiptIds = new Map<string, Outcome>();
  let serial = 0;
  let sinceAssess = 0;
  for (const p of planned) {
    serial += 1;
    const outcome: Outcome = { planned: p, status: 0, evaluationId: null, held: false };
    outcomes.push(outcome);
    const staff = places.staff.get(p.staff) as { id: string; staffNo: string; posterToken: string };
    const window = places.windows.get(p.window) as { id: string; code: string; org: string; deviceId: string; credential: string };
    const org = places.orgs.get(p.org) as { id: string; itemCode: string };
    // The stage the rating is about, completed delayMs before (posters rate the staff member itself).
    let projectNo = '';
    if (p.path !== 'poster' || p.label === 'poster_grab') {
      clock.set(new Date(p.at - p.delayMs));
      projectNo = `BENCH-${serial}`;
      await makeCompletedCase(db, config, { task_code: org.itemCode }, beijing(p.at - p.delayMs), { projectNo, windowCode: window.code, staffNo: staff.staffNo, ...(p.phone ? { mobile: p.phone } : {}) });
    }
    clock.set(new Date(p.at));
    for (const [sender, items] of pendingBatches) if (items.length > 0 && p.at - new Date(String(items[0]?.item.assessedAt)).getTime() > 30 * 60_000) await flushBatch(sender);
    const web = { 'x-forwarded-for': p.address ?? '10.255.0.1' };
    const rating = { clientId: `bench-${serial}-attempt`, level: p.level, indicators: indicatorsFor(p.level, catalogue), anonymous: p.phone === null, ...(p.comment ? { comment: p.comment } : {}), ...(p.phone ? { phone: p.phone } : {}), ...(p.installId ? { installId: p.installId } : {}) };
    const stageOf = async () => (await db.selectFrom('case_stage as s').innerJoin('service_case as c', 'c.id', 's.case_id').select('s.id').where('c.project_no', '=', projectNo).executeTakeFirstOrThrow()).id;
    let answer: { status: number; json: Record<string, unknown> } | null = null;
    switch (p.path) {
      case 'link': {
        const link = await issueLinkForStage({ db, config, clock }, await stageOf(), 'sms', 'bench-city-a');
        await send('GET', `/api/v1/public/ratings/${link.token}`, undefined, web);
        answer = await send('POST', `/api/v1/public/ratings/${link.token}`, rating, web);
        break;
      }
      case 'kiosk': {
        // What the push does when the stage completes at the window (src/kiosk/push.ts): a link
        // bound to the window's device, to be used within minutes; the device rates through it.
        const pushedAt = new Date(p.at - p.delayMs);
        const link = await issueLinkForStage({ db, config, clock: () => pushedAt }, await stageOf(), 'hall_tablet', `${KIOSK_SOURCE_PREFIX}${window.deviceId}`, { proof: 'device', deviceId: window.deviceId, rateBy: new Date(pushedAt.getTime() + 5 * 60_000) });
        answer = await send('POST', `/api/v1/kiosk/ratings/${link.token}`, { ...rating, installId: undefined, madeAt: new Date(p.at).toISOString() }, { authorization: `Device ${window.credential}`, 'x-forwarded-for': `192.0.${2 + [...places.orgs.keys()].indexOf(window.org)}.250` });
        break;
      }
      case 'poster':
        if (p.label === 'poster_grab') {
          // A guessed receipt code for the case completed at this window (the real one is on the applicant's receipt).
          answer = await send('POST', `/api/v1/public/places/staff/${staff.posterToken}/receipt-code`, { code: randomUUID().replaceAll('-', '').slice(0, 10) }, web);
          const token = answer.status === 200 ? String(answer.json.url ?? answer.json.token ?? '').split('/rate/').at(-1) : null;
          if (token) answer = await send('POST', `/api/v1/public/ratings/${token}`, rating, web);
        } else answer = await send('POST', `/api/v1/public/places/staff/${staff.posterToken}/rating`, rating, web);
        break;
      case 'integrator': {
        const item = { clientId: `bench-${serial}`, projectNo, level: p.level, indicators: rating.indicators, channel: 'hall_terminal', assessedAt: new Date(p.at).toISOString(), ...(p.comment ? { comment: p.comment } : {}), ...(p.phone ? { rater: { phone: p.phone } } : { anonymous: true }) };
        if (p.batch) {
          const list = pendingBatches.get(p.sender) ?? [];
          list.push({ outcome, item });
          pendingBatches.set(p.sender, list);
        } else answer = await signed(p.sender, '/api/v1/evaluations', item);
        break;
      }
      case 'sms': {
        // The platform's own invitation job texts the applicant an hour before the reply.
        const stageId = await stageOf();
        const sentAt = new Date(p.at - 3_600_000);
        await db.transaction().execute((trx) => invite(trx, { id: randomUUID(), kind: RATING_INVITE, subjectId: stageId, dueAt: sentAt, payload: {}, attempts: 0 }, sentAt));
        const invited = await db.selectFrom('rating_invitation').select('case_stage_id').where('case_stage_id', '=', stageId).executeTakeFirst();
        if (!invited) options.log?.(`not invited: ${JSON.stringify(await db.selectFrom('case_stage as s').innerJoin('service_case as c', 'c.id', 's.case_id').select(['s.status', 's.completed_at', 'c.applicant_phone_lookup']).where('s.id', '=', stageId).executeTakeFirst())} at ${sentAt.toISOString()}`);
        answer = await signed(HOTLINE_APP_ID, '/api/v1/hotline/sms/inbound', { messageId: `sms-${serial}`, from: p.phone, text: String(p.level), receivedAt: new Date(p.at).toISOString() });
        if (answer.status === 200 && answer.json.outcome !== 'rated') {
          options.log?.(`sms not rated: ${JSON.stringify(answer.json)}`);
          answer = { status: 422, json: answer.json };
        }
        break;
      }
      case 'ivr':
        answer = await signed(HOTLINE_APP_ID, '/api/v1/hotline/ivr', { callId: `call-${serial}`, projectNo, digit: String(p.level), pressedAt: new Date(p.at).toISOString(), ...(p.phone ? { caller: p.phone } : {}) });
        break;
    }
    if (answer) {
      outcome.status = answer.status === 200 ? 201 : answer.status;
      const receiptNo = (answer.json.receiptNo ?? (answer.json.evaluation as { receiptNo?: string } | undefined)?.receiptNo) as string | undefined;
      if (receiptNo) receiptIds.set(receiptNo, outcome);
      if (answer.status >= 300) options.log?.(`${p.path} ${answer.status} ${JSON.stringify(answer.json)}`);
    }
    sinceAssess += 1;
    if (sinceAssess >= options.assessEvery) {
      sinceAssess = 0;
      await system.riskAssessor.drain();
    }
  }
  for (const sender of [...pendingBatches.keys()]) await flushBatch(sender);
  await system.riskAssessor.drain();
  await foldWaiting(db);

  if (receiptIds.size > 0) {
    const found = await db.selectFrom('evaluation').select(['id', 'receipt_no']).where('receipt_no', 'in', [...receiptIds.keys()]).execute();
    for (const row of found) (receiptIds.get(row.receipt_no) as Outcome).evaluationId = row.id;
  }
  const ids = outcomes.map((o) => o.evaluationId).filter((id): id is string => id !== null);
  const flags = ids.length === 0 ? [] : await db.selectFrom('evaluation_event').select(['id', 'evaluation_id', 'kind', 'at']).where('evaluation_id', 'in', ids).execute();
  for (const o of outcomes) {
    if (o.evaluationId === null) continue;
    o.held = exclusionOf(flags.filter((f) => f.evaluation_id === o.evaluationId)) === 'held';
  }
  return outcomes;
}

/**
 * How far an attack moved its victim's composite score once held ratings are set apart: the live
 * figures of the staff member, against the same figures without the attack's ratings still counted.
 */
export async function scoreMovement(system: System, outcomes: readonly Outcome[], label: string, day: string): Promise<number> {
  const db = system.database.db;
  const counted = outcomes.filter((o) => o.planned.label === label && o.evaluationId !== null && !o.held).map((o) => o.evaluationId as string);
  const victimOutcome = outcomes.find((o) => o.planned.label === label && o.evaluationId !== null);
  if (!victimOutcome) return 0;
  const victim = await db.selectFrom('evaluation').select('staff_id').where('id', '=', victimOutcome.evaluationId as string).executeTakeFirstOrThrow();
  if (victim.staff_id === null) return 0;
  const scheme = await schemeInForce(db, day);
  const [tally] = await sumTallies(db, 'staff', day, day, [victim.staff_id]);
  const actual: TallyCounts = tally?.counts ?? emptyTally();
  let without = actual;
  if (counted.length > 0) {
    const rows = await db.selectFrom('evaluation').select(['id', 'level', 'is_default', 'assess_number', 'channel', 'assessed_day', 'received_at', 'case_stage_id', 'region_code', 'org_id', 'item_id', 'window_id', 'staff_id']).where('id', 'in', counted).execute();
    const stages = new Map((await db.selectFrom('stage_completion').selectAll().where('case_stage_id', 'in', rows.map((r) => r.case_stage_id ?? '00000000-0000-0000-0000-000000000000')).execute()).map((s) => [s.case_stage_id, s]));
    for (const row of rows) {
      for (const t of evaluationContribution(row, row.case_stage_id === null ? null : (stages.get(row.case_stage_id) ?? null)).tallies) {
        if (t.unit.kind === 'staff' && t.unit.id === victim.staff_id && t.day === day) without = addCounts(without, t.counts, -1);
      }
    }
  }
  const score = (c: TallyCounts) => unitFigures(c, 0, scheme.definition).compositeScore ?? 0;
  return Math.abs(score(actual) - score(without));
}
