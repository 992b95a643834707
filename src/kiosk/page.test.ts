// The kiosk page's weight and reach: a small bundle that parses as ES2017 for older kiosk web views.
import { parse } from 'acorn';
import { describe, expect, it } from 'vitest';
import { kioskAssets } from './page.ts';

describe('kiosk page assets', () => {
  it('weigh at most 20 KB gzipped and run in ES2017 web views', async () => {
    const { script, style, byName } = await kioskAssets();
    expect(script.gzipped.length + style.gzipped.length).toBeLessThanOrEqual(20 * 1024);
    expect(script.name).toMatch(/^kiosk\.[\w-]{16}\.js$/);
    expect(byName.get(style.name)).toBe(style);
    expect(() => parse(script.body.toString('utf8'), { ecmaVersion: 2017, sourceType: 'script' })).not.toThrow();
    expect(style.body.toString('utf8')).not.toMatch(/:has\(|\bgap:/);
  });
});
