// Every word the rating page shows, Chinese first and English second. Level and indicator names
// come from the API (they are versioned data), everything else is here.
export type Lang = 'zh' | 'en';

export const TEXTS = {
  brand: ['政务服务好差评', 'Service rating'],
  title: ['服务评价', 'Rate the service'],
  loading: ['正在加载…', 'Loading…'],
  big: ['大字模式', 'Large text'],
  switchLang: ['English', '中文'],
  heading: ['请评价本次政务服务', 'Please rate this service'],
  followUpHeading: ['追加评价（追评）', 'Add a follow-up rating'],
  followUpIntro: ['您已评价过本次服务，还可以追加评价一次。', 'You have rated this service; you may add one follow-up rating.'],
  firstWas: ['首次评价', 'First rating'],
  staff: ['工作人员', 'Staff'],
  completedAt: ['办结于', 'Completed'],
  levelsLabel: ['您对本次服务满意吗？', 'How satisfied are you?'],
  indicatorsRequired: ['不满意的原因（请至少选择一项）', 'What went wrong? (choose at least one)'],
  indicatorsOptional: ['评价内容（选填，可多选）', 'What stood out? (optional)'],
  comment: ['文字评价（选填）', 'Comment (optional)'],
  commentCount: ['已输入 {n} / {max} 字', '{n} of {max} characters'],
  commentOver: ['超出 {n} 字，请删减', '{n} characters too many; please shorten'],
  anonymous: ['匿名评价', 'Rate anonymously'],
  anonymousHint: ['开启时不记录您的身份信息。', 'Nothing that identifies you is recorded.'],
  anonBadOn: [
    '匿名后办理单位无法联系您：答复只能凭回执号在本网站查看，也不会有人回访您。',
    'Anonymous: the office cannot reach you. Its answer can only be read behind your receipt number on this site, and nobody will call you back.',
  ],
  anonBadOff: [
    '留下手机号，办理单位的答复会以短信发给您，您还可以评价整改结果（回访）。不留也可以，答复凭回执号查看。',
    'Leave your mobile number and the office’s answer comes to you by SMS, and you can say whether the fix satisfied you. Without it, read the answer behind your receipt number.',
  ],
  anonGoodOff: ['可以留下手机号（选填）。', 'You may leave your mobile number (optional).'],
  phone: ['手机号（选填，用于接收答复）', 'Mobile number (optional, to get the answer)'],
  phoneSealed: ['号码加密保存，只用于答复和回访，显示时隐去中间四位。', 'Stored encrypted, used only to answer you, and shown with the middle digits hidden.'],
  phoneInvalid: ['手机号或电话号码格式不正确', 'This phone number does not look right'],
  submit: ['提交评价', 'Submit'],
  submitFollowUp: ['提交追评', 'Submit follow-up'],
  retry: ['重新提交', 'Retry'],
  sending: ['正在提交…', 'Sending…'],
  voluntary: ['评价完全自愿，任何人不得强迫或诱导您评价。', 'Rating is voluntary: nobody may force or steer your rating.'],
  needLevel: ['请选择满意程度', 'Please choose a level'],
  needIndicator: ['请至少选择一项不满意的原因', 'Please choose at least one reason'],
  networkSubmit: [
    '网络异常，未能确认是否提交成功。请检查网络后点击“重新提交”，不会重复记录。',
    'Network problem: we could not confirm your rating. Check the connection and press Retry; it will not be counted twice.',
  ],
  rateLimited: ['操作过于频繁，请稍后再试。', 'Too many attempts; please try again shortly.'],
  alreadyNotice: ['本次服务已经评价过。', 'This service has already been rated.'],
  doneHeading: ['评价已提交，感谢您！', 'Thank you! Your rating is in.'],
  doneFollowUpHeading: ['追评已提交，感谢您！', 'Thank you! Your follow-up is in.'],
  receiptLabel: ['评价回执号', 'Receipt number'],
  receiptHint: ['请记下回执号，可凭此查询评价及处理进度。', 'Keep this number to check your rating and its follow-up.'],
  receiptAnonymousBad: [
    '您选择了匿名：办理单位的答复只能凭这个回执号查看，请务必保存（截图即可）。',
    'You rated anonymously: the office’s answer can only be read behind this receipt number, so please keep it (a screenshot will do).',
  ],
  receiptWhere: ['查询网址：{site}/r', 'Look it up at {site}/r'],
  receiptQr: ['请用手机拍下或扫描二维码，随时查看答复和处理进度。', 'Photograph or scan the code to see the answer and the progress at any time.'],
  receiptQrAlt: ['回执二维码：{site}/r/{no}', 'Receipt QR code: {site}/r/{no}'],
  receiptLink: ['查看评价回执和处理进度', 'View the receipt and progress'],
  badDoneHint: ['您的意见将转交办理单位核实整改，并予以答复。', 'Your concern goes to the office to check and put right, and you will get an answer.'],
  followUpOffer: ['如有补充，可通过本链接追加评价一次。', 'You may add one follow-up rating through this link.'],
  followUpButton: ['追加评价', 'Add a follow-up'],
  ratedHeading: ['本次服务已评价', 'Already rated'],
  ratedBody: ['您已完成本次服务的评价和追评，感谢您的参与。', 'This service has been rated and followed up. Thank you.'],
  expiredHeading: ['评价链接已过期', 'This link has expired'],
  expiredBody: ['如仍需评价或反映问题，请联系办理单位或拨打 12345 热线。', 'To rate or raise a concern, contact the office or call the 12345 hotline.'],
  invalidHeading: ['评价链接无效', 'This link is not valid'],
  invalidBody: ['请核对链接是否完整（短信中的链接可能被截断），或重新扫码。', 'Check that the link is complete (SMS may cut it), or scan the code again.'],
  closedHeading: ['评价期限已过', 'The rating period has ended'],
  closedBody: ['本次服务的评价期限已结束，如需反映问题请拨打 12345 热线。', 'Ratings for this service are closed; to raise a concern, call the 12345 hotline.'],
  networkHeading: ['网络异常', 'Network problem'],
  networkBody: ['未能连接服务器，请检查网络后重试。', 'Could not reach the server. Check the connection and try again.'],
  busyHeading: ['请稍后再试', 'Please try again shortly'],
  reload: ['重试', 'Try again'],
  otherHeading: ['暂时无法评价', 'Rating is not possible right now'],
} satisfies Record<string, [string, string]>;

export type TextKey = keyof typeof TEXTS;

/** The text in `lang`, with {name} placeholders filled in. */
export function say(lang: Lang, key: TextKey, values: Record<string, string | number> = {}): string {
  const text = TEXTS[key][lang === 'zh' ? 0 : 1];
  return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
}
