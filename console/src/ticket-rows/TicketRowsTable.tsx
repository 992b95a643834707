import { Table } from 'antd';
import type { ColumnsType } from 'antd/es/table';
import { Link } from 'react-router';
import type { components } from '../api/schema';
import { useLang, useTexts } from '../i18n/language';
import { DeadlineCell } from './DeadlineCell';
import { stateName, deadlineTexts } from './texts';

export type TicketRow = components['schemas']['TicketListItem'];

/**
 * Tickets as a queue: the deadline first (status and time left), then the ticket (a link to its
 * page), the org, the service or window, the state. Used by the home page and the supervision queues.
 */
export function TicketRowsTable({ rows, loading, empty }: { rows: TicketRow[]; loading: boolean; empty: string }) {
  const t = useTexts(deadlineTexts);
  const { lang } = useLang();
  const columns: ColumnsType<TicketRow> = [
    { key: 'deadline', title: t.deadlineColumn, render: (_v, row) => <DeadlineCell deadline={row.nextDeadline} />, width: 240 },
    {
      key: 'ticket',
      title: t.ticketColumn,
      render: (_v, row) => (
        <div>
          <Link to={`/tickets/${row.id}`}>
            {row.receiptNo} · {row.levelName[lang]}
          </Link>
          {row.commentExcerpt !== null && <div className="hcp-excerpt">{row.commentExcerpt}</div>}
        </div>
      ),
    },
    { key: 'org', title: t.orgColumn, render: (_v, row) => `${row.orgName}（${row.regionName}）` },
    { key: 'item', title: t.itemColumn, render: (_v, row) => [row.itemName, row.windowName, row.staffName].filter((x) => x !== null).join(' · ') || '—' },
    { key: 'state', title: t.stateColumn, render: (_v, row) => stateName(t, row.state), width: 140 },
  ];
  return (
    <Table<TicketRow>
      rowKey="id"
      size="middle"
      columns={columns}
      dataSource={rows}
      loading={loading}
      pagination={false}
      scroll={{ x: 760 }}
      locale={{ emptyText: <span className="hcp-empty">{empty}</span> }}
    />
  );
}
