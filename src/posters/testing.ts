// Test support for src/posters: reading QR codes back from pictures (jsQR on a PNG), and turning
// a PDF into what a printer and a reader would see, with poppler's pdftoppm and pdftotext
// (Debian's poppler-utils, installed by .ci/run).
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import jsQR from 'jsqr';
import { PNG } from 'pngjs';

const run = promisify(execFile);

export const POPPLER = { pdftoppm: '/usr/bin/pdftoppm', pdftotext: '/usr/bin/pdftotext' } as const;

/** The text of the one QR code in a PNG, or null when none is found. */
export function decodeQrPng(png: Buffer): string | null {
  const image = PNG.sync.read(png);
  const pixels = new Uint8ClampedArray(image.data.buffer, image.data.byteOffset, image.data.length);
  return jsQR.default(pixels, image.width, image.height, { inversionAttempts: 'dontInvert' })?.data ?? null;
}

/** Every page of a PDF rendered to PNG at `dpi`, and its text layer, in page order. */
export async function renderPdf(pdf: Buffer, dpi: number): Promise<Array<{ png: Buffer; text: string }>> {
  const folder = await mkdtemp(join(tmpdir(), 'hcp-poster-'));
  try {
    const file = join(folder, 'posters.pdf');
    await writeFile(file, pdf);
    await run(POPPLER.pdftoppm, ['-r', String(dpi), '-png', file, join(folder, 'page')]);
    const { stdout } = await run(POPPLER.pdftotext, ['-enc', 'UTF-8', file, '-'], { maxBuffer: 16 * 1024 * 1024 });
    // pdftotext ends every page with a form feed; pdftoppm numbers pages with a fixed width.
    const texts = stdout.split('\f').slice(0, -1);
    const pages = (await readdir(folder)).filter((name) => /^page-\d+\.png$/.test(name)).sort();
    if (pages.length !== texts.length) throw new Error(`${pages.length} pictures for ${texts.length} pages of text`);
    return Promise.all(pages.map(async (name, i) => ({ png: await readFile(join(folder, name)), text: texts[i] ?? '' })));
  } finally {
    await rm(folder, { recursive: true, force: true });
  }
}

/** Pages of a PDF and their MediaBox sizes in points, read from the file's page objects. */
export function pageSizes(pdf: Buffer): Array<{ width: number; height: number }> {
  const text = pdf.toString('latin1');
  const sizes: Array<{ width: number; height: number }> = [];
  for (const match of text.matchAll(/\/Type \/Page\b[^]*?\/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]/g)) {
    sizes.push({ width: Number(match[1]), height: Number(match[2]) });
  }
  return sizes;
}
