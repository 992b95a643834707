// HTTP face of hall devices: admins register a device for a window (the credential is shown
// once), list and stop them; a device reads who it is and keeps an event stream open, down which
// the rating screen of each stage completed at its window is pushed. The stream and the
// database listener behind it start and stop with the app.
import { Type } from 'typebox';
import { requireStaff } from '../auth/guard.ts';
import type { App } from '../http/app-type.ts';
import type { AppContext } from '../http/context.ts';
import { commonErrorResponses } from '../http/error-schema.ts';
import { openEventStream } from '../http/event-stream.ts';
import { authenticateDevice, deactivateDevice, deviceStillActive, listDevices, registerDevice, type HallDevice } from './devices.ts';
import { registerKioskPage } from './page.ts';
import { CHANNEL_OF, createKioskHub, type KioskConnection } from './push.ts';
import { listenForCompletions, type StageListener } from './stage-listener.ts';
import type { PublicLimits } from '../http/rate-limits.ts';
import { LinkView } from '../ratings/routes.ts';
import { PublicRatingResult } from '../ratings/submit.ts';
import { DeviceRatingBody, submitDeviceRating, viewDeviceLink } from './device-rating.ts';

const TAGS = ['kiosk'];
const STAFF = [{ staffSession: [] }];
export const HEARTBEAT_MS = 15_000;
const DEVICE_AUTH_NOTE =
  '设备以 `Authorization: Device <id>.<secret>` 认证（登记时一次性给出）。/ The device authenticates with `Authorization: Device <id>.<secret>` (given once at registration).';

const Kind = Type.Union([Type.Literal('evaluator'), Type.Literal('terminal')], { description: 'evaluator 窗口评价器 / window evaluator; terminal 自助终端 / self-service terminal' });
const Uuid = Type.String({ format: 'uuid' });
const DeviceRow = Type.Object({
  id: Uuid,
  kind: Kind,
  name: Type.String(),
  windowId: Uuid,
  active: Type.Boolean(),
  createdAt: Type.String({ format: 'date-time' }),
  lastSeenAt: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
});
const DeviceSelf = Type.Object({
  id: Uuid,
  kind: Kind,
  name: Type.String(),
  channel: Type.String(),
  windowName: Type.String(),
  orgName: Type.String(),
});

const presentSelf = (device: HallDevice) => ({ id: device.id, kind: device.kind, name: device.name, channel: CHANNEL_OF[device.kind], windowName: device.windowName, orgName: device.orgName });

