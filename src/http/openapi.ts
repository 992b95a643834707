import type { App } from './app-type.ts';

export const OPENAPI_FILE = 'docs/openapi.json';

/** The OpenAPI document as committed: stable formatting, trailing newline. */
export function openApiText(app: App): string {
  return `${JSON.stringify(app.swagger(), null, 2)}\n`;
}

export const ERRORS_FILE = 'docs/errors.md';

/** The error catalogue as a Markdown table, committed beside the OpenAPI document. */
export function errorsMarkdown(catalogue: Record<string, { status: number; zh: string; en: string }>): string {
  const rows = Object.entries(catalogue).map(([code, e]) => `| \`${code}\` | ${e.status} | ${e.zh} | ${e.en} |`);
  return [
    '# 错误码 / Error codes',
    '',
    '每个失败都有一个稳定的错误码，API、命令行与日志中相同。响应体：`{"code", "message"（中文）, "messageEn", "details"?}`。',
    'Every failure has one stable code, the same in the API, the CLI and the logs. Generated from `src/errors.ts` by `npm run openapi`.',
    '',
    '| code | HTTP | 中文 | English |',
    '|---|---|---|---|',
    ...rows,
    '',
  ].join('\n');
}
