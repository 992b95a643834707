// The demo's 调查暗访: a hall checklist, and each county hall visited once a month for the last three
// months by the provincial supervisor, scored in line with the hall's quality, through the real command.
import type { Kysely } from 'kysely';
import type { Config } from '../config/config.ts';
import type { DB } from '../db/schema.ts';
import type { StaffCaller } from '../http/caller.ts';
import { createTemplateVersion, recordInspection } from '../inspections/commands.ts';
import type { Province } from './province.ts';
import type { Random } from './random.ts';
import { DAY, HOUR } from './time.ts';

const HALL_CHECKLIST = {
  code: 'hall-visit',
  name: '政务服务大厅暗访检查表',
  items: [
    { code: 'attitude', title: '窗口服务态度（文明用语、主动服务）', points: 20 },
    { code: 'one-notice', title: '一次性告知（材料清单、办理时限）', points: 20 },
    { code: 'efficiency', title: '办事效率（排队等候、即办件当场办结）', points: 20 },
    { code: 'guidance', title: '导办与标识（咨询引导、办事指南）', points: 20 },
    { code: 'elderly', title: '适老化与便民设施（帮办代办、无障碍）', points: 20 },
  ],
};

const FINDINGS = ['窗口人员未使用文明用语', '未一次性告知所需材料', '排队等候超过30分钟', '办事指南与实际要求不一致', '未提供帮办代办服务'];

export async function recordDemoInspections(deps: { db: Kysely<DB>; config: Config; now: Date }, random: Random, province: Province, supervisor: StaffCaller): Promise<number> {
  const templateAt = new Date(deps.now.getTime() - 4 * 30 * DAY);
  await createTemplateVersion({ db: deps.db, clock: () => templateAt }, supervisor, HALL_CHECKLIST);
  let recorded = 0;
  for (const county of province.counties) {
    for (let monthsAgo = 1; monthsAgo <= 3; monthsAgo++) {
      const at = new Date(deps.now.getTime() - monthsAgo * 30 * DAY + random.int(-10, 10) * DAY + random.int(1, 7) * HOUR);
      // Quality is a log-normal factor around 1: a typical hall scores in the eighties.
      const share = Math.min(1, Math.max(0.3, 0.85 + 0.2 * (county.hall.quality - 1)));
      const results = HALL_CHECKLIST.items.map((item) => {
        const points = Math.max(0, Math.min(item.points, Math.round(item.points * (share + random.between(-0.15, 0.15)))));
        return points < item.points * 0.7 ? { code: item.code, points, finding: random.pick(FINDINGS) } : { code: item.code, points };
      });
      // Recorded when the supervisor wrote it up, hours after the visit, as it would have been: a
      // record stamped with the demo's `now` would come after every closing cut and be left out.
      const recordedAt = new Date(Math.min(at.getTime() + random.int(2, 30) * HOUR, deps.now.getTime() - HOUR));
      await recordInspection({ db: deps.db, config: deps.config, clock: () => recordedAt }, supervisor, { templateCode: HALL_CHECKLIST.code, orgId: county.hall.id, method: random.chance(0.7) ? 'mystery_shopper' : 'visit', inspectedAt: at.toISOString(), results });
      recorded++;
    }
  }
  return recorded;
}
