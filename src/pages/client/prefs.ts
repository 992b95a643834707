// The reader's language and large-text mode, remembered on the device and shared with the
// server-rendered public pages (src/pages/public-page.ts reads the same cookies), so that a choice
// made on the rating page holds on the receipt and the honor roll, and back. Cookies first; the
// rating page's older localStorage keys are still read.
import { store } from './dom.ts';
import type { Lang } from './texts.ts';

const LANG_COOKIE = 'hcp_lang';
const BIG_COOKIE = 'hcp_big';
const OLD_LANG_KEY = 'hcp.rate.lang';
const OLD_BIG_KEY = 'hcp.rate.big';
const YEAR_SECONDS = 365 * 24 * 3600;

function readCookie(name: string): string | null {
  try {
    const parts = document.cookie.split(';');
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i] ?? '';
      const eq = part.indexOf('=');
      if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
    }
  } catch {
    // Cookies refused (some web views): fall back to localStorage.
  }
  return null;
}

function writeCookie(name: string, value: string): void {
  try {
    document.cookie = `${name}=${value}; path=/; max-age=${YEAR_SECONDS}; samesite=lax`;
  } catch {
    // Not remembered across pages; this page still follows the choice.
  }
}

export function savedLang(): Lang {
  const value = readCookie(LANG_COOKIE) ?? store.get(OLD_LANG_KEY);
  return value === 'en' ? 'en' : 'zh';
}

export function savedBig(): boolean {
  const value = readCookie(BIG_COOKIE) ?? store.get(OLD_BIG_KEY);
  return value === '1';
}

export function saveLang(lang: Lang): void {
  writeCookie(LANG_COOKIE, lang);
  store.set(OLD_LANG_KEY, lang);
}

export function saveBig(big: boolean): void {
  writeCookie(BIG_COOKIE, big ? '1' : '0');
  store.set(OLD_BIG_KEY, big ? '1' : '0');
}

/** Sets the page's `lang` (Chinese or English, never both) and the large-text class. */
export function applyPrefs(lang: Lang, big: boolean): void {
  const root = document.documentElement;
  root.lang = lang === 'zh' ? 'zh-CN' : 'en';
  root.className = big ? 'big' : '';
}
