import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig, type Config } from '../src/config/config.ts';

export function testConfig(overrides: Record<string, string> = {}): Config {
  return loadConfig({
    HCP_ENV: 'test',
    LOG_LEVEL: 'silent',
    SCORE_FEED_INTERVAL_MS: '0',
    RISK_ASSESS_INTERVAL_MS: '0',
    SNAPSHOT_SIGNING_KEY_FILE: join(tmpdir(), `hcp-test-snapshot-key-${process.pid}.pem`),
    ...overrides,
  });
}
