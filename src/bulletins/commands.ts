// Bulletin commands: issuing a bulletin (the K snapshots read, the units named, their overdue
// tickets and typical 差评 gathered, the document stored with its SM3 digest and a pending response
// per named unit, in one transaction), and one step of a named unit's response.
import type { Kysely, Transaction } from 'kysely';
import { uuidv7 } from 'uuidv7';
import { isUniqueViolation } from '../auth/unique-violation.ts';
import type { Clock } from '../clock.ts';
import { sm3 } from '../crypto/sm.ts';
import type { AttachmentRef, DB, PeriodKind } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import type { StaffCaller } from '../http/caller.ts';
import type { StoredSnapshot, UnitClass } from '../scoring/document.ts';
import { parsePeriod, periodsEndingWith } from '../scoring/periods.ts';
import { readSnapshot } from '../scoring/snapshots.ts';
import { bulletinDocument, type BulletinDocument, type NamedUnit } from './document.ts';
import { badCommentCandidates, latestResponse, overdueTickets, unitPlacement, type BulletinRow, type ResponseRow } from './queries.ts';
import { isRefusal, issueRefusal, namedUnits, nextResponseState, pickTypicalComments, responseStepRefusal, ruleOf, type ResponseStep } from './rules.ts';

export interface BulletinDeps {
  db: Kysely<DB>;
  clock: Clock;
}

export interface IssueRequest {
  periodKind: PeriodKind;
  periodKey: string;
  unitClass: UnitClass;
  /** Overrides of the scheme's rule, for this bulletin only. */
  bottomN?: number | undefined;
  consecutivePeriods?: number | undefined;
}

export interface IssuedBulletin {
  row: BulletinRow;
  document: BulletinDocument;
}

/** The province a snapshot covers (its level-1 region), else the caller's. */
async function provinceOf(trx: Transaction<DB>, newest: StoredSnapshot, caller: StaffCaller): Promise<{ code: string; name: string }> {
  const inSnapshot = newest.document.units.find((u) => u.unitKind === 'region' && u.regionLevel === 1);
  if (inSnapshot) return { code: inSnapshot.unitId, name: inSnapshot.name };
  const code = (caller.regionPath ?? '').split('/')[0] ?? '';
  const region = await trx.selectFrom('region').select(['code', 'name']).where('code', '=', code).executeTakeFirst();
  return region ?? { code, name: '' };
}

/**
 * Issue the bulletin of a period for a class of units. Refuses with BULLETIN_NEEDS_SNAPSHOTS
 * unless all K periods ending with it are closed, BULLETIN_EXISTS when it was issued before; a
 * refusal stores nothing.
 */
