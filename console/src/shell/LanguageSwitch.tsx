import { Button } from 'antd';
import { useLang, useTexts } from '../i18n/language';
import { shellTexts } from './texts';

export function LanguageSwitch() {
  const { lang, setLang } = useLang();
  const t = useTexts(shellTexts);
  return (
    <Button type="text" onClick={() => setLang(lang === 'zh' ? 'en' : 'zh')} aria-label={t.languageLabel} lang={lang === 'zh' ? 'en' : 'zh-CN'}>
      {t.language}
    </Button>
  );
}
