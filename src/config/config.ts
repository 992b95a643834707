// The one place that reads the environment. Everything else receives a Config.
import { Type, type Static } from 'typebox';
import { Value } from 'typebox/value';
import ipaddr from 'ipaddr.js';
import { hmacSm3 } from '../crypto/sm.ts';

const Env = Type.Object({
  HCP_ENV: Type.Union([Type.Literal('development'), Type.Literal('test'), Type.Literal('production')], { default: 'development' }),
  HTTP_HOST: Type.String({ default: '127.0.0.1' }),
  HTTP_PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3000 }),
  // Processes that serve HTTP on the one port (node:cluster): about one per core. PostgreSQL only.
  HTTP_WORKERS: Type.Integer({ minimum: 1, maximum: 64, default: 1 }),
  PUBLIC_BASE_URL: Type.Optional(Type.String()),
  DATABASE_URL: Type.Optional(Type.String({ minLength: 1 })),
  PGLITE_DIR: Type.String({ default: './data/pglite' }),
  DB_POOL_SIZE: Type.Integer({ minimum: 1, maximum: 200, default: 10 }),
  LOG_LEVEL: Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l)), { default: 'info' }),
  // SM4 keys for personal information: "keyId:32 hex chars" separated by commas; the first is used for new data.
  PII_KEYS: Type.Optional(Type.String()),
  // Key of the keyed SM3 hash used to find the same person again without decrypting.
  PII_LOOKUP_KEY: Type.Optional(Type.String({ pattern: '^[0-9a-fA-F]{32,128}$' })),
  RATING_WINDOW_DAYS: Type.Integer({ minimum: 1, maximum: 366, default: 30 }),
  CLOCK_SKEW_SECONDS: Type.Integer({ minimum: 0, maximum: 3600, default: 300 }),
  SYNC_GRACE_DAYS: Type.Integer({ minimum: 0, maximum: 30, default: 3 }),
  SIGNATURE_MAX_AGE_SECONDS: Type.Integer({ minimum: 30, maximum: 3600, default: 300 }),
  SYSTEM_DEFAULT_ENABLED: Type.Boolean({ default: false }),
  SYSTEM_DEFAULT_LEVEL: Type.Integer({ minimum: 1, maximum: 5, default: 3 }),
  SYSTEM_DEFAULT_AFTER_DAYS: Type.Integer({ minimum: 1, maximum: 60, default: 7 }),
  COMMENT_MAX_CHARS: Type.Integer({ minimum: 1, maximum: 5000, default: 500 }),
  INTAKE_BATCH_MAX: Type.Integer({ minimum: 1, maximum: 1000, default: 1000 }),
  INTAKE_FLUSH_MAX_ROWS: Type.Integer({ minimum: 1, maximum: 5000, default: 1000 }),
  INTAKE_WRITERS: Type.Optional(Type.Integer({ minimum: 1, maximum: 16 })),
  BODY_LIMIT_BYTES: Type.Integer({ minimum: 1024, maximum: 64 * 1024 * 1024, default: 4 * 1024 * 1024 }),
  // The largest evidence file (photo, scan, PDF) staff may upload (src/evidence/), in bytes.
  EVIDENCE_MAX_BYTES: Type.Integer({ minimum: 1024, maximum: 64 * 1024 * 1024, default: 10 * 1024 * 1024 }),
  SESSION_TTL_HOURS: Type.Integer({ minimum: 1, maximum: 24 * 30, default: 12 }),
  // Sign-in throttling (src/auth/sign-in-rule.ts), counted in the database so that every process
  // agrees: this many failed sign-ins (or wrong current passwords) within the window lock the
  // account name, known or not, for the lock time; the same per client address.
  SIGN_IN_ACCOUNT_MAX_FAILURES: Type.Integer({ minimum: 1, maximum: 1000, default: 5 }),
  SIGN_IN_ACCOUNT_WINDOW_MINUTES: Type.Integer({ minimum: 1, maximum: 1440, default: 15 }),
  SIGN_IN_ACCOUNT_LOCK_MINUTES: Type.Integer({ minimum: 1, maximum: 1440, default: 15 }),
  SIGN_IN_ADDRESS_MAX_FAILURES: Type.Integer({ minimum: 1, maximum: 100_000, default: 30 }),
  SIGN_IN_ADDRESS_WINDOW_MINUTES: Type.Integer({ minimum: 1, maximum: 1440, default: 15 }),
  SIGN_IN_ADDRESS_LOCK_MINUTES: Type.Integer({ minimum: 1, maximum: 1440, default: 15 }),
  // Key (hex) of the HMAC-SM3 that derives each session's CSRF token; derived from LINK_KEY when unset.
  CSRF_KEY: Type.Optional(Type.String({ pattern: '^[0-9a-fA-F]{32,128}$' })),
  // Bad-rating tickets (DESIGN §4). Deadlines: verify in working days, reply in natural days.
  TICKET_VERIFY_WORKING_DAYS: Type.Integer({ minimum: 1, maximum: 10, default: 1 }),
  TICKET_REPLY_DAYS: Type.Integer({ minimum: 1, maximum: 60, default: 15 }),
  TICKET_APPEAL_DECISION_WORKING_DAYS: Type.Integer({ minimum: 1, maximum: 30, default: 5 }),
  TICKET_MAX_EXTENSION_DAYS: Type.Integer({ minimum: 1, maximum: 60, default: 15 }),
  // Warnings go out this many hours before a deadline (comma-separated, e.g. "72,24").
  TICKET_WARN_HOURS: Type.String({ pattern: '^\\d{1,4}(,\\d{1,4})*$', default: '72,24,4' }),
  TICKET_CALLBACK_REMINDER_DAYS: Type.Integer({ minimum: 1, maximum: 30, default: 2 }),
  TICKET_CALLBACK_LINK_DAYS: Type.Integer({ minimum: 1, maximum: 90, default: 30 }),
  // Scheduled work: how often each process looks for due rows.
  JOBS_POLL_MS: Type.Integer({ minimum: 50, maximum: 600_000, default: 5000 }),
  JOBS_ENABLED: Type.Boolean({ default: true }),
  // Upkeep (src/jobs/pruning.ts): how often old rows are pruned, how many rows one transaction
  // deletes, and how long finished jobs and the fraud-signal counters are kept. Expired sessions
  // go at once; request nonces once no replay of them could be accepted (SIGNATURE_MAX_AGE_SECONDS).
  PRUNE_EVERY_MINUTES: Type.Integer({ minimum: 1, maximum: 1440, default: 60 }),
  PRUNE_BATCH_ROWS: Type.Integer({ minimum: 1, maximum: 100_000, default: 5000 }),
  RETENTION_FINISHED_JOBS_DAYS: Type.Integer({ minimum: 1, maximum: 3660, default: 30 }),
  // At least 2: the identical-comment count covers a whole Beijing day.
  RETENTION_FRAUD_SIGNALS_DAYS: Type.Integer({ minimum: 2, maximum: 3660, default: 30 }),
  // How often the heads of all ledger chains are checkpointed and signed (src/ledger/checkpoints.ts),
  // if any moved: rows removed from the end of a chain after a checkpoint are then named by verify.
  LEDGER_CHECKPOINT_EVERY_MINUTES: Type.Integer({ minimum: 1, maximum: 1440, default: 10 }),
  // Scoring: how often the score feed folds new evaluations into the live tallies (0: never, e.g. benchmarks).
  SCORE_FEED_INTERVAL_MS: Type.Integer({ minimum: 0, maximum: 600_000, default: 1000 }),
  // SM2 key that signs published snapshots: PEM (PKCS#8) inline, or a file (created in development when missing).
  SNAPSHOT_SIGNING_KEY: Type.Optional(Type.String({ minLength: 100 })),
  SNAPSHOT_SIGNING_KEY_FILE: Type.String({ default: './data/snapshot-signing-key.pem' }),
  SNAPSHOT_SIGNING_KEY_ID: Type.String({ pattern: '^[A-Za-z0-9._-]{1,40}$', default: 'hcp-sm2-1' }),
  // Where SMS and e-mail go: 'console' (log only, for the demo) or 'http' (docs/outbound.md).
  OUTBOUND_GATEWAY: Type.Union([Type.Literal('console'), Type.Literal('http')], { default: 'console' }),
  OUTBOUND_GATEWAY_URL: Type.Optional(Type.String({ pattern: '^https?://' })),
  OUTBOUND_GATEWAY_APP_ID: Type.Optional(Type.String({ minLength: 1 })),
  OUTBOUND_GATEWAY_SECRET: Type.Optional(Type.String({ minLength: 16 })),
  // Public pages and their API, per minute: requests per IP, submissions per IP and per link.
  RATE_LIMIT_PUBLIC_PER_IP: Type.Integer({ minimum: 1, maximum: 100_000, default: 120 }),
  RATE_LIMIT_SUBMIT_PER_IP: Type.Integer({ minimum: 1, maximum: 10_000, default: 20 }),
  RATE_LIMIT_SUBMIT_PER_LINK: Type.Integer({ minimum: 1, maximum: 1000, default: 6 }),
  // The risk engine (docs/fraud.md): how often new ratings are assessed (0: never, tests drive it).
  RISK_ASSESS_INTERVAL_MS: Type.Integer({ minimum: 0, maximum: 600_000, default: 2000 }),
  // Proxies in front of this server whose X-Forwarded-For is believed (comma-separated addresses or
  // CIDR ranges, e.g. "10.0.0.0/8,192.0.2.7"). Empty: the connection's address is the client's.
  TRUSTED_PROXIES: Type.String({ default: '' }),
  // Key (hex) of the HMAC-SM3 that signs links given to raters (callback links).
  LINK_KEY: Type.Optional(Type.String({ pattern: '^[0-9a-fA-F]{32,128}$' })),
  // Hotline (docs/hotline.md): the SMS invitation to rate goes this many days after a stage's
  // completion when it is still unrated, never inside the quiet hours ("21-8": 21:00 to 08:00
  // Beijing time; equal hours, e.g. "0-0", turn them off).
  SMS_INVITE_AFTER_DAYS: Type.Integer({ minimum: 0, maximum: 30, default: 3 }),
  SMS_QUIET_HOURS: Type.String({ pattern: '^([01]?[0-9]|2[0-3])-([01]?[0-9]|2[0-3])$', default: '21-8' }),
  // Integrator apps (comma-separated app ids) that may call the hotline webhooks: the SMS gateway, the IVR.
  HOTLINE_APP_IDS: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]{3,64}(,[A-Za-z0-9_-]{3,64})*$' })),
  // Proving to be the applicant at a poster (docs/ratings.md): an SMS code is valid this many
  // minutes and this many tries; a phone gets at most this many codes an hour; the stages offered
  // were completed at the place within this many hours; a source may type this many wrong codes an hour.
  APPLICANT_CODE_MINUTES: Type.Integer({ minimum: 1, maximum: 60, default: 10 }),
  APPLICANT_CODE_MAX_ATTEMPTS: Type.Integer({ minimum: 1, maximum: 20, default: 5 }),
  APPLICANT_CODES_PER_PHONE_HOUR: Type.Integer({ minimum: 1, maximum: 100, default: 3 }),
  APPLICANT_LOOKBACK_HOURS: Type.Integer({ minimum: 1, maximum: 24 * 30, default: 24 }),
  APPLICANT_WRONG_CODES_PER_SOURCE_HOUR: Type.Integer({ minimum: 1, maximum: 10_000, default: 10 }),
  // Hall devices (docs/kiosk.md): pushed only stages completed within this many minutes; a
  // device's rating must be made within this many minutes of the push.
  KIOSK_PUSH_WITHIN_MINUTES: Type.Integer({ minimum: 1, maximum: 120, default: 5 }),
  KIOSK_RATE_WITHIN_MINUTES: Type.Integer({ minimum: 1, maximum: 120, default: 5 }),
});
type Env = Static<typeof Env>;

