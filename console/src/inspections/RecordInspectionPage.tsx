// Recording an inspection on a tablet (768×1024 upright, by touch): the checklist, the unit
// inspected from the catalog (and optionally its window), the method and time, then one row per
// checklist item with its score choice (met, partly, not met) and what was found. The server scores
// it (POST /api/v1/inspections); the list shows it at once.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { Alert, App, Button, DatePicker, Flex, Form, Input, Radio, Select, Typography } from 'antd';
import dayjs, { type Dayjs } from 'dayjs';
import { useNavigate } from 'react-router';
import { api, unwrap } from '../api/client';
import type { components } from '../api/schema';
import { errorText } from '../i18n/errors';
import { fill, useLang, useTexts } from '../i18n/language';
import { INSPECTIONS_KEY } from './InspectionsPage';
import { CHOICES, pointsFor, runningScore, type Choice } from './scoring';
import { inspectionTexts, METHOD_KEYS, type MethodKey } from './texts';

type Template = components['schemas']['InspectionTemplate'];
type Org = components['schemas']['CatalogOrg'];

interface InspectionForm {
  templateCode: string;
  orgId: string;
  windowId?: string;
  method: MethodKey;
  inspectedAt: Dayjs;
  scores: Record<string, Choice | undefined>;
  itemFindings?: Record<string, string | undefined>;
  findings?: string;
}

/** Enough orgs for a city's catalog; the picker filters them by name as the inspector types. */
const ORG_PAGES = 5;
const PAGE = 200;

async function orgsInScope(): Promise<Org[]> {
  const all: Org[] = [];
  let after: string | undefined;
  for (let i = 0; i < ORG_PAGES; i += 1) {
    const page = await unwrap(api.GET('/api/v1/catalog/orgs', { params: { query: { limit: PAGE, ...(after === undefined ? {} : { after }) } } }));
    all.push(...page.items);
    if (page.next === null) break;
    after = page.next;
  }
  return all;
}

const blank = (text: string | undefined) => (text === undefined || text.trim() === '' ? null : text.trim());

