import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { normalizePerson, residentIdIsValid } from '../pii/person.ts';
import { chineseName, mobileNumber, residentId } from './people.ts';
import { seededRandom } from './random.ts';

describe('demo people', () => {
  it('makes resident IDs with a correct check character, region and birth date', () => {
    fc.assert(
      fc.property(fc.integer(), fc.constantFrom('510104', '513401', '511602'), (seed, region) => {
        const id = residentId(seededRandom(seed), region);
        expect(id).toMatch(/^\d{17}[\dX]$/);
        expect(id.slice(0, 6)).toBe(region);
        expect(residentIdIsValid(id)).toBe(true);
        const birth = new Date(`${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}T00:00:00Z`);
        expect(birth.toISOString().slice(0, 10).replaceAll('-', '')).toBe(id.slice(6, 14));
      }),
    );
  });

  it('makes names and mobile numbers that pass the intake checks', () => {
    fc.assert(
      fc.property(fc.integer(), (seed) => {
        const random = seededRandom(seed);
        const person = { name: chineseName(random), phone: mobileNumber(random), certNo: residentId(random, '510104') };
        expect(person.name).toMatch(/^[\u4e00-\u9fff]{2,3}$/);
        expect(normalizePerson(person)).toEqual(person);
      }),
    );
  });

  it('is deterministic for a seed', () => {
    const a = seededRandom(42);
    const b = seededRandom(42);
    const draw = (r: typeof a) => [chineseName(r), mobileNumber(r), residentId(r, '510104'), r.next()];
    expect(draw(a)).toEqual(draw(b));
  });
});
