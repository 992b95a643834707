// Field checks shared by the catalog commands, whether the input came from the API or a file.
// Each check trims, validates, and records a coded refusal naming the field (the national
// field name, e.g. deptCode), so that an import can report every problem of a row at once.
import { AppError, type ErrorCode } from '../errors.ts';
import { isValidDeptCode, normalizeDeptCode } from './dept-code.ts';
import { isRegionCode } from './regions.ts';

export interface FieldRefusal {
  code: ErrorCode;
  field: string;
}

export type Checked<T> = { ok: true; value: T } | { ok: false; refusals: FieldRefusal[] };

/** Collects refusals while a row is checked; each method returns the cleaned value ('' when refused). */
export class FieldChecker {
  readonly refusals: FieldRefusal[] = [];

  refuse(code: ErrorCode, field: string): void {
    this.refusals.push({ code, field });
  }

  /** A name shown to people: any printable text, length counted in characters (rare CJK counts once). */
  name(field: string, value: string | null | undefined, maxChars: number): string {
    const text = (value ?? '').trim();
    if (text === '') this.refuse('CATALOG_FIELD_REQUIRED', field);
    else if (hasForbiddenCharacters(text)) this.refuse('TEXT_INVALID_CHARACTERS', field);
    else if (codePointLength(text) > maxChars) this.refuse('CATALOG_FIELD_TOO_LONG', field);
    else return text;
    return '';
  }

  /** A machine code (taskCode, windowCode, staffNo): letters, digits and - _ . only. */
  code(field: string, value: string | null | undefined, maxChars = 64): string {
    const text = (value ?? '').trim();
    if (text === '') this.refuse('CATALOG_FIELD_REQUIRED', field);
    else if (!CODE.test(text)) this.refuse('CATALOG_CODE_INVALID', field);
    else if (text.length > maxChars) this.refuse('CATALOG_FIELD_TOO_LONG', field);
    else return text;
    return '';
  }

  optionalCode(field: string, value: string | null | undefined, maxChars = 64): string | null {
    return isBlank(value) ? null : this.code(field, value, maxChars);
  }

  deptCode(field: string, value: string | null | undefined): string {
    const text = normalizeDeptCode(value ?? '');
    if (text === '') this.refuse('CATALOG_FIELD_REQUIRED', field);
    else if (!isValidDeptCode(text)) this.refuse('ORG_DEPT_CODE_INVALID', field);
    else return text;
    return '';
  }

  optionalDeptCode(field: string, value: string | null | undefined): string | null {
    return isBlank(value) ? null : this.deptCode(field, value);
  }

  regionCode(field: string, value: string | null | undefined): string {
    const text = (value ?? '').trim();
    if (text === '') this.refuse('CATALOG_FIELD_REQUIRED', field);
    else if (!isRegionCode(text)) this.refuse('REGION_CODE_INVALID', field);
    else return text;
    return '';
  }

  optionalRegionCode(field: string, value: string | null | undefined): string | null {
    return isBlank(value) ? null : this.regionCode(field, value);
  }

  result<T>(value: T): Checked<T> {
    return this.refusals.length === 0 ? { ok: true, value } : { ok: false, refusals: [...this.refusals] };
  }
}

// No '/' or spaces: codes appear in URL paths and in integrators' messages.
const CODE = /^[A-Za-z0-9._-]+$/;

export function isBlank(value: string | null | undefined): boolean {
  return value === null || value === undefined || value.trim() === '';
}

function codePointLength(text: string): number {
  let n = 0;
  for (const _ of text) n++;
  return n;
}

// C0 and C1 controls (PostgreSQL cannot store NUL; line breaks do not belong in a name), the
// bidirectional overrides used to disguise text, and lone UTF-16 surrogates, which would be
// silently replaced on the way to the database.
const FORBIDDEN = /[\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069\ufeff]|\p{Cs}/u;

export function hasForbiddenCharacters(text: string): boolean {
  return FORBIDDEN.test(text);
}

/** Throw the first refusal of a check as an AppError naming its field. */
export function valueOrThrow<T>(checked: Checked<T>): T {
  if (checked.ok) return checked.value;
  const first = checked.refusals[0];
  throw first ? new AppError(first.code, { field: first.field }) : new AppError('VALIDATION_FAILED');
}
