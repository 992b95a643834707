import { describe, expect, it } from 'vitest';
import { checkUpload, contentDisposition, decodeFilenameHeader, essenceOf, MAX_NAME_CHARS, sanitiseFilename, sniffMediaType } from './rules.ts';

const JPEG = Uint8Array.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46]);
const PNG = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00]);
const PDF = new TextEncoder().encode('%PDF-1.7\n%\u00e2\u00e3\n');
const GIF = new TextEncoder().encode('GIF89a\u0001\u0000');

describe('sniffMediaType', () => {
  it('recognises JPEG, PNG and PDF by their first bytes, and nothing else', () => {
    expect(sniffMediaType(JPEG)).toBe('image/jpeg');
    expect(sniffMediaType(PNG)).toBe('image/png');
    expect(sniffMediaType(PDF)).toBe('application/pdf');
    expect(sniffMediaType(GIF)).toBeNull();
    expect(sniffMediaType(new TextEncoder().encode('<html><script>alert(1)</script>'))).toBeNull();
    // A truncated signature is not the type.
    expect(sniffMediaType(PNG.subarray(0, 7))).toBeNull();
    expect(sniffMediaType(new TextEncoder().encode('%PDF'))).toBeNull();
    expect(sniffMediaType(new Uint8Array(0))).toBeNull();
  });
});

describe('checkUpload', () => {
  it('takes a declared type of ours whose content is that type', () => {
    expect(checkUpload('image/png', PNG, 100)).toEqual({ mediaType: 'image/png' });
    expect(checkUpload('application/pdf', PDF, 100)).toEqual({ mediaType: 'application/pdf' });
  });

  it('refuses other declared types, content of no known type, a mismatch, nothing, and too much', () => {
    expect(checkUpload('image/gif', GIF, 100)).toMatchObject({ code: 'EVIDENCE_TYPE_UNSUPPORTED' });
    expect(checkUpload('image/png', GIF, 100)).toMatchObject({ code: 'EVIDENCE_TYPE_UNSUPPORTED' });
    expect(checkUpload('image/png', JPEG, 100)).toEqual({ code: 'EVIDENCE_TYPE_MISMATCH', details: { declared: 'image/png', content: 'image/jpeg' } });
    expect(checkUpload('image/jpeg', new Uint8Array(0), 100)).toEqual({ code: 'EVIDENCE_EMPTY' });
    expect(checkUpload('image/jpeg', JPEG, 9)).toEqual({ code: 'EVIDENCE_TOO_LARGE', details: { maxBytes: 9 } });
    expect(checkUpload('image/jpeg', JPEG, 10)).toEqual({ mediaType: 'image/jpeg' });
  });

  it('reads the media type of a Content-Type header without parameters or case', () => {
    expect(essenceOf('Image/PNG; charset=binary')).toBe('image/png');
    expect(essenceOf(undefined)).toBe('');
  });
});

describe('file names', () => {
  it('decodes the percent-encoded UTF-8 header, and refuses a malformed one', () => {
    expect(decodeFilenameHeader(encodeURIComponent('整改照片 1.jpg'))).toBe('整改照片 1.jpg');
    expect(decodeFilenameHeader(undefined)).toBeNull();
    expect(decodeFilenameHeader('  ')).toBeNull();
    expect(decodeFilenameHeader('%E6%95')).toEqual({ code: 'EVIDENCE_FILENAME_INVALID' });
    expect(decodeFilenameHeader('%zz')).toEqual({ code: 'EVIDENCE_FILENAME_INVALID' });
  });

  it('keeps the last path segment only, without control, invisible or reserved characters', () => {
    expect(sanitiseFilename('../../etc/passwd', 'image/png')).toBe('passwd.png');
    expect(sanitiseFilename('C:\\fakepath\\现场照片.JPG', 'image/jpeg')).toBe('现场照片.JPG');
    expect(sanitiseFilename('a\u0000b\r\nc\u007f.pdf', 'application/pdf')).toBe('abc.pdf');
    // A right-to-left override would show "photo\u202Egpj.exe" as "photoexe.jpg".
    expect(sanitiseFilename('photo\u202egpj.exe', 'image/jpeg')).toBe('photogpj.exe.jpg');
    expect(sanitiseFilename('a<b>:c"d|e?f*.png', 'image/png')).toBe('a_b__c_d_e_f_.png');
    expect(sanitiseFilename('  ..hidden.png  ', 'image/png')).toBe('hidden.png');
  });

  it('ends in an extension of the real type, and falls back to a name by type', () => {
    expect(sanitiseFilename('report.html', 'application/pdf')).toBe('report.html.pdf');
    expect(sanitiseFilename('scan.jpeg', 'image/jpeg')).toBe('scan.jpeg');
    expect(sanitiseFilename('scan.jpeg', 'image/png')).toBe('scan.jpeg.png');
    expect(sanitiseFilename(null, 'image/jpeg')).toBe('佐证材料.jpg');
    expect(sanitiseFilename('/', 'application/pdf')).toBe('佐证材料.pdf');
    expect(sanitiseFilename('\u0001\u200b', 'image/png')).toBe('佐证材料.png');
  });

  it('cuts a long name to 200 characters, keeping the extension and whole characters', () => {
    const long = sanitiseFilename(`${'照'.repeat(150)}${'𠀀'.repeat(100)}.pdf`, 'application/pdf');
    expect([...long]).toHaveLength(MAX_NAME_CHARS);
    expect(long.endsWith('𠀀.pdf')).toBe(true);
    // No lone surrogate (encodeURIComponent throws on one): every character survived whole.
    expect(() => encodeURIComponent(long)).not.toThrow();
  });

  it('writes Content-Disposition with an ASCII stand-in and the UTF-8 name', () => {
    expect(contentDisposition('整改 照片(1).jpg', 'image/jpeg')).toBe(`inline; filename="__ __(1).jpg"; filename*=UTF-8''%E6%95%B4%E6%94%B9%20%E7%85%A7%E7%89%87%281%29.jpg`);
    expect(contentDisposition('a"b;c.pdf', 'application/pdf')).toBe(`attachment; filename="a_b_c.pdf"; filename*=UTF-8''a%22b%3Bc.pdf`);
  });
});
