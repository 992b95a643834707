// 督办审批: the supervisor's queues as tabs (what waits for their decision, what has gone wrong),
// each row a link to the ticket's page, and the accountability list of the bulletins issued.
import { useQueries } from '@tanstack/react-query';
import { Alert, Tabs, Typography } from 'antd';
import { useSearchParams } from 'react-router';
import { api, unwrap } from '../api/client';
import { errorText } from '../i18n/errors';
import { fill, useLang, useTexts } from '../i18n/language';
import { TicketRowsTable } from '../ticket-rows/TicketRowsTable';
import { AccountabilityList } from './AccountabilityList';
import { isQueueKey, QUEUE_KEYS, QUEUE_LIMIT, queueQuery, type QueueKey } from './queues';
import { supervisionTexts } from './texts';

const EMPTY: Record<QueueKey, 'emptyAppeals' | 'emptyExtensions' | 'emptyCannotFix' | 'emptyOverdue' | 'emptyEscalated'> = {
  appeals: 'emptyAppeals',
  extensions: 'emptyExtensions',
  cannotFix: 'emptyCannotFix',
  overdue: 'emptyOverdue',
  escalated: 'emptyEscalated',
};

const ACCOUNTABILITY = 'accountability';

export function SupervisionPage() {
  const t = useTexts(supervisionTexts);
  const { lang } = useLang();
  const [params, setParams] = useSearchParams();
  const requested = params.get('queue');
  const active = isQueueKey(requested) || requested === ACCOUNTABILITY ? requested : 'appeals';
  const queues = useQueries({
    queries: QUEUE_KEYS.map((key) => ({
      queryKey: ['tickets', 'queue', key],
      queryFn: () => unwrap(api.GET('/api/v1/tickets', { params: { query: queueQuery(key) } })),
      refetchInterval: 120_000,
    })),
  });
  const items = QUEUE_KEYS.map((key, i) => {
    const query = queues[i];
    const rows = query?.data?.items ?? [];
    const more = query?.data?.next !== null && query?.data?.next !== undefined;
    const label = query?.data ? fill(more ? t.withMore : t.withCount, { name: t[key], count: Math.min(rows.length, QUEUE_LIMIT) }) : t[key];
    return {
      key,
      label,
      children: (
        <>
          {query?.error && <Alert type="error" showIcon className="hcp-gap" title={errorText(query.error, lang)} />}
          <TicketRowsTable rows={rows} loading={query?.isPending ?? true} empty={t[EMPTY[key]]} />
        </>
      ),
    };
  });
  return (
    <>
      <Typography.Title level={1} className="hcp-page-title">
        {t.title}
      </Typography.Title>
      <Typography.Paragraph>{t.queueNote}</Typography.Paragraph>
      <Tabs
        activeKey={active}
        onChange={(key) => setParams({ queue: key }, { replace: true })}
        items={[...items, { key: ACCOUNTABILITY, label: t.accountability, children: <AccountabilityList /> }]}
      />
    </>
  );
}
