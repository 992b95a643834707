// Integrator apps: city platforms and departments' systems that push data with signed requests.
// The app secret is shown once at creation and kept only SM4-sealed, bound to its app id.
import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Clock } from '../clock.ts';
import type { Config, PiiKey } from '../config/config.ts';
import { sm4Open, sm4Seal } from '../crypto/sm.ts';
import type { DB } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import { recordAdminChange, type AdminActor } from './admin-audit.ts';
import { isUniqueViolation } from './unique-violation.ts';

export type ChannelProfile = 'national' | 'sms-six';

export const APP_ID_PATTERN = /^[A-Za-z0-9_-]{3,64}$/;
const REGION_CODE_PATTERN = /^[0-9]{6}([0-9]{6})?$/;
const UUID_PATTERN = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const SECRET_BYTES = 32;

export interface NewIntegratorApp {
  appId: string;
  name: string;
  regionCode: string;
  orgId?: string | null;
  channelProfile: ChannelProfile;
}

export interface IntegratorApp {
  appId: string;
  name: string;
  regionCode: string;
  /** Path of the app's region ('510000/510100/'), the prefix of everything it may act on. */
  regionPath: string;
  orgId: string | null;
  channelProfile: ChannelProfile;
  active: boolean;
  /** The secret as issued: 64 lowercase hex characters, whose ASCII bytes are the HMAC key. */
  secret: string;
  createdAt: Date;
}

function keyById(config: Config, id: string): PiiKey {
  const key = config.pii.keys.find((k) => k.id === id);
  // A missing key is an operator error (key removed from PII_KEYS too early), not a caller's.
  if (!key) throw new Error(`integrator app secret is sealed with key "${id}", which is not in PII_KEYS`);
  return key;
}

function currentKey(config: Config): PiiKey {
  const key = config.pii.keys[0];
  if (!key) throw new Error('PII_KEYS is empty');
  return key;
}

/** Creates an app with a fresh random secret. The returned secret is never shown again. */
export async function createIntegratorApp(db: Kysely<DB>, config: Config, input: NewIntegratorApp, now: Date): Promise<{ app: IntegratorApp; secret: string }> {
  if (!APP_ID_PATTERN.test(input.appId)) throw new AppError('VALIDATION_FAILED', { field: 'appId', reason: '3-64 characters of A-Z a-z 0-9 _ -' });
  const name = input.name.trim();
  if (name.length < 1 || name.length > 200) throw new AppError('VALIDATION_FAILED', { field: 'name', reason: '1-200 characters' });
  if (input.channelProfile !== 'national' && input.channelProfile !== 'sms-six') {
    throw new AppError('VALIDATION_FAILED', { field: 'channelProfile', reason: "'national' or 'sms-six'" });
  }
  if (!REGION_CODE_PATTERN.test(input.regionCode)) throw new AppError('REGION_CODE_INVALID', { regionCode: input.regionCode });
  const region = await db.selectFrom('region').select(['code', 'path']).where('code', '=', input.regionCode).executeTakeFirst();
  if (!region) throw new AppError('REGION_UNKNOWN', { regionCode: input.regionCode });

  const orgId = input.orgId ?? null;
  if (orgId !== null) {
    const org = UUID_PATTERN.test(orgId)
      ? await db.selectFrom('org').innerJoin('region', 'region.code', 'org.region_code').select(['org.id', 'region.path']).where('org.id', '=', orgId).executeTakeFirst()
      : undefined;
    if (!org) throw new AppError('ORG_UNKNOWN', { orgId });
    // An app bound to an org acts for that org only; the org must still lie in the app's region.
    if (!org.path.startsWith(region.path)) throw new AppError('VALIDATION_FAILED', { field: 'orgId', reason: 'the org lies outside the app region', orgId, regionCode: input.regionCode });
  }

  const secretBytes = randomBytes(SECRET_BYTES);
  const secret = secretBytes.toString('hex');
  const key = currentKey(config);
  try {
    await db
      .insertInto('integrator_app')
      .values({
        app_id: input.appId,
        name,
        // Bound to the app id, so a sealed secret copied onto another row does not open.
        secret_enc: sm4Seal(key.key, secretBytes, input.appId),
        secret_key_id: key.id,
        region_code: region.code,
        org_id: orgId,
        channel_profile: input.channelProfile,
        active: true,
        created_at: now,
      })
      .execute();
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError('DUPLICATE_KEY', { appId: input.appId });
    throw error;
  }
  return {
    app: { appId: input.appId, name, regionCode: region.code, regionPath: region.path, orgId, channelProfile: input.channelProfile, active: true, secret, createdAt: now },
    secret,
  };
}

