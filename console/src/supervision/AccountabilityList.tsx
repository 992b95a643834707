// The accountability list: the bulletins issued (通报) and, for the chosen one, each named unit's
// response as it stands (pending, submitted, returned, accepted).
import { useQuery } from '@tanstack/react-query';
import { Alert, Select, Table, Tag, Typography } from 'antd';
import { useState } from 'react';
import { api, unwrap } from '../api/client';
import type { components } from '../api/schema';
import { errorText } from '../i18n/errors';
import { beijingTime } from '../i18n/format';
import { fill, useLang, useTexts } from '../i18n/language';
import { supervisionTexts } from './texts';

type Response = components['schemas']['BulletinResponse'];

const RESPONSE_CLASSES: Record<Response['state'], string> = {
  pending: 'hcp-status-warning',
  submitted: 'hcp-status-info',
  returned: 'hcp-status-overdue',
  accepted: 'hcp-status-normal',
};

export function AccountabilityList() {
  const t = useTexts(supervisionTexts);
  const { lang } = useLang();
  const [chosen, setChosen] = useState<string | null>(null);
  const bulletins = useQuery({ queryKey: ['bulletins'], queryFn: () => unwrap(api.GET('/api/v1/bulletins', { params: { query: { limit: 50 } } })) });
  const list = bulletins.data?.items ?? [];
  const bulletinId = chosen ?? list[0]?.id ?? null;
  const responses = useQuery({
    queryKey: ['bulletins', bulletinId, 'responses'],
    queryFn: () => unwrap(api.GET('/api/v1/bulletins/{id}/responses', { params: { path: { id: bulletinId ?? '' } } })),
    enabled: bulletinId !== null,
  });
  const error = bulletins.error ?? responses.error;
  if (!bulletins.isPending && list.length === 0 && !error) return <Typography.Paragraph>{t.noBulletins}</Typography.Paragraph>;
  return (
    <>
      {error && <Alert type="error" showIcon className="hcp-gap" title={errorText(error, lang)} />}
      <label className="hcp-field">
        <span className="hcp-field-label">{t.chooseBulletin}</span>
        <Select
          className="hcp-bulletin-select"
          value={bulletinId ?? undefined}
          loading={bulletins.isPending}
          onChange={(value: string) => setChosen(value)}
          options={list.map((b) => ({ value: b.id, label: `${b.title} · ${beijingTime(b.issuedAt)} · ${fill(t.namedCount, { count: b.namedCount })}` }))}
        />
      </label>
      <Table<Response>
        rowKey={(row) => `${row.unitKind}:${row.unitId}`}
        size="middle"
        loading={responses.isFetching}
        pagination={false}
        dataSource={responses.data?.items ?? []}
        locale={{ emptyText: <span className="hcp-empty">{t.noResponses}</span> }}
        columns={[
          { key: 'name', title: t.named, render: (_v, row) => row.name },
          { key: 'kind', title: t.unitKind, render: (_v, row) => (row.unitKind === 'region' ? t.region : t.org), width: 100 },
          { key: 'state', title: t.responseState, render: (_v, row) => <Tag className={RESPONSE_CLASSES[row.state]}>{row.stateName[lang]}</Tag>, width: 160 },
          { key: 'submissions', title: t.submissions, render: (_v, row) => row.submissions, width: 110 },
          { key: 'updatedAt', title: t.updatedAt, render: (_v, row) => beijingTime(row.updatedAt), width: 170 },
        ]}
      />
    </>
  );
}
