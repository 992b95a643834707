// Who is calling: an integrator app (signed requests) or a staff member (session).
import type { StaffRole } from '../db/schema.ts';

export interface AppCaller {
  kind: 'app';
  appId: string;
  /** Region subtree the app may act on, as a region path prefix ('510000/510100/'). */
  regionPath: string;
  orgId: string | null;
  channelProfile: 'national' | 'sms-six';
}

export interface StaffCaller {
  kind: 'staff';
  accountId: string;
  username: string;
  role: StaffRole;
  /** Region subtree path prefix for province/city admins and supervisors; null for org handlers. */
  regionPath: string | null;
  orgId: string | null;
}

export type Caller = AppCaller | StaffCaller;

declare module 'fastify' {
  interface FastifyRequest {
    caller: Caller | null;
    rawBody: Buffer | null;
  }
}
