// The signed-in member's notifications, live: one EventSource per page (however many components
// read it) on /api/v1/notifications/stream, which sends the unread count at connect and on every
// change and each new notification as it is written. What it hears goes into the query cache, so
// the header bell and the home page's list change without polling. The browser reconnects by
// itself after a network failure; when the server ends the stream for good (the session ended),
// we ask for the unread count again (a 401 sends the page to sign-in) and retry with a growing delay.
import { useMutation, useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { api, unwrap } from '../api/client';
import { RECENT_LIMIT, withNew, withRead, type NotificationItem, type RecentPage } from './recent';

export const UNREAD_KEY = ['notifications', 'unread'] as const;
export const RECENT_KEY = ['notifications', 'recent'] as const;

const STREAM_URL = '/api/v1/notifications/stream';
const RETRY_FIRST_MS = 2_000;
const RETRY_MAX_MS = 60_000;

function setUnread(client: QueryClient, count: number): void {
  client.setQueryData(UNREAD_KEY, { unreadCount: count });
  client.setQueryData<RecentPage>(RECENT_KEY, (page) => page && { ...page, unreadCount: count });
}

function isNotification(value: unknown): value is NotificationItem {
  return typeof value === 'object' && value !== null && typeof (value as { id?: unknown }).id === 'string' && typeof (value as { text?: unknown }).text === 'object';
}

let users = 0;
let source: EventSource | null = null;
let retryTimer: ReturnType<typeof setTimeout> | null = null;
let retryDelay = RETRY_FIRST_MS;

function open(client: QueryClient): void {
  const stream = new EventSource(STREAM_URL, { withCredentials: true });
  source = stream;
  stream.addEventListener('open', () => {
    retryDelay = RETRY_FIRST_MS;
  });
  stream.addEventListener('unread', (event: MessageEvent<string>) => {
    const data = JSON.parse(event.data) as { count?: unknown };
    if (typeof data.count === 'number') setUnread(client, data.count);
  });
  stream.addEventListener('notification', (event: MessageEvent<string>) => {
    const item: unknown = JSON.parse(event.data);
    if (!isNotification(item)) return;
    const page = client.getQueryData<RecentPage>(RECENT_KEY);
    if (page) client.setQueryData(RECENT_KEY, withNew(page, item));
    else void client.invalidateQueries({ queryKey: RECENT_KEY });
    // A notification about a ticket means the ticket lists and the workbench's counts have moved.
    if (item.ticketId !== null) {
      void client.invalidateQueries({ queryKey: ['tickets'] });
      void client.invalidateQueries({ queryKey: ['workbench'] });
    }
  });
  stream.addEventListener('error', () => {
    // CONNECTING: the browser retries by itself. CLOSED: refused (signed out, expired) — find out why
    // through an ordinary request (a 401 there ends the session with its reason, console/src/main.tsx), then retry.
    if (stream.readyState !== EventSource.CLOSED || source !== stream) return;
    source = null;
    void client.invalidateQueries({ queryKey: UNREAD_KEY });
    retryTimer = setTimeout(() => {
      retryTimer = null;
      if (users > 0 && source === null) open(client);
    }, retryDelay);
    retryDelay = Math.min(retryDelay * 2, RETRY_MAX_MS);
  });
}

function close(): void {
  if (retryTimer !== null) clearTimeout(retryTimer);
  retryTimer = null;
  source?.close();
  source = null;
  retryDelay = RETRY_FIRST_MS;
}

/** Keeps the page's one stream open while some component uses it. */
function useNotificationStream(): void {
  const client = useQueryClient();
  useEffect(() => {
    users += 1;
    if (users === 1) open(client);
    return () => {
      users -= 1;
      if (users === 0) close();
    };
  }, [client]);
}

/** The unread count: read once, then kept current by the stream. */
export function useUnreadCount(): number {
  useNotificationStream();
  const unread = useQuery({
    queryKey: UNREAD_KEY,
    queryFn: () => unwrap(api.GET('/api/v1/notifications/unread-count')),
    staleTime: Infinity,
  });
  return unread.data?.unreadCount ?? 0;
}

/** The latest notifications, new ones added as they arrive. */
export function useRecentNotifications() {
  useNotificationStream();
  return useQuery({
    queryKey: RECENT_KEY,
    queryFn: async (): Promise<RecentPage> => {
      const page = await unwrap(api.GET('/api/v1/notifications', { params: { query: { limit: RECENT_LIMIT } } }));
      return { items: page.items, unreadCount: page.unreadCount };
    },
    staleTime: Infinity,
  });
}

/** Marks some notifications, or all, read (the stream then sends the new count). */
export function useMarkRead() {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (which: string[] | 'all') => unwrap(api.POST('/api/v1/notifications/read', { body: which === 'all' ? { all: true } : { ids: which } })),
    onSuccess: (_answer, which) => {
      const at = new Date().toISOString();
      client.setQueryData<RecentPage>(RECENT_KEY, (page) => page && withRead(page, which === 'all' ? page.items.map((n) => n.id) : which, at));
      void client.invalidateQueries({ queryKey: UNREAD_KEY });
    },
  });
}
