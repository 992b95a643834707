// The rating page's weight: what a phone on a slow network downloads before it can rate.
import { gunzipSync } from 'node:zlib';
import { parse } from 'acorn';
import { describe, expect, it } from 'vitest';
import { ratingAssets } from './rating-page.ts';

const BUDGET_GZIP_BYTES = 60 * 1024;

describe('rating page assets', () => {
  it('weigh at most 60 KB gzipped, script and style sheet together', async () => {
    const { script, style } = await ratingAssets();
    const gzipped = script.gzipped.length + style.gzipped.length;
    expect(gzipped).toBeLessThanOrEqual(BUDGET_GZIP_BYTES);
    // What is served gzipped is the served file.
    expect(gunzipSync(script.gzipped).equals(script.body)).toBe(true);
    expect(gunzipSync(style.gzipped).equals(style.body)).toBe(true);
  });

  it('are named by their content, so that a year of caching is safe', async () => {
    const { script, style, byName } = await ratingAssets();
    expect(script.name).toMatch(/^rating\.[\w-]{16}\.js$/);
    expect(style.name).toMatch(/^rating\.[\w-]{16}\.css$/);
    expect(byName.get(script.name)).toBe(script);
    expect(script.name).not.toBe(style.name);
  });

  it('run in old web views: the script parses as ES2017', async () => {
    const { script, style } = await ratingAssets();
    // Optional chaining, ?? or object spread would break Chrome 58 / iOS 11 web views; esbuild
    // lowers them, and a parser that knows only ES2017 checks that it did.
    expect(() => parse(script.body.toString('utf8'), { ecmaVersion: 2017, sourceType: 'script' })).not.toThrow();
    expect(style.body.toString('utf8')).not.toMatch(/:has\(|\bgap:/);
  });
});
