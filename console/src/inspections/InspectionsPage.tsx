// 调查暗访: the inspections within the caller's scope, newest first, and (for those who record them)
// the way to record one.
import { PlusOutlined } from '@ant-design/icons';
import { useInfiniteQuery } from '@tanstack/react-query';
import { Alert, Button, Flex, Table, Typography } from 'antd';
import { useNavigate } from 'react-router';
import { INSPECTION_RECORDERS } from '../../../src/inspections/recorders.ts';
import { api, unwrap } from '../api/client';
import type { components } from '../api/schema';
import { useSession } from '../auth/session';
import { errorText } from '../i18n/errors';
import { beijingTime } from '../i18n/format';
import { useLang, useTexts } from '../i18n/language';
import { inspectionTexts, methodName } from './texts';

type Inspection = components['schemas']['Inspection'];

export const INSPECTIONS_KEY = ['inspections'] as const;
const PAGE = 50;

export function InspectionsPage() {
  const t = useTexts(inspectionTexts);
  const { lang } = useLang();
  const session = useSession();
  const navigate = useNavigate();
  const role = session.data?.account.role;
  const mayRecord = role !== undefined && INSPECTION_RECORDERS.includes(role);
  const list = useInfiniteQuery({
    queryKey: INSPECTIONS_KEY,
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) => unwrap(api.GET('/api/v1/inspections', { params: { query: { limit: PAGE, ...(pageParam === undefined ? {} : { after: pageParam }) } } })),
    getNextPageParam: (page) => page.next ?? undefined,
  });
  const rows = list.data?.pages.flatMap((page) => page.items) ?? [];
  return (
    <>
      <Flex justify="space-between" align="center" wrap gap={12}>
        <Typography.Title level={1} className="hcp-page-title">
          {t.title}
        </Typography.Title>
        {mayRecord && (
          <Button type="primary" size="large" icon={<PlusOutlined aria-hidden />} onClick={() => void navigate('/inspections/new')}>
            {t.record}
          </Button>
        )}
      </Flex>
      {list.error && <Alert type="error" showIcon className="hcp-gap" title={errorText(list.error, lang)} />}
      <Table<Inspection>
        rowKey="id"
        dataSource={rows}
        loading={list.isPending}
        pagination={false}
        scroll={{ x: 720 }}
        locale={{ emptyText: <span className="hcp-empty">{t.noInspections}</span> }}
        columns={[
          { key: 'at', title: t.inspectedAt, render: (_v, row) => beijingTime(row.inspectedAt), width: 160 },
          { key: 'org', title: t.org, render: (_v, row) => row.orgName },
          { key: 'template', title: t.template, render: (_v, row) => `${row.template.name}（v${row.template.version}）` },
          { key: 'method', title: t.method, render: (_v, row) => methodName(t, row.method), width: 150 },
          { key: 'score', title: t.score, render: (_v, row) => row.score.toFixed(2), width: 90, align: 'right' },
          { key: 'inspector', title: t.inspector, render: (_v, row) => row.inspector, width: 120 },
        ]}
      />
      {list.hasNextPage && (
        <Button className="hcp-more" onClick={() => void list.fetchNextPage()} loading={list.isFetchingNextPage}>
          {t.more}
        </Button>
      )}
    </>
  );
}
