import { describe, expect, it } from 'vitest';
import { CHROMIUM, missingTool, MissingToolError } from './tools.ts';

describe('missingTool', () => {
  const none = () => false;
  const all = () => true;

  it('runs the tests when the tool is there, in CI or not', () => {
    for (const ci of [true, false]) {
      expect(missingTool('chromium', { ci, exists: all })).toBe(false);
      expect(missingTool('poppler', { ci, exists: all })).toBe(false);
    }
  });

  it('fails in CI when the tool is missing, naming it and how to install it', () => {
    expect(() => missingTool('chromium', { ci: true, exists: none })).toThrow(MissingToolError);
    expect(() => missingTool('chromium', { ci: true, exists: none })).toThrow(`${CHROMIUM} not found (apt-get install chromium): in CI a browser test fails rather than skip`);
    // One of poppler's two programs missing is enough.
    expect(() => missingTool('poppler', { ci: true, exists: (path) => !path.endsWith('pdftoppm') })).toThrow('/usr/bin/pdftoppm not found (apt-get install poppler-utils)');
  });

  it('skips with a message outside CI', () => {
    const said: string[] = [];
    expect(missingTool('poppler', { ci: false, exists: none, warn: (m) => said.push(m) })).toBe(true);
    expect(said).toEqual(['skipping PDF tests: /usr/bin/pdftoppm and /usr/bin/pdftotext not found (apt-get install poppler-utils); in CI they fail']);
  });
});
