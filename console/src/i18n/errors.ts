import { ApiError } from '../api/client';
import type { Lang } from './language';

/** What to show for a failed request: the server's message in the reader's language, with its code. */
export function errorText(error: unknown, lang: Lang): string {
  if (error instanceof ApiError) return `${lang === 'zh' ? error.messageZh : error.messageEn}（${error.code}）`;
  if (error instanceof TypeError) return lang === 'zh' ? '网络连接失败，请检查网络后重试' : 'The network failed; check it and try again';
  return lang === 'zh' ? '出现错误，请稍后重试' : 'Something went wrong; please try again';
}
