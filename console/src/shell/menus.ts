// Which pages each role sees, from the server's own definitions of who may do what (imported,
// never retyped): the server refuses the rest anyway; the menu only spares people dead ends.
import { INSPECTION_RECORDERS } from '../../../src/inspections/recorders.ts';
import type { StaffRole } from '../auth/session';

export type MenuKey = 'home' | 'tickets' | 'supervision' | 'inspections';

/** Roles that watch over others' tickets: every staff role not tied to one org. */
const SUPERVISING: readonly StaffRole[] = ['supervisor', 'province_admin', 'city_admin'];

export function menusFor(role: StaffRole): MenuKey[] {
  const menus: MenuKey[] = ['home', 'tickets'];
  if (SUPERVISING.includes(role)) menus.push('supervision');
  if (INSPECTION_RECORDERS.includes(role)) menus.push('inspections');
  return menus;
}

export const MENU_PATHS: Record<MenuKey, string> = {
  home: '/',
  tickets: '/tickets',
  supervision: '/supervision',
  inspections: '/inspections',
};

/** The menu a console path belongs to (the longest path prefix that matches). */
export function menuOfPath(pathname: string): MenuKey {
  let best: MenuKey = 'home';
  for (const [key, path] of Object.entries(MENU_PATHS) as Array<[MenuKey, string]>) {
    if (path !== '/' && (pathname === path || pathname.startsWith(path + '/'))) best = key;
  }
  return best;
}