export function registerKioskRoutes(app: App, context: Pick<AppContext, 'config' | 'database' | 'clock' | 'log' | 'intake'>, limits: PublicLimits): void {
  const { config, clock, log } = context;
  const db = context.database.db;
  const hub = createKioskHub({ db, config, clock, log });
  const streams = new Set<() => void>();
  let listener: StageListener | undefined;

  app.addHook('onReady', async () => {
    listener = await listenForCompletions(context.database, log, {
      completed: (event) => void hub.completed(event),
      resumed: () => void hub.catchUpAll(),
    });
  });
  // Open streams never end by themselves: they are ended before the server waits for its connections.
  app.addHook('preClose', async () => {
    for (const end of [...streams]) end();
  });
  app.addHook('onClose', async () => {
    await listener?.close();
  });

  app.post(
    '/api/v1/catalog/windows/:windowId/devices',
    {
      schema: {
        tags: TAGS,
        summary: '为窗口登记评价器或自助终端（凭证只显示一次）/ Register an evaluator or terminal for a window (the credential is shown once)',
        description:
          '在设备上打开 setupUrl（或在设置页输入 credential）即完成配置。凭证不可找回，遗失请停用后重新登记。/ Open setupUrl on the device (or type the credential on its setup screen). The credential cannot be shown again: if lost, stop the device and register a new one.',
        security: STAFF,
        params: Type.Object({ windowId: Uuid }),
        body: Type.Object({ kind: Kind, name: Type.String({ minLength: 1, maxLength: 100, description: '设备名称，如“3号窗口评价器” / a name, e.g. "window 3 evaluator"' }) }, { additionalProperties: false }),
        response: {
          201: Type.Object({
            id: Uuid,
            kind: Kind,
            name: Type.String(),
            windowId: Uuid,
            credential: Type.String({ description: '<id>.<secret>' }),
            setupUrl: Type.String({ description: '凭证在 # 之后，不会发送到服务器 / the credential follows #, so it never reaches a server' }),
            createdAt: Type.String({ format: 'date-time' }),
          }),
          ...commonErrorResponses,
        },
      },
    },
    async (request, reply) => {
      const caller = requireStaff(request);
      const device = await registerDevice(db, caller, { windowId: request.params.windowId, ...request.body }, clock());
      return reply.status(201).send({ ...device, setupUrl: `${config.http.publicBaseUrl}/kiosk#device=${device.credential}`, createdAt: device.createdAt.toISOString() });
    },
  );

  app.get(
    '/api/v1/catalog/windows/:windowId/devices',
    {
      schema: {
        tags: TAGS,
        summary: '窗口的大厅设备 / The hall devices of a window',
        security: STAFF,
        params: Type.Object({ windowId: Uuid }),
        response: { 200: Type.Object({ devices: Type.Array(DeviceRow) }), ...commonErrorResponses },
      },
    },
    async (request) => {
      const rows = await listDevices(db, requireStaff(request), request.params.windowId);
      return {
        devices: rows.map((r) => ({ id: r.id, kind: r.kind, name: r.name, windowId: r.window_id, active: r.active, createdAt: r.created_at.toISOString(), lastSeenAt: r.last_seen_at?.toISOString() ?? null })),
      };
    },
  );

  app.post(
    '/api/v1/hall-devices/:deviceId/deactivate',
    {
      schema: {
        tags: TAGS,
        summary: '停用大厅设备 / Stop a hall device',
        description: '其凭证随即失效，已打开的推送连接在一次心跳内断开。/ Its credential is refused at once; an open stream ends within one heartbeat.',
        security: STAFF,
        params: Type.Object({ deviceId: Uuid }),
        response: { 204: Type.Null(), ...commonErrorResponses },
      },
    },
    async (request, reply) => {
      await deactivateDevice(db, requireStaff(request), request.params.deviceId);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/v1/kiosk/device',
    {
      onRequest: [limits.perDevice],
      schema: {
        tags: TAGS,
        summary: '设备自身信息（设备凭证）/ The calling device (device credential)',
        description: DEVICE_AUTH_NOTE,
        response: { 200: DeviceSelf, ...commonErrorResponses },
      },
    },
    async (request) => presentSelf(await authenticateDevice(db, request, clock())),
  );

  app.get(
    '/api/v1/kiosk/events',
    {
      onRequest: [limits.perDevice],
      schema: {
        tags: TAGS,
        summary: '评价推送（Server-Sent Events，设备凭证）/ Rating pushes (Server-Sent Events, device credential)',
        description:
          `${DEVICE_AUTH_NOTE}\n\n` +
          '`text/event-stream`，每条 `data:` 为 JSON：连接后先有 `{type:"hello", device}`；本窗口的办件环节办结时推送 `{type:"rate", stageId, url, token, itemName, completedAt}`（连接时也补发最近几分钟内未评价的一件）；约每15秒一行心跳注释。' +
          '\n\n`text/event-stream`, each `data:` a JSON object: first `{type:"hello", device}`; when a case stage at the window is completed, `{type:"rate", stageId, url, token, itemName, completedAt}` (on connecting, also the latest unrated completion of the last few minutes); a heartbeat comment about every 15 s.',
        response: { ...commonErrorResponses },
      },
    },
    async (request, reply) => {
      const device = await authenticateDevice(db, request, clock());
      const { response: res, write } = openEventStream(reply);
      const data = (value: unknown) => write(`data: ${JSON.stringify(value)}\n\n`);
      const connection: KioskConnection = { device, send: data };
      const remove = hub.add(connection);
      const heartbeat = setInterval(() => {
        write(': ping\n\n');
        deviceStillActive(db, device.id).then(
          (active) => active || end(),
          (error: unknown) => log.warn({ err: error, deviceId: device.id }, 'kiosk heartbeat check failed'),
        );
      }, HEARTBEAT_MS);
      heartbeat.unref();
      const end = () => {
        clearInterval(heartbeat);
        remove();
        streams.delete(end);
        if (!res.writableEnded) res.end();
      };
      streams.add(end);
      res.on('close', end);
      write('retry: 3000\n\n');
      data({ type: 'hello', device: presentSelf(device) });
      await hub.catchUp(connection);
    },
  );

  const Token = Type.Object({ token: Type.String({ minLength: 10, maxLength: 100 }) });

  app.get(
    '/api/v1/kiosk/ratings/:token',
    {
      onRequest: [limits.perDevice],
      schema: {
        tags: TAGS,
        summary: '设备读取推送给它的评价（设备凭证）/ What a link pushed to this device rates (device credential)',
        description: `${DEVICE_AUTH_NOTE}\n\n推送的链接只属于该设备：其他设备或公开页面使用时返回 KIOSK_LINK_DEVICE_BOUND。/ A pushed link belongs to its device: any other device, or the public page, gets KIOSK_LINK_DEVICE_BOUND.`,
        params: Token,
        response: { 200: LinkView, ...commonErrorResponses },
      },
    },
    async (request) => viewDeviceLink(context, await authenticateDevice(db, request, clock()), request.params.token),
  );

  app.post(
    '/api/v1/kiosk/ratings/:token',
    {
      onRequest: [limits.perDevice, limits.submitPerLink],
      schema: {
        tags: TAGS,
        summary: '在设备上提交评价（设备凭证）/ Submit a rating made on this device (device credential)',
        description:
          `${DEVICE_AUTH_NOTE}\n\n` +
          '`madeAt` 为评价作出的时间：须在推送之后、推送后几分钟之内（KIOSK_RATE_WITHIN_MINUTES），否则 KIOSK_RATING_TOO_LATE；早于推送或晚于当前时间为 KIOSK_MADE_AT_INVALID。离线保存的评价稍后送达，按 madeAt 判断。' +
          '\n\n`madeAt` is when the rating was made: after the push and within minutes of it (KIOSK_RATE_WITHIN_MINUTES), or KIOSK_RATING_TOO_LATE; before the push or in the future: KIOSK_MADE_AT_INVALID. A rating kept offline arrives later and is judged by its madeAt.',
        params: Token,
        body: DeviceRatingBody,
        response: { 201: PublicRatingResult, ...commonErrorResponses },
      },
    },
    async (request, reply) => {
      const device = await authenticateDevice(db, request, clock());
      return reply.status(201).send(await submitDeviceRating(context, request, device, request.params.token, request.body));
    },
  );

  registerKioskPage(app, context);
}
