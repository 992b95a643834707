import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// Browser tests write the documentation screenshots (docs/screenshots/) only when asked:
// HCP_SCREENSHOTS=1 npx vitest run <browser test>. Read here, beside the rest of the test harness's
// environment, so that nothing under src/ reads process.env.
export const TAKE_SCREENSHOTS = process.env.HCP_SCREENSHOTS === '1';

/**
 * Chromium's environment for screenshots: fontconfig reads the system's fonts and also the Noto Sans
 * SC files shipped in node_modules (the posters' font), so that Chinese is drawn on a machine with
 * no CJK system font instead of empty boxes.
 */
export function screenshotBrowserEnv(): Record<string, string | undefined> {
  const fonts = fileURLToPath(new URL('../node_modules/@expo-google-fonts/noto-sans-sc/', import.meta.url));
  const conf = join(tmpdir(), `hcp-screenshot-fonts-${process.pid}.conf`);
  writeFileSync(
    conf,
    `<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "fonts.dtd">\n<fontconfig>\n  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n  <dir>${fonts}400Regular</dir>\n  <dir>${fonts}700Bold</dir>\n</fontconfig>\n`,
  );
  return { ...process.env, FONTCONFIG_FILE: conf };
}
