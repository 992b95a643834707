// Rate limits of the public edge (rating pages and their API, receipts, callback links), per IP
// and per link, on @fastify/rate-limit's counters. The counters live in this process: behind a
// load balancer each process counts apart (a shared store is the next step, see README).
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../config/config.ts';
import { AppError } from '../errors.ts';

export type Limiter = (request: FastifyRequest, reply: FastifyReply) => Promise<void>;

export interface PublicLimits {
  /** Any public request, per IP. */
  perIp: Limiter;
  /** Submissions (ratings, callbacks), per IP. */
  submitPerIp: Limiter;
  /** Submissions per link token (or short code): one link cannot be hammered from many IPs. */
  submitPerLink: Limiter;
  /** Requests of a hall device, by the device id it presents (before its secret is checked). */
  perDevice: Limiter;
}

const MINUTE = 60_000;

export async function registerRateLimits(app: FastifyInstance): Promise<void> {
  // Nothing is limited unless a route asks (public routes call the limiters below).
  await app.register(rateLimit, { global: false });
}

function limiter(app: FastifyInstance, max: number, key: (request: FastifyRequest) => string): Limiter {
  const check = app.createRateLimit({ max, timeWindow: MINUTE, keyGenerator: key });
  return async (request, reply) => {
    const result = await check(request);
    if (!result.isAllowed && result.isExceeded) {
      void reply.header('retry-after', result.ttlInSeconds);
      throw new AppError('RATE_LIMITED', { retryAfterSeconds: result.ttlInSeconds });
    }
  };
}

const tokenOf = (request: FastifyRequest) => {
  const params = request.params as Record<string, string | undefined>;
  return params['token'] ?? params['code'] ?? params['receiptNo'] ?? '';
};

/** The id part of `Authorization: Device <id>.<secret>`, or the IP when there is none. */
const deviceOf = (request: FastifyRequest) => /^Device\s+([^.\s]{1,64})\./i.exec(String(request.headers.authorization ?? ''))?.[1] ?? `ip:${request.ip}`;

export function publicLimits(app: FastifyInstance, config: Config): PublicLimits {
  return {
    perDevice: limiter(app, config.abuse.publicPerIp, (r) => `device:${deviceOf(r)}`),
    perIp: limiter(app, config.abuse.publicPerIp, (r) => `ip:${r.ip}`),
    submitPerIp: limiter(app, config.abuse.submitPerIp, (r) => `submit-ip:${r.ip}`),
    submitPerLink: limiter(app, config.abuse.submitPerLink, (r) => `submit-link:${tokenOf(r)}`),
  };
}
