// Where outbound messages go: an SMS / e-mail gateway over HTTP (wire format in docs/outbound.md),
// or the log (demo and development). The gateway sees one message at a time and de-duplicates by
// message id, which is what makes a retry after a crash safe.
import { newNonce, signRequest } from '../auth/signature.ts';
import { systemClock, type Clock } from '../clock.ts';
import type { Config } from '../config/config.ts';
import { maskName, maskPhone } from '../pii/person.ts';
import type { OutboundChannel } from './outbound.ts';

/** One message as the gateway receives it: the address resolved, nothing else about the person. */
export interface OutboundEnvelope {
  id: string;
  channel: OutboundChannel;
  /** A phone number (sms) or an e-mail address (email). */
  to: string;
  subject: string | null;
  body: string;
}

export interface OutboundGateway {
  send(message: OutboundEnvelope): Promise<{ gatewayRef: string }>;
}

/** A failed hand-over; `status` is the gateway's HTTP status, null when it never answered. */
export class GatewayError extends Error {
  readonly status: number | null;
  constructor(message: string, status: number | null, options?: { cause: unknown }) {
    super(message, options);
    this.name = 'GatewayError';
    this.status = status;
  }
}

export const GATEWAY_TIMEOUT_MS = 5000;

export interface HttpGatewayOptions {
  url: string;
  appId: string;
  secret: string;
  timeoutMs?: number;
  /** For the signature timestamp; the gateway checks it against its own clock, so wall time by default. */
  clock?: Clock;
}

export function httpGateway(options: HttpGatewayOptions): OutboundGateway {
  const target = new URL(options.url);
  // Signed exactly as it goes on the request line (see src/auth/signature.ts canonicalString).
  const path = target.pathname + target.search;
  const timeoutMs = options.timeoutMs ?? GATEWAY_TIMEOUT_MS;
  const clock = options.clock ?? systemClock;
  return {
    async send(message) {
      const body = JSON.stringify({ id: message.id, channel: message.channel, to: message.to, subject: message.subject, body: message.body });
      // A fresh nonce and timestamp per attempt: the gateway refuses a replayed nonce, and a
      // retry is recognised by its Idempotency-Key instead.
      const signature = signRequest({ appId: options.appId, secret: options.secret, method: 'POST', path, body, timestamp: clock().getTime(), nonce: newNonce() });
      let response: Response;
      try {
        response = await fetch(target, {
          method: 'POST',
          headers: { ...signature, 'Content-Type': 'application/json; charset=utf-8', 'Idempotency-Key': message.id },
          body,
          signal: AbortSignal.timeout(timeoutMs),
        });
      } catch (error) {
        const reason = error instanceof Error && error.name === 'TimeoutError' ? `no answer within ${timeoutMs} ms` : error instanceof Error ? error.message : String(error);
        throw new GatewayError(`outbound gateway unreachable: ${reason}`, null, { cause: error });
      }
      if (!response.ok) {
        const text = await response.text().catch(() => '');
        throw new GatewayError(`outbound gateway answered ${response.status}${text ? `: ${text.slice(0, 200)}` : ''}`, response.status);
      }
      const answer: unknown = await response.json().catch(() => null);
      const ref = typeof answer === 'object' && answer !== null && 'ref' in answer ? answer.ref : undefined;
      // Without a ref the hand-over cannot be proven; the retry is safe (same Idempotency-Key).
      if (typeof ref !== 'string' || ref.length === 0) throw new GatewayError('outbound gateway answered without a ref', response.status);
      return { gatewayRef: ref };
    },
  };
}

export function maskEmail(address: string): string {
  const at = address.lastIndexOf('@');
  if (at <= 0) return maskName(address);
  return `${maskName(address.slice(0, at))}${address.slice(at)}`;
}

export function maskAddress(channel: OutboundChannel, to: string): string {
  return channel === 'sms' ? maskPhone(to) : maskEmail(to);
}

/** The part of a logger the console gateway uses (pino's and Fastify's fit). */
export interface OutboundLog {
  info(details: Record<string, unknown>, message: string): void;
}

/** Sends nothing: logs the message with the address masked, so the demo shows what would go out. */
export function consoleGateway(log: OutboundLog): OutboundGateway {
  return {
    async send(message) {
      log.info(
        { messageId: message.id, channel: message.channel, to: maskAddress(message.channel, message.to), subject: message.subject, body: message.body },
        'outbound message (console gateway: logged, not sent)',
      );
      return { gatewayRef: `console:${message.id}` };
    },
  };
}

export function gatewayFromConfig(outbound: Config['outbound'], log: OutboundLog): OutboundGateway {
  return outbound.gateway === 'http' ? httpGateway({ url: outbound.url, appId: outbound.appId, secret: outbound.secret }) : consoleGateway(log);
}
