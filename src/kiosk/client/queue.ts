// The device's outbox of ratings: written before the first attempt (so a reload or a power cut
// mid-request loses nothing), kept in localStorage, delivered oldest first and removed once the
// server has answered for it. Each rating keeps the clientId it was made with, so a retry after a
// lost answer gets `duplicate` and is never stored twice.

export interface RatingBody {
  clientId: string;
  level: number;
  indicators: string[];
  anonymous: boolean;
  /** Left for a 差评 so that the answer reaches the rater (then not anonymous); sealed by the server. */
  phone?: string;
  /** When the rating was made on the device (ISO 8601); the server judges a late arrival by it. */
  madeAt?: string;
}

export interface QueuedRating {
  token: string;
  body: RatingBody;
  queuedAt: number;
  attempts: number;
}

/** The part of localStorage the queue uses (a Map-backed double in tests). */
export interface KeyValue {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

export const QUEUE_KEY = 'hcp.kiosk.queue';
const MAX_ITEMS = 500;

function isQueued(value: unknown): value is QueuedRating {
  if (typeof value !== 'object' || value === null) return false;
  const item = value as Partial<QueuedRating>;
  const body = item.body as Partial<RatingBody> | undefined;
  return typeof item.token === 'string' && typeof item.queuedAt === 'number' && typeof item.attempts === 'number' && !!body && typeof body.clientId === 'string' && typeof body.level === 'number' && Array.isArray(body.indicators);
}

export function readQueue(storage: KeyValue): QueuedRating[] {
  try {
    const parsed: unknown = JSON.parse(storage.getItem(QUEUE_KEY) ?? '[]');
    return Array.isArray(parsed) ? parsed.filter(isQueued) : [];
  } catch {
    return [];
  }
}

function writeQueue(storage: KeyValue, items: QueuedRating[]): void {
  storage.setItem(QUEUE_KEY, JSON.stringify(items.slice(-MAX_ITEMS)));
}

/** Adds a rating (once per clientId). */
export function enqueue(storage: KeyValue, item: QueuedRating): void {
  const items = readQueue(storage);
  if (items.some((i) => i.body.clientId === item.body.clientId)) return;
  items.push(item);
  writeQueue(storage, items);
}

export function dequeue(storage: KeyValue, clientId: string): void {
  writeQueue(
    storage,
    readQueue(storage).filter((i) => i.body.clientId !== clientId),
  );
}

export function noteAttempt(storage: KeyValue, clientId: string): number {
  const items = readQueue(storage);
  let attempts = 0;
  for (const item of items) if (item.body.clientId === clientId) attempts = ++item.attempts;
  writeQueue(storage, items);
  return attempts;
}

/** The body as sent: a rating queued before madeAt existed was made when it was queued. */
export function withMadeAt(item: QueuedRating): RatingBody & { madeAt: string } {
  return { ...item.body, madeAt: item.body.madeAt ?? new Date(item.queuedAt).toISOString() };
}

export type Outcome = 'delivered' | 'dropped' | 'retry';

/**
 * What an answer means for a queued rating: 2xx (stored or duplicate) is done; no answer (0),
 * a timeout, a rate limit or a server error is tried again; any other refusal (link expired,
 * already rated through another channel, invalid) would be refused again, so it is dropped.
 */
export function outcomeOf(status: number): Outcome {
  if (status >= 200 && status < 300) return 'delivered';
  if (status === 0 || status === 408 || status === 429 || status >= 500) return 'retry';
  return 'dropped';
}

/** Waiting time before attempt n + 1: 2 s, 4 s, 8 s … at most a minute. */
export function retryDelay(attempts: number): number {
  return Math.min(2000 * 2 ** Math.max(0, attempts - 1), 60_000);
}

/** A client id the API accepts (pattern [A-Za-z0-9_-]{8,53}): 128 random bits in base64url. */
export function newClientId(random: (bytes: Uint8Array) => Uint8Array): string {
  const bytes = random(new Uint8Array(16));
  let text = '';
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
  for (let i = 0; i < bytes.length; i++) text += alphabet.charAt((bytes[i] ?? 0) & 63);
  return `k${text}`;
}
