// Frozen: never edit after it has landed. Add a new migration instead.
import { sql, type Kysely } from 'kysely';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- migrations are frozen in time, typed against no schema
export async function up(db: Kysely<any>): Promise<void> {
  await sql.raw(`
-- A notification written for a staff account, and notifications marked read, announced to the
-- processes holding that account's live streams (GET /api/v1/notifications/stream). Triggers, so
-- that every writer announces in its own transaction: notify(), the fan-out inside the intake
-- statement, marking as read. NOTIFY is delivered on commit: a rolled-back write is never announced.
CREATE FUNCTION hcp_notify_notification_created() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('hcp_notification', json_build_object('accountId', NEW.account_id, 'id', NEW.id)::text);
  RETURN NULL;
END $$;
CREATE TRIGGER notification_created AFTER INSERT ON notification
  FOR EACH ROW EXECUTE FUNCTION hcp_notify_notification_created();

-- One announcement per account whose notifications an UPDATE touched (marking read), whatever the count.
CREATE FUNCTION hcp_notify_notification_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('hcp_notification', json_build_object('accountId', c.account_id)::text)
    FROM (SELECT DISTINCT account_id FROM changed) c;
  RETURN NULL;
END $$;
CREATE TRIGGER notification_changed AFTER UPDATE ON notification
  REFERENCING NEW TABLE AS changed
  FOR EACH STATEMENT EXECUTE FUNCTION hcp_notify_notification_changed();
`).execute(db);
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- see up()
export async function down(db: Kysely<any>): Promise<void> {
  await sql.raw(`
DROP TRIGGER notification_changed ON notification;
DROP FUNCTION hcp_notify_notification_changed();
DROP TRIGGER notification_created ON notification;
DROP FUNCTION hcp_notify_notification_created();`).execute(db);
}
