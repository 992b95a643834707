// One language at a time: Chinese first, English behind the switch. The choice is the same
// `hcp_lang` cookie the public pages read (src/pages/client/prefs.ts), so it holds across them.
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';

export type Lang = 'zh' | 'en';

const LANG_COOKIE = 'hcp_lang';
const YEAR_SECONDS = 365 * 24 * 3600;

function savedLang(): Lang {
  const match = /(?:^|;\s*)hcp_lang=([^;]*)/.exec(document.cookie);
  return match?.[1] === 'en' ? 'en' : 'zh';
}

interface LanguageState {
  lang: Lang;
  setLang(lang: Lang): void;
}

const LanguageContext = createContext<LanguageState>({ lang: 'zh', setLang: () => undefined });

export function LanguageProvider({ children }: { children: ReactNode }) {
  const [lang, setLangState] = useState<Lang>(savedLang);
  const setLang = useCallback((next: Lang) => {
    document.cookie = `${LANG_COOKIE}=${next}; path=/; max-age=${YEAR_SECONDS}; samesite=lax`;
    setLangState(next);
  }, []);
  useEffect(() => {
    document.documentElement.lang = lang === 'zh' ? 'zh-CN' : 'en';
  }, [lang]);
  const value = useMemo(() => ({ lang, setLang }), [lang, setLang]);
  return <LanguageContext.Provider value={value}>{children}</LanguageContext.Provider>;
}

export function useLang(): LanguageState {
  return useContext(LanguageContext);
}

/** A capability's texts in both languages; English must have every key Chinese has. */
export type Texts<T extends Record<string, string>> = { zh: T; en: { [K in keyof T]: string } };

export function defineTexts<T extends Record<string, string>>(texts: Texts<T>): Texts<T> {
  return texts;
}

export function useTexts<T extends Record<string, string>>(texts: Texts<T>): T {
  const { lang } = useLang();
  return (lang === 'zh' ? texts.zh : texts.en) as T;
}

/** `{name}` placeholders filled from values. */
export function fill(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => (key in values ? String(values[key]) : whole));
}
