// Our own channel enum, mapped to each peer's `pf` codes at the edge: provinces disagree on 6 and 7.
export const CHANNELS = ['pc', 'mobile', 'qr', 'hall_tablet', 'hall_terminal', 'hotline', 'sms', 'system'] as const;
export type Channel = (typeof CHANNELS)[number];

export const CHANNEL_NAMES: Record<Channel, { zh: string; en: string }> = {
  pc: { zh: 'PC端', en: 'PC' },
  mobile: { zh: '移动服务端', en: 'Mobile (app, mini program, H5)' },
  qr: { zh: '二维码', en: 'QR code' },
  hall_tablet: { zh: '政务大厅平板电脑（评价器）', en: 'Hall window evaluator' },
  hall_terminal: { zh: '政务大厅其他终端（自助终端）', en: 'Hall self-service terminal' },
  hotline: { zh: '电话（热线、语音）', en: 'Hotline (voice, IVR)' },
  sms: { zh: '短信', en: 'SMS' },
  system: { zh: '系统默认评价', en: 'System default rating' },
};

/** A peer's `pf` code table: 'national' uses 6 电话 / 7 短信; 'sms-six' uses 6 短信 / 7 系统默认评价. */
export type ChannelProfile = 'national' | 'sms-six';

const PF_TABLES: Record<ChannelProfile, Record<string, Channel>> = {
  national: { '1': 'pc', '2': 'mobile', '3': 'qr', '4': 'hall_tablet', '5': 'hall_terminal', '6': 'hotline', '7': 'sms' },
  'sms-six': { '1': 'pc', '2': 'mobile', '3': 'qr', '4': 'hall_tablet', '5': 'hall_terminal', '6': 'sms', '7': 'system' },
};

export function channelFromPf(profile: ChannelProfile, pf: string | number): Channel | null {
  return PF_TABLES[profile][String(pf).trim()] ?? null;
}

export function pfFromChannel(profile: ChannelProfile, channel: Channel): string | null {
  for (const [pf, mapped] of Object.entries(PF_TABLES[profile])) if (mapped === channel) return pf;
  return null;
}
