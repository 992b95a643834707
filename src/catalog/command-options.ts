import type { WriteGuard } from './access.ts';
import type { Lookups } from './lookups.ts';

/** What a catalog command may be given besides its input. */
export interface CommandOptions {
  /** Asked about every place written to; absent: everything is allowed (CLI, seeding, tests). */
  guard?: WriteGuard | undefined;
  /** Default: straight to the database; an import passes a memo. */
  lookups?: Lookups;
}
