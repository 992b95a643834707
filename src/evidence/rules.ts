// Evidence files, the pure part: which types are taken and how they are recognised by their first
// bytes (never by the declared type alone), and the file name a browser sent, made safe to keep and
// to hand back in a Content-Disposition header.
import type { EvidenceMediaType } from '../db/schema.ts';
import type { Refusal } from '../errors.ts';

export const EVIDENCE_MEDIA_TYPES: readonly EvidenceMediaType[] = ['image/jpeg', 'image/png', 'application/pdf'];

const SIGNATURES: ReadonlyArray<{ type: EvidenceMediaType; magic: readonly number[] }> = [
  { type: 'image/jpeg', magic: [0xff, 0xd8, 0xff] },
  { type: 'image/png', magic: [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] },
  // "%PDF-"
  { type: 'application/pdf', magic: [0x25, 0x50, 0x44, 0x46, 0x2d] },
];

const EXTENSIONS: Record<EvidenceMediaType, readonly string[]> = {
  'image/jpeg': ['.jpg', '.jpeg'],
  'image/png': ['.png'],
  'application/pdf': ['.pdf'],
};

export const MAX_NAME_CHARS = 200;

/** The type the bytes are, by their magic number, or null when none of ours. */
export function sniffMediaType(bytes: Uint8Array): EvidenceMediaType | null {
  for (const { type, magic } of SIGNATURES) {
    if (bytes.length >= magic.length && magic.every((b, i) => bytes[i] === b)) return type;
  }
  return null;
}

/** The media type of a Content-Type header without its parameters, lower case. */
export function essenceOf(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

export function isEvidenceMediaType(type: string): type is EvidenceMediaType {
  return (EVIDENCE_MEDIA_TYPES as readonly string[]).includes(type);
}

/**
 * Whether an upload is taken: a declared type of ours, some bytes, within the size limit, and
 * content that is what it says it is.
 */
export function checkUpload(declared: string, bytes: Uint8Array, maxBytes: number): { mediaType: EvidenceMediaType } | Refusal {
  if (!isEvidenceMediaType(declared)) return { code: 'EVIDENCE_TYPE_UNSUPPORTED', details: { declared, accepted: EVIDENCE_MEDIA_TYPES } };
  if (bytes.length === 0) return { code: 'EVIDENCE_EMPTY' };
  if (bytes.length > maxBytes) return { code: 'EVIDENCE_TOO_LARGE', details: { maxBytes } };
  const sniffed = sniffMediaType(bytes);
  if (sniffed === null) return { code: 'EVIDENCE_TYPE_UNSUPPORTED', details: { declared, accepted: EVIDENCE_MEDIA_TYPES } };
  if (sniffed !== declared) return { code: 'EVIDENCE_TYPE_MISMATCH', details: { declared, content: sniffed } };
  return { mediaType: sniffed };
}

/** The X-Hcp-Filename header: percent-encoded UTF-8. Absent: null; not decodable: a refusal. */
export function decodeFilenameHeader(header: string | string[] | undefined): string | null | Refusal {
  if (header === undefined) return null;
  const raw = Array.isArray(header) ? header[0] : header;
  if (raw === undefined || raw.trim() === '') return null;
  try {
    return decodeURIComponent(raw);
  } catch {
    return { code: 'EVIDENCE_FILENAME_INVALID' };
  }
}

export function defaultName(type: EvidenceMediaType): string {
  return `佐证材料${EXTENSIONS[type][0]}`;
}

// Control characters (C0, DEL, C1) and invisible format characters (bidirectional overrides such as
// U+202E can make "gpj.exe" read as "exe.jpg"; zero-width characters hide text).
const INVISIBLE = /[\p{Cc}\p{Cf}\u2028\u2029]/gu;
// Characters Windows does not allow in file names.
const RESERVED = /[<>:"|?*]/g;

/**
 * A file name safe to keep and to send back: the last segment of any path, no control or invisible
 * characters, no characters Windows refuses, no leading dots or surrounding blanks, at most
 * MAX_NAME_CHARS characters, and ending in an extension of the file's real type (a name that says
 * .html is not believed: the type found in the bytes is added). Nothing left: a default by type.
 */
export function sanitiseFilename(name: string | null, type: EvidenceMediaType): string {
  const extensions = EXTENSIONS[type];
  const preferred = extensions[0] ?? '';
  let clean = (name ?? '').normalize('NFC').replace(INVISIBLE, '');
  clean = clean.split(/[/\\]/).at(-1) ?? '';
  clean = clean.replace(RESERVED, '_').replace(/\s+/gu, ' ').trim().replace(/^[.\s]+/u, '').replace(/[.\s]+$/u, '');
  if (clean === '') return defaultName(type);
  const lower = clean.toLowerCase();
  const hasExtension = extensions.some((e) => lower.endsWith(e) && lower.length > e.length);
  let stem = hasExtension ? clean.slice(0, clean.lastIndexOf('.')) : clean;
  const extension = hasExtension ? clean.slice(clean.lastIndexOf('.')) : preferred;
  // Counted in code points, so that a cut never splits a character in two.
  const room = MAX_NAME_CHARS - [...extension].length;
  const points = [...stem];
  if (points.length > room) stem = points.slice(0, room).join('').trimEnd();
  return stem === '' ? defaultName(type) : `${stem}${extension}`;
}

/**
 * The Content-Disposition of a stored file: images inline (a browser shows them, and with nosniff and
 * a sandbox policy nothing in them runs), PDFs as a download. The plain filename= is an ASCII
 * stand-in for old clients; filename* carries the real name (RFC 6266, RFC 5987).
 */
export function contentDisposition(name: string, type: EvidenceMediaType): string {
  const disposition = type === 'application/pdf' ? 'attachment' : 'inline';
  const ascii = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\;%]/g, '_');
  const encoded = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${disposition}; filename="${ascii}"; filename*=UTF-8''${encoded}`;
}
