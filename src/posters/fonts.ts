// The CJK font of posters: Noto Sans SC (SIL Open Font License), TrueType outlines, shipped by the
// npm package @expo-google-fonts/noto-sans-sc, so that a poster never depends on the fonts of the
// machine that makes it. It covers Latin as well, so one family sets both languages. The files are
// large (about 10 MB a weight); PDFKit embeds only the glyphs a document uses.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const FILES = {
  regular: '@expo-google-fonts/noto-sans-sc/400Regular/NotoSansSC_400Regular.ttf',
  bold: '@expo-google-fonts/noto-sans-sc/700Bold/NotoSansSC_700Bold.ttf',
} as const;

export type Weight = keyof typeof FILES;

const loaded = new Map<Weight, Buffer>();

/** The font file's bytes, read once per process. */
export function posterFont(weight: Weight): Buffer {
  let bytes = loaded.get(weight);
  if (!bytes) {
    bytes = readFileSync(require.resolve(FILES[weight]));
    loaded.set(weight, bytes);
  }
  return bytes;
}
