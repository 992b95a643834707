// The reader's preferences on the server-rendered public pages: what the switch sends wins over
// what is remembered, and is remembered; the bar keeps the page's own query.
import { describe, expect, it } from 'vitest';
import { barHtml, prefCookies, prefsOf } from './public-page.ts';

describe('public page preferences', () => {
  it('are Chinese in normal type unless asked or remembered', () => {
    expect(prefsOf({}, undefined)).toEqual({ prefs: { lang: 'zh', big: false }, remember: {} });
    expect(prefsOf({}, 'hcp_session=x; hcp_lang=en; hcp_big=1').prefs).toEqual({ lang: 'en', big: true });
    expect(prefsOf({}, 'hcp_lang=fr; hcp_big=yes').prefs).toEqual({ lang: 'zh', big: false });
  });

  it('take what the switch sends over the cookies, and remember it', () => {
    const asked = prefsOf({ lang: 'zh', big: '0' }, 'hcp_lang=en; hcp_big=1');
    expect(asked).toEqual({ prefs: { lang: 'zh', big: false }, remember: { lang: 'zh', big: false } });
    expect(prefCookies(asked.remember)).toEqual(['hcp_lang=zh; Path=/; Max-Age=31536000; SameSite=Lax', 'hcp_big=0; Path=/; Max-Age=31536000; SameSite=Lax']);
    expect(prefsOf({ lang: ['en', 'zh'] }, undefined).remember).toEqual({});
  });

  it('draw a bar whose switch offers the other language and keeps the page’s query', () => {
    const bar = barHtml({ lang: 'en', big: true }, { path: '/honor-roll', keep: { period: '2026-10"><x' } });
    expect(bar).toContain('<form class="tools" method="get" action="/honor-roll"><input type="hidden" name="period" value="2026-10&quot;&gt;&lt;x">');
    expect(bar).toContain('name="big" value="0" aria-pressed="true"');
    expect(bar).toContain('name="lang" value="zh" lang="zh-CN">中文</button>');
    expect(bar).toContain('Large text');
    expect(bar).not.toContain('大字模式');
  });
});