export async function issueBulletin(deps: BulletinDeps, caller: StaffCaller, request: IssueRequest): Promise<IssuedBulletin> {
  const refusal = issueRefusal(caller);
  if (refusal) throw new AppError(refusal.code, refusal.details);
  const period = parsePeriod(request.periodKey);
  if (!period || period.kind !== request.periodKind) throw new AppError('PERIOD_INVALID', { periodKind: request.periodKind, periodKey: request.periodKey });
  const kind = request.periodKind;
  const now = deps.clock();
  try {
    return await deps.db.transaction().execute(async (trx) => {
      const exists = await trx.selectFrom('bulletin').select('id').where('period_kind', '=', kind).where('period_key', '=', period.key).where('unit_class', '=', request.unitClass).executeTakeFirst();
      if (exists) throw new AppError('BULLETIN_EXISTS', { bulletinId: exists.id });
      const newest = await readSnapshot(trx, kind, period.key);
      if (!newest) throw new AppError('BULLETIN_NEEDS_SNAPSHOTS', { missing: [period.key] });
      const rule = ruleOf(newest.document, { bottomN: request.bottomN, consecutivePeriods: request.consecutivePeriods });
      const periods = periodsEndingWith(period, rule.consecutivePeriods);
      const snapshots: StoredSnapshot[] = [newest];
      const missing: string[] = [];
      for (const p of periods.slice(1)) {
        const found = await readSnapshot(trx, kind, p.key);
        if (found) snapshots.push(found);
        else missing.push(p.key);
      }
      if (missing.length > 0) throw new AppError('BULLETIN_NEEDS_SNAPSHOTS', { missing, consecutivePeriods: rule.consecutivePeriods });

      const oldest = periods[periods.length - 1] ?? period;
      const named: NamedUnit[] = [];
      for (const unit of namedUnits(snapshots.map((s) => s.document), request.unitClass, rule.bottomN)) {
        const placement = await unitPlacement(trx, { kind: unit.unitKind, id: unit.unitId });
        if (!placement) throw new AppError('UNIT_NOT_FOUND', { unitKind: unit.unitKind, unitId: unit.unitId });
        const overdue = await overdueTickets(trx, placement, oldest.fromDay, period.toDay, now);
        const typicalComments = pickTypicalComments(await badCommentCandidates(trx, placement, period.fromDay, period.toDay));
        named.push({ ...unit, overdue, typicalComments });
      }

      const id = uuidv7();
      const document = bulletinDocument({
        id,
        province: await provinceOf(trx, newest, caller),
        period: { kind, key: period.key, fromDay: period.fromDay, toDay: period.toDay },
        unitClass: request.unitClass,
        rule,
        snapshots,
        named,
        issuedAt: now,
        issuedBy: caller.accountId,
      });
      const text = JSON.stringify(document);
      const row: BulletinRow = {
        id,
        period_kind: kind,
        period_key: period.key,
        unit_class: request.unitClass,
        bottom_n: rule.bottomN,
        consecutive: rule.consecutivePeriods,
        snapshot_ids: snapshots.map((s) => s.id),
        document: text,
        digest: sm3(text),
        issued_by: caller.accountId,
        issued_at: now,
      };
      await trx.insertInto('bulletin').values(row).execute();
      if (named.length > 0) {
        await trx
          .insertInto('bulletin_response')
          .values(named.map((u) => ({ bulletin_id: id, unit_kind: u.unitKind, unit_id: u.unitId, seq: 1, state: 'pending' as const, text: null, attachments: '[]', actor: caller.accountId, at: now })))
          .execute();
      }
      return { row, document };
    });
  } catch (error) {
    // Two issuers at once: the second meets the unique key and gets the same refusal as a late one.
    if (isUniqueViolation(error)) throw new AppError('BULLETIN_EXISTS', { periodKind: kind, periodKey: period.key, unitClass: request.unitClass });
    throw error;
  }
}

export interface ResponseStepRequest {
  bulletinId: string;
  unitKind: 'region' | 'org';
  unitId: string;
  step: ResponseStep;
  /** 整改情况 (submit), the reason (return), a remark (accept). */
  text: string | null;
  attachments: AttachmentRef[];
}

/**
 * One step of a named unit's response: appended as the next event (its state is the latest). Of two
 * steps on the same state at once, one is stored; the other gets BULLETIN_RESPONSE_INVALID.
 */
export async function takeResponseStep(deps: BulletinDeps, caller: StaffCaller, request: ResponseStepRequest): Promise<ResponseRow> {
  const now = deps.clock();
  const unit = { kind: request.unitKind, id: request.unitId };
  try {
    return await deps.db.transaction().execute(async (trx) => {
      const bulletin = await trx.selectFrom('bulletin').select('id').where('id', '=', request.bulletinId).executeTakeFirst();
      if (!bulletin) throw new AppError('BULLETIN_NOT_FOUND');
      const latest = await latestResponse(trx, bulletin.id, unit);
      const placement = latest && (await unitPlacement(trx, unit));
      if (!latest || !placement) throw new AppError('UNIT_NOT_FOUND', { reason: 'not named in this bulletin', unitKind: unit.kind, unitId: unit.id });
      const refusal = responseStepRefusal(caller, placement, request.step);
      if (refusal) throw new AppError(refusal.code, refusal.details);
      const next = nextResponseState(latest.state, request.step);
      if (isRefusal(next)) throw new AppError(next.code, next.details);
      const text = request.text?.trim() || null;
      if (text === null && request.step !== 'accept') throw new AppError('VALIDATION_FAILED', { field: 'text', reason: `required to ${request.step}` });
      const row: ResponseRow = {
        bulletin_id: bulletin.id,
        unit_kind: latest.unit_kind,
        unit_id: latest.unit_id,
        seq: latest.seq + 1,
        state: next,
        text,
        attachments: request.step === 'submit' ? request.attachments : [],
        actor: caller.accountId,
        at: now,
      };
      await trx.insertInto('bulletin_response').values({ ...row, attachments: JSON.stringify(row.attachments) }).execute();
      return row;
    });
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError('BULLETIN_RESPONSE_INVALID', { reason: 'another step was taken at the same time; reload and retry' });
    throw error;
  }
}
