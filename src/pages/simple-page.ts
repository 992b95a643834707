// The HTML escaper of every server-rendered page. (The older two-language frame of the poster page
// that lived here gave way to src/pages/public-page.ts: one language, a switch.)

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