export interface PiiKey {
  id: string;
  key: Buffer;
}

export interface Config {
  env: Env['HCP_ENV'];
  http: { host: string; port: number; workers: number; publicBaseUrl: string; bodyLimitBytes: number };
  database: { url: string | undefined; pgliteDir: string; poolSize: number };
  logLevel: Env['LOG_LEVEL'];
  pii: { keys: PiiKey[]; lookupKey: Buffer };
  rules: {
    ratingWindowDays: number;
    clockSkewSeconds: number;
    syncGraceDays: number;
    commentMaxChars: number;
    systemDefault: { enabled: boolean; level: number; afterDays: number };
  };
  intake: { batchMax: number; flushMaxRows: number; writers: number };
  auth: {
    signatureMaxAgeSeconds: number;
    sessionTtlHours: number;
    signIn: { account: SignInLimit; address: SignInLimit };
    /** Key of the HMAC-SM3 deriving a session's CSRF token from the session (src/auth/csrf.ts). */
    csrfKey: Buffer;
  };
  tickets: {
    verifyWorkingDays: number;
    replyDays: number;
    appealDecisionWorkingDays: number;
    maxExtensionDays: number;
    /** Hours before a deadline at which a warning goes out, largest first. */
    warnHours: number[];
    callbackReminderDays: number;
    callbackLinkDays: number;
  };
  jobs: { enabled: boolean; pollMs: number };
  upkeep: { pruneEveryMinutes: number; batchRows: number; finishedJobsDays: number; fraudSignalsDays: number };
  ledger: { checkpointEveryMinutes: number };
  evidence: { maxBytes: number };
  scoring: { feedIntervalMs: number; signingKey: { id: string; pem: string | null; file: string; mayCreate: boolean } };
  outbound: { gateway: 'console' } | { gateway: 'http'; url: string; appId: string; secret: string };
  links: { key: Buffer };
  abuse: { publicPerIp: number; submitPerIp: number; submitPerLink: number };
  risk: { assessIntervalMs: number; trustedProxies: string[] };
  hotline: {
    inviteAfterDays: number;
    /** Beijing hours in which no invitation is sent (start inclusive, end exclusive); null: none. */
    quietHours: QuietHours | null;
    /** Integrator apps allowed to call the hotline webhooks. */
    appIds: string[];
  };
  /** Who may rate a case stage: the applicant's proofs at posters, and hall devices' bounds. */
  proof: {
    codeMinutes: number;
    codeMaxAttempts: number;
    codesPerPhoneHour: number;
    lookbackHours: number;
    wrongCodesPerSourceHour: number;
    kioskPushWithinMinutes: number;
    kioskRateWithinMinutes: number;
  };
}

