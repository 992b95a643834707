// A NUL character (U+0000) cannot be stored in PostgreSQL text and means nothing in any field of
// this API, so it is refused once for the whole app, before authentication and validation: in the
// path parameters and the query string (onRequest) and anywhere in a JSON body, keys included (the
// JSON parser in app.ts). Routes never see one.
import type { FastifyRequest } from 'fastify';
import { AppError } from '../errors.ts';

const NUL = '\u0000';

/**
 * The JSON pointer of the first string or key holding a NUL, or null. Iterative, so that a deeply
 * nested body cannot exhaust the stack.
 */
export function findNul(value: unknown): string | null {
  const stack: Array<[unknown, string]> = [[value, '']];
  for (let next = stack.pop(); next !== undefined; next = stack.pop()) {
    const [item, pointer] = next;
    if (typeof item === 'string') {
      if (item.includes(NUL)) return pointer;
    } else if (Array.isArray(item)) {
      for (let i = item.length - 1; i >= 0; i--) stack.push([item[i], `${pointer}/${i}`]);
    } else if (item !== null && typeof item === 'object') {
      const entries = Object.entries(item);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, child] = entries[i] as [string, unknown];
        const childPointer = `${pointer}/${key.replaceAll('~', '~0').replaceAll('/', '~1')}`;
        if (key.includes(NUL)) return childPointer;
        stack.push([child, childPointer]);
      }
    }
  }
  return null;
}

function refusal(part: 'params' | 'querystring' | 'body', pointer: string): AppError {
  // The pointer is shown without the NUL itself, which logs and terminals handle badly.
  return new AppError('REQUEST_NUL_CHARACTER', { part, path: pointer.replaceAll(NUL, '\\u0000') });
}

/** The onRequest check of path parameters and query string. */
export async function refuseNulInUrl(request: FastifyRequest): Promise<void> {
  for (const part of ['params', 'querystring'] as const) {
    const pointer = findNul(part === 'params' ? request.params : request.query);
    if (pointer !== null) throw refusal(part, pointer);
  }
}

/**
 * The check of a parsed JSON body. JSON can carry a NUL only as the escape \u0000 (a raw control
 * character is a syntax error), so a body whose text has no such escape is not walked.
 */
export function refuseNulInBody(text: string, parsed: unknown): void {
  if (!/\\u0000/i.test(text)) return;
  const pointer = findNul(parsed);
  if (pointer !== null) throw refusal('body', pointer);
}
