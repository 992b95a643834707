// When a hall device may use a link: its own, for a rating made after the push and within minutes of it.
import { describe, expect, it } from 'vitest';
import { deviceRatingRefusal } from './device-rating.ts';
import { isFreshCompletion } from './push.ts';

const DEVICE = '0190a5b0-0000-7000-8000-000000000001';
const link = { device_id: DEVICE, created_at: new Date('2026-11-20T03:00:00Z'), rate_by: new Date('2026-11-20T03:05:00Z') };
const now = new Date('2026-11-20T04:00:00Z');

describe('a device rating', () => {
  it('is refused on another device or a link bound to none', () => {
    expect(deviceRatingRefusal(link, '0190a5b0-0000-7000-8000-000000000002', new Date('2026-11-20T03:01:00Z'), now, 300)).toBe('KIOSK_LINK_DEVICE_BOUND');
    expect(deviceRatingRefusal({ ...link, device_id: null }, DEVICE, new Date('2026-11-20T03:01:00Z'), now, 300)).toBe('KIOSK_LINK_DEVICE_BOUND');
  });

  it('is judged by when it was made: within minutes of the push, never before it or in the future', () => {
    expect(deviceRatingRefusal(link, DEVICE, new Date('2026-11-20T03:05:00Z'), now, 300)).toBeNull();
    expect(deviceRatingRefusal(link, DEVICE, new Date('2026-11-20T03:05:01Z'), now, 300)).toBe('KIOSK_RATING_TOO_LATE');
    expect(deviceRatingRefusal(link, DEVICE, new Date('2026-11-20T02:54:59Z'), now, 300)).toBe('KIOSK_MADE_AT_INVALID');
    expect(deviceRatingRefusal(link, DEVICE, new Date('2026-11-20T02:56:00Z'), now, 300)).toBeNull();
    expect(deviceRatingRefusal({ ...link, rate_by: null }, DEVICE, new Date('2026-11-20T04:05:01Z'), now, 300)).toBe('KIOSK_MADE_AT_INVALID');
    expect(deviceRatingRefusal(link, DEVICE, new Date('not a date'), now, 300)).toBe('KIOSK_MADE_AT_INVALID');
  });
});

describe('a completion pushed to a hall device', () => {
  it('is one of the last minutes, allowing a clock a minute ahead', () => {
    const at = new Date('2026-11-20T03:00:00Z');
    expect(isFreshCompletion(new Date('2026-11-20T02:55:00Z'), at, 5)).toBe(true);
    expect(isFreshCompletion(new Date('2026-11-20T02:54:59Z'), at, 5)).toBe(false);
    expect(isFreshCompletion(new Date('2026-11-18T03:00:00Z'), at, 5)).toBe(false);
    expect(isFreshCompletion(new Date('2026-11-20T03:01:00Z'), at, 5)).toBe(true);
    expect(isFreshCompletion(new Date('2026-11-20T03:01:01Z'), at, 5)).toBe(false);
  });
});
