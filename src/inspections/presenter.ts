// How checklist templates and inspections are shown. Each result is shown with its item's title
// from the template version it was scored by, so an org's handlers need not read templates.
import { Type, type Static, type TSchema } from 'typebox';
import { ReferenceAttachment } from '../tickets/presenter.ts';
import type { InspectionRecord, TemplateRow } from './queries.ts';
import { itemResultsOf, scoreOf, templateItemsOf, toCents } from './rules.ts';

const Instant = Type.String({ format: 'date-time' });
const Nullable = <T extends TSchema>(schema: T) => Type.Union([schema, Type.Null()]);

export const METHODS = ['visit', 'mystery_shopper', 'phone', 'online'] as const;
export const METHOD_NOTE = 'visit 实地检查 / mystery_shopper 暗访（扮作办事群众）/ phone 电话暗访 / online 网上办事体验';

const TemplateItemView = Type.Object({
  code: Type.String(),
  title: Type.String({ description: '检查项 / what is checked' }),
  points: Type.Number({ description: '分值 / points' }),
  description: Type.Optional(Type.String({ description: '评分标准 / how to score it' })),
});

export const InspectionTemplateView = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    code: Type.String(),
    version: Type.Integer({ minimum: 1 }),
    name: Type.String(),
    items: Type.Array(TemplateItemView),
    totalPoints: Type.Number({ description: '满分（各项分值之和）/ the sum of the items’ points' }),
    createdBy: Type.String(),
    createdAt: Instant,
  },
  { $id: 'InspectionTemplate', title: 'InspectionTemplate' },
);

export const InspectionView = Type.Object(
  {
    id: Type.String({ format: 'uuid' }),
    template: Type.Object({ id: Type.String({ format: 'uuid' }), code: Type.String(), version: Type.Integer(), name: Type.String() }, { description: '评分所用检查表版本 / the template version it was scored by' }),
    orgId: Type.String({ format: 'uuid' }),
    orgName: Type.String(),
    regionCode: Type.String({ description: '被检查单位所在行政区划 / the org’s region' }),
    windowId: Nullable(Type.String({ format: 'uuid' })),
    method: Type.String({ description: METHOD_NOTE }),
    inspectedAt: Instant,
    inspectedDay: Type.String({ description: '检查日期（北京时间），计分所在日 / the Beijing day it counts on' }),
    score: Type.Number({ description: '百分制得分，两位小数 / the score out of 100, two decimals' }),
    scorePoints: Type.Integer({ description: '得分 × 100（整数，计分台账所用）/ the score times 100, as the tallies keep it' }),
    results: Type.Array(
      Type.Object({
        code: Type.String(),
        title: Type.String(),
        points: Type.Number({ description: '得分 / points awarded' }),
        maxPoints: Type.Number({ description: '分值 / the item’s points' }),
        finding: Nullable(Type.String({ description: '发现的问题 / what was found' })),
      }),
    ),
    findings: Nullable(Type.String({ description: '总体情况 / overall findings' })),
    attachments: Type.Array(ReferenceAttachment),
    inspector: Type.String({ description: '录入的督查账号 / the account that recorded it' }),
    recordedAt: Instant,
  },
  { $id: 'Inspection', title: 'Inspection' },
);

export function presentTemplate(row: TemplateRow): Static<typeof InspectionTemplateView> {
  const items = templateItemsOf(row.items);
  const totalCents = items.reduce((sum, item) => sum + (toCents(item.points) ?? 0), 0);
  return {
    id: row.id,
    code: row.code,
    version: row.version,
    name: row.name,
    items,
    totalPoints: totalCents / 100,
    createdBy: row.created_by,
    createdAt: row.created_at.toISOString(),
  };
}

export function presentInspection(row: InspectionRecord): Static<typeof InspectionView> {
  const titles = new Map(templateItemsOf(row.template_items).map((item) => [item.code, item.title]));
  return {
    id: row.id,
    template: { id: row.template_id, code: row.template_code, version: row.template_version, name: row.template_name },
    orgId: row.org_id,
    orgName: row.org_name,
    regionCode: row.region_code,
    windowId: row.window_id,
    method: row.method,
    inspectedAt: row.inspected_at.toISOString(),
    inspectedDay: row.inspected_day,
    score: scoreOf(row.score_points),
    scorePoints: row.score_points,
    results: itemResultsOf(row.results).map((r) => ({ code: r.code, title: titles.get(r.code) ?? r.code, points: r.points, maxPoints: r.max, finding: r.finding ?? null })),
    findings: row.findings,
    attachments: row.attachments,
    inspector: row.inspector,
    recordedAt: row.recorded_at.toISOString(),
  };
}
