// Personal information of raters and applicants: validation and masking (pure).
import type { MaskedPerson } from '../db/schema.ts';

export interface Person {
  name?: string | undefined;
  phone?: string | undefined;
  certNo?: string | undefined;
}

const MOBILE = /^1[3-9]\d{9}$/;
const LANDLINE = /^0\d{2,3}-?\d{7,8}$/;
const CERT = /^[0-9A-Za-z-]{4,64}$/;
const RESIDENT_ID = /^\d{17}[\dXx]$/;
const RESIDENT_WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const RESIDENT_CHECK = '10X98765432';

/** GB 11643 check character of an 18-digit resident identity number. */
export function residentIdIsValid(id: string): boolean {
  if (!RESIDENT_ID.test(id)) return false;
  const sum = RESIDENT_WEIGHTS.reduce((total, weight, i) => total + weight * Number(id[i]), 0);
  return RESIDENT_CHECK[sum % 11] === id[17]?.toUpperCase();
}

export function normalizePerson(person: Person): Person | { problem: string } {
  const name = person.name?.trim() || undefined;
  const phone = person.phone?.replace(/[\s+]/g, '').replace(/^86(?=1\d{10}$)/, '') || undefined;
  const certNo = person.certNo?.trim().toUpperCase() || undefined;
  if (name !== undefined && [...name].length > 100) return { problem: 'name' };
  if (phone !== undefined && !MOBILE.test(phone) && !LANDLINE.test(phone)) return { problem: 'phone' };
  if (certNo !== undefined) {
    if (!CERT.test(certNo)) return { problem: 'certNo' };
    // An 18-digit number is a resident ID: its check character must be right.
    if (/^\d{17}[\dX]$/.test(certNo) && !residentIdIsValid(certNo)) return { problem: 'certNo' };
  }
  return { name, phone, certNo };
}

export function isEmptyPerson(person: Person): boolean {
  return !person.name && !person.phone && !person.certNo;
}

export function maskName(name: string): string {
  const chars = [...name];
  if (chars.length <= 1) return '*';
  return chars[0] + '*'.repeat(Math.min(chars.length - 1, 3));
}

export function maskPhone(phone: string): string {
  if (phone.length <= 7) return '*'.repeat(phone.length);
  return phone.slice(0, 3) + '****' + phone.slice(-4);
}

export function maskCertNo(certNo: string): string {
  if (certNo.length <= 8) return certNo.slice(0, 1) + '*'.repeat(certNo.length - 1);
  return certNo.slice(0, 4) + '*'.repeat(certNo.length - 8) + certNo.slice(-4);
}

export function maskPerson(person: Person): MaskedPerson {
  const masked: MaskedPerson = {};
  if (person.name) masked.name = maskName(person.name);
  if (person.phone) masked.phone = maskPhone(person.phone);
  if (person.certNo) masked.certNo = maskCertNo(person.certNo);
  return masked;
}
