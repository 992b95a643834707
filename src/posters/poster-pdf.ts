// Print-ready posters of places: one page per window or staff member, A4 or A5, with the region,
// org and place names, the place's QR code drawn as vector rectangles, and the instructions in
// Chinese first, then English. A pure function of its input (and the embedded font): no I/O.
import PDFDocument from 'pdfkit';
import type { PlaceKind } from '../ratings/places.ts';
import { posterFont } from './fonts.ts';
import { darkRuns, qrMatrix, QUIET_ZONE } from './qr.ts';

export type PosterSize = 'A4' | 'A5';
export const POSTER_SIZES: readonly PosterSize[] = ['A4', 'A5'];

/** Page sizes in PDF points (1/72 inch): ISO 216, 210 × 297 mm and 148 × 210 mm. */
export const PAGE_POINTS: Record<PosterSize, { width: number; height: number }> = {
  A4: { width: 595.28, height: 841.89 },
  A5: { width: 419.53, height: 595.28 },
};

export interface Poster {
  kind: PlaceKind;
  regionName: string;
  orgName: string;
  /** The window; on a staff poster, the window the person sits at, if any. */
  windowName: string | null;
  /** Staff posters: the person's full name (they hang the poster themselves). */
  staffName: string | null;
  /** What the QR code holds: the place's link. */
  url: string;
}

export interface PosterDocument {
  title: string;
  size: PosterSize;
  createdAt: Date;
  posters: readonly Poster[];
}

export const TEXTS = {
  window: { zh: '扫码评价本窗口服务', en: "Scan to rate this window's service" },
  staff: { zh: '扫码评价我的服务', en: 'Scan to rate my service' },
  scanWith: { zh: '请使用微信、支付宝或浏览器扫描', en: 'Scan with WeChat, Alipay or a browser' },
  voluntary: { zh: '评价自愿，可匿名', en: 'Rating is voluntary and may be anonymous' },
  footer: '政务服务“好差评” · Government service ratings',
} as const;

const INK = '#1a1a1a';
const GREY = '#5c5c5c';
const ACCENT = '#b3261e';
const MM = 72 / 25.4;

/**
 * All posters in one PDF, one page each; the geometry is set for A4 and scaled for A5. Drawing is
 * CPU work (about 5 ms a page), so it lets other requests run every few pages.
 */
export async function renderPosters(document: PosterDocument): Promise<Buffer> {
  const page = PAGE_POINTS[document.size];
  const k = page.width / PAGE_POINTS.A4.width;
  const doc = new PDFDocument({
    size: [page.width, page.height],
    margin: 0,
    autoFirstPage: false,
    compress: true,
    lang: 'zh-CN',
    info: { Title: document.title, Author: '政务服务“好差评”平台', Subject: '评价二维码海报 / Rating QR posters', CreationDate: document.createdAt, ModDate: document.createdAt },
  });
  doc.registerFont('regular', posterFont('regular'));
  doc.registerFont('bold', posterFont('bold'));
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  for (const [i, poster] of document.posters.entries()) {
    drawPoster(doc, poster, page, k);
    if (i % 10 === 9) await new Promise((resolve) => setImmediate(resolve));
  }
  doc.end();
  return done;
}

interface Line {
  value: string;
  font: 'regular' | 'bold';
  size: number;
  color: string;
  /** Space after the line, in A4 points. */
  after: number;
  /** Shrink to this size before wrapping a long name onto a second line. */
  minSize?: number;
}

