// The integrator request signature: HMAC-SM3 over a canonical string of method, path, time,
// nonce and body digest. Pure: the same module signs (tests, benchmark, demo, integrators'
// sample code) and verifies (the guard), so the two can never drift apart.
import { randomBytes } from 'node:crypto';
import { equalBytes, hmacSm3, sm3 } from '../crypto/sm.ts';
import { AppError } from '../errors.ts';

/** Header names as sent. HTTP header names are case-insensitive; Node hands them over lowercased. */
export const SIGNATURE_HEADERS = {
  appId: 'X-Hcp-App-Id',
  timestamp: 'X-Hcp-Timestamp',
  nonce: 'X-Hcp-Nonce',
  signature: 'X-Hcp-Signature',
} as const;

export const NONCE_PATTERN = /^[A-Za-z0-9_-]{16,64}$/;
// Unix milliseconds without leading zeros, so the text in the canonical string has one spelling.
const TIMESTAMP_PATTERN = /^[1-9][0-9]{0,15}$/;
const SIGNATURE_PATTERN = /^[0-9a-fA-F]{64}$/;

export interface SignInput {
  appId: string;
  /** The app secret exactly as issued (64 hex characters); its ASCII bytes are the HMAC key. */
  secret: string;
  method: string;
  /** Path and query string exactly as they go on the wire, e.g. '/api/v1/evaluations?dryRun=1'. */
  path: string;
  /** The body bytes as sent; a string is sent as UTF-8. Absent for an empty body. */
  body?: Uint8Array | string | null | undefined;
  /** Unix milliseconds. */
  timestamp: number;
  nonce: string;
}

export type SignatureHeaderValues = Record<(typeof SIGNATURE_HEADERS)[keyof typeof SIGNATURE_HEADERS], string>;

/** The lowercase hex SM3 digest of the body bytes; an empty or absent body hashes the empty string. */
export function bodyDigest(body: Uint8Array | string | null | undefined): string {
  return sm3(body ?? '').toString('hex');
}

/** METHOD \n path-with-query \n timestamp \n nonce \n hex(SM3(body)), no trailing newline. */
export function canonicalString(parts: { method: string; path: string; timestamp: string; nonce: string; body: Uint8Array | string | null | undefined }): string {
  return [parts.method.toUpperCase(), parts.path, parts.timestamp, parts.nonce, bodyDigest(parts.body)].join('\n');
}

function hmacHex(secret: string, canonical: string): string {
  return hmacSm3(Buffer.from(secret, 'utf8'), canonical).toString('hex');
}

/** The four headers an integrator adds to a request. */
export function signRequest(input: SignInput): SignatureHeaderValues {
  if (!Number.isSafeInteger(input.timestamp) || input.timestamp <= 0) throw new TypeError('timestamp must be Unix milliseconds');
  if (!NONCE_PATTERN.test(input.nonce)) throw new TypeError('nonce must be 16-64 characters of A-Z a-z 0-9 _ -');
  const timestamp = String(input.timestamp);
  const canonical = canonicalString({ method: input.method, path: input.path, timestamp, nonce: input.nonce, body: input.body });
  return {
    'X-Hcp-App-Id': input.appId,
    'X-Hcp-Timestamp': timestamp,
    'X-Hcp-Nonce': input.nonce,
    'X-Hcp-Signature': hmacHex(input.secret, canonical),
  };
}

/** A fresh random nonce (22 base64url characters, 128 bits), for callers that sign. */
export function newNonce(): string {
  return randomBytes(16).toString('base64url');
}

/** The signature headers of a request, checked for shape but not yet for authenticity. */
export interface SignedHeaders {
  appId: string;
  timestamp: string;
  nonce: string;
  signature: string;
}

type HeaderBag = Record<string, string | string[] | undefined>;

function single(headers: HeaderBag, name: string): string | undefined {
  const value = headers[name.toLowerCase()];
  // A repeated header is ambiguous (which one was signed?), so it is refused rather than picked.
  if (Array.isArray(value)) throw invalid(`${name} appears more than once`);
  return value;
}

function invalid(reason: string): AppError {
  return new AppError('AUTH_SIGNATURE_INVALID', { reason });
}

/** Whether the request claims to be signed, i.e. carries an app id header. */
export function hasAppId(headers: HeaderBag): boolean {
  return headers[SIGNATURE_HEADERS.appId.toLowerCase()] !== undefined;
}

/** Reads and shape-checks the signature headers (lowercased names, as Node gives them). */
export function readSignedHeaders(headers: HeaderBag): SignedHeaders {
  const appId = single(headers, SIGNATURE_HEADERS.appId);
  const timestamp = single(headers, SIGNATURE_HEADERS.timestamp);
  const nonce = single(headers, SIGNATURE_HEADERS.nonce);
  const signature = single(headers, SIGNATURE_HEADERS.signature);
  if (!appId) throw invalid(`${SIGNATURE_HEADERS.appId} is missing`);
  if (timestamp === undefined) throw invalid(`${SIGNATURE_HEADERS.timestamp} is missing`);
  if (nonce === undefined) throw invalid(`${SIGNATURE_HEADERS.nonce} is missing`);
  if (signature === undefined) throw invalid(`${SIGNATURE_HEADERS.signature} is missing`);
  if (!TIMESTAMP_PATTERN.test(timestamp)) throw invalid(`${SIGNATURE_HEADERS.timestamp} must be Unix milliseconds`);
  if (!NONCE_PATTERN.test(nonce)) throw invalid(`${SIGNATURE_HEADERS.nonce} must be 16-64 characters of A-Z a-z 0-9 _ -`);
  if (!SIGNATURE_PATTERN.test(signature)) throw invalid(`${SIGNATURE_HEADERS.signature} must be 64 hex characters`);
  return { appId, timestamp, nonce, signature };
}

/** Refuses a timestamp further than maxAgeSeconds from now, in either direction. */
export function checkTimestamp(timestamp: string, now: Date, maxAgeSeconds: number): void {
  const skewMs = now.getTime() - Number(timestamp);
  if (Math.abs(skewMs) > maxAgeSeconds * 1000) {
    throw new AppError('AUTH_TIMESTAMP_SKEW', { serverTime: now.getTime(), maxAgeSeconds, skewSeconds: Math.round(skewMs / 1000) });
  }
}

export interface VerifyInput {
  headers: SignedHeaders;
  secret: string;
  method: string;
  /** The request target as received (Fastify's request.url): path and query, undecoded. */
  path: string;
  body: Uint8Array | null;
  now: Date;
  maxAgeSeconds: number;
}

/**
 * Throws AUTH_TIMESTAMP_SKEW or AUTH_SIGNATURE_INVALID; returns quietly when the request is
 * authentic. The nonce is not claimed here: that needs storage (see nonces.ts).
 */
export function verifySignature(input: VerifyInput): void {
  checkTimestamp(input.headers.timestamp, input.now, input.maxAgeSeconds);
  const canonical = canonicalString({
    method: input.method,
    path: input.path,
    timestamp: input.headers.timestamp,
    nonce: input.headers.nonce,
    body: input.body,
  });
  const expected = hmacSm3(Buffer.from(input.secret, 'utf8'), canonical);
  // Compared as bytes in constant time, so the time taken reveals nothing about the right value.
  if (!equalBytes(expected, Buffer.from(input.headers.signature, 'hex'))) {
    // The string the server signed holds nothing secret and is what integrators need to find
    // their mistake (a rewritten path, a re-serialised body), so it goes back to them.
    throw new AppError('AUTH_SIGNATURE_INVALID', { reason: 'signature does not match', stringToSign: canonical });
  }
}
