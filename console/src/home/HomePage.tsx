// 工作台: the member's open tickets by deadline, notifications arriving live, and this month's
// figures of their own unit (GET /api/v1/workbench).
import { useQuery } from '@tanstack/react-query';
import { Alert, Badge, Button, Card, Col, Row, Statistic, Tag, Typography } from 'antd';
import { Link } from 'react-router';
import { api, unwrap } from '../api/client';
import { errorText } from '../i18n/errors';
import { beijingTime, percent } from '../i18n/format';
import { fill, useLang, useTexts } from '../i18n/language';
import { useMarkRead, useRecentNotifications } from '../notifications/live';
import type { NotificationItem } from '../notifications/recent';
import { ACTIVE_STATES } from '../ticket-rows/open-states';
import { TicketRowsTable } from '../ticket-rows/TicketRowsTable';
import { homeTexts } from './texts';

const MY_TICKETS_LIMIT = 20;

function Figures() {
  const t = useTexts(homeTexts);
  const { lang } = useLang();
  const workbench = useQuery({ queryKey: ['workbench'], queryFn: () => unwrap(api.GET('/api/v1/workbench')) });
  if (workbench.error) return <Alert type="error" showIcon className="hcp-gap" title={errorText(workbench.error, lang)} />;
  const data = workbench.data;
  const title = data ? fill(t.figuresTitle, { unit: data.unit.name, month: data.month }) : t.figuresTitlePlain;
  const cards: Array<{ key: string; title: string; value: string | number | undefined }> = [
    { key: 'goodRate', title: t.goodRate, value: data && percent(data.figures.goodRate) },
    { key: 'badCount', title: t.badCount, value: data?.figures.badCount },
    { key: 'replyRate', title: t.replyRate, value: data && percent(data.figures.replyRate) },
    { key: 'overdue', title: t.overdueFigures, value: data?.figures.overdue },
    { key: 'open', title: t.openTickets, value: data?.tickets.open },
    { key: 'dueSoon', title: t.dueSoon, value: data?.tickets.dueSoon },
    { key: 'overdueTickets', title: t.overdueTickets, value: data?.tickets.overdue },
    { key: 'needsDecision', title: t.needsDecision, value: data?.tickets.needsDecision },
  ];
  return (
    <section className="hcp-section hcp-figures" aria-labelledby="hcp-figures-title">
      <Typography.Title level={2} id="hcp-figures-title" className="hcp-section-title">
        {title}
      </Typography.Title>
      <Row gutter={[12, 12]}>
        {cards.map((card) => (
          <Col key={card.key} xs={12} md={6}>
            <Card size="small" loading={workbench.isPending}>
              <Statistic title={card.title} value={card.value ?? '—'} />
            </Card>
          </Col>
        ))}
      </Row>
    </section>
  );
}

function MyTickets() {
  const t = useTexts(homeTexts);
  const { lang } = useLang();
  const tickets = useQuery({
    queryKey: ['tickets', 'home'],
    queryFn: () => unwrap(api.GET('/api/v1/tickets', { params: { query: { sort: 'deadline', state: ACTIVE_STATES.join(','), limit: MY_TICKETS_LIMIT } } })),
    refetchInterval: 120_000,
  });
  return (
    <Card
      title={<h2 className="hcp-card-title">{t.myTickets}</h2>}
      extra={<Link to="/tickets">{t.moreTickets}</Link>}
      className="hcp-section"
    >
      {tickets.error && <Alert type="error" showIcon className="hcp-gap" title={errorText(tickets.error, lang)} />}
      <TicketRowsTable rows={tickets.data?.items ?? []} loading={tickets.isPending} empty={t.noTickets} />
    </Card>
  );
}

function NotificationEntry({ item, onRead, busy }: { item: NotificationItem; onRead: () => void; busy: boolean }) {
  const t = useTexts(homeTexts);
  const { lang } = useLang();
  const unread = item.readAt === null;
  return (
    <li className={unread ? 'hcp-note hcp-note-unread' : 'hcp-note'} data-notification={item.id}>
      <div>
        <div className="hcp-note-text">
          {unread && <Tag className="hcp-status-warning">{t.unread}</Tag>}
          {item.text[lang]}
        </div>
        <div className="hcp-note-time">
          {beijingTime(item.createdAt)}
          {item.ticketId !== null && (
            <>
              {' · '}
              <Link to={`/tickets/${item.ticketId}`}>{t.openTicket}</Link>
            </>
          )}
        </div>
      </div>
      {unread && (
        <Button size="small" className="hcp-note-actions" onClick={onRead} disabled={busy}>
          {t.markRead}
        </Button>
      )}
    </li>
  );
}

function Notifications() {
  const t = useTexts(homeTexts);
  const { lang } = useLang();
  const recent = useRecentNotifications();
  const markRead = useMarkRead();
  const items = recent.data?.items ?? [];
  const unread = recent.data?.unreadCount ?? 0;
  return (
    <Card
      title={
        <h2 className="hcp-card-title">
          {t.notifications} <Badge count={unread} showZero={false} aria-hidden />
          <span className="hcp-sr-only">{fill(t.unreadOf, { count: unread })}</span>
        </h2>
      }
      extra={
        unread > 0 && (
          <Button type="link" onClick={() => markRead.mutate('all')} disabled={markRead.isPending}>
            {t.markAllRead}
          </Button>
        )
      }
      loading={recent.isPending}
      className="hcp-section"
    >
      {recent.error && <Alert type="error" showIcon className="hcp-gap" title={errorText(recent.error, lang)} />}
      {markRead.error && <Alert type="error" showIcon className="hcp-gap" title={errorText(markRead.error, lang)} />}
      {items.length === 0 ? (
        <Typography.Text>{t.noNotifications}</Typography.Text>
      ) : (
        <ul className="hcp-notes" aria-live="polite" aria-label={t.notifications}>
          {items.map((item) => (
            <NotificationEntry key={item.id} item={item} busy={markRead.isPending} onRead={() => markRead.mutate([item.id])} />
          ))}
        </ul>
      )}
    </Card>
  );
}

export function HomePage() {
  const t = useTexts(homeTexts);
  return (
    <>
      <Typography.Title level={1} className="hcp-page-title">
        {t.title}
      </Typography.Title>
      <Figures />
      <Row gutter={[16, 16]}>
        <Col xs={24} xl={16}>
          <MyTickets />
        </Col>
        <Col xs={24} xl={8}>
          <Notifications />
        </Col>
      </Row>
    </>
  );
}
