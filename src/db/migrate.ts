import { Migrator, type Kysely, type Migration, type MigrationProvider } from 'kysely';
import * as initial from './migrations/2026-11-28T00-initial.ts';
import * as intakeFastPath from './migrations/2026-11-29T00-intake-fast-path.ts';
import * as tickets from './migrations/2026-11-29T01-tickets.ts';
import * as ratingLinks from './migrations/2026-11-29T02-rating-links.ts';
import * as hotline from './migrations/2026-11-29T03-hotline.ts';
import * as abuseSignals from './migrations/2026-11-29T04-abuse-signals.ts';
import * as hallDevices from './migrations/2026-11-29T05-hall-devices.ts';
import * as scoring from './migrations/2026-11-30T00-scoring.ts';
import * as ticketEvaluationRegion from './migrations/2026-12-01T00-ticket-evaluation-region.ts';
import * as dropTicketUnansweredIndex from './migrations/2026-12-02T00-drop-ticket-unanswered-index.ts';
import * as upkeep from './migrations/2026-12-07T06-upkeep.ts';
import * as scoreCorrections from './migrations/2026-12-08T01-score-corrections.ts';
import * as calendarNotices from './migrations/2026-12-08T02-calendar-notices.ts';
import * as ledgerCheckpoints from './migrations/2026-12-08T03-ledger-checkpoints.ts';
import * as applicantProof from './migrations/2026-12-08T05-applicant-proof.ts';
import * as risk from './migrations/2026-12-08T06-risk.ts';
import * as evidence from './migrations/2026-12-08T08-evidence.ts';
import * as notificationNotify from './migrations/2026-12-08T10-notification-notify.ts';
import * as ticketDeskCounts from './migrations/2026-12-08T11-ticket-desk-counts.ts';
import * as ticketVoid from './migrations/2026-12-08T12-ticket-void.ts';
import * as signInSafety from './migrations/2026-12-08T07-sign-in-safety.ts';
import * as ticketDesk from './migrations/2026-12-08T09-ticket-desk.ts';

// Listed explicitly (not read from the folder) so that bundling and tests see the same set.
const migrations: Record<string, Migration> = {
  '2026-11-28T00-initial': initial,
  '2026-11-29T00-intake-fast-path': intakeFastPath,
  '2026-11-29T01-tickets': tickets,
  '2026-11-29T02-rating-links': ratingLinks,
  '2026-11-29T03-hotline': hotline,
  '2026-11-29T04-abuse-signals': abuseSignals,
  '2026-11-29T05-hall-devices': hallDevices,
  '2026-11-30T00-scoring': scoring,
  '2026-12-01T00-ticket-evaluation-region': ticketEvaluationRegion,
  '2026-12-02T00-drop-ticket-unanswered-index': dropTicketUnansweredIndex,
  '2026-12-07T06-upkeep': upkeep,
  '2026-12-08T01-score-corrections': scoreCorrections,
  '2026-12-08T02-calendar-notices': calendarNotices,
  '2026-12-08T03-ledger-checkpoints': ledgerCheckpoints,
  '2026-12-08T05-applicant-proof': applicantProof,
  '2026-12-08T06-risk': risk,
  '2026-12-08T08-evidence': evidence,
  '2026-12-08T10-notification-notify': notificationNotify,
  '2026-12-08T11-ticket-desk-counts': ticketDeskCounts,
  '2026-12-08T12-ticket-void': ticketVoid,
  '2026-12-08T07-sign-in-safety': signInSafety,
  '2026-12-08T09-ticket-desk': ticketDesk,
};

const provider: MigrationProvider = { getMigrations: async () => migrations };

/** Runs the migrations up to and including `name` (tests of a migration against the schema before it). */
export async function migrateTo<T>(db: Kysely<T>, name: string): Promise<void> {
  const { error } = await new Migrator({ db, provider }).migrateTo(name);
  if (error) throw error instanceof Error ? error : new Error(String(error));
}

export async function migrateToLatest<T>(db: Kysely<T>): Promise<string[]> {
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error(String(error));
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
