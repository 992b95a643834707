import { describe, expect, it } from 'vitest';
import type { Caller } from '../http/caller.ts';
import { catalogReadScope, catalogWriteGuard, pathPrefixPattern } from './access.ts';

const staff = (role: 'province_admin' | 'city_admin' | 'org_handler' | 'supervisor', regionPath: string | null, orgId: string | null = null): Caller => ({
  kind: 'staff',
  accountId: 'a',
  username: 'u',
  role,
  regionPath,
  orgId,
});
const chengdu = { regionPath: '510000/510100/510104/', orgId: null };
const zigong = { regionPath: '510000/510300/510302/', orgId: null };

describe('catalog access', () => {
  it('lets admins write within their region only', () => {
    const guard = catalogWriteGuard(staff('city_admin', '510000/510100/'));
    expect(() => guard(chengdu)).not.toThrow();
    expect(() => guard(zigong)).toThrow(expect.objectContaining({ code: 'AUTH_OUT_OF_SCOPE' }));
    expect(() => catalogWriteGuard(staff('province_admin', '510000/'))(zigong)).not.toThrow();
  });

  it('refuses roles without catalog rights before looking at any place', () => {
    expect(() => catalogWriteGuard(staff('supervisor', '510000/'))).toThrow(expect.objectContaining({ code: 'AUTH_FORBIDDEN' }));
    expect(() => catalogWriteGuard(staff('org_handler', null, 'org-1'))).toThrow(expect.objectContaining({ code: 'AUTH_FORBIDDEN' }));
  });

  it('binds an org-bound app to its own org', () => {
    const app: Caller = { kind: 'app', appId: 'x', regionPath: '510000/510100/', orgId: 'org-1', channelProfile: 'national' };
    const guard = catalogWriteGuard(app);
    expect(() => guard({ ...chengdu, orgId: 'org-1' })).not.toThrow();
    expect(() => guard({ ...chengdu, orgId: 'org-2' })).toThrow(expect.objectContaining({ code: 'AUTH_OUT_OF_SCOPE' }));
    expect(() => guard(chengdu)).toThrow(expect.objectContaining({ code: 'AUTH_OUT_OF_SCOPE' }));
    expect(catalogReadScope(app)).toEqual({ kind: 'org', orgId: 'org-1' });
  });

  it('reads by org, by region subtree, or not at all', () => {
    expect(catalogReadScope(staff('supervisor', '510000/510100/'))).toEqual({ kind: 'region', regionPath: '510000/510100/' });
    expect(catalogReadScope(staff('org_handler', null, 'org-9'))).toEqual({ kind: 'org', orgId: 'org-9' });
    expect(catalogReadScope(staff('supervisor', null))).toEqual({ kind: 'none' });
  });

  it('escapes LIKE wildcards in path prefixes', () => {
    expect(pathPrefixPattern('510000/')).toBe('510000/%');
    expect(pathPrefixPattern('5_%\\')).toBe('5\\_\\%\\\\%');
  });
});
