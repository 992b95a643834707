// The text of a notification, Chinese first, from its kind and parameters (pure). Notifications
// store the parameters, not the text, so wording can improve without touching old rows; and a
// row written by a newer or older version must still render, so nothing here throws.

export interface NotificationText {
  zh: string;
  en: string;
}

type Params = Record<string, unknown>;

const DEADLINES: Record<string, NotificationText> = {
  verify: { zh: '核实', en: 'verification' },
  reply: { zh: '答复', en: 'reply' },
  appeal: { zh: '申诉复核', en: 'appeal decision' },
};

const LEVELS: Record<string, NotificationText> = {
  '1': { zh: '非常不满意', en: 'very dissatisfied' },
  '2': { zh: '不满意', en: 'dissatisfied' },
};

const APPEAL_KINDS: Record<string, NotificationText> = {
  mistaken: { zh: '误评', en: 'mistaken' },
  malicious: { zh: '恶意评价', en: 'malicious' },
};

const CLOSED_STATES: Record<string, NotificationText> = {
  closed: { zh: '工单已办结（回访完成）。', en: 'The ticket is closed: the callback is done.' },
  closed_invalid: { zh: '工单已办结（申诉成立，该评价不计入考核）。', en: 'The ticket is closed: the appeal was upheld and the rating leaves the scores.' },
  closed_cannot_fix: { zh: '工单已办结（经批准无法整改）。', en: 'The ticket is closed: approved as impossible to fix.' },
};

const MISSING = '—';

