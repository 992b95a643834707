// HTTP routes of evidence files: staff upload a photo, scan or PDF as raw bytes, attach it to a
// ticket step by its digest (src/tickets/commands.ts), and read it back when they may see the ticket.
// The routes live in their own encapsulated scope: the app parses JSON only, and the raw-bytes
// parser with its own size limit exists here alone.
import { Ajv, type AnySchema } from 'ajv';
import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { requireStaff } from '../auth/guard.ts';
import { callerCovers } from '../auth/policy.ts';
import { AppError } from '../errors.ts';
import type { App } from '../http/app-type.ts';
import type { AppContext } from '../http/context.ts';
import { commonErrorResponses } from '../http/error-schema.ts';
import { findTicket } from '../tickets/store.ts';
import { checkUpload, contentDisposition, decodeFilenameHeader, essenceOf, EVIDENCE_MEDIA_TYPES, sanitiseFilename } from './rules.ts';
import { storeEvidence, ticketEvidence, uploadedEvidence, type EvidenceBytes } from './store.ts';

const Digest = Type.String({ pattern: '^[0-9a-f]{64}$', description: '文件内容的 SM3 摘要（64 位小写十六进制）/ SM3 digest of the bytes, 64 lower-case hex digits' });

export const EvidenceView = Type.Object(
  {
    digest: Digest,
    mediaType: Type.Union([Type.Literal('image/jpeg'), Type.Literal('image/png'), Type.Literal('application/pdf')], { description: '按文件内容识别的类型 / the type found in the bytes' }),
    size: Type.Integer({ description: '字节数 / bytes' }),
    name: Type.String({ description: '清理后的文件名 / the file name, made safe' }),
  },
  { additionalProperties: false },
);

const Binary = Type.String({ format: 'binary' });
const binaryContent = Object.fromEntries(EVIDENCE_MEDIA_TYPES.map((type) => [type, { schema: Binary }]));
const fileResponse = { description: 'JPEG、PNG 或 PDF 原文件 / the stored file', content: binaryContent };

// The body of an upload is bytes, which the JSON validators cannot look at: checkUpload does, by
// content. Headers are still validated.
const headerAjv = new Ajv({ coerceTypes: true, strict: false, allErrors: false });
const rawBodyValidator = ({ schema, httpPart }: { schema: unknown; httpPart?: string }) => (httpPart === 'body' ? () => true : headerAjv.compile(schema as AnySchema));

function sendFile(request: FastifyRequest, reply: FastifyReply, digest: string, file: EvidenceBytes) {
  const etag = `"${digest}"`;
  reply
    .header('x-content-type-options', 'nosniff')
    // Opened directly, the file is a sandboxed document: no script, no form, its own origin.
    .header('content-security-policy', 'sandbox')
    .header('cross-origin-resource-policy', 'same-origin')
    // Private: only this browser may keep it, and asks again each time (access may have ended).
    .header('cache-control', 'private, no-cache')
    .header('etag', etag);
  if (request.headers['if-none-match'] === etag) return reply.code(304).send();
  return reply.type(file.mediaType).header('content-disposition', contentDisposition(file.name, file.mediaType)).send(file.bytes);
}

