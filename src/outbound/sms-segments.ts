// How long an SMS is for the carriers: a text with any character outside GSM 7-bit (every Chinese
// one) goes as UCS-2, 70 UTF-16 units in one message, 67 per part once it must be split.

const GSM_7BIT = /^[A-Za-z0-9 @£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ!"#¤%&'()*+,\-./:;<=>?¡ÄÖÑÜ§¿äöñüà]*$/;

export interface SmsLength {
  /** Characters as the carriers count them (UTF-16 units for UCS-2; one outside the BMP counts two). */
  characters: number;
  segments: number;
}

export function smsLength(text: string): SmsLength {
  if (GSM_7BIT.test(text)) return { characters: text.length, segments: text.length <= 160 ? 1 : Math.ceil(text.length / 153) };
  return { characters: text.length, segments: text.length <= 70 ? 1 : Math.ceil(text.length / 67) };
}
