// 差评工单: the tickets within the caller's scope, filtered by what the address bar keeps (so a
// link or a reload shows the same list), counted per state, sorted, loaded page by page (keyset
// `next`), and exported as a workbook with the same filters.
import { DownloadOutlined } from '@ant-design/icons';
import { useInfiniteQuery, useMutation, useQuery } from '@tanstack/react-query';
import { Alert, App, Button, DatePicker, Form, Input, Radio, Select, Table, TreeSelect, type TableColumnsType } from 'antd';
import dayjs from 'dayjs';
import { useState } from 'react';
import { Link, useLocation, useNavigate, useSearchParams } from 'react-router';
import { CHANNEL_NAMES, CHANNELS } from '../../../src/evaluations/channels.ts';
import { api, rawRequest, unwrap } from '../api/client';
import type { components } from '../api/schema';
import { useSession } from '../auth/session';
import { errorText } from '../i18n/errors';
import { beijingTime } from '../i18n/format';
import { fill, useLang, useTexts } from '../i18n/language';
import { DeadlineCell, StateTag } from './Deadline';
import { countsQuery, exportPath, filtersFromSearch, listQuery, searchFromFilters, stateTone, STATE_TABS, tabCount, withFilter, type DeskFilters, type Sort, type TicketListItem } from './model';
import { ticketTexts } from './texts';
import './tickets.css';

const PAGE_SIZE = 50;

type RegionNode = components['schemas']['CatalogRegionNode'];
interface TreeOption {
  value: string;
  title: string;
  children: TreeOption[];
}
const treeOf = (nodes: RegionNode[]): TreeOption[] => nodes.map((node) => ({ value: node.code, title: node.name, children: treeOf(node.children) }));

/** The filters as the address bar holds them; every change replaces the query (back leaves the list). */
function useDeskFilters(): [DeskFilters, (next: DeskFilters) => void] {
  const [params, setParams] = useSearchParams();
  const filters = filtersFromSearch(params);
  return [filters, (next) => setParams(searchFromFilters(next), { replace: true })];
}

/** The name a downloaded workbook gets: the server's (filename*), else a plain one. */
function downloadName(disposition: string | null): string {
  const match = /filename\*=UTF-8''([^;]+)/i.exec(disposition ?? '');
  return match?.[1] ? decodeURIComponent(match[1]) : 'tickets.xlsx';
}

