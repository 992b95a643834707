// Recognises PostgreSQL's unique_violation (23505) from either engine: `pg` and PGlite both
// expose the SQLSTATE as `code`. Used where a race between check and insert must end in a
// coded refusal rather than a 500.
export function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && 'code' in error && error.code === '23505';
}
