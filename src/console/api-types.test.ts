// The console's API types are generated from the committed OpenAPI document, never retyped: this
// fails when docs/openapi.json changed and `npm run console:types` was not run.
import { readFileSync } from 'node:fs';
import openapiTS, { astToString } from 'openapi-typescript';
import { expect, it } from 'vitest';

it('console/src/api/schema.d.ts is generated from docs/openapi.json as it is now', async () => {
  const generated = astToString(await openapiTS(new URL('../../docs/openapi.json', import.meta.url)));
  const committed = readFileSync(new URL('../../console/src/api/schema.d.ts', import.meta.url), 'utf8');
  expect(committed.endsWith(generated), 'run npm run console:types').toBe(true);
});
