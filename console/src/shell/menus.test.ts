import { describe, expect, it } from 'vitest';
import { menuOfPath, menusFor } from './menus';

describe('console menus by role', () => {
  it('gives supervisors and province admins the supervision queues and inspections', () => {
    expect(menusFor('supervisor')).toEqual(['home', 'tickets', 'supervision', 'inspections']);
    expect(menusFor('province_admin')).toEqual(['home', 'tickets', 'supervision', 'inspections']);
  });

  it('gives city admins supervision but not inspections, which they may not record', () => {
    expect(menusFor('city_admin')).toEqual(['home', 'tickets', 'supervision']);
  });

  it('gives an org handler only its own work', () => {
    expect(menusFor('org_handler')).toEqual(['home', 'tickets']);
  });

  it('finds the menu of a page by its path, sub-pages included', () => {
    expect(menuOfPath('/')).toBe('home');
    expect(menuOfPath('/tickets')).toBe('tickets');
    expect(menuOfPath('/tickets/0190a5b0-0000-7000-8000-000000000001')).toBe('tickets');
    expect(menuOfPath('/inspections/new')).toBe('inspections');
    expect(menuOfPath('/supervision')).toBe('supervision');
    expect(menuOfPath('/ticketsx')).toBe('home');
    expect(menuOfPath('/password')).toBe('home');
  });
});
