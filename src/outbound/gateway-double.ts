// A stand-in for the SMS / e-mail gateway that speaks the wire format of docs/outbound.md over
// real HTTP: it checks the signature and nonce, de-duplicates by Idempotency-Key, records what it
// accepted, and can be told to fail. For tests, and for trying the platform without a gateway.
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readSignedHeaders, verifySignature } from '../auth/signature.ts';
import { AppError } from '../errors.ts';
import type { OutboundChannel } from './outbound.ts';

export interface ReceivedMessage {
  id: string;
  channel: OutboundChannel;
  to: string;
  subject: string | null;
  body: string;
  ref: string;
}

export interface ReceivedRequest {
  idempotencyKey: string | null;
  status: number;
}

export interface GatewayDouble {
  /** Base URL, e.g. http://127.0.0.1:40123/send; the double answers on any path. */
  url: string;
  /** Messages accepted, each once, in order. */
  messages: ReceivedMessage[];
  /** Every request and the status it got, in order. */
  requests: ReceivedRequest[];
  /** The next n requests get 503, before anything else is looked at. */
  failNext(n: number): void;
  close(): Promise<void>;
}

export interface GatewayDoubleOptions {
  appId: string;
  secret: string;
  maxAgeSeconds?: number;
}

const MAX_BODY_BYTES = 1024 * 1024;

async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    const bytes = chunk as Buffer;
    size += bytes.length;
    if (size > MAX_BODY_BYTES) throw new Error('body too large');
    chunks.push(bytes);
  }
  return Buffer.concat(chunks);
}

function parseMessage(bytes: Buffer): Omit<ReceivedMessage, 'ref'> | null {
  let value: unknown;
  try {
    value = JSON.parse(bytes.toString('utf8'));
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null) return null;
  const { id, channel, to, subject, body } = value as Record<string, unknown>;
  if (typeof id !== 'string' || (channel !== 'sms' && channel !== 'email') || typeof to !== 'string' || typeof body !== 'string') return null;
  if (subject !== null && typeof subject !== 'string') return null;
  return { id, channel, to, subject, body };
}

export async function startGatewayDouble(options: GatewayDoubleOptions): Promise<GatewayDouble> {
  const messages: ReceivedMessage[] = [];
  const requests: ReceivedRequest[] = [];
  const byKey = new Map<string, ReceivedMessage>();
  const nonces = new Set<string>();
  let failing = 0;

  async function handle(request: IncomingMessage): Promise<{ status: number; answer: Record<string, unknown> }> {
    const body = await readBody(request);
    if (failing > 0) {
      failing -= 1;
      return { status: 503, answer: { error: 'unavailable (told to fail)' } };
    }
    try {
      const signed = readSignedHeaders(request.headers);
      if (signed.appId !== options.appId) return { status: 401, answer: { error: `unknown app ${signed.appId}` } };
      verifySignature({ headers: signed, secret: options.secret, method: request.method ?? '', path: request.url ?? '', body, now: new Date(), maxAgeSeconds: options.maxAgeSeconds ?? 300 });
      if (nonces.has(signed.nonce)) return { status: 401, answer: { error: 'nonce replayed' } };
      nonces.add(signed.nonce);
    } catch (error) {
      if (error instanceof AppError) return { status: 401, answer: { error: error.code, details: error.details ?? null } };
      throw error;
    }
    const key = request.headers['idempotency-key'];
    if (typeof key !== 'string' || key === '') return { status: 400, answer: { error: 'Idempotency-Key is required' } };
    const parsed = parseMessage(body);
    if (!parsed) return { status: 400, answer: { error: 'body must be {id, channel, to, subject, body}' } };
    if (parsed.id !== key) return { status: 400, answer: { error: 'Idempotency-Key must equal the message id' } };
    const seen = byKey.get(key);
    if (seen) return { status: 200, answer: { ref: seen.ref, duplicate: true } };
    const message = { ...parsed, ref: `gw-${messages.length + 1}` };
    byKey.set(key, message);
    messages.push(message);
    return { status: 200, answer: { ref: message.ref } };
  }

  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const key = request.headers['idempotency-key'];
    handle(request)
      .catch((error: unknown) => ({ status: 500, answer: { error: error instanceof Error ? error.message : String(error) } }))
      .then(({ status, answer }) => {
        requests.push({ idempotencyKey: typeof key === 'string' ? key : null, status });
        response.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' }).end(JSON.stringify(answer));
      });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address: AddressInfo | string | null = server.address();
  if (address === null || typeof address === 'string') throw new Error('the gateway double is not listening on TCP');
  const { port } = address;

  return {
    url: `http://127.0.0.1:${port}/v1/messages`,
    messages,
    requests,
    failNext(n) {
      failing = n;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
