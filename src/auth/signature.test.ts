import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { AppError, type ErrorCode } from '../errors.ts';
import { bodyDigest, canonicalString, readSignedHeaders, signRequest, verifySignature, newNonce, type SignInput } from './signature.ts';

// The worked example of docs/integration.md. The expected values were computed with
// `openssl dgst -sm3` and `openssl dgst -sm3 -hmac`, independently of this code.
const example = {
  appId: 'cd-tianfu-01',
  secret: 'a22c3792424b1730e5a2d36ef712674330382a11b6215c0c873406c08dc2794b',
  method: 'POST',
  path: '/api/v1/evaluations',
  body: '{"projectNo":"510104-20261201-000123","serviceNumber":1,"satisfaction":5,"pf":"2"}',
  timestamp: 1796092200000,
  nonce: 'Q2v7mK9xT4bN8pR1sW6yZ3',
} satisfies SignInput;
const exampleBodyDigest = '492724ef90e05113792c48c6cf17b4bf5ddc066a761640ba04a915f0bea60a68';
const exampleSignature = '3840ba5ae0d72b827d878290f613a1588235e539b9697614895924045c6d3d78';

const maxAgeSeconds = 300;
const signedAt = new Date(example.timestamp);

function lowercased(headers: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
}

function codeOf(action: () => void): ErrorCode | null {
  try {
    action();
    return null;
  } catch (error) {
    if (error instanceof AppError) return error.code;
    throw error;
  }
}

/** Verifies headers produced for `signed` against a request that may differ from it. */
function verify(signed: SignInput, received: Partial<{ method: string; path: string; body: string; now: Date }> = {}, tamper: (h: Record<string, string>) => void = () => {}) {
  const headers = lowercased(signRequest(signed));
  tamper(headers);
  return codeOf(() =>
    verifySignature({
      headers: readSignedHeaders(headers),
      secret: example.secret,
      method: received.method ?? signed.method,
      path: received.path ?? signed.path,
      body: Buffer.from(received.body ?? (typeof signed.body === 'string' ? signed.body : '')),
      now: received.now ?? signedAt,
      maxAgeSeconds,
    }),
  );
}

