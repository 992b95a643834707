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

/** A signed request's nonce that its route claims inside its own transaction. */
export interface DeferredNonce {
  appId: string;
  nonce: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    caller: Caller | null;
    rawBody: Buffer | null;
    deferredNonce: DeferredNonce | null;
  }
  interface FastifyContextConfig {
    /** The route claims the request nonce in its own transaction (see src/auth/guard.ts). */
    claimsNonceInTransaction?: boolean;
  }
}
