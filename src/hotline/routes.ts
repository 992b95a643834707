// The hotline's webhooks (docs/hotline.md): the SMS gateway posts replies it received, the IVR
// posts the key a caller pressed. Both are integrator apps named in HOTLINE_APP_IDS and sign
// their requests like every integrator (docs/integration.md).
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { requireApp } from '../auth/guard.ts';
import { parseAssessTime } from '../clock.ts';
import type { Config } from '../config/config.ts';
import { AppError } from '../errors.ts';
import type { App } from '../http/app-type.ts';
import type { AppCaller } from '../http/caller.ts';
import type { AppContext } from '../http/context.ts';
import { commonErrorResponses } from '../http/error-schema.ts';
import { receiveIvrPress } from './ivr.ts';
import { receiveSms } from './sms-inbound.ts';

const Time = Type.String({ minLength: 10, maxLength: 40, description: 'yyyy-MM-dd HH:mm:ss（北京时间）或 ISO 8601 / Beijing time or ISO 8601' });
const ExternalId = (description: string) => Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.:-]+$', description });

function requireHotlineApp(request: FastifyRequest, config: Config): AppCaller {
  const caller = requireApp(request);
  if (!config.hotline.appIds.includes(caller.appId)) throw new AppError('HOTLINE_APP_NOT_ALLOWED', { appId: caller.appId });
  return caller;
}

function time(text: string, field: string): Date {
  const parsed = parseAssessTime(text);
  if (!parsed) throw new AppError('VALIDATION_FAILED', { field, value: text });
  return parsed;
}

export function registerHotlineRoutes(app: App, context: Pick<AppContext, 'config' | 'database' | 'clock' | 'intake'>): void {
  const deps = { db: context.database.db, config: context.config, clock: context.clock, intake: context.intake };

  app.post(
    '/api/v1/hotline/sms/inbound',
    {
      schema: {
        tags: ['hotline'],
        summary: '短信网关推送收到的短信（评价回复）/ The SMS gateway posts a message it received (a rating reply)',
        description:
          '按 messageId 幂等。回复“1”–“5”（含全角）或等级名称（非常满意…非常不满意）即评价最近一次邀请的办件环节；其他内容回复使用说明。平台的回复短信经外发网关发出。\n\n' +
          'Idempotent by messageId. "1"–"5" (full-width too) or a level word rates the stage of the latest open invitation to that phone; anything else gets the instructions. Answers leave through the outbound gateway.',
        security: [{ appSignature: [] }],
        body: Type.Object(
          {
            messageId: ExternalId('网关的消息编号（幂等键）/ the gateway’s message id, the idempotency key'),
            from: Type.String({ minLength: 1, maxLength: 20, description: '发送方手机号 / sender’s phone number' }),
            text: Type.String({ maxLength: 1000, description: '短信内容 / message text' }),
            receivedAt: Time,
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            outcome: Type.Union(
              ['rated', 'invalid', 'no_pending', 'unknown_sender', 'unsubscribed'].map((o) => Type.Literal(o)),
              { description: 'rated 已评价 / invalid 无法识别 / no_pending 无待评价办件 / unknown_sender 未邀请过的号码 / unsubscribed 已退订' },
            ),
            repeated: Type.Boolean({ description: '该 messageId 此前已处理 / this messageId was handled before' }),
            receiptNo: Type.Union([Type.String(), Type.Null()]),
            replied: Type.Boolean({ description: '是否已安排回复短信 / whether an SMS answer was queued' }),
          }),
          ...commonErrorResponses,
        },
      },
    },
    async (request) => {
      const caller = requireHotlineApp(request, context.config);
      const { messageId, from, text, receivedAt } = request.body;
      return receiveSms(deps, caller, { messageId, from, text, receivedAt: time(receivedAt, 'receivedAt') });
    },
  );

  app.post(
    '/api/v1/hotline/ivr',
    {
      schema: {
        tags: ['hotline'],
        summary: '热线语音评价：来电结束后按键 / Hotline IVR: the key pressed after a call',
        description:
          '按 callId 幂等。按键 1–5 即评价等级（5 非常满意 … 1 非常不满意），评价渠道为电话；工单须已作为办件登记。\n\n' +
          'Idempotent by callId. Keys 1–5 are the level (5 very satisfied … 1 very dissatisfied), channel hotline; the work order must be registered as a case.',
        security: [{ appSignature: [] }],
        body: Type.Object(
          {
            callId: ExternalId('呼叫编号（幂等键）/ call id, the idempotency key'),
            projectNo: Type.String({ minLength: 1, maxLength: 64, pattern: '^[^\\u0000-\\u001f\\u007f]+$', description: '热线工单号（已登记为办件）/ the hotline work order, registered as a case' }),
            serviceNumber: Type.Optional(Type.Integer({ minimum: 1, maximum: 999, description: '办件环节，默认 1 / case stage, default 1' })),
            digit: Type.String({ minLength: 1, maxLength: 1, description: '按键 / key pressed' }),
            pressedAt: Time,
            caller: Type.Optional(Type.String({ maxLength: 20, description: '来电号码（加密存储，用于答复短信）/ caller’s number (sealed; for the answer SMS)' })),
          },
          { additionalProperties: false },
        ),
        response: {
          201: Type.Object({ status: Type.Union([Type.Literal('stored'), Type.Literal('duplicate')]), receiptNo: Type.String(), level: Type.Integer() }),
          ...commonErrorResponses,
        },
      },
    },
    async (request, reply) => {
      const caller = requireHotlineApp(request, context.config);
      const { callId, projectNo, serviceNumber, digit, pressedAt, caller: phone } = request.body;
      const answer = await receiveIvrPress(deps, caller, { callId, projectNo, serviceNumber, digit, pressedAt: time(pressedAt, 'pressedAt'), caller: phone });
      return reply.status(201).send(answer);
    },
  );
}