/** N failures within the window lock for the lock time (src/auth/sign-in-rule.ts). */
export interface SignInLimit {
  maxFailures: number;
  windowMs: number;
  lockMs: number;
}

export interface QuietHours {
  startHour: number;
  endHour: number;
}

function parseQuietHours(text: string): QuietHours | null {
  const [startHour, endHour] = text.split('-').map(Number);
  if (startHour === undefined || endHour === undefined || startHour === endHour) return null;
  return { startHour, endHour };
}

/** Each entry an IPv4/IPv6 address or CIDR range, checked here so a typo stops the start, not the trust. */
function parseTrustedProxies(text: string): string[] {
  const entries = text.split(',').map((part) => part.trim()).filter((part) => part !== '');
  for (const entry of entries) {
    const valid = entry.includes('/') ? ipaddr.isValidCIDR(entry) : ipaddr.isValid(entry);
    if (!valid) throw new ConfigError(`TRUSTED_PROXIES: "${entry}" is neither an IP address nor a CIDR range`);
  }
  return entries;
}

// Development-only keys, so that `npm run quickstart` works out of the box. Production refuses them.
const DEVELOPMENT_PII_KEYS = 'dev1:000102030405060708090a0b0c0d0e0f';
const DEVELOPMENT_LOOKUP_KEY = '101112131415161718191a1b1c1d1e1f';
const DEVELOPMENT_LINK_KEY = '202122232425262728292a2b2c2d2e2f';

