// The kiosk's outbox and stream parser, as pure functions over a storage double.
import { describe, expect, it } from 'vitest';
import { dequeue, enqueue, newClientId, noteAttempt, outcomeOf, QUEUE_KEY, readQueue, retryDelay, withMadeAt, type KeyValue, type QueuedRating } from './queue.ts';
import { createSseParser } from './sse.ts';

function memory(): KeyValue & { map: Map<string, string> } {
  const map = new Map<string, string>();
  return { map, getItem: (k) => map.get(k) ?? null, setItem: (k, v) => void map.set(k, v) };
}

const rating = (clientId: string): QueuedRating => ({ token: 't', body: { clientId, level: 5, indicators: [], anonymous: true }, queuedAt: 1, attempts: 0 });

describe('kiosk outbox', () => {
  it('keeps ratings in order, once per clientId, until each is answered for', () => {
    const storage = memory();
    enqueue(storage, rating('kaaaaaaaa1'));
    enqueue(storage, rating('kaaaaaaaa2'));
    enqueue(storage, rating('kaaaaaaaa1'));
    expect(readQueue(storage).map((r) => r.body.clientId)).toEqual(['kaaaaaaaa1', 'kaaaaaaaa2']);
    expect(noteAttempt(storage, 'kaaaaaaaa1')).toBe(1);
    expect(noteAttempt(storage, 'kaaaaaaaa1')).toBe(2);
    dequeue(storage, 'kaaaaaaaa1');
    expect(readQueue(storage)).toEqual([rating('kaaaaaaaa2')]);
  });

  it('sends each rating with when it was made: its own moment, or for one queued before, when it was queued', () => {
    expect(withMadeAt({ ...rating('kaaaaaaaa4'), body: { ...rating('kaaaaaaaa4').body, madeAt: '2026-11-20T02:01:00.000Z' } }).madeAt).toBe('2026-11-20T02:01:00.000Z');
    expect(withMadeAt({ ...rating('kaaaaaaaa5'), queuedAt: Date.parse('2026-11-20T02:02:00Z') }).madeAt).toBe('2026-11-20T02:02:00.000Z');
  });

  it('survives what a broken or foreign value in storage would do', () => {
    const storage = memory();
    storage.setItem(QUEUE_KEY, '{not json');
    expect(readQueue(storage)).toEqual([]);
    storage.setItem(QUEUE_KEY, JSON.stringify([{ token: 1 }, rating('kaaaaaaaa3')]));
    expect(readQueue(storage)).toEqual([rating('kaaaaaaaa3')]);
  });

  it('retries what may succeed later and drops what the server refused for good', () => {
    expect([201, 0, 408, 429, 500, 503, 404, 409, 410, 422].map(outcomeOf)).toEqual(['delivered', 'retry', 'retry', 'retry', 'retry', 'retry', 'dropped', 'dropped', 'dropped', 'dropped']);
    expect([1, 2, 3, 6, 20].map(retryDelay)).toEqual([2000, 4000, 8000, 60_000, 60_000]);
  });

  it('makes client ids the rating API accepts', () => {
    const id = newClientId((bytes) => bytes.fill(255));
    expect(id).toMatch(/^[A-Za-z0-9_-]{8,53}$/);
  });
});

describe('event stream parser', () => {
  it('joins events cut anywhere and skips heartbeats and other fields', () => {
    const seen: string[] = [];
    const feed = createSseParser((data) => seen.push(data));
    feed('retry: 3000\n\n: ping\n\nda');
    feed('ta: {"type":"hel');
    feed('lo"}\n');
    feed('\ndata:a\r\ndata: b\r\n\r\n');
    expect(seen).toEqual(['{"type":"hello"}', 'a\nb']);
  });
});
