// The recent-notifications list as the home page holds it, and how live events change it. Pure.
import type { components } from '../api/schema';

export type NotificationItem = components['schemas']['Notification'];

export const RECENT_LIMIT = 10;

export interface RecentPage {
  items: NotificationItem[];
  unreadCount: number;
}

/** A new notification at the top of the recent list (once, however often it is heard). */
export function withNew(page: RecentPage, item: NotificationItem, limit = RECENT_LIMIT): RecentPage {
  return { ...page, items: [item, ...page.items.filter((n) => n.id !== item.id)].slice(0, limit) };
}

export function withRead(page: RecentPage, ids: readonly string[], at: string): RecentPage {
  const marked = new Set(ids);
  return { ...page, items: page.items.map((n) => (marked.has(n.id) && n.readAt === null ? { ...n, readAt: at } : n)) };
}