export function TicketsPage() {
  const t = useTexts(ticketTexts);
  const { lang } = useLang();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const location = useLocation();
  const session = useSession();
  const [filters, setFilters] = useDeskFilters();
  const set = <K extends keyof DeskFilters>(key: K, value: DeskFilters[K] | undefined) => setFilters(withFilter(filters, key, value));
  const role = session.data?.account.role;
  const supervising = role !== undefined && role !== 'org_handler';
  // Text fields apply on Enter or on leaving them, not on every key.
  const [typed, setTyped] = useState({ q: filters.q ?? '', taskCode: filters.taskCode ?? '' });

  const counts = useQuery({
    queryKey: ['tickets', 'counts', countsQuery(filters)],
    queryFn: () => unwrap(api.GET('/api/v1/tickets/counts', { params: { query: countsQuery(filters) } })),
  });
  const list = useInfiniteQuery({
    queryKey: ['tickets', 'list', filters],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) => unwrap(api.GET('/api/v1/tickets', { params: { query: listQuery(filters, pageParam, PAGE_SIZE) } })),
    getNextPageParam: (page) => page.next ?? undefined,
  });
  const regions = useQuery({
    queryKey: ['catalog', 'regions'],
    queryFn: () => unwrap(api.GET('/api/v1/catalog/regions')),
    enabled: supervising,
    staleTime: 10 * 60_000,
  });
  const orgs = useQuery({
    queryKey: ['catalog', 'orgs', filters.regionCode ?? ''],
    queryFn: () => unwrap(api.GET('/api/v1/catalog/orgs', { params: { query: { limit: 200, ...(filters.regionCode ? { areaCode: filters.regionCode } : {}) } } })),
    enabled: supervising,
    staleTime: 10 * 60_000,
  });
  const exporting = useMutation({
    mutationFn: async () => {
      const response = await rawRequest(exportPath(filters));
      const blob = await response.blob();
      const url = URL.createObjectURL(blob);
      const anchor = document.createElement('a');
      anchor.href = url;
      anchor.download = downloadName(response.headers.get('content-disposition'));
      document.body.append(anchor);
      anchor.click();
      anchor.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
      if (response.headers.get('x-hcp-export-truncated') === 'true') void message.warning(t.exportTruncated);
    },
  });

  const items = list.data?.pages.flatMap((page) => page.items) ?? [];
  const open = (ticket: TicketListItem) => void navigate(`/tickets/${ticket.id}`, { state: { from: location.search } });

  const columns: TableColumnsType<TicketListItem> = [
    {
      key: 'receipt',
      title: t.colReceipt,
      width: 150,
      render: (_v, ticket) => (
        <>
          <Link to={`/tickets/${ticket.id}`} state={{ from: location.search }} onClick={(event) => event.stopPropagation()}>
            {ticket.receiptNo}
          </Link>
          <div className="hcp-small">{ticket.levelName[lang]}</div>
        </>
      ),
    },
    {
      key: 'comment',
      title: t.colComment,
      render: (_v, ticket) => (
        <>
          {ticket.indicatorNames.length > 0 && <div className="hcp-indicators">{ticket.indicatorNames.map((name) => name[lang]).join(t.listSep)}</div>}
          <span className="hcp-comment">{ticket.commentExcerpt ?? <span className="hcp-muted">{t.noComment}</span>}</span>
        </>
      ),
    },
    {
      key: 'place',
      title: t.colPlace,
      width: 200,
      responsive: ['xl'],
      render: (_v, ticket) => (
        <>
          <div>{ticket.orgName}</div>
          <div className="hcp-small">{[ticket.itemName, ticket.windowName, ticket.staffName].filter(Boolean).join(' · ') || ticket.regionName}</div>
        </>
      ),
    },
    { key: 'opened', title: t.colOpened, width: 140, responsive: ['lg'], render: (_v, ticket) => beijingTime(ticket.openedAt) },
    { key: 'deadline', title: t.colDeadline, width: 190, render: (_v, ticket) => <DeadlineCell deadline={ticket.nextDeadline} /> },
    { key: 'state', title: t.colState, width: 120, render: (_v, ticket) => <StateTag state={ticket.state} tone={stateTone(ticket.state)} /> },
  ];

  const tabKey = STATE_TABS.find((tab) => tab.key === (filters.state ?? ''))?.key ?? '';
  const dueValue = filters.needsDecision ? 'decide' : (filters.due ?? '');
  const countOf = (n: number | undefined) => (n === undefined ? '' : ` (${n})`);
  const sortOptions: Array<{ value: Sort; label: string }> = [
    { value: '-openedAt', label: t.sortNewest },
    { value: 'deadline', label: t.sortDeadline },
    { value: 'openedAt', label: t.sortOldest },
  ];
  const total = tabCount(STATE_TABS.find((tab) => tab.key === tabKey) ?? { states: [] }, counts.data);

  return (
    <section aria-labelledby="tickets-title">
      <div className="hcp-page-head">
        <h1 id="tickets-title">{t.listTitle}</h1>
        <Button icon={<DownloadOutlined aria-hidden />} onClick={() => exporting.mutate()} loading={exporting.isPending} title={t.exportHint}>
          {exporting.isPending ? t.exporting : t.export}
        </Button>
      </div>
      {exporting.error && <Alert className="hcp-gap" type="error" showIcon role="alert" title={errorText(exporting.error, lang)} closable={{ onClose: () => exporting.reset() }} />}

      {/* The states as one wrapping choice: antd's Tabs hide what does not fit behind a menu that is no tab (ARIA), on a tablet. */}
      <Radio.Group
        className="hcp-state-choice"
        aria-label={t.colState}
        optionType="button"
        buttonStyle="solid"
        value={tabKey}
        onChange={(event) => set('state', String(event.target.value) || undefined)}
        options={STATE_TABS.map((tab) => {
          const n = tabCount(tab, counts.data);
          const name = tab.key === '' ? t.tabAll : tab.states.length > 1 ? (tab.states[0] === 'replied' ? t.tabAwaitingCallback : t.tabDone) : t[`state_${tab.states[0] ?? 'open'}`];
          return { value: tab.key, label: `${name}${n === null ? '' : ` (${n})`}` };
        })}
      />

      <div className="hcp-filter-bar">
        <Radio.Group
          aria-label={t.dueFilter}
          optionType="button"
          value={dueValue}
          onChange={(event) => {
            const value = String(event.target.value);
            const { due: _due, needsDecision: _decide, ...rest } = filters;
            setFilters(value === 'decide' ? { ...rest, needsDecision: true } : value === 'overdue' || value === 'due_soon' ? { ...rest, due: value } : rest);
          }}
          options={[
            { value: '', label: t.dueAll },
            { value: 'overdue', label: `${t.dueOverdue}${countOf(counts.data?.overdue)}` },
            { value: 'due_soon', label: `${t.dueSoon}${countOf(counts.data?.dueSoon)}` },
            ...(supervising ? [{ value: 'decide', label: `${t.needsDecision}${countOf(counts.data?.needsDecision)}` }] : []),
          ]}
        />
        <Select<Sort> aria-label={t.sort} value={filters.sort ?? '-openedAt'} onChange={(value) => set('sort', value)} options={sortOptions} style={{ minWidth: 140 }} />
      </div>

      <Form layout="vertical" className="hcp-filters" aria-label={t.filters} onFinish={() => undefined}>
        {supervising && (
          <Form.Item label={t.region} htmlFor="f-region">
            <TreeSelect
              id="f-region"
              allowClear
              showSearch={{ treeNodeFilterProp: 'title' }}
              placeholder={t.regionAll}
              treeData={treeOf(regions.data?.items ?? [])}
              value={filters.regionCode}
              onChange={(value: string | undefined) => setFilters(withFilter(withFilter(filters, 'orgId', undefined), 'regionCode', value))}
            />
          </Form.Item>
        )}
        {supervising && (
          <Form.Item label={t.org} htmlFor="f-org">
            <Select
              id="f-org"
              allowClear
              showSearch={{ optionFilterProp: 'label' }}
              placeholder={t.orgAll}
              value={filters.orgId}
              onChange={(value: string | undefined) => set('orgId', value)}
              options={(orgs.data?.items ?? []).map((org) => ({ value: org.id, label: org.deptName }))}
            />
          </Form.Item>
        )}
        <Form.Item label={t.taskCode} htmlFor="f-task">
          <Input
            id="f-task"
            allowClear
            value={typed.taskCode}
            onChange={(event) => {
              setTyped({ ...typed, taskCode: event.target.value });
              if (event.target.value === '') set('taskCode', undefined);
            }}
            onPressEnter={() => set('taskCode', typed.taskCode.trim() || undefined)}
            onBlur={() => typed.taskCode.trim() !== (filters.taskCode ?? '') && set('taskCode', typed.taskCode.trim() || undefined)}
          />
        </Form.Item>
        <Form.Item label={t.channel} htmlFor="f-channel">
          <Select
            id="f-channel"
            allowClear
            placeholder={t.channelAll}
            value={filters.channel}
            onChange={(value: string | undefined) => set('channel', value)}
            options={CHANNELS.map((channel) => ({ value: channel, label: CHANNEL_NAMES[channel][lang] }))}
          />
        </Form.Item>
        <Form.Item label={t.level} htmlFor="f-level">
          <Select
            id="f-level"
            allowClear
            placeholder={t.levelAll}
            value={filters.level}
            onChange={(value: number | undefined) => set('level', value)}
            options={[
              { value: 1, label: lang === 'zh' ? '非常不满意' : 'Very dissatisfied' },
              { value: 2, label: lang === 'zh' ? '不满意' : 'Dissatisfied' },
            ]}
          />
        </Form.Item>
        {/* Two pickers rather than antd's RangePicker: with an empty range its Tab key moves between its own two fields, a trap for keyboard users. */}
        <Form.Item label={t.periodStart} htmlFor="f-from">
          <DatePicker
            id="f-from"
            className="hcp-full"
            value={filters.from ? dayjs(filters.from) : null}
            maxDate={filters.to ? dayjs(filters.to) : undefined}
            onChange={(day) => set('from', day ? day.format('YYYY-MM-DD') : undefined)}
          />
        </Form.Item>
        <Form.Item label={t.periodEnd} htmlFor="f-to">
          <DatePicker
            id="f-to"
            className="hcp-full"
            value={filters.to ? dayjs(filters.to) : null}
            minDate={filters.from ? dayjs(filters.from) : undefined}
            onChange={(day) => set('to', day ? day.format('YYYY-MM-DD') : undefined)}
          />
        </Form.Item>
        <Form.Item label={t.search} htmlFor="f-q">
          <Input.Search
            id="f-q"
            allowClear
            placeholder={t.searchPlaceholder}
            value={typed.q}
            onChange={(event) => setTyped({ ...typed, q: event.target.value })}
            onSearch={(value) => set('q', value.trim() || undefined)}
          />
        </Form.Item>
        <Form.Item label=" " colon={false}>
          <Button
            onClick={() => {
              setTyped({ q: '', taskCode: '' });
              setFilters(filters.state ? { state: filters.state } : {});
            }}
          >
            {t.reset}
          </Button>
        </Form.Item>
      </Form>

      {list.error && (
        <Alert
          className="hcp-gap"
          type="error"
          showIcon
          role="alert"
          title={errorText(list.error, lang)}
          action={
            <Button size="small" onClick={() => void list.refetch()}>
              {t.retry}
            </Button>
          }
        />
      )}
      <Table<TicketListItem>
        className="hcp-ticket-table"
        rowKey="id"
        size="middle"
        columns={columns}
        dataSource={items}
        loading={list.isPending}
        pagination={false}
        locale={{ emptyText: <span className="hcp-muted">{t.empty}</span> }}
        onRow={(ticket) => ({ onClick: () => open(ticket) })}
      />
      <div className="hcp-more">
        {total !== null && items.length > 0 && <p className="hcp-small" aria-live="polite">{fill(t.shown, { shown: items.length, total })}</p>}
        {list.hasNextPage ? (
          <Button onClick={() => void list.fetchNextPage()} loading={list.isFetchingNextPage}>
            {t.loadMore}
          </Button>
        ) : (
          items.length > 0 && <span className="hcp-small">{t.noMore}</span>
        )}
      </div>
    </section>
  );
}
