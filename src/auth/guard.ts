import type { preHandlerAsyncHookHandler } from 'fastify';
import type { AppContext } from '../http/context.ts';

// Placeholder being written right now; replaced within this session.
export function authenticateRequest(_context: AppContext): preHandlerAsyncHookHandler {
  return async () => {};
}