describe('request signature', () => {
  it('reproduces the known vector (computed with openssl)', () => {
    expect(bodyDigest(example.body)).toBe(exampleBodyDigest);
    expect(canonicalString({ ...example, timestamp: String(example.timestamp) })).toBe(
      `POST\n/api/v1/evaluations\n1796092200000\nQ2v7mK9xT4bN8pR1sW6yZ3\n${exampleBodyDigest}`,
    );
    expect(signRequest(example)).toEqual({
      'X-Hcp-App-Id': 'cd-tianfu-01',
      'X-Hcp-Timestamp': '1796092200000',
      'X-Hcp-Nonce': 'Q2v7mK9xT4bN8pR1sW6yZ3',
      'X-Hcp-Signature': exampleSignature,
    });
  });

  it('reproduces the self-check vector of docs/integration.md (GET, empty body)', () => {
    const headers = signRequest({ appId: example.appId, secret: example.secret, method: 'GET', path: '/api/v1/auth/me', timestamp: 1796092260000, nonce: '7c1e9a4b2f6d8e03a5b7c9d1e3f50718' });
    expect(headers['X-Hcp-Signature']).toBe('057722cdf725e59f0125d9edff50164e3719319e683f2dd543f2aad2968833ec');
  });

  it('hashes an empty or absent body as SM3 of the empty string', () => {
    const empty = '1ab21d8355cfa17f8e61194831e81a8f22bec8c728fefb747ed035eb5082aa2b';
    expect(bodyDigest(undefined)).toBe(empty);
    expect(bodyDigest(new Uint8Array())).toBe(empty);
    expect(verify({ ...example, method: 'GET', path: '/api/v1/auth/me', body: undefined })).toBeNull();
  });

  it('accepts the untouched request', () => {
    expect(verify(example)).toBeNull();
  });

  it('refuses a changed method, path, query, body, timestamp or nonce', () => {
    expect(verify(example, { method: 'PUT' })).toBe('AUTH_SIGNATURE_INVALID');
    expect(verify(example, { path: '/api/v1/evaluations/batch' })).toBe('AUTH_SIGNATURE_INVALID');
    expect(verify(example, { path: '/api/v1/evaluations?x=1' })).toBe('AUTH_SIGNATURE_INVALID');
    expect(verify(example, { body: example.body.replace('"satisfaction":5', '"satisfaction":1') })).toBe('AUTH_SIGNATURE_INVALID');
    expect(verify(example, {}, (h) => (h['x-hcp-timestamp'] = String(example.timestamp + 1)))).toBe('AUTH_SIGNATURE_INVALID');
    expect(verify(example, {}, (h) => (h['x-hcp-nonce'] = 'Q2v7mK9xT4bN8pR1sW6yZ4'))).toBe('AUTH_SIGNATURE_INVALID');
    expect(verify(example, {}, (h) => (h['x-hcp-signature'] = exampleSignature.replace(/^3/, '4')))).toBe('AUTH_SIGNATURE_INVALID');
  });

  it('refuses a signature made with another secret', () => {
    expect(verify({ ...example, secret: example.secret.replace(/^a/, 'b') })).toBe('AUTH_SIGNATURE_INVALID');
  });

  it('treats the path and query as opaque text: no decoding or reordering', () => {
    const signed = { ...example, path: '/api/v1/cases?b=2&a=%E6%88%90%E9%83%BD' };
    expect(verify(signed)).toBeNull();
    expect(verify(signed, { path: '/api/v1/cases?a=%E6%88%90%E9%83%BD&b=2' })).toBe('AUTH_SIGNATURE_INVALID');
    expect(verify(signed, { path: '/api/v1/cases?b=2&a=成都' })).toBe('AUTH_SIGNATURE_INVALID');
  });

  it('accepts any skew up to the window and refuses beyond it, both ways', () => {
    const at = (offsetMs: number) => new Date(example.timestamp + offsetMs);
    expect(verify(example, { now: at(maxAgeSeconds * 1000) })).toBeNull();
    expect(verify(example, { now: at(-maxAgeSeconds * 1000) })).toBeNull();
    expect(verify(example, { now: at(maxAgeSeconds * 1000 + 1) })).toBe('AUTH_TIMESTAMP_SKEW');
    expect(verify(example, { now: at(-maxAgeSeconds * 1000 - 1) })).toBe('AUTH_TIMESTAMP_SKEW');
  });

  it('says how far off the clock is', () => {
    const headers = readSignedHeaders(lowercased(signRequest(example)));
    try {
      verifySignature({ headers, secret: example.secret, method: 'POST', path: example.path, body: null, now: new Date(example.timestamp + 3_600_000), maxAgeSeconds });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(AppError);
      expect((error as AppError).details).toMatchObject({ skewSeconds: 3600, maxAgeSeconds });
    }
  });

  it('returns the string it signed when the signature does not match', () => {
    const headers = readSignedHeaders(lowercased(signRequest(example)));
    try {
      verifySignature({ headers, secret: example.secret, method: 'POST', path: '/other', body: null, now: signedAt, maxAgeSeconds });
      expect.unreachable();
    } catch (error) {
      expect((error as AppError).details?.['stringToSign']).toBe(`POST\n/other\n1796092200000\nQ2v7mK9xT4bN8pR1sW6yZ3\n${bodyDigest('')}`);
    }
  });

  it('refuses malformed or missing headers before any cryptography', () => {
    const good = lowercased(signRequest(example));
    const without = (name: string) => Object.fromEntries(Object.entries(good).filter(([n]) => n !== name));
    for (const name of ['x-hcp-app-id', 'x-hcp-timestamp', 'x-hcp-nonce', 'x-hcp-signature']) {
      expect(codeOf(() => readSignedHeaders(without(name)))).toBe('AUTH_SIGNATURE_INVALID');
    }
    for (const [name, value] of [
      ['x-hcp-nonce', 'short'],
      ['x-hcp-nonce', 'x'.repeat(65)],
      ['x-hcp-nonce', 'has space in it 1234'],
      ['x-hcp-nonce', '中文随机数中文随机数中文随机数中文随机数'],
      ['x-hcp-timestamp', '1796092200'.padStart(13, '0')],
      ['x-hcp-timestamp', '1.7e12'],
      ['x-hcp-timestamp', '-1796092200000'],
      ['x-hcp-signature', 'zz'],
    ] as const) {
      expect(codeOf(() => readSignedHeaders({ ...good, [name]: value }))).toBe('AUTH_SIGNATURE_INVALID');
    }
    expect(codeOf(() => readSignedHeaders({ ...good, 'x-hcp-nonce': [example.nonce, 'another-nonce-1234567'] }))).toBe('AUTH_SIGNATURE_INVALID');
  });

  it('accepts nonces of 16 to 64 allowed characters', () => {
    for (const nonce of ['a'.repeat(16), 'Z-_9'.repeat(16), newNonce()]) {
      expect(verify({ ...example, nonce })).toBeNull();
    }
  });

  it('verifies what it signs, and nothing else, for arbitrary requests', () => {
    const request = fc.record({
      method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE'),
      path: fc.webPath().map((p) => `/${p.replace(/^\/+/, '')}`),
      body: fc.string(),
      timestamp: fc.integer({ min: 1, max: 2 ** 45 }),
      nonce: fc.stringMatching(/^[A-Za-z0-9_-]{16,64}$/),
    });
    fc.assert(
      fc.property(request, fc.string({ minLength: 1 }), (r, extra) => {
        const signed = { ...example, ...r };
        const now = new Date(r.timestamp);
        expect(verify(signed, { now })).toBeNull();
        expect(verify(signed, { now, body: r.body + extra })).toBe('AUTH_SIGNATURE_INVALID');
      }),
      { numRuns: 200 },
    );
  });
});
