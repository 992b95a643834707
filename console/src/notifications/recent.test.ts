import { describe, expect, it } from 'vitest';
import { withNew, withRead, type NotificationItem } from './recent';

const note = (id: string, readAt: string | null = null): NotificationItem => ({
  id,
  kind: 'ticket_opened',
  ticketId: null,
  params: {},
  text: { zh: `通知${id}`, en: `Notice ${id}` },
  createdAt: '2026-12-08T01:00:00.000Z',
  readAt,
});

describe('the recent notifications as live events change them', () => {
  it('puts a new one on top, once, keeping the list to its length', () => {
    const page = { items: [note('b'), note('a')], unreadCount: 2 };
    expect(withNew(page, note('c')).items.map((n) => n.id)).toEqual(['c', 'b', 'a']);
    expect(withNew(page, note('b')).items.map((n) => n.id)).toEqual(['b', 'a']);
    expect(withNew(page, note('c'), 2).items.map((n) => n.id)).toEqual(['c', 'b']);
  });

  it('marks only the unread ones named', () => {
    const page = { items: [note('b'), note('a', '2026-12-08T00:00:00.000Z')], unreadCount: 1 };
    const after = withRead(page, ['a', 'b'], '2026-12-08T02:00:00.000Z');
    expect(after.items.map((n) => n.readAt)).toEqual(['2026-12-08T02:00:00.000Z', '2026-12-08T00:00:00.000Z']);
  });
});
