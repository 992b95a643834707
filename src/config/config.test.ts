import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.ts';

describe('configuration', () => {
  it('serves from one process unless HTTP_WORKERS says more, and only PostgreSQL may have more', () => {
    expect(loadConfig({}).http.workers).toBe(1);
    expect(loadConfig({ DATABASE_URL: 'postgres://localhost/hcp', HTTP_WORKERS: '4' }).http.workers).toBe(4);
    expect(() => loadConfig({ HTTP_WORKERS: '2' })).toThrow(ConfigError);
    expect(() => loadConfig({ HTTP_WORKERS: '2' })).toThrow(/PGlite/);
    expect(() => loadConfig({ DATABASE_URL: 'postgres://localhost/hcp', HTTP_WORKERS: '0' })).toThrow(/HTTP_WORKERS/);
  });
});
