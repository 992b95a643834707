import { PNG } from 'pngjs';
import { describe, expect, it } from 'vitest';
import { darkRuns, qrMatrix, qrPng, qrSvg, QUIET_ZONE } from './qr.ts';
import { decodeQrPng } from './testing.ts';

const URL_OF_STAGE = 'https://hcp.sc.gov.cn/rate/AZ3x_9-kq2Lm8PzR0tYvWbNc4eHdJgUf.1A2b3C4d5E6f7G8h';

describe('QR codes', () => {
  it('a PNG decodes back to the exact URL, at either correction level', async () => {
    for (const correction of ['M', 'Q'] as const) expect(decodeQrPng(await qrPng(URL_OF_STAGE, correction))).toBe(URL_OF_STAGE);
  });

  it('keeps a quiet zone of 4 light modules around the code', async () => {
    const scale = 8;
    const image = PNG.sync.read(await qrPng(URL_OF_STAGE, 'M', scale));
    const border = QUIET_ZONE * scale;
    const dark = (x: number, y: number) => (image.data[(y * image.width + x) * 4] ?? 255) < 128;
    const darkOutside: string[] = [];
    for (let y = 0; y < image.height; y++) {
      for (let x = 0; x < image.width; x++) {
        const inside = x >= border && y >= border && x < image.width - border && y < image.height - border;
        if (!inside && dark(x, y)) darkOutside.push(`${x},${y}`);
      }
    }
    expect(darkOutside).toEqual([]);
    // The finder pattern starts right after the quiet zone.
    expect(dark(border, border)).toBe(true);
  });

  it('the SVG is a square of the code plus the quiet zone, with crisp module edges', async () => {
    const size = qrMatrix(URL_OF_STAGE, 'M').size;
    const svg = await qrSvg(URL_OF_STAGE);
    expect(svg).toMatch(new RegExp(`^<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${size + 2 * QUIET_ZONE} ${size + 2 * QUIET_ZONE}" shape-rendering="crispEdges">`));
    expect(svg).not.toMatch(/<script|href=/i);
  });

  it('dark runs cover exactly the dark modules, one rectangle per run', () => {
    const matrix = qrMatrix(URL_OF_STAGE, 'Q');
    const covered = new Set<string>();
    for (const run of darkRuns(matrix)) {
      expect(run.length).toBeGreaterThan(0);
      for (let i = 0; i < run.length; i++) covered.add(`${run.column + i},${run.row}`);
    }
    const wrong: string[] = [];
    for (let row = 0; row < matrix.size; row++) {
      for (let column = 0; column < matrix.size; column++) if (covered.has(`${column},${row}`) !== matrix.isDark(column, row)) wrong.push(`${column},${row}`);
    }
    expect(wrong).toEqual([]);
    expect(covered.size).toBeGreaterThan(matrix.size * 4);
  });

  it('Q holds more correction than M, so the same URL needs at least as many modules', () => {
    expect(qrMatrix(URL_OF_STAGE, 'Q').size).toBeGreaterThanOrEqual(qrMatrix(URL_OF_STAGE, 'M').size);
  });
});