function drawPoster(doc: PDFKit.PDFDocument, poster: Poster, page: { width: number; height: number }, k: number): void {
  doc.addPage({ size: [page.width, page.height], margin: 0 });
  const margin = 15 * MM * k;
  const width = page.width - 2 * margin;

  // Sizes first (a name too long for one line is shrunk, then wrapped onto two at most), so that
  // the middle of the poster can be centred in the space the header leaves.
  const fit = (line: Line) => {
    let size = line.size * k;
    const minSize = (line.minSize ?? line.size) * k;
    doc.font(line.font);
    while (size > minSize && doc.fontSize(size).widthOfString(line.value) > width) size = Math.max(minSize, size - 0.5);
    const lines = doc.fontSize(size).widthOfString(line.value) > width ? 2 : 1;
    const height = doc.currentLineHeight(true) * lines + (lines - 1) * 0.05 * size;
    return { ...line, size, height, after: line.after * k };
  };
  const draw = (line: ReturnType<typeof fit>, y: number) => {
    doc.font(line.font).fontSize(line.size).fillColor(line.color);
    doc.text(line.value, margin, y, { width, align: 'center', height: line.height, ellipsis: true });
    return y + line.height + line.after;
  };
  const heightOf = (lines: ReturnType<typeof fit>[]) => lines.reduce((sum, line) => sum + line.height + line.after, 0);

  const name = poster.kind === 'window' ? (poster.windowName ?? '') : (poster.staffName ?? '');
  const header = [
    fit({ value: poster.regionName, font: 'regular', size: 14, color: GREY, after: 2 }),
    fit({ value: poster.orgName, font: 'bold', size: 22, minSize: 14, color: INK, after: 6 }),
    fit({ value: name, font: 'bold', size: 40, minSize: 22, color: INK, after: 0 }),
    ...(poster.kind === 'staff' && poster.windowName ? [fit({ value: poster.windowName, font: 'regular', size: 16, color: GREY, after: 0 })] : []),
  ];
  const headline = poster.kind === 'window' ? TEXTS.window : TEXTS.staff;
  const above = [fit({ value: headline.zh, font: 'bold', size: 28, color: INK, after: 0 }), fit({ value: headline.en, font: 'regular', size: 14, color: GREY, after: 14 })];
  const below = [
    fit({ value: TEXTS.scanWith.zh, font: 'regular', size: 16, color: INK, after: 0 }),
    fit({ value: TEXTS.scanWith.en, font: 'regular', size: 11, color: GREY, after: 10 }),
    fit({ value: TEXTS.voluntary.zh, font: 'regular', size: 12, color: INK, after: 0 }),
    fit({ value: TEXTS.voluntary.en, font: 'regular', size: 10, color: GREY, after: 0 }),
  ];

  let y = margin;
  for (const line of header) y = draw(line, y);
  y += 12 * k;
  doc.moveTo(margin + width * 0.2, y).lineTo(margin + width * 0.8, y).lineWidth(1.2 * k).strokeColor(ACCENT).stroke();
  y += 1.2 * k;

  // The middle: headline, the code (quiet zone included, in a thin frame), how to scan; centred.
  const footerTop = page.height - margin - 10 * k;
  const gap = 18 * k;
  const textHeight = heightOf(above) + gap + heightOf(below);
  const side = Math.max(0, Math.min(340 * k, width * 0.8, footerTop - y - 2 * gap - textHeight));
  y += Math.max(gap, (footerTop - y - side - textHeight) / 2);
  for (const line of above) y = draw(line, y);
  const left = (page.width - side) / 2;
  drawCode(doc, poster.url, left, y, side);
  doc.roundedRect(left - 4 * k, y - 4 * k, side + 8 * k, side + 8 * k, 8 * k).lineWidth(0.8 * k).strokeColor('#9e9e9e').stroke();
  y += side + gap;
  for (const line of below) y = draw(line, y);

  doc.font('regular').fontSize(9 * k).fillColor(GREY);
  doc.text(TEXTS.footer, margin, footerTop, { width, align: 'center', lineBreak: false });
}

/** The code as one filled path of rectangles (a run of dark modules each): vector, seamless. */
function drawCode(doc: PDFKit.PDFDocument, url: string, left: number, top: number, side: number): void {
  const matrix = qrMatrix(url, 'Q');
  const module = side / (matrix.size + 2 * QUIET_ZONE);
  for (const run of darkRuns(matrix)) {
    doc.rect(left + (run.column + QUIET_ZONE) * module, top + (run.row + QUIET_ZONE) * module, run.length * module, module);
  }
  doc.fillColor('#000000').fill();
}
