import { describe, expect, it } from 'vitest';
import { maskCertNo, maskName, maskPhone, normalizePerson, residentIdIsValid } from './person.ts';

describe('personal information', () => {
  it('masks as the screens show it', () => {
    expect(maskPhone('13812341234')).toBe('138****1234');
    expect(maskName('张三')).toBe('张*');
    expect(maskName('欧阳娜娜')).toBe('欧***');
    expect(maskCertNo('11010519491231002X')).toBe('1101**********002X');
  });
  it('checks the resident ID check character (GB 11643)', () => {
    expect(residentIdIsValid('11010519491231002X')).toBe(true);
    expect(residentIdIsValid('110105194912310021')).toBe(false);
  });
  it('normalises phone numbers and refuses malformed ones', () => {
    expect(normalizePerson({ phone: '+86 138 1234 1234' })).toEqual({ name: undefined, phone: '13812341234', certNo: undefined });
    expect(normalizePerson({ phone: '028-86001234' })).toMatchObject({ phone: '028-86001234' });
    expect(normalizePerson({ phone: '1234' })).toEqual({ problem: 'phone' });
    expect(normalizePerson({ certNo: '110105194912310021' })).toEqual({ problem: 'certNo' });
  });
});