/** The app with its opened secret and region path, or null when no such app exists (active or not). */
export async function loadIntegratorApp(db: Kysely<DB>, config: Config, appId: string): Promise<IntegratorApp | null> {
  if (!APP_ID_PATTERN.test(appId)) return null;
  const row = await db
    .selectFrom('integrator_app')
    .innerJoin('region', 'region.code', 'integrator_app.region_code')
    .select([
      'integrator_app.app_id',
      'integrator_app.name',
      'integrator_app.secret_enc',
      'integrator_app.secret_key_id',
      'integrator_app.region_code',
      'integrator_app.org_id',
      'integrator_app.channel_profile',
      'integrator_app.active',
      'integrator_app.created_at',
      'region.path',
    ])
    .where('integrator_app.app_id', '=', appId)
    .executeTakeFirst();
  if (!row) return null;
  const secret = sm4Open(keyById(config, row.secret_key_id).key, row.secret_enc, row.app_id).toString('hex');
  return {
    appId: row.app_id,
    name: row.name,
    regionCode: row.region_code,
    regionPath: row.path,
    orgId: row.org_id,
    channelProfile: row.channel_profile,
    active: row.active,
    secret,
    createdAt: row.created_at,
  };
}

export interface AppActiveChange {
  appId: string;
  active: boolean;
  actor: AdminActor;
}

/** An app as administrators see it: never its secret. */
export type IntegratorAppSummary = Omit<IntegratorApp, 'secret' | 'regionPath'>;

/**
 * Disables or enables an app: a disabled app's signed requests are refused (AUTH_APP_UNKNOWN) at
 * once in the process that made the change (after forget() on its cache), within the cache's
 * lifetime in the others. A real change is recorded in admin_audit with the change itself.
 */
export async function setIntegratorAppActive(db: Kysely<DB>, change: AppActiveChange, now: Date): Promise<IntegratorAppSummary> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('integrator_app')
      .select(['app_id', 'name', 'region_code', 'org_id', 'channel_profile', 'created_at'])
      .where('app_id', '=', change.appId)
      .executeTakeFirst();
    if (!row) throw new AppError('INTEGRATOR_APP_NOT_FOUND', { appId: change.appId });
    const updated = await trx.updateTable('integrator_app').set({ active: change.active }).where('app_id', '=', row.app_id).where('active', '!=', change.active).executeTakeFirst();
    if (updated.numUpdatedRows > 0n) {
      await recordAdminChange(trx, { actor: change.actor, action: change.active ? 'integrator_app.enable' : 'integrator_app.disable', targetKind: 'integrator_app', targetId: row.app_id }, now);
    }
    return { appId: row.app_id, name: row.name, regionCode: row.region_code, orgId: row.org_id, channelProfile: row.channel_profile, active: change.active, createdAt: row.created_at };
  });
}

export interface IntegratorAppCache {
  get(appId: string): Promise<IntegratorApp | null>;
  forget(appId: string): void;
}

export interface IntegratorAppCacheOptions {
  clock: Clock;
  /** How long a found app is trusted without reading it again; bounds how late a deactivation bites in other processes. */
  ttlMs?: number;
  /** Unknown ids are remembered briefly too, so a flood of made-up ids does not reach the database. */
  negativeTtlMs?: number;
  maxEntries?: number;
}

/**
 * Keeps apps in process memory for a short time, because every signed request needs its app
 * and the table changes rarely. Concurrent misses for one id share one query.
 */
export function createIntegratorAppCache(db: Kysely<DB>, config: Config, options: IntegratorAppCacheOptions): IntegratorAppCache {
  const ttlMs = options.ttlMs ?? 5_000;
  const negativeTtlMs = options.negativeTtlMs ?? 5_000;
  const maxEntries = options.maxEntries ?? 10_000;
  const entries = new Map<string, { expiresAt: number; app: Promise<IntegratorApp | null> }>();

  return {
    get(appId) {
      const now = options.clock().getTime();
      const cached = entries.get(appId);
      if (cached && cached.expiresAt > now) return cached.app;
      entries.delete(appId);
      // Oldest first (Map keeps insertion order): enough to bound memory under a flood of ids.
      while (entries.size >= maxEntries) {
        const oldest = entries.keys().next();
        if (oldest.done) break;
        entries.delete(oldest.value);
      }
      const entry = { expiresAt: now + ttlMs, app: loadIntegratorApp(db, config, appId) };
      entries.set(appId, entry);
      entry.app.then(
        (app) => {
          if (app === null) entry.expiresAt = now + negativeTtlMs;
        },
        // A failed read must not be remembered: the next request tries again.
        () => {
          if (entries.get(appId) === entry) entries.delete(appId);
        },
      );
      return entry.app;
    },
    forget(appId) {
      entries.delete(appId);
    },
  };
}
