import { sql, type Kysely } from 'kysely';
import { uuidv7 } from 'uuidv7';
import { describe, expect, it } from 'vitest';
import { seedSichuanRegions } from '../catalog/regions.ts';
import { registerDevice } from '../kiosk/devices.ts';
import { testConfig } from '../../test/config.ts';
import { engines, openTestDatabase } from '../../test/engines.ts';
import { makeCompletedCase, makeItem, makeOrg, makeWindow } from '../../test/factories.ts';
import type { DB } from './schema.ts';
import { migrateTo, migrateToLatest } from './migrate.ts';

const indexes = async (db: Kysely<DB>) => (await sql<{ name: string }>`SELECT indexname AS name FROM pg_indexes WHERE tablename = 'ticket'`.execute(db)).rows.map((r) => r.name);

for (const engine of engines()) {
  describe(`migrations [${engine}]`, () => {
    it('leave a landed migration as it landed: a later one drops the index that the overdue count no longer reads', async () => {
      const database = await openTestDatabase(engine, { empty: true });
      try {
        await migrateTo(database.db, '2026-12-01T00-ticket-evaluation-region');
        expect(await indexes(database.db)).toEqual(expect.arrayContaining(['ticket_unanswered_idx', 'ticket_open_overdue_idx']));
        await migrateToLatest(database.db);
        const after = await indexes(database.db);
        expect(after).toContain('ticket_open_overdue_idx');
        expect(after).not.toContain('ticket_unanswered_idx');
      } finally {
        await database.close();
      }
    });

    it('mark the links made before proofs existed: the poster’s as proving nothing, a device’s as its own', async () => {
      const database = await openTestDatabase(engine, { empty: true });
      try {
        const db = database.db;
        await migrateTo(db, '2026-12-07T06-upkeep');
        await seedSichuanRegions(db);
        const config = testConfig({});
        const org = await makeOrg(db, { name: '旧数据中心', regionCode: '510104' });
        const window = await makeWindow(db, org);
        const projectNo = await makeCompletedCase(db, config, await makeItem(db, org), '2026-11-20 10:00:00', { windowCode: window.code });
        const stage = await db.selectFrom('case_stage as s').innerJoin('service_case as c', 'c.id', 's.case_id').select('s.id').where('c.project_no', '=', projectNo).executeTakeFirstOrThrow();
        const admin = { kind: 'staff' as const, accountId: 'a', username: 'admin', role: 'province_admin' as const, regionPath: '510000/', orgId: null };
        const device = await registerDevice(db, admin, { windowId: window.id, kind: 'evaluator', name: '评价器' }, new Date());
        const links = { poster: 'hcp-rating-page', device: `hcp-kiosk:${device.id}`, integrator: 'app-1' };
        for (const [n, source] of Object.values(links).entries()) {
          const at = new Date('2026-11-20T02:00:00Z');
          await sql`INSERT INTO rating_link (id, short_code, case_stage_id, channel, source_app, created_at, expires_at)
            VALUES (${uuidv7()}, ${`abcdefgh0${n}`}, ${stage.id}, 'qr', ${source}, ${at}, ${at})`.execute(db);
        }
        await migrateToLatest(db);
        const rows = await db.selectFrom('rating_link').select(['source_app', 'proof', 'device_id']).orderBy('short_code').execute();
        expect(rows).toEqual([
          { source_app: links.poster, proof: 'none', device_id: null },
          { source_app: links.device, proof: 'device', device_id: device.id },
          { source_app: links.integrator, proof: 'signed_link', device_id: null },
        ]);
      } finally {
        await database.close();
      }
    });
  });
}
