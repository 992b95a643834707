import type { App } from './app.ts';

export const OPENAPI_FILE = 'docs/openapi.json';

/** The OpenAPI document as committed: stable formatting, trailing newline. */
export function openApiText(app: App): string {
  return `${JSON.stringify(app.swagger(), null, 2)}\n`;
}
