// What the honor roll reads: the published snapshot of a period (the latest closed month by
// default), the live figures of the current month when it is not published, and the periods
// offered by the picker.
import type { Kysely } from 'kysely';
import { regionDisplayNames } from '../catalog/regions.ts';
import { beijingDay } from '../clock.ts';
import type { DB, PeriodKind } from '../db/schema.ts';
import { liveFigures } from '../scoring/live.ts';
import { periodContaining } from '../scoring/periods.ts';
import { latestSnapshot, listSnapshots, readSnapshot } from '../scoring/snapshots.ts';
import { honorRollOf, type HonorRoll, type HonorRollView, type PeriodRef } from './honor-roll.ts';

const PICKER: ReadonlyArray<readonly [PeriodKind, number]> = [
  ['month', 12],
  ['quarter', 4],
  ['year', 3],
];

/** The latest published months, quarters and years (12, 4, 3), newest first. */
export async function publishedPeriods(db: Kysely<DB>): Promise<PeriodRef[]> {
  const all = await listSnapshots(db);
  return PICKER.flatMap(([kind, count]) =>
    all
      .filter((s) => s.periodKind === kind)
      .sort((a, b) => (a.toDay < b.toDay ? 1 : a.toDay > b.toDay ? -1 : 0))
      .slice(0, count)
      .map((s) => ({ kind, key: s.periodKey, fromDay: s.fromDay, toDay: s.toDay })),
  ).sort((a, b) => (a.toDay !== b.toDay ? (a.toDay < b.toDay ? 1 : -1) : a.fromDay < b.fromDay ? -1 : 1));
}

/** The month (in Beijing days) that contains an instant. */
export function currentMonthOf(now: Date): PeriodRef {
  const month = periodContaining('month', beijingDay(now));
  return { kind: 'month', key: month.key, fromDay: month.fromDay, toDay: month.toDay };
}

/** What the period picker offers. */
export async function pickerOf(db: Kysely<DB>, now: Date): Promise<Pick<HonorRollView, 'published' | 'currentMonth'>> {
  return { published: await publishedPeriods(db), currentMonth: currentMonthOf(now) };
}

/** The roll with regions named as the public reads them (成都市锦江区); a signed name stays as signed in `name`. */
export async function withDisplayNames(db: Kysely<DB>, roll: HonorRoll): Promise<HonorRoll> {
  const regional = roll.classes.filter((c) => c.unitClass !== 'provincial_department');
  const names = await regionDisplayNames(db, regional.flatMap((c) => c.entries.map((entry) => entry.unitId)));
  return {
    ...roll,
    classes: roll.classes.map((c) =>
      c.unitClass === 'provincial_department' ? c : { ...c, entries: c.entries.map((entry) => ({ ...entry, displayName: names.get(entry.unitId) ?? entry.name })) },
    ),
  };
}

/**
 * The view of one period (`null`: the latest published month, or the current month when no month
 * is published yet). Published figures come from the signed snapshot only; the current month,
 * when not published, shows the live figures labelled as such; any other period says it is not
 * published.
 */
export async function loadHonorRoll(db: Kysely<DB>, requested: PeriodRef | null, now: Date): Promise<HonorRollView> {
  const today = beijingDay(now);
  const currentMonth = currentMonthOf(now);
  const [snapshot, published] = await Promise.all([
    requested === null ? latestSnapshot(db, 'month') : readSnapshot(db, requested.kind, requested.key),
    publishedPeriods(db),
  ]);
  const base = { published, currentMonth, asOf: null, seal: null, pending: null };
  if (snapshot) {
    const { fromDay, toDay } = snapshot.document.period;
    return {
      ...base,
      period: { kind: snapshot.periodKind, key: snapshot.periodKey, fromDay, toDay },
      status: 'published',
      roll: await withDisplayNames(db, honorRollOf(snapshot.document)),
      seal: { digest: snapshot.digest, keyId: snapshot.keyId, closedAt: snapshot.closedAt },
    };
  }
  const period = requested ?? currentMonth;
  if (period.kind === 'month' && period.key === currentMonth.key) {
    const live = await liveFigures(db, currentMonth, now);
    return { ...base, period, status: 'live', roll: await withDisplayNames(db, honorRollOf(live)), asOf: now, pending: 'not_ended' };
  }
  return { ...base, period, status: 'not_published', roll: null, pending: period.toDay >= today ? 'not_ended' : 'awaiting_close' };
}