export function RecordInspectionPage() {
  const t = useTexts(inspectionTexts);
  const { lang } = useLang();
  const { message } = App.useApp();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [form] = Form.useForm<InspectionForm>();
  const templateCode = Form.useWatch('templateCode', form);
  const orgId = Form.useWatch('orgId', form);
  const scores = Form.useWatch('scores', form) ?? {};

  const templates = useQuery({ queryKey: ['inspection-templates'], queryFn: () => unwrap(api.GET('/api/v1/inspection-templates')) });
  const orgs = useQuery({ queryKey: ['catalog', 'orgs', 'all'], queryFn: orgsInScope, staleTime: 5 * 60_000 });
  const org = orgs.data?.find((o) => o.id === orgId);
  const windows = useQuery({
    queryKey: ['catalog', 'windows', org?.deptCode],
    queryFn: () => unwrap(api.GET('/api/v1/catalog/windows', { params: { query: { deptCode: org?.deptCode ?? '', limit: PAGE } } })),
    enabled: org !== undefined,
  });
  const template: Template | undefined = templates.data?.items.find((tpl) => tpl.code === templateCode);

  const record = useMutation({
    mutationFn: (values: InspectionForm) => {
      if (!template) throw new Error('no template');
      return unwrap(
        api.POST('/api/v1/inspections', {
          body: {
            templateCode: template.code,
            templateVersion: template.version,
            orgId: values.orgId,
            windowId: values.windowId ?? null,
            method: values.method,
            inspectedAt: values.inspectedAt.toISOString(),
            results: template.items.map((item) => ({
              code: item.code,
              points: pointsFor(values.scores[item.code] ?? 'none', item.points),
              finding: blank(values.itemFindings?.[item.code]),
            })),
            findings: blank(values.findings),
          },
        }),
      );
    },
    onSuccess: async (inspection) => {
      void message.success(fill(t.recorded, { score: inspection.score.toFixed(2) }));
      await queryClient.invalidateQueries({ queryKey: INSPECTIONS_KEY });
      void navigate('/inspections');
    },
  });

  const loadError = templates.error ?? orgs.error ?? windows.error;
  const choiceLabel: Record<Choice, string> = { full: t.full, partly: t.partly, none: t.none };
  const totalPoints = template?.totalPoints ?? 0;

  return (
    <div className="hcp-tablet-form">
      <Typography.Title level={1} className="hcp-page-title">
        {t.formTitle}
      </Typography.Title>
      {loadError && <Alert type="error" showIcon className="hcp-gap" title={errorText(loadError, lang)} />}
      {templates.data?.items.length === 0 && <Alert type="info" showIcon className="hcp-gap" title={t.noTemplates} />}
      {record.error && <Alert type="error" showIcon role="alert" className="hcp-gap" title={errorText(record.error, lang)} />}
      <Form<InspectionForm>
        form={form}
        layout="vertical"
        size="large"
        requiredMark={false}
        disabled={record.isPending}
        initialValues={{ method: 'visit', inspectedAt: dayjs(), scores: {} }}
        onFinish={(values) => record.mutate(values)}
        scrollToFirstError
      >
        <Form.Item label={t.template} name="templateCode" rules={[{ required: true, message: t.templateRequired }]}>
          <Select
            placeholder={t.chooseTemplate}
            loading={templates.isPending}
            options={(templates.data?.items ?? []).map((tpl) => ({ value: tpl.code, label: `${tpl.name}（v${tpl.version}）` }))}
            onChange={() => form.setFieldValue('scores', {})}
          />
        </Form.Item>
        <Form.Item label={t.org} name="orgId" rules={[{ required: true, message: t.orgRequired }]}>
          <Select
            showSearch={{ optionFilterProp: 'label' }}
            placeholder={t.chooseOrg}
            loading={orgs.isPending}
            options={(orgs.data ?? []).map((o) => ({ value: o.id, label: o.deptName }))}
            onChange={() => form.setFieldValue('windowId', undefined)}
          />
        </Form.Item>
        <Form.Item label={t.window} name="windowId">
          <Select
            allowClear
            placeholder={t.chooseWindow}
            disabled={org === undefined || record.isPending}
            loading={windows.isFetching}
            options={(windows.data?.items ?? []).map((w) => ({ value: w.id, label: `${w.windowName}（${w.windowCode}）` }))}
          />
        </Form.Item>
        <Form.Item label={t.method} name="method" rules={[{ required: true, message: t.methodRequired }]}>
          <Radio.Group optionType="button" buttonStyle="solid" className="hcp-touch-choices" options={METHOD_KEYS.map((m) => ({ value: m, label: t[m] }))} />
        </Form.Item>
        <Form.Item label={t.inspectedAt} name="inspectedAt" rules={[{ required: true, message: t.timeRequired }]}>
          <DatePicker showTime={{ format: 'HH:mm' }} format="YYYY-MM-DD HH:mm" disabledDate={(day) => day.isAfter(dayjs(), 'day')} className="hcp-full-width" />
        </Form.Item>

        {template && (
          <section aria-labelledby="hcp-checklist-title" className="hcp-checklist">
            <Flex justify="space-between" align="baseline" wrap gap={8}>
              <Typography.Title level={2} id="hcp-checklist-title" className="hcp-section-title">
                {fill(t.checklist, { count: template.items.length, points: totalPoints })}
              </Typography.Title>
              <span className="hcp-running-score" aria-live="polite">
                {fill(t.total, { score: runningScore(template.items, scores).toFixed(2) })}
              </span>
            </Flex>
            <ol className="hcp-check-items">
              {template.items.map((item, index) => {
                const titleId = `hcp-check-${index}`;
                return (
                  <li key={item.code} className="hcp-check-item">
                    <div className="hcp-check-head">
                      <span id={titleId} className="hcp-check-title">
                        {index + 1}. {item.title}
                      </span>
                      <span className="hcp-check-points">{fill(t.itemPoints, { points: item.points })}</span>
                    </div>
                    {item.description && <div className="hcp-check-description">{item.description}</div>}
                    <Form.Item name={['scores', item.code]} rules={[{ required: true, message: t.scoreRequired }]} className="hcp-check-score">
                      <Radio.Group
                        aria-labelledby={titleId}
                        optionType="button"
                        buttonStyle="solid"
                        className="hcp-touch-choices"
                        options={CHOICES.map((choice) => ({ value: choice, label: `${choiceLabel[choice]} · ${fill(t.pointsOf, { points: pointsFor(choice, item.points) })}` }))}
                      />
                    </Form.Item>
                    <Form.Item name={['itemFindings', item.code]} className="hcp-check-finding">
                      <Input placeholder={t.finding} aria-label={`${item.title} · ${t.finding}`} maxLength={1000} />
                    </Form.Item>
                  </li>
                );
              })}
            </ol>
          </section>
        )}

        <Form.Item label={t.findings} name="findings">
          <Input.TextArea rows={3} maxLength={5000} />
        </Form.Item>
        <Flex gap={12} wrap>
          <Button type="primary" htmlType="submit" size="large" loading={record.isPending} disabled={!template} className="hcp-touch-button">
            {t.submit}
          </Button>
          <Button size="large" onClick={() => void navigate('/inspections')} className="hcp-touch-button">
            {t.cancel}
          </Button>
        </Flex>
      </Form>
    </div>
  );
}
