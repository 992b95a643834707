// Every word the hall evaluator shows, Chinese first and English second; one language on screen at
// a time (the switch in the corner; each rater starts in Chinese). The words of the contact part
// and the receipt are the rating page's (src/pages/client/texts.ts), so both say the same.
import type { Lang } from '../../pages/client/texts.ts';

export const KIOSK_TEXTS = {
  starting: ['正在启动…', 'Starting…'],
  switchLang: ['English', '中文'],
  idleHeading: ['请为本窗口服务评价', 'Please rate our service'],
  idleHint: ['办件办结后，评价界面将自动出现', 'The rating screen appears when your case is done'],
  rateHeading: ['请对本次服务进行评价', 'Please rate this service'],
  levels: ['评价等级', 'Rating'],
  reasonsHeading: ['{level}：请选择原因（至少一项）', '{level}: what went wrong? (at least one)'],
  reasons: ['不满意的原因', 'What went wrong'],
  next: ['下一步', 'Next'],
  back: ['返回', 'Back'],
  contactHeading: ['是否留下手机号？', 'Leave your mobile number?'],
  keypad: ['数字键盘', 'Number pad'],
  erase: ['删除', 'Delete'],
  clear: ['清空', 'Clear'],
  submit: ['提交评价', 'Submit'],
  submitWithout: ['不留号码，提交评价', 'Submit without a number'],
  thanks: ['感谢您的评价！', 'Thank you for your rating!'],
  sending: ['正在提交…', 'Sending…'],
  sent: ['已提交', 'Sent'],
  savedOffline: ['网络异常，评价已保存在本机，恢复后自动提交。本次无法显示回执号。', 'Network problem: your rating is saved on this device and will be sent when the network is back. No receipt number can be shown this time.'],
  done: ['完成', 'Done'],
  setupHeading: ['设备设置', 'Device setup'],
  setupBody: ['请管理员输入登记设备时获得的凭证。', 'An administrator types the credential given when the device was registered.'],
  credential: ['设备凭证', 'Device credential'],
  save: ['保存', 'Save'],
  credentialMalformed: ['凭证格式不正确', 'The credential is malformed'],
  credentialRefused: ['设备凭证无效或已停用', 'The device credential is not valid or the device was stopped'],
  notSetUp: ['● 未配置', '● Not set up'],
  offline: ['● 离线', '● Offline'],
  online: ['● 在线', '● Online'],
  waiting: ['待提交 {n}', '{n} waiting'],
} satisfies Record<string, [string, string]>;

export type KioskTextKey = keyof typeof KIOSK_TEXTS;

export function kioskSay(lang: Lang, key: KioskTextKey, values: Record<string, string | number> = {}): string {
  const text = KIOSK_TEXTS[key][lang === 'zh' ? 0 : 1];
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
}
