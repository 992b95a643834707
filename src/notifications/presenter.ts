// The notification as staff read it: the list of GET /api/v1/notifications and each `notification`
// event of the live stream present the same view, with its text rendered Chinese first.
import { Type } from 'typebox';
import type { NotificationRow } from './inbox.ts';
import { renderNotification } from './render.ts';

export const NotificationView = Type.Object(
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

export function presentNotification(row: NotificationRow) {
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
