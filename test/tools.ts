// Browser and PDF tests drive Debian's Chromium and poppler-utils (.ci/run installs both). In CI
// (CI set, as .ci/run sets it) a test whose tool is missing fails, never skips; on a developer's
// machine it is skipped with a message saying what to install.
import { existsSync } from 'node:fs';
import { POPPLER } from '../src/posters/testing.ts';

export const CHROMIUM = '/usr/bin/chromium';

export type Tool = 'chromium' | 'poppler';

const TOOLS: Record<Tool, { paths: string[]; what: string; install: string }> = {
  chromium: { paths: [CHROMIUM], what: 'browser', install: 'apt-get install chromium' },
  poppler: { paths: [POPPLER.pdftoppm, POPPLER.pdftotext], what: 'PDF', install: 'apt-get install poppler-utils' },
};

export const IN_CI = ['', '0', 'false'].indexOf((process.env.CI ?? '').trim().toLowerCase()) < 0;

export class MissingToolError extends Error {}

/**
 * True when `tool` is missing and the tests that need it are to be skipped (outside CI); in CI a
 * missing tool throws, which fails the test file or test that asked.
 */
export function missingTool(tool: Tool, options: { ci?: boolean; exists?: (path: string) => boolean; warn?: (message: string) => void } = {}): boolean {
  const { ci = IN_CI, exists = existsSync, warn = console.warn } = options;
  const { paths, what, install } = TOOLS[tool];
  const missing = paths.filter((path) => !exists(path));
  if (missing.length === 0) return false;
  const message = `${missing.join(' and ')} not found (${install})`;
  if (ci) throw new MissingToolError(`${message}: in CI a ${what} test fails rather than skip`);
  warn(`skipping ${what} tests: ${message}; in CI they fail`);
  return true;
}
