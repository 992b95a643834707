import { loadConfig, type Config } from '../src/config/config.ts';

export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({ HCP_ENV: 'test', LOG_LEVEL: 'silent', ...overrides });
}
