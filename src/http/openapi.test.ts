import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { startSystem, type System } from '../system.ts';
import { testConfig } from '../../test/config.ts';
import { openTestDatabase } from '../../test/engines.ts';
import type { Database } from '../db/database.ts';
import { errorCatalogue } from '../errors.ts';
import { ERRORS_FILE, errorsMarkdown, OPENAPI_FILE, openApiText } from './openapi.ts';

let database: Database;
let system: System;

beforeAll(async () => {
  database = await openTestDatabase('pglite');
  system = await startSystem(testConfig(), { database });
});
afterAll(async () => {
  await system.close();
  await database.close();
});

it('the committed OpenAPI document matches the code (run `npm run openapi` after changing a route)', () => {
  expect(readFileSync(OPENAPI_FILE, 'utf8')).toBe(openApiText(system.app));
});

it('the committed error catalogue matches src/errors.ts', () => {
  expect(readFileSync(ERRORS_FILE, 'utf8')).toBe(errorsMarkdown(errorCatalogue));
});

it('every route declares its responses, a summary, and the error schema', () => {
  const document = system.app.swagger() as { paths: Record<string, Record<string, { summary?: string; responses?: Record<string, unknown> }>> };
  for (const [path, operations] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(operations)) {
      expect(operation.summary, `${method} ${path}`).toBeTruthy();
      expect(Object.keys(operation.responses ?? {}), `${method} ${path}`).toContain('4XX');
    }
  }
});

it('serves the document at /docs/json', async () => {
  const response = await system.app.inject({ method: 'GET', url: '/docs/json' });
  expect(response.statusCode).toBe(200);
  expect(response.json().openapi).toBe('3.1.0');
});
