// Hall devices: the evaluator (评价器) on a window's counter and self-service terminals, each bound
// to one window. A device proves itself with `Authorization: Device <id>.<secret>`; the secret is
// 256 random bits shown once at registration, and only its SM3 hash is kept (a secret that long
// needs no slow hash: there is nothing to guess).
import { randomBytes } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import { uuidv7 } from 'uuidv7';
import { mayWriteCatalog } from '../auth/policy.ts';
import { equalBytes, sm3 } from '../crypto/sm.ts';
import type { DB, HallDeviceKind } from '../db/schema.ts';
import { AppError } from '../errors.ts';
import type { Caller } from '../http/caller.ts';

const SECRET_BYTES = 32;
const CREDENTIAL = /^Device[ \t]+([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})\.([A-Za-z0-9_-]{43})[ \t]*$/i;

const secretHash = (id: string, secret: string) => sm3('hcp-hall-device\0', id.toLowerCase(), '\0', secret);

/** The device as its own requests see it: where it stands and what it may rate. */
export interface HallDevice {
  id: string;
  kind: HallDeviceKind;
  name: string;
  windowId: string;
  windowName: string;
  orgName: string;
}

export interface RegisteredDevice {
  id: string;
  kind: HallDeviceKind;
  name: string;
  windowId: string;
  /** `<id>.<secret>`, what the device sends after `Device `; shown once, never stored. */
  credential: string;
  createdAt: Date;
}

async function windowPlacement(db: Kysely<DB>, windowId: string) {
  const row = await db
    .selectFrom('service_window as w')
    .innerJoin('org as o', 'o.id', 'w.org_id')
    .innerJoin('region as r', 'r.code', 'o.region_code')
    .select(['w.id', 'w.org_id', 'r.path'])
    .where('w.id', '=', windowId)
    .executeTakeFirst();
  if (!row) throw new AppError('WINDOW_UNKNOWN', { windowId });
  return row;
}

/** Refuses a caller who may not manage the window's org (admins of its region, in scope). */
export async function authoriseWindow(db: Kysely<DB>, caller: Caller, windowId: string): Promise<void> {
  const window = await windowPlacement(db, windowId);
  if (!mayWriteCatalog(caller, { regionPath: window.path, orgId: window.org_id })) throw new AppError('AUTH_OUT_OF_SCOPE');
}

export interface RegisterDeviceInput {
  windowId: string;
  kind: HallDeviceKind;
  name: string;
}

/** A new device for a window, with its credential (the only time the secret is seen). */
export async function registerDevice(db: Kysely<DB>, caller: Caller, input: RegisterDeviceInput, now: Date): Promise<RegisteredDevice> {
  await authoriseWindow(db, caller, input.windowId);
  const id = uuidv7();
  const secret = randomBytes(SECRET_BYTES).toString('base64url');
  await db
    .insertInto('hall_device')
    .values({ id, window_id: input.windowId, kind: input.kind, name: input.name, secret_hash: secretHash(id, secret), active: true, created_at: now, last_seen_at: null })
    .execute();
  return { id, kind: input.kind, name: input.name, windowId: input.windowId, credential: `${id}.${secret}`, createdAt: now };
}

export async function listDevices(db: Kysely<DB>, caller: Caller, windowId: string) {
  await authoriseWindow(db, caller, windowId);
  return db.selectFrom('hall_device').select(['id', 'kind', 'name', 'window_id', 'active', 'created_at', 'last_seen_at']).where('window_id', '=', windowId).orderBy('created_at').execute();
}

/** Stops a device (lost, stolen, replaced): its credential is refused from its next request on. */
export async function deactivateDevice(db: Kysely<DB>, caller: Caller, deviceId: string): Promise<void> {
  const device = await db.selectFrom('hall_device').select(['window_id']).where('id', '=', deviceId).executeTakeFirst();
  if (!device) throw new AppError('KIOSK_DEVICE_NOT_FOUND');
  await authoriseWindow(db, caller, device.window_id);
  await db.updateTable('hall_device').set({ active: false }).where('id', '=', deviceId).execute();
}

/** Whether a device is still allowed in (checked again while its stream stays open). */
export async function deviceStillActive(db: Kysely<DB>, deviceId: string): Promise<boolean> {
  const row = await db.selectFrom('hall_device').select('active').where('id', '=', deviceId).executeTakeFirst();
  return row?.active === true;
}

/** The device a request's `Authorization: Device <id>.<secret>` names, or KIOSK_DEVICE_AUTH_FAILED. */
export async function authenticateDevice(db: Kysely<DB>, request: FastifyRequest, now: Date): Promise<HallDevice> {
  const match = CREDENTIAL.exec(request.headers.authorization ?? '');
  if (!match?.[1] || !match[2]) throw new AppError('KIOSK_DEVICE_AUTH_FAILED');
  const id = match[1].toLowerCase();
  const row = await db
    .selectFrom('hall_device as d')
    .innerJoin('service_window as w', 'w.id', 'd.window_id')
    .innerJoin('org as o', 'o.id', 'w.org_id')
    .select(['d.id', 'd.kind', 'd.name', 'd.window_id', 'd.secret_hash', 'd.active', 'd.last_seen_at', 'w.name as window_name', 'o.name as org_name'])
    .where('d.id', '=', id)
    .executeTakeFirst();
  // One answer for unknown, wrong and stopped devices: a thief learns nothing from it.
  if (!row || !row.active || !equalBytes(row.secret_hash, secretHash(id, match[2]))) throw new AppError('KIOSK_DEVICE_AUTH_FAILED');
  await db.updateTable('hall_device').set({ last_seen_at: now }).where('id', '=', id).execute();
  return { id: row.id, kind: row.kind, name: row.name, windowId: row.window_id, windowName: row.window_name, orgName: row.org_name };
}