function text(params: Params, key: string): string | undefined {
  const value = params[key];
  if (typeof value === 'string' && value.trim() !== '') return value.trim();
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

function flag(params: Params, key: string): boolean | undefined {
  const value = params[key];
  return typeof value === 'boolean' ? value : undefined;
}

function pick(table: Record<string, NotificationText>, key: string | undefined): NotificationText {
  if (key === undefined) return { zh: MISSING, en: MISSING };
  return table[key] ?? { zh: key, en: key };
}

const BEIJING_OFFSET_MS = 8 * 3600_000;

/** An instant as 'yyyy-MM-dd HH:mm' Beijing time; anything unreadable is shown as given. */
function beijingMinute(value: string | undefined): string {
  if (value === undefined) return MISSING;
  const instant = new Date(value);
  if (Number.isNaN(instant.getTime())) return value;
  return new Date(instant.getTime() + BEIJING_OFFSET_MS).toISOString().slice(0, 16).replace('T', ' ');
}

function hours(value: string | undefined): string {
  const n = Number(value);
  return value !== undefined && Number.isFinite(n) ? String(Math.max(0, Math.round(n))) : MISSING;
}

function decided(yes: boolean | undefined, texts: { yes: NotificationText; no: NotificationText; unknown: NotificationText }): NotificationText {
  return yes === undefined ? texts.unknown : yes ? texts.yes : texts.no;
}

type Renderer = (params: Params) => NotificationText;

const RENDERERS: Record<string, Renderer> = {
  ticket_opened: (p) => {
    const receipt = text(p, 'receiptNo') ?? MISSING;
    const level = pick(LEVELS, text(p, 'level'));
    const org = text(p, 'orgName');
    return {
      zh: `收到一条差评（${level.zh}），评价回执号 ${receipt}，已生成整改工单${org ? `，承办单位：${org}` : ''}。请在时限内核实。`,
      en: `A bad rating (${level.en}) was received, receipt ${receipt}; a rectification ticket has been opened${org ? ` for ${org}` : ''}. Please verify it in time.`,
    };
  },
  deadline_warning: (p) => {
    const deadline = pick(DEADLINES, text(p, 'deadline'));
    const due = beijingMinute(text(p, 'dueAt'));
    const left = hours(text(p, 'hoursLeft'));
    return {
      zh: `工单${deadline.zh}时限将于 ${due}（北京时间）到期，剩余约 ${left} 小时。`,
      en: `The ticket's ${deadline.en} deadline falls due at ${due} Beijing time, in about ${left} hours.`,
    };
  },
  deadline_missed: (p) => {
    const deadline = pick(DEADLINES, text(p, 'deadline'));
    return { zh: `工单已超过${deadline.zh}时限。`, en: `The ticket has missed its ${deadline.en} deadline.` };
  },
  ticket_escalated: (p) => {
    const deadline = pick(DEADLINES, text(p, 'deadline'));
    const org = text(p, 'orgName');
    return {
      zh: `${org ?? '承办单位'}的差评工单超过${deadline.zh}时限，已提交上级督办。`,
      en: `A ticket of ${org ?? 'the handling unit'} missed its ${deadline.en} deadline and has been escalated to the supervising level.`,
    };
  },
  extension_requested: (p) => {
    const days = text(p, 'days') ?? MISSING;
    return { zh: `承办单位申请工单延期 ${days} 天，请审批。`, en: `The handling unit asks for a ${days}-day extension of the ticket; please decide.` };
  },
  extension_decided: (p) =>
    decided(flag(p, 'granted'), {
      yes: { zh: '工单延期申请已批准，答复时限相应顺延。', en: 'The extension was granted; the reply deadline moves accordingly.' },
      no: { zh: '工单延期申请未获批准，请按原时限办理。', en: 'The extension was refused; the original deadline stands.' },
      unknown: { zh: '工单延期申请已审批。', en: 'The extension request has been decided.' },
    }),
  cannot_fix_requested: () => ({ zh: '承办单位申请“无法整改”，请审核。', en: 'The handling unit reports that the problem cannot be fixed; please decide.' }),
  cannot_fix_decided: (p) =>
    decided(flag(p, 'approved'), {
      // Notices written before the approval led to the 答复 said it closed the ticket.
      yes:
        flag(p, 'replyFollows') === true
          ? { zh: '“无法整改”申请已批准，请在答复时限内将解决方案答复评价人。', en: 'Approved as impossible to fix; answer the rater with the solution within the reply deadline.' }
          : { zh: '“无法整改”申请已批准，工单办结。', en: 'Approved as impossible to fix; the ticket is closed.' },
      no: { zh: '“无法整改”申请未获批准，请继续整改。', en: 'Not approved as impossible to fix; please go on rectifying.' },
      unknown: { zh: '“无法整改”申请已审核。', en: 'The cannot-fix request has been decided.' },
    }),
  appeal_filed: (p) => {
    const kind = text(p, 'kind');
    const described = kind === undefined ? undefined : APPEAL_KINDS[kind];
    return described
      ? { zh: `承办单位提出申诉，认为该差评属于${described.zh}，请复核。`, en: `The handling unit appeals the bad rating as ${described.en}; please review it.` }
      : { zh: '承办单位对该差评提出申诉，请复核。', en: 'The handling unit appeals the bad rating; please review it.' };
  },
  appeal_decided: (p) =>
    decided(flag(p, 'upheld'), {
      yes: { zh: '申诉成立：该评价保留但不计入考核，工单办结。', en: 'Appeal upheld: the rating stays stored but leaves the scores; the ticket is closed.' },
      no: { zh: '申诉不成立，请继续整改。', en: 'Appeal refused; please go on rectifying.' },
      unknown: { zh: '申诉已复核。', en: 'The appeal has been decided.' },
    }),
  risk_held: (p) => {
    const count = text(p, 'count') ?? MISSING;
    const org = text(p, 'org') ?? '所辖单位';
    return {
      zh: `${org}有 ${count} 条评价因疑似刷评或恶意评价被暂缓计入（待核查），请在核查队列中复核。`,
      en: `${count} ratings of ${text(p, 'org') ?? 'a unit you supervise'} are held from the figures as suspected fraud (pending review); please review them in the queue.`,
    };
  },
  callback_due: () => ({ zh: '工单已答复评价人，请进行回访。', en: 'The rater has been answered; please make the callback.' }),
  callback_unsatisfied: () => ({ zh: '评价人对整改结果不满意，工单已重新打开，请继续整改。', en: 'The rater is not satisfied with the fix; the ticket is reopened, please go on rectifying.' }),
  ticket_closed: (p) => CLOSED_STATES[text(p, 'state') ?? ''] ?? { zh: '工单已办结。', en: 'The ticket is closed.' },
  deadline_recomputed: (p) => {
    const deadline = pick(DEADLINES, text(p, 'deadline'));
    const year = text(p, 'calendarYear') ?? MISSING;
    const due = beijingMinute(text(p, 'dueAt'));
    return {
      zh: `${year}年节假日安排已录入，工单${deadline.zh}时限按正式工作日历重新计算为 ${due}（北京时间）。`,
      en: `The ${year} holiday notice has been entered: the ticket's ${deadline.en} deadline, counted again on the official calendar, is now ${due} Beijing time.`,
    };
  },
  calendar_ending: (p) => {
    const endsOn = text(p, 'endsOn') ?? MISSING;
    const next = text(p, 'nextYear') ?? MISSING;
    return {
      zh: `工作日历（国务院节假日安排）只到 ${endsOn}。国务院办公厅发布${next}年部分节假日安排的通知后，请及时录入（npm run cli -- calendar import，见 docs/calendar.md）；录入前，跨入${next}年的工作日时限只按法定节假日暂计，标为“暂定”，录入后自动重算。`,
      en: `The working-day calendar (the State Council's holiday notices) ends on ${endsOn}. When the ${next} notice is published, enter it (npm run cli -- calendar import, see docs/calendar.md); until then, working-day deadlines reaching ${next} count the statutory holidays only, are marked provisional, and are recomputed once it is entered.`,
    };
  },
};

/** Chinese and English text of a notification; an unknown kind gets a generic text, never an error. */
export function renderNotification(kind: string, params: Params): NotificationText {
  const render = Object.hasOwn(RENDERERS, kind) ? RENDERERS[kind] : undefined;
  // Stored as jsonb: a row from elsewhere might hold null or an array; it renders with blanks.
  if (render) return render(typeof params === 'object' && params !== null && !Array.isArray(params) ? params : {});
  return { zh: `您有一条新的工单通知（${kind}）。`, en: `You have a new ticket notification (${kind}).` };
}

/** The kinds with their own wording (tests check each renders). */
export const NOTIFICATION_KINDS: readonly string[] = Object.keys(RENDERERS);
