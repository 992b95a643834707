// Names the demo data is recognised by.
import { makeDeptCode } from '../catalog/dept-code.ts';

/** Shared by every demo account. For demonstrations only: never use demo data in production. */
export const DEMO_PASSWORD = 'hcp-demo-2026';
/** source_app (and data_source) of the demo's cases and evaluations. */
export const DEMO_SOURCE_APP = 'demo';
export const DEMO_INTEGRATOR_APP_ID = 'demo-city-platform';
export const DEMO_USERNAMES = ['admin', 'chengdu', 'supervisor', 'handler'] as const;
/** The 统一社会信用代码 of the demo's provincial centre, whose presence marks a database holding demo data. */
export const DEMO_MARKER_DEPT_CODE = makeDeptCode(90000000, { prefix: '12', regionCode: '510000' });
