// QR codes of links: SVG for a hall screen or a web page, PNG for a receipt printer, and the
// module matrix for drawing a vector code into a poster. Correction level M suits codes shown on
// a screen or a fresh receipt; posters hang for years (dirt, wear, glare) and take Q, which still
// reads with a quarter of the code damaged. Every image keeps the 4-module quiet zone the
// standard (ISO/IEC 18004, GB/T 18284) asks for.
import QRCode from 'qrcode';

export type Correction = 'M' | 'Q';

/** Light modules around the code, as the standard asks. */
export const QUIET_ZONE = 4;

export interface QrMatrix {
  /** Modules per side, without the quiet zone. */
  size: number;
  isDark(column: number, row: number): boolean;
}

export function qrMatrix(text: string, correction: Correction): QrMatrix {
  const { size, data } = QRCode.create(text, { errorCorrectionLevel: correction }).modules;
  return { size, isDark: (column, row) => data[row * size + column] === 1 };
}

/** Runs of dark modules on each row, for drawing a code with few rectangles. */
export function darkRuns(matrix: QrMatrix): Array<{ row: number; column: number; length: number }> {
  const runs: Array<{ row: number; column: number; length: number }> = [];
  for (let row = 0; row < matrix.size; row++) {
    let start = -1;
    for (let column = 0; column <= matrix.size; column++) {
      const dark = column < matrix.size && matrix.isDark(column, row);
      if (dark && start < 0) start = column;
      if (!dark && start >= 0) {
        runs.push({ row, column: start, length: column - start });
        start = -1;
      }
    }
  }
  return runs;
}

/** A scalable SVG (one module = one unit of its viewBox, crisp edges). */
export function qrSvg(text: string, correction: Correction = 'M'): Promise<string> {
  return QRCode.toString(text, { type: 'svg', errorCorrectionLevel: correction, margin: QUIET_ZONE, color: { dark: '#000000ff', light: '#ffffffff' } });
}

/** A PNG of `scale` pixels per module: 8 gives about 360 px, the width of a 58 mm receipt at 203 dpi. */
export function qrPng(text: string, correction: Correction = 'M', scale = 8): Promise<Buffer> {
  return QRCode.toBuffer(text, { type: 'png', errorCorrectionLevel: correction, margin: QUIET_ZONE, scale });
}
