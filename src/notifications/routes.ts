// HTTP routes of a staff member's notifications. Routes parse, authorise, call and present.
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { requireStaff } from '../auth/guard.ts';
import type { App } from '../http/app-type.ts';
import type { AppContext } from '../http/context.ts';
import { commonErrorResponses } from '../http/error-schema.ts';
import { countUnread, listNotifications, markRead, type NotificationRow } from './inbox.ts';
import { renderNotification } from './render.ts';

const NotificationView = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    kind: Type.String({ description: '通知类型，如 ticket_opened、deadline_warning / kind, e.g. ticket_opened' }),
    ticketId: Type.Union([Type.String({ format: 'uuid' }), Type.Null()], { description: '相关工单 / the ticket it is about' }),
    params: Type.Record(Type.String(), Type.Unknown(), { description: '通知参数（文字由此生成）/ parameters the text is made from' }),
    text: Type.Object({ zh: Type.String(), en: Type.String() }, { description: '通知文字，中文在前 / the text, Chinese first' }),
    createdAt: Type.String({ format: 'date-time' }),
    readAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()], { description: '已读时间，未读为 null / when read; null while unread' }),
  },
  { $id: 'Notification', title: 'Notification' },
);

const UnreadCount = Type.Integer({ minimum: 0, description: '本人未读通知数 / the caller’s unread notifications' });

function presentNotification(row: NotificationRow) {
  return {
    id: row.id,
    kind: row.kind,
    ticketId: row.ticket_id,
    params: row.params,
    text: renderNotification(row.kind, row.params),
    createdAt: row.created_at.toISOString(),
    readAt: row.read_at?.toISOString() ?? null,
  };
}

// Staff only, checked before validation like the other guarded routes: apps learn nothing of the schema.
const staffOnly = async (request: FastifyRequest) => {
  requireStaff(request);
};

export function registerNotificationRoutes(app: App, context: Pick<AppContext, 'database' | 'clock'>): void {
  const db = context.database.db;
  const { clock } = context;
  app.addSchema(NotificationView);

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