export class ConfigError extends Error {}

function parsePiiKeys(text: string): PiiKey[] {
  return text.split(',').map((part) => {
    const match = /^([A-Za-z0-9_-]{1,32}):([0-9a-fA-F]{32})$/.exec(part.trim());
    if (!match?.[1] || !match[2]) throw new ConfigError(`PII_KEYS: "${part}" is not keyId:32-hex-chars`);
    return { id: match[1], key: Buffer.from(match[2], 'hex') };
  });
}

const BOOLEAN_WORDS: Record<string, boolean> = { true: true, '1': true, yes: true, false: false, '0': false, no: false };

export function loadConfig(source: Record<string, string | undefined> = process.env): Config {
  const raw: Record<string, unknown> = {};
  for (const [name, schema] of Object.entries(Env.properties)) {
    const text = source[name];
    if (text === undefined || text === '') continue;
    const type = (schema as { type?: string }).type;
    if (type === 'integer') raw[name] = /^-?\d+$/.test(text) ? Number(text) : text;
    else if (type === 'boolean') raw[name] = BOOLEAN_WORDS[text.toLowerCase()] ?? text;
    else raw[name] = text;
  }
  const withDefaults = Value.Default(Env, raw);
  if (!Value.Check(Env, withDefaults)) {
    const problems = [...Value.Errors(Env, withDefaults)].map((e) => `${e.instancePath || '/'} ${e.message}`);
    throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
  }
  const env = withDefaults as Env;
  if (env.HCP_ENV === 'production' && (!env.PII_KEYS || !env.PII_LOOKUP_KEY || !env.LINK_KEY)) {
    throw new ConfigError('PII_KEYS, PII_LOOKUP_KEY and LINK_KEY are required in production');
  }
  if (env.OUTBOUND_GATEWAY === 'http' && (!env.OUTBOUND_GATEWAY_URL || !env.OUTBOUND_GATEWAY_APP_ID || !env.OUTBOUND_GATEWAY_SECRET)) {
    throw new ConfigError('OUTBOUND_GATEWAY=http needs OUTBOUND_GATEWAY_URL, OUTBOUND_GATEWAY_APP_ID and OUTBOUND_GATEWAY_SECRET');
  }
  const usesPglite = env.DATABASE_URL === undefined;
  if (usesPglite && env.HTTP_WORKERS > 1) {
    throw new ConfigError('HTTP_WORKERS 大于 1 须配置 DATABASE_URL：内嵌的 PGlite 数据库只属于一个进程 / HTTP_WORKERS > 1 needs DATABASE_URL: the embedded PGlite database belongs to one process');
  }
  return Object.freeze({
    env: env.HCP_ENV,
    http: {
      host: env.HTTP_HOST,
      port: env.HTTP_PORT,
      workers: env.HTTP_WORKERS,
      publicBaseUrl: env.PUBLIC_BASE_URL ?? `http://${env.HTTP_HOST}:${env.HTTP_PORT}`,
      bodyLimitBytes: env.BODY_LIMIT_BYTES,
    },
    database: { url: env.DATABASE_URL, pgliteDir: env.PGLITE_DIR, poolSize: env.DB_POOL_SIZE },
    logLevel: env.LOG_LEVEL,
    pii: {
      keys: parsePiiKeys(env.PII_KEYS ?? DEVELOPMENT_PII_KEYS),
      lookupKey: Buffer.from(env.PII_LOOKUP_KEY ?? DEVELOPMENT_LOOKUP_KEY, 'hex'),
    },
    rules: {
      ratingWindowDays: env.RATING_WINDOW_DAYS,
      clockSkewSeconds: env.CLOCK_SKEW_SECONDS,
      syncGraceDays: env.SYNC_GRACE_DAYS,
      commentMaxChars: env.COMMENT_MAX_CHARS,
      systemDefault: { enabled: env.SYSTEM_DEFAULT_ENABLED, level: env.SYSTEM_DEFAULT_LEVEL, afterDays: env.SYSTEM_DEFAULT_AFTER_DAYS },
    },
    // PGlite is one connection: a second writer would only queue behind the first.
    intake: { batchMax: env.INTAKE_BATCH_MAX, flushMaxRows: env.INTAKE_FLUSH_MAX_ROWS, writers: env.INTAKE_WRITERS ?? (usesPglite ? 1 : 2) },
    auth: {
      signatureMaxAgeSeconds: env.SIGNATURE_MAX_AGE_SECONDS,
      sessionTtlHours: env.SESSION_TTL_HOURS,
      signIn: {
        account: { maxFailures: env.SIGN_IN_ACCOUNT_MAX_FAILURES, windowMs: env.SIGN_IN_ACCOUNT_WINDOW_MINUTES * 60_000, lockMs: env.SIGN_IN_ACCOUNT_LOCK_MINUTES * 60_000 },
        address: { maxFailures: env.SIGN_IN_ADDRESS_MAX_FAILURES, windowMs: env.SIGN_IN_ADDRESS_WINDOW_MINUTES * 60_000, lockMs: env.SIGN_IN_ADDRESS_LOCK_MINUTES * 60_000 },
      },
      // A key of its own, or one derived from the link key (required in production) for this use only.
      csrfKey: env.CSRF_KEY ? Buffer.from(env.CSRF_KEY, 'hex') : hmacSm3(Buffer.from(env.LINK_KEY ?? DEVELOPMENT_LINK_KEY, 'hex'), 'hcp-csrf-key/v1'),
    },
    tickets: {
      verifyWorkingDays: env.TICKET_VERIFY_WORKING_DAYS,
      replyDays: env.TICKET_REPLY_DAYS,
      appealDecisionWorkingDays: env.TICKET_APPEAL_DECISION_WORKING_DAYS,
      maxExtensionDays: env.TICKET_MAX_EXTENSION_DAYS,
      warnHours: [...new Set(env.TICKET_WARN_HOURS.split(',').map(Number))].sort((a, b) => b - a),
      callbackReminderDays: env.TICKET_CALLBACK_REMINDER_DAYS,
      callbackLinkDays: env.TICKET_CALLBACK_LINK_DAYS,
    },
    jobs: { enabled: env.JOBS_ENABLED, pollMs: env.JOBS_POLL_MS },
    upkeep: {
      pruneEveryMinutes: env.PRUNE_EVERY_MINUTES,
      batchRows: env.PRUNE_BATCH_ROWS,
      finishedJobsDays: env.RETENTION_FINISHED_JOBS_DAYS,
      fraudSignalsDays: env.RETENTION_FRAUD_SIGNALS_DAYS,
    },
    ledger: { checkpointEveryMinutes: env.LEDGER_CHECKPOINT_EVERY_MINUTES },
    evidence: { maxBytes: env.EVIDENCE_MAX_BYTES },
    scoring: {
      feedIntervalMs: env.SCORE_FEED_INTERVAL_MS,
      signingKey: { id: env.SNAPSHOT_SIGNING_KEY_ID, pem: env.SNAPSHOT_SIGNING_KEY ?? null, file: env.SNAPSHOT_SIGNING_KEY_FILE, mayCreate: env.HCP_ENV !== 'production' },
    },
    outbound:
      env.OUTBOUND_GATEWAY === 'http'
        ? { gateway: 'http' as const, url: env.OUTBOUND_GATEWAY_URL ?? '', appId: env.OUTBOUND_GATEWAY_APP_ID ?? '', secret: env.OUTBOUND_GATEWAY_SECRET ?? '' }
        : { gateway: 'console' as const },
    links: { key: Buffer.from(env.LINK_KEY ?? DEVELOPMENT_LINK_KEY, 'hex') },
    abuse: {
      publicPerIp: env.RATE_LIMIT_PUBLIC_PER_IP,
      submitPerIp: env.RATE_LIMIT_SUBMIT_PER_IP,
      submitPerLink: env.RATE_LIMIT_SUBMIT_PER_LINK,
    },
    risk: { assessIntervalMs: env.RISK_ASSESS_INTERVAL_MS, trustedProxies: parseTrustedProxies(env.TRUSTED_PROXIES) },
    hotline: {
      inviteAfterDays: env.SMS_INVITE_AFTER_DAYS,
      quietHours: parseQuietHours(env.SMS_QUIET_HOURS),
      appIds: env.HOTLINE_APP_IDS ? [...new Set(env.HOTLINE_APP_IDS.split(','))] : [],
    },
    proof: {
      codeMinutes: env.APPLICANT_CODE_MINUTES,
      codeMaxAttempts: env.APPLICANT_CODE_MAX_ATTEMPTS,
      codesPerPhoneHour: env.APPLICANT_CODES_PER_PHONE_HOUR,
      lookbackHours: env.APPLICANT_LOOKBACK_HOURS,
      wrongCodesPerSourceHour: env.APPLICANT_WRONG_CODES_PER_SOURCE_HOUR,
      kioskPushWithinMinutes: env.KIOSK_PUSH_WITHIN_MINUTES,
      kioskRateWithinMinutes: env.KIOSK_RATE_WITHIN_MINUTES,
    },
  });
}
