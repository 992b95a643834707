import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newNonce, signRequest } from '../auth/signature.ts';
import { testConfig } from '../../test/config.ts';
import { startGatewayDouble, type GatewayDouble } from './gateway-double.ts';
import { consoleGateway, GatewayError, gatewayFromConfig, httpGateway, maskEmail, type OutboundEnvelope } from './gateway.ts';

const CREDENTIALS = { appId: 'hcp-province', secret: 'gateway-secret-0123456789abcdef' };
let serial = 0;
const message = (overrides: Partial<OutboundEnvelope> = {}): OutboundEnvelope => ({
  id: `0190a5b0-0000-7000-8000-${String(++serial).padStart(12, '0')}`,
  channel: 'sms',
  to: '13812341234',
  subject: null,
  body: '您对锦江区政务服务中心的评价已收到答复，回访链接：https://hcp.example.gov.cn/r/abc',
  ...overrides,
});

describe('httpGateway against the gateway double', () => {
  let double: GatewayDouble;
  beforeAll(async () => {
    double = await startGatewayDouble(CREDENTIALS);
  });
  afterAll(async () => {
    await double.close();
  });

  it('hands over a signed message, which the double verifies and records as sent', async () => {
    const sms = message();
    const { gatewayRef } = await httpGateway({ url: double.url, ...CREDENTIALS }).send(sms);
    expect(double.messages.at(-1)).toEqual({ ...sms, ref: gatewayRef });
    expect(double.requests.at(-1)).toEqual({ idempotencyKey: sms.id, status: 200 });
  });

  it('is refused with a wrong secret or app id, and nothing is recorded', async () => {
    const before = double.messages.length;
    for (const wrong of [{ ...CREDENTIALS, secret: 'another-secret-0123456789abcdef' }, { ...CREDENTIALS, appId: 'someone-else' }]) {
      const failure = await httpGateway({ url: double.url, ...wrong }).send(message()).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(GatewayError);
      expect(failure).toMatchObject({ status: 401, message: expect.stringMatching(/^outbound gateway answered 401/) });
    }
    expect(double.messages).toHaveLength(before);
  });

  it('the double refuses unsigned requests and replayed nonces', async () => {
    const body = JSON.stringify(message());
    const unsigned = await fetch(double.url, { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': 'x' }, body });
    expect(unsigned.status).toBe(401);
    const path = new URL(double.url).pathname;
    const signed = signRequest({ ...CREDENTIALS, method: 'POST', path, body, timestamp: Date.now(), nonce: newNonce() });
    const id = (JSON.parse(body) as { id: string }).id;
    const once = await fetch(double.url, { method: 'POST', headers: { ...signed, 'content-type': 'application/json', 'idempotency-key': id }, body });
    const again = await fetch(double.url, { method: 'POST', headers: { ...signed, 'content-type': 'application/json', 'idempotency-key': id }, body });
    expect([once.status, again.status]).toEqual([200, 401]);
  });

  it('sends a message once however often it is handed over: the ref comes back the same', async () => {
    const gateway = httpGateway({ url: double.url, ...CREDENTIALS });
    const email = message({ channel: 'email', to: 'wang.a1@jinjiang.gov.cn', subject: '【好差评】工单已超过核实时限。' });
    const first = await gateway.send(email);
    const second = await gateway.send(email);
    expect(second).toEqual(first);
    expect(double.messages.filter((m) => m.id === email.id)).toHaveLength(1);
    expect(double.requests.filter((r) => r.idempotencyKey === email.id)).toHaveLength(2);
  });

  it('turns a 503 into a GatewayError with the status, until the double recovers', async () => {
    const gateway = httpGateway({ url: double.url, ...CREDENTIALS });
    const sms = message();
    double.failNext(2);
    for (let i = 0; i < 2; i++) await expect(gateway.send(sms)).rejects.toMatchObject({ name: 'GatewayError', status: 503 });
    await expect(gateway.send(sms)).resolves.toEqual({ gatewayRef: expect.stringMatching(/^gw-/) });
    expect(double.requests.filter((r) => r.idempotencyKey === sms.id).map((r) => r.status)).toEqual([503, 503, 200]);
  });
});

describe('httpGateway against a gateway that misbehaves', () => {
  let hanging: ReturnType<typeof createServer>;
  let url: string;
  beforeAll(async () => {
    // Never answers /slow; answers /no-ref with 200 and an empty object.
    hanging = createServer((request, response) => {
      if (request.url === '/no-ref') response.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    hanging.closeAllConnections();
    await new Promise((resolve) => hanging.close(resolve));
  });

  it('gives up after the timeout', async () => {
    const started = Date.now();
    await expect(httpGateway({ url: `${url}/slow`, ...CREDENTIALS, timeoutMs: 200 }).send(message())).rejects.toMatchObject({
      name: 'GatewayError',
      status: null,
      message: 'outbound gateway unreachable: no answer within 200 ms',
    });
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('does not count an answer without a ref as sent', async () => {
    await expect(httpGateway({ url: `${url}/no-ref`, ...CREDENTIALS }).send(message())).rejects.toThrow('outbound gateway answered without a ref');
  });
});

describe('consoleGateway', () => {
  it('logs the message with the address masked, and sends nothing', async () => {
    const lines: Array<{ details: Record<string, unknown>; message: string }> = [];
    const gateway = consoleGateway({ info: (details, text) => lines.push({ details, message: text }) });
    const sms = message();
    expect(await gateway.send(sms)).toEqual({ gatewayRef: `console:${sms.id}` });
    await gateway.send(message({ channel: 'email', to: 'zhangsan@chengdu.gov.cn', subject: '通知' }));
    expect(lines.map((l) => l.details.to)).toEqual(['138****1234', 'z***@chengdu.gov.cn']);
    expect(lines[0]?.details).toMatchObject({ messageId: sms.id, channel: 'sms', body: sms.body });
    expect(JSON.stringify(lines)).not.toMatch(/13812341234|zhangsan/);
  });

  it('masks odd addresses too', () => {
    expect(maskEmail('a@b.cn')).toBe('*@b.cn');
    expect(maskEmail('no-at-sign')).toBe('n***');
  });
});

describe('gatewayFromConfig', () => {
  it('logs by default and speaks HTTP when configured', async () => {
    const lines: unknown[] = [];
    const log = { info: (details: Record<string, unknown>) => lines.push(details) };
    await gatewayFromConfig(testConfig().outbound, log).send(message());
    expect(lines).toHaveLength(1);
    const double = await startGatewayDouble(CREDENTIALS);
    try {
      const config = testConfig({ OUTBOUND_GATEWAY: 'http', OUTBOUND_GATEWAY_URL: double.url, OUTBOUND_GATEWAY_APP_ID: CREDENTIALS.appId, OUTBOUND_GATEWAY_SECRET: CREDENTIALS.secret });
      await gatewayFromConfig(config.outbound, log).send(message());
      expect(double.messages).toHaveLength(1);
      expect(lines).toHaveLength(1);
    } finally {
      await double.close();
    }
  });
});
