// HTTP routes of a staff member's notifications. Routes parse, authorise, call and present.
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { requireStaff, sessionTokenOf } from '../auth/guard.ts';
import { resolveSession } from '../auth/sessions.ts';
import type { App } from '../http/app-type.ts';
import type { AppContext } from '../http/context.ts';
import { commonErrorResponses } from '../http/error-schema.ts';
import { openEventStream } from '../http/event-stream.ts';
import { countUnread, listNotifications, markRead } from './inbox.ts';
import { NotificationView, presentNotification } from './presenter.ts';
import { createNotificationHub, type NotificationStream, type StreamEvent } from './stream.ts';

/** A comment line down every open stream this often, so that proxies and browsers keep it open. */
export const STREAM_HEARTBEAT_MS = 25_000;

const UnreadCount = Type.Integer({ minimum: 0, description: '本人未读通知数 / the caller’s unread notifications' });

// Staff only, checked before validation like the other guarded routes: apps learn nothing of the schema.
const staffOnly = async (request: FastifyRequest) => {
  requireStaff(request);
};

export function registerNotificationRoutes(app: App, context: Pick<AppContext, 'database' | 'clock' | 'log'>): void {
  const db = context.database.db;
  const { clock, log } = context;
  app.addSchema(NotificationView);
  const hub = createNotificationHub({ database: context.database, log });
  const streams = new Set<() => void>();
  // Open streams never end by themselves: they are ended before the server waits for its connections.
  app.addHook('preClose', async () => {
    for (const end of [...streams]) end();
  });
  app.addHook('onClose', async () => {
    await hub.close();
  });

  app.get(
    '/api/v1/notifications/stream',
    {
      preValidation: staffOnly,
      schema: {
        tags: ['notifications'],
        summary: '本人通知的实时推送（Server-Sent Events）/ The caller’s notifications, live (Server-Sent Events)',
        description:
          '`text/event-stream`，会话 Cookie 或 Bearer 令牌认证。连接后立即有 `event: unread`（`{"count": n}`），此后未读数每次变化（新通知、标记已读，包括在其他窗口或设备上）都再发一次；' +
          '每条新通知一个 `event: notification`，data 与 GET /api/v1/notifications 列表中的一项相同；约每25秒一行心跳注释。会话结束（退出、过期、账号停用）后，连接在一次心跳内断开。\n\n' +
          '`text/event-stream`, authenticated by the session cookie or a bearer token. On connecting, `event: unread` (`{"count": n}`), then again whenever the unread count changes (a new notification, marking read, also in another tab or device); ' +
          'one `event: notification` per new notification, its data the same view as an item of GET /api/v1/notifications; a heartbeat comment about every 25 s. When the session ends (sign-out, expiry, account disabled) the stream ends within one heartbeat.',
        security: [{ staffSession: [] }],
        response: { ...commonErrorResponses },
      },
    },
    async (request, reply) => {
      const caller = requireStaff(request);
      const token = sessionTokenOf(request);
      const { response: res, write } = openEventStream(reply);
      const stream: NotificationStream = { accountId: caller.accountId, send: (e: StreamEvent) => write(`event: ${e.event}\ndata: ${JSON.stringify(e.data)}\n\n`) };
      let remove: (() => void) | undefined;
      let ended = false;
      const heartbeat = setInterval(() => {
        write(': ping\n\n');
        // The stream lives no longer than its session.
        (token === null ? Promise.reject(new Error('no session token')) : resolveSession(db, token, clock())).then(
          (still) => still.accountId === caller.accountId || end(),
          () => end(),
        );
      }, STREAM_HEARTBEAT_MS);
      heartbeat.unref();
      const end = () => {
        ended = true;
        clearInterval(heartbeat);
        remove?.();
        streams.delete(end);
        if (!res.writableEnded) res.end();
      };
      streams.add(end);
      res.on('close', end);
      write('retry: 3000\n\n');
      try {
        const removal = await hub.add(stream);
        if (ended) removal();
        else remove = removal;
      } catch (error) {
        log.error({ err: error, accountId: caller.accountId }, 'notification stream could not start');
        end();
      }
    },
  );

  app.get(
    '/api/v1/notifications',
    {
      preValidation: staffOnly,
      schema: {
        tags: ['notifications'],
        summary: '本人的通知列表（新的在前）/ The caller’s notifications, newest first',
        description:
          '只返回当前登录账号自己的通知。翻页：把上一页最后一条的 id 作为 before 传入（next 即此值，没有下一页时为 null）。\n\n' +
          "Only the signed-in account's own notifications. To page, pass the last id of the previous page as before (given as next; null on the last page).",
        security: [{ staffSession: [] }],
        querystring: Type.Object({
          unread: Type.Optional(Type.Boolean({ description: '只看未读 / unread only' })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200, default: 50 })),
          before: Type.Optional(Type.String({ format: 'uuid', description: '上一页最后一条的 id / last id of the previous page' })),
        }),
        response: {
          200: Type.Object({
            items: Type.Array(Type.Ref('Notification')),
            unreadCount: UnreadCount,
            next: Type.Union([Type.String({ format: 'uuid' }), Type.Null()], { description: '下一页的 before / before for the next page' }),
          }),
          ...commonErrorResponses,
        },
      },
    },
    async (request) => {
      const caller = requireStaff(request);
      const limit = request.query.limit ?? 50;
      const [rows, unreadCount] = await Promise.all([
        listNotifications(db, caller.accountId, { unreadOnly: request.query.unread === true, limit, before: request.query.before }),
        countUnread(db, caller.accountId),
      ]);
      return { items: rows.map(presentNotification), unreadCount, next: rows.length === limit ? (rows.at(-1)?.id ?? null) : null };
    },
  );

  app.get(
    '/api/v1/notifications/unread-count',
    {
      preValidation: staffOnly,
      schema: {
        tags: ['notifications'],
        summary: '本人未读通知数 / The caller’s unread count',
        security: [{ staffSession: [] }],
        response: { 200: Type.Object({ unreadCount: UnreadCount }), ...commonErrorResponses },
      },
    },
    async (request) => ({ unreadCount: await countUnread(db, requireStaff(request).accountId) }),
  );

  app.post(
    '/api/v1/notifications/read',
    {
      preValidation: staffOnly,
      schema: {
        tags: ['notifications'],
        summary: '标记通知为已读 / Mark notifications as read',
        description:
          '按 id 标记（最多500个），或以 {"all": true} 标记全部。只标记本人的未读通知：他人的或已读的 id 不报错，也不计入 marked。\n\n' +
          "By ids (at most 500) or all with {\"all\": true}. Only the caller's own unread notifications are marked: other ids are skipped silently and not counted.",
        security: [{ staffSession: [] }],
        body: Type.Union([
          Type.Object({ ids: Type.Array(Type.String({ format: 'uuid' }), { maxItems: 500, description: '通知 id / notification ids' }) }, { additionalProperties: false }),
          Type.Object({ all: Type.Literal(true, { description: '全部标为已读 / mark all' }) }, { additionalProperties: false }),
        ]),
        response: { 200: Type.Object({ marked: Type.Integer({ minimum: 0, description: '本次标为已读的条数 / how many were marked now' }) }), ...commonErrorResponses },
      },
    },
    async (request) => {
      const caller = requireStaff(request);
      const body = request.body;
      const marked = await markRead(db, caller.accountId, 'all' in body ? { all: true } : { ids: [...new Set(body.ids)] }, clock());
      return { marked };
    },
  );
}
