// The HTML escaper of every server-rendered page, and the older frame of the poster page (both
// languages at once), which moves to src/pages/public-page.ts (one language, a switch) with it.
import { randomBytes } from 'node:crypto';
import type { FastifyReply } from 'fastify';

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);

const STYLE = `body{font:20px/1.6 system-ui,sans-serif;margin:0;padding:16px;color:#111;background:#fff;max-width:40em}
h1{font-size:26px}.en{color:#444;font-size:17px}.reply{border-left:6px solid #1a56db;padding:8px 12px;background:#f3f6fc;white-space:pre-wrap}
button{display:block;width:100%;margin:12px 0;padding:16px;font-size:22px;border:2px solid #111;border-radius:10px;background:#fff}
button:focus{outline:4px solid #1a56db}#result{font-size:22px;font-weight:bold}
h2{font-size:22px;margin-top:28px}fieldset{border:0;padding:0;margin:12px 0}legend{font-weight:bold;margin-bottom:8px}
.choice{display:block;padding:12px;margin:8px 0;border:2px solid #999;border-radius:10px}.choice input{transform:scale(1.5);margin-right:10px}
textarea{width:100%;font-size:20px;box-sizing:border-box}`;

export function page(reply: FastifyReply, status: number, title: string, body: string, script = ''): FastifyReply {
  const nonce = randomBytes(12).toString('base64');
  return reply
    .status(status)
    .type('text/html; charset=utf-8')
    .header('content-security-policy', `default-src 'none'; style-src 'unsafe-inline'; script-src 'nonce-${nonce}'; connect-src 'self'; base-uri 'none'; form-action 'none'`)
    .header('cache-control', 'no-store')
    .header('referrer-policy', 'no-referrer')
    .send(
      `<!doctype html><html lang="zh-CN"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${escapeHtml(title)}</title><style>${STYLE}</style></head><body><main>${body}</main>${script ? `<script nonce="${nonce}">${script}</script>` : ''}</body></html>`,
    );
}

export const message = (zh: string, en: string) => `<h1>${escapeHtml(zh)}</h1><p class="en" lang="en">${escapeHtml(en)}</p>`;

