import type { App } from '../http/app.ts';
import type { AppContext } from '../http/context.ts';

// Placeholder being written right now; replaced within this session.
export function registerCaseRoutes(_app: App, _context: AppContext): void {}
