// The words the poster page's script shows (what the server renders is in src/pages/place-page.ts),
// Chinese first and English second; one language on screen at a time, the page's.
import type { Lang } from './texts.ts';

export const PLACE_TEXTS = {
  opening: ['正在打开…', 'Opening…'],
  sendingCode: ['正在发送…', 'Sending…'],
  checking: ['正在核对…', 'Checking…'],
  needCode: ['请输入评价码', 'Please type the code'],
  needPhone: ['请输入手机号', 'Please type the mobile number'],
  needSmsCode: ['请输入6位短信验证码', 'Please type the 6-digit code from the SMS'],
  smsSent: [
    '如果该号码是在此办结的办件所登记的手机号，验证码已发送，有效期至 {until}。',
    'If this is the mobile number registered with a case completed here, a code has been sent; it is valid until {until}.',
  ],
  yourCases: ['您的办件（点击评价）', 'Your cases (tap to rate)'],
  noCases: ['没有找到可评价的办件。请核对手机号，或使用回执上的评价码。', 'No case to rate was found. Check the number, or use the code on your receipt.'],
  completedAt: ['办结于 {at}', 'Completed {at}'],
  rateDone: ['评价已提交，感谢您！', 'Thank you! Your rating is in.'],
  network: ['网络异常，请检查网络后重试。', 'Network problem; check the connection and try again.'],
} satisfies Record<string, [string, string]>;

export type PlaceTextKey = keyof typeof PLACE_TEXTS;

export function placeSay(lang: Lang, key: PlaceTextKey, values: Record<string, string | number> = {}): string {
  const text = PLACE_TEXTS[key][lang === 'zh' ? 0 : 1];
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
}
