// Browser tests write the documentation screenshots (docs/screenshots/) only when asked:
// HCP_SCREENSHOTS=1 npx vitest run <browser test>. Read here, beside the rest of the test harness's
// environment, so that nothing under src/ reads process.env.
export const TAKE_SCREENSHOTS = process.env.HCP_SCREENSHOTS === '1';