export function registerEvidenceRoutes(app: App, context: Pick<AppContext, 'config' | 'database' | 'clock'>): void {
  const { config, clock } = context;
  const db = context.database.db;
  const maxBytes = config.evidence.maxBytes;

  // Encapsulated: the raw-bytes parser below, with its own size limit, exists for these routes only.
  // The app's hooks (authentication), error handler and JSON parser (with its NUL guard) are
  // inherited; a JSON body here is parsed and then refused as a type this route does not take.
  void app.register(async (scope: App) => {
    scope.addContentTypeParser([...EVIDENCE_MEDIA_TYPES], { parseAs: 'buffer', bodyLimit: maxBytes }, (_request, body, done) => done(null, body));

    scope.post(
      '/api/v1/evidence',
      {
        schema: {
          tags: ['tickets'],
          summary: '上传佐证材料（JPEG、PNG 图片或 PDF，请求体为文件原始字节）/ Upload an evidence file (JPEG, PNG or PDF; the body is the raw bytes)',
          description:
            'Content-Type 须为 image/jpeg、image/png 或 application/pdf，且与文件内容一致（按文件头识别）。相同内容只存一份，返回同一摘要；在办理工单时以 `{ "evidence": 摘要, "name": 文件名 }` 引用。/ ' +
            'Content-Type must be image/jpeg, image/png or application/pdf and match the content (recognised by its first bytes). The same bytes are stored once and get the same digest; attach the file to a ticket step as `{ "evidence": digest, "name": name }`.',
          security: [{ staffSession: [] }],
          headers: Type.Object({
            'x-hcp-filename': Type.Optional(Type.String({ maxLength: 2000, description: '原文件名，UTF-8 百分号编码（encodeURIComponent）/ the original file name, percent-encoded UTF-8' })),
          }),
          body: { content: binaryContent },
          response: { 201: EvidenceView, ...commonErrorResponses },
        },
        validatorCompiler: rawBodyValidator,
        // The framework's refusals of a body, in this route's own words.
        errorHandler: (error: FastifyError) => {
          if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') throw new AppError('EVIDENCE_TOO_LARGE', { maxBytes });
          if (error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') throw new AppError('EVIDENCE_TYPE_UNSUPPORTED', { accepted: EVIDENCE_MEDIA_TYPES });
          throw error;
        },
      },
      async (request, reply) => {
        const caller = requireStaff(request);
        const bytes = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
        const checked = checkUpload(essenceOf(request.headers['content-type']), bytes, maxBytes);
        if ('code' in checked) throw new AppError(checked.code, checked.details);
        const given = decodeFilenameHeader(request.headers['x-hcp-filename']);
        if (given !== null && typeof given === 'object') throw new AppError(given.code, given.details);
        const name = sanitiseFilename(given, checked.mediaType);
        const stored = await storeEvidence(db, { bytes, mediaType: checked.mediaType, name, accountId: caller.accountId }, clock());
        return reply.code(201).send(stored);
      },
    );

    scope.get(
      '/api/v1/evidence/:digest',
      {
        schema: {
          tags: ['tickets'],
          summary: '查看本人上传的佐证材料（附到工单之前预览）/ One’s own uploaded evidence file (preview before attaching it)',
          description: '只有上传该文件的账号可以这样读取；附到工单后，能查看该工单的人经工单读取。/ Only the account that uploaded the file reads it here; once attached, whoever may see the ticket reads it through the ticket.',
          security: [{ staffSession: [] }],
          params: Type.Object({ digest: Digest }),
          response: { 200: fileResponse, ...commonErrorResponses },
        },
      },
      async (request, reply) => {
        const caller = requireStaff(request);
        const file = await uploadedEvidence(db, request.params.digest, caller.accountId);
        if (!file) throw new AppError('EVIDENCE_FILE_NOT_FOUND');
        return sendFile(request, reply, request.params.digest, file);
      },
    );

    scope.get(
      '/api/v1/tickets/:id/evidence/:digest',
      {
        schema: {
          tags: ['tickets'],
          summary: '工单的佐证材料 / An evidence file attached to a ticket',
          description:
            '调用者须能查看该工单，且该工单的某条操作记录附有此文件；否则一律 404。图片直接显示，PDF 作为下载；响应带 nosniff 与 CSP sandbox。/ ' +
            'The caller must be able to see the ticket and an event of the ticket must name the file; otherwise 404. Images are shown inline, PDFs downloaded; responses carry nosniff and CSP sandbox.',
          security: [{ staffSession: [] }],
          params: Type.Object({ id: Type.String({ format: 'uuid' }), digest: Digest }),
          response: { 200: fileResponse, ...commonErrorResponses },
        },
      },
      async (request, reply) => {
        const caller = requireStaff(request);
        const ticket = await findTicket(db, request.params.id);
        // An unknown ticket, one out of scope and a file the ticket does not name look the same.
        if (!ticket || !callerCovers(caller, { regionPath: ticket.region_path, orgId: ticket.org_id })) throw new AppError('EVIDENCE_FILE_NOT_FOUND');
        const file = await ticketEvidence(db, ticket.id, request.params.digest);
        if (!file) throw new AppError('EVIDENCE_FILE_NOT_FOUND');
        return sendFile(request, reply, request.params.digest, file);
      },
    );
  });
}
