// The error catalogue: one stable code per failure, the same in the API, the CLI and the logs.
// Chinese first, English second. Add codes; never rename or reuse one.

export const errorCatalogue = {
  // Generic input
  VALIDATION_FAILED: { status: 400, zh: '请求内容不符合接口要求', en: 'The request does not match the schema' },
  BODY_TOO_LARGE: { status: 413, zh: '请求内容过大', en: 'The request body is too large' },
  BODY_NOT_JSON: { status: 400, zh: '请求内容不是合法的 JSON（须为 UTF-8 编码）', en: 'The request body is not valid JSON (UTF-8 required)' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, zh: '不支持的内容类型', en: 'Unsupported content type' },
  NOT_FOUND: { status: 404, zh: '请求的资源不存在', en: 'The requested resource does not exist' },
  INTERNAL_ERROR: { status: 500, zh: '系统内部错误，请稍后重试', en: 'Internal error, please retry later' },
  SERVICE_UNAVAILABLE: { status: 503, zh: '服务暂时不可用，请稍后重试', en: 'Service temporarily unavailable, please retry' },
  REQUEST_NUL_CHARACTER: { status: 422, zh: '请求含有 NUL 字符（U+0000），无法处理，请删除后重试', en: 'The request contains a NUL character (U+0000), which cannot be processed; remove it and retry' },
  TEXT_INVALID_CHARACTERS: { status: 422, zh: '文本含有不允许的控制字符', en: 'The text contains forbidden control characters' },
  CONFIG_INVALID: { status: 500, zh: '配置无效，请检查环境变量（见 README）', en: 'Invalid configuration: check the environment variables (see README)' },

  // Authentication and authorisation
  AUTH_REQUIRED: { status: 401, zh: '需要登录或签名认证', en: 'Authentication required' },
  AUTH_APP_UNKNOWN: { status: 401, zh: '接入应用不存在或已停用', en: 'Unknown or disabled app id' },
  AUTH_SIGNATURE_INVALID: { status: 401, zh: '请求签名无效', en: 'Invalid request signature' },
  AUTH_TIMESTAMP_SKEW: { status: 401, zh: '请求时间戳超出允许范围，请校准时钟', en: 'Request timestamp outside the allowed window; check the clock' },
  AUTH_NONCE_REPLAYED: { status: 401, zh: '请求随机数已使用（疑似重放）', en: 'Nonce already used (replay suspected)' },
  AUTH_LOGIN_FAILED: { status: 401, zh: '用户名或密码错误', en: 'Wrong username or password' },
  AUTH_SESSION_EXPIRED: { status: 401, zh: '登录已过期，请重新登录', en: 'Session expired, please sign in again' },
  AUTH_FORBIDDEN: { status: 403, zh: '无权执行此操作', en: 'Not allowed' },
  AUTH_OUT_OF_SCOPE: { status: 403, zh: '超出本账号或应用的管辖范围', en: 'Outside the region or org this caller may act on' },
  AUTH_PASSWORD_TOO_WEAK: { status: 422, zh: '密码不符合要求（至少10个字符，且不能与用户名相同）', en: 'Password too weak (at least 10 characters, not the username)' },
  AUTH_ACCOUNT_SCOPE_INVALID: { status: 422, zh: '账号管辖范围与角色不符（承办单位账号须指定单位，其他角色须指定行政区划）', en: 'Account scope does not fit the role (org handlers need an org, other roles a region)' },
  AUTH_ACCOUNT_DISABLED: { status: 403, zh: '账号已停用，请联系管理员', en: 'This account is disabled; ask an administrator' },
  AUTH_SIGN_IN_LOCKED: { status: 429, zh: '登录失败次数过多，已暂时锁定，请稍后再试（details.retryAfterSeconds 秒后）', en: 'Too many failed sign-ins: temporarily locked; try again later (after details.retryAfterSeconds seconds)' },
  AUTH_PASSWORD_WRONG: { status: 403, zh: '当前密码不正确', en: 'The current password is wrong' },
  AUTH_PASSWORD_CHANGE_REQUIRED: { status: 403, zh: '首次登录须先修改初始密码', en: 'Change the initial password before doing anything else' },
  AUTH_CSRF_INVALID: { status: 403, zh: '请求缺少有效的 X-Hcp-Csrf 头（防跨站请求伪造），请刷新页面后重试', en: 'Missing or wrong X-Hcp-Csrf header (cross-site request forgery protection); reload the page and retry' },
  STAFF_ACCOUNT_NOT_FOUND: { status: 404, zh: '工作人员账号不存在', en: 'Staff account not found' },
  INTEGRATOR_APP_NOT_FOUND: { status: 404, zh: '接入应用不存在', en: 'Integrator app not found' },

  // Catalog
  REGION_UNKNOWN: { status: 422, zh: '行政区划代码不存在', en: 'Unknown region code' },
  REGION_CODE_INVALID: { status: 422, zh: '行政区划代码格式错误（应为6位或12位数字）', en: 'Malformed region code (6 or 12 digits)' },
  ORG_UNKNOWN: { status: 422, zh: '部门（单位）不存在', en: 'Unknown org' },
  ORG_DEPT_CODE_INVALID: { status: 422, zh: '统一社会信用代码格式或校验位错误', en: 'Malformed unified social credit code (deptCode) or wrong check character' },
  SERVICE_ITEM_UNKNOWN: { status: 422, zh: '政务服务事项不存在', en: 'Unknown service item (taskCode)' },
  SERVICE_ITEM_TYPE_INVALID: { status: 422, zh: '事项类型代码不在国家标准代码表中', en: 'Service item type not in the national code table' },
  WINDOW_UNKNOWN: { status: 422, zh: '窗口不存在', en: 'Unknown window' },
  STAFF_UNKNOWN: { status: 422, zh: '工作人员不存在', en: 'Unknown staff member' },
  IMPORT_HAS_ERRORS: { status: 422, zh: '导入文件有错误，未导入任何数据', en: 'The import file has errors; nothing was imported' },
  IMPORT_FORMAT_UNKNOWN: { status: 400, zh: '无法识别的导入文件格式（支持 CSV 与 JSON）', en: 'Unrecognised import format (CSV and JSON are supported)' },
  DUPLICATE_KEY: { status: 409, zh: '记录已存在', en: 'The record already exists' },
  CATALOG_FIELD_REQUIRED: { status: 422, zh: '必填字段缺失或为空', en: 'A required field is missing or empty' },
  CATALOG_FIELD_TOO_LONG: { status: 422, zh: '字段内容超过长度上限', en: 'A field is longer than allowed' },
  CATALOG_FIELD_NOT_TEXT: { status: 422, zh: '字段值须为文本', en: 'A field value must be text' },
  CATALOG_FIELD_UNKNOWN: { status: 422, zh: '含有未定义的字段', en: 'Unknown field' },
  CATALOG_CODE_INVALID: { status: 422, zh: '编码只能由字母、数字和 - _ . 组成，不含空格', en: 'A code may contain only letters, digits and - _ ., without spaces' },
  ORG_KIND_INVALID: { status: 422, zh: '部门类型须为 department、hall、center 或 other', en: 'Org kind must be department, hall, center or other' },
  ORG_PARENT_INVALID: { status: 422, zh: '上级部门不能是本部门或其下级部门', en: 'An org cannot be its own parent or sit below one of its descendants' },
  SERVICE_ITEM_REGION_OUTSIDE_ORG: { status: 422, zh: '事项的行政区划须为实施部门所在区划或其下级', en: "The item's region must be the org's region or lie within it" },
  IMPORT_NOT_UTF8: { status: 400, zh: '导入文件不是 UTF-8 编码，请另存为 UTF-8 后重试', en: 'The import file is not UTF-8; save it as UTF-8 and retry' },
  IMPORT_MALFORMED: { status: 400, zh: '导入文件无法解析（CSV 或 JSON 语法错误）', en: 'The import file cannot be parsed (CSV or JSON syntax error)' },
  IMPORT_COLUMNS_INVALID: { status: 422, zh: '导入文件的列名有误（缺少必需列或含未知列）', en: 'The import file has missing or unknown columns' },
  IMPORT_ROW_MALFORMED: { status: 422, zh: '该行的列数与表头不符，或不是对象', en: 'The row has a different number of fields than the header, or is not an object' },
  IMPORT_DUPLICATE_ROW: { status: 422, zh: '同一文件中重复出现相同编码的记录', en: 'The same key appears more than once in the file' },

  // Service cases
  CASE_NOT_FOUND: { status: 404, zh: '办件不存在', en: 'Service case not found' },
  CASE_STAGE_NOT_FOUND: { status: 404, zh: '办件环节不存在', en: 'Case stage not found' },
  CASE_CONFLICT: { status: 409, zh: '办件编号已存在且内容不同', en: 'A case with this projectNo exists with different content' },
  CASE_STATUS_INVALID: { status: 422, zh: '办件状态不合法或不允许回退', en: 'Invalid case status or status moving backwards' },
  CASE_DATES_INVALID: { status: 422, zh: '办件日期不合理（办结早于受理或晚于当前时间）', en: 'Implausible case dates (result before accept, or in the future)' },

  // Evaluation intake
  EVALUATION_LEVEL_INVALID: { status: 422, zh: '评价等级须为1至5', en: 'Level must be 1 to 5' },
  EVALUATION_INDICATOR_REQUIRED: { status: 422, zh: '差评须至少选择一项评价内容', en: 'A bad rating needs at least one indicator' },
  EVALUATION_INDICATOR_INVALID: { status: 422, zh: '评价内容代码不属于该等级或该版本', en: 'Indicator code not valid for this level and version' },
  INDICATOR_VERSION_UNKNOWN: { status: 422, zh: '评价指标版本不存在', en: 'Unknown indicator set version' },
  EVALUATION_STAGE_NOT_COMPLETED: { status: 422, zh: '该办件环节尚未办结，暂不能评价', en: 'The case stage is not completed yet' },
  EVALUATION_WINDOW_CLOSED: { status: 422, zh: '已超过评价期限', en: 'The rating window has closed' },
  EVALUATION_TIME_INVALID: { status: 422, zh: '评价时间不合理（早于办结时间或晚于当前时间）', en: 'Implausible assessment time (before completion or in the future)' },
  EVALUATION_ALREADY_EXISTS: { status: 409, zh: '该办件环节已评价', en: 'This case stage has already been rated' },
  EVALUATION_FOLLOW_UP_WITHOUT_FIRST: { status: 422, zh: '尚无首次评价，不能追评', en: 'A follow-up needs a first evaluation' },
  EVALUATION_CHANNEL_INVALID: { status: 422, zh: '评价渠道代码无效', en: 'Unknown channel code' },
  EVALUATION_DEFAULT_NOT_ALLOWED: { status: 422, zh: '系统默认评价未启用或内容不符合规则', en: 'System default ratings are disabled or malformed' },
  EVALUATION_ANONYMOUS_WITH_IDENTITY: { status: 422, zh: '匿名评价不能携带评价人身份信息', en: 'An anonymous rating must not carry rater identity' },
  EVALUATION_COMMENT_TOO_LONG: { status: 422, zh: '文字评价超过字数限制', en: 'The comment is too long' },
  EVALUATION_NOT_FOUND: { status: 404, zh: '评价记录不存在', en: 'Evaluation not found' },
  IDEMPOTENCY_KEY_REUSED: { status: 409, zh: '同一请求编号已用于内容不同的评价', en: 'This client id was already used for a different evaluation' },
  BATCH_TOO_LARGE: { status: 413, zh: '批量提交条数超过上限', en: 'Too many items in one batch' },
  PII_INVALID: { status: 422, zh: '个人信息格式错误（手机号或证件号）', en: 'Malformed personal information (phone or ID number)' },
  EVALUATION_FLAG_INVALID: { status: 422, zh: '评价标记类型无效', en: 'Unknown evaluation flag kind' },
  EVALUATION_CASE_MISMATCH: { status: 422, zh: '评价所填的行政区划代码或部门编码与登记的办件不符', en: "The evaluation's areaCode or deptCode contradicts its registered case" },
  EVALUATION_APPEAL_NOT_FILED: { status: 409, zh: '该评价没有申诉，不能标记为申诉成立', en: 'No appeal was filed against this evaluation: it cannot be marked as upheld' },
  EVALUATION_APPEAL_DECIDED_ON_TICKET: { status: 409, zh: '申诉须在差评工单上由督查裁决，不能直接标记', en: 'An appeal is decided by a supervisor on its ticket, not by a flag' },

  // Bad-rating tickets
  TICKET_TRANSITION_INVALID: { status: 409, zh: '工单当前状态不允许此操作', en: 'This step is not allowed in the ticket’s current state' },
  TICKET_ACTOR_NOT_ALLOWED: { status: 403, zh: '此角色不能执行该工单操作', en: 'This role may not take this ticket step' },
  TICKET_EXTENSION_INVALID: { status: 422, zh: '延期申请不合规（天数或次数超出规定）', en: 'Invalid extension request (days or count beyond the rules)' },
  TICKET_APPEAL_INVALID: { status: 422, zh: '申诉不合规（每张工单只能申诉一次）', en: 'Invalid appeal (one appeal per ticket)' },
  TICKET_NOT_FOUND: { status: 404, zh: '工单不存在', en: 'Ticket not found' },
  TICKET_CURSOR_INVALID: { status: 400, zh: '翻页游标无效（须原样使用上一页返回的 next，且排序方式不变）', en: 'Invalid page cursor: pass the previous page’s next unchanged, with the same sort' },
  TICKET_RATER_ANONYMOUS: { status: 409, zh: '匿名评价或评价人未留个人信息，无可查看的评价人信息', en: 'The rating is anonymous or left no personal data: there is no rater to reveal' },
  TICKET_CONFLICT: { status: 409, zh: '工单已被他人处理，请刷新后重试', en: 'Someone else acted on this ticket first; reload and retry' },
  RECEIPT_NOT_FOUND: { status: 404, zh: '评价回执编号不存在', en: 'Unknown receipt number' },
  CALLBACK_NOT_OPEN: { status: 409, zh: '现在不能评价整改结果：单位尚未答复，或已经回访过', en: 'The fix cannot be rated now: it has not been answered yet, or it has already been called back' },
  CALLBACK_REPLY_CHANGED: { status: 409, zh: '单位已作出新的答复，请刷新页面阅读后再评价', en: 'The office has given a new answer; reload the page and read it before rating' },
  LINK_INVALID: { status: 404, zh: '链接无效，请核对后重试', en: 'This link is not valid' },
  LINK_EXPIRED: { status: 410, zh: '链接已过期', en: 'This link has expired' },

  // Evidence files of ticket steps (src/evidence/)
  EVIDENCE_TYPE_UNSUPPORTED: { status: 415, zh: '佐证材料只支持 JPEG、PNG 图片和 PDF 文件', en: 'Evidence files may be JPEG or PNG images or PDF documents only' },
  EVIDENCE_TYPE_MISMATCH: { status: 415, zh: '文件内容与声明的类型不符', en: 'The file content does not match the declared content type' },
  EVIDENCE_TOO_LARGE: { status: 413, zh: '佐证材料文件过大', en: 'The evidence file is too large' },
  EVIDENCE_EMPTY: { status: 422, zh: '佐证材料文件为空', en: 'The evidence file is empty' },
  EVIDENCE_FILENAME_INVALID: { status: 422, zh: '文件名编码有误（X-Hcp-Filename 须为百分号编码的 UTF-8）', en: 'Malformed file name (X-Hcp-Filename must be percent-encoded UTF-8)' },
  EVIDENCE_NOT_FOUND: { status: 422, zh: '引用的佐证材料不存在，请先上传', en: 'The evidence file referred to does not exist; upload it first' },
  EVIDENCE_FILE_NOT_FOUND: { status: 404, zh: '佐证材料不存在或无权查看', en: 'Evidence file not found or not visible to you' },
  RATE_LIMITED: { status: 429, zh: '操作过于频繁，请稍后再试', en: 'Too many requests; please try again shortly' },

  // Proving to be the applicant (posters)
  LINK_WITHDRAWN: { status: 410, zh: '此链接取自窗口二维码，未证明评价人是申请人，已停用。请使用回执上的评价码或短信中的评价链接', en: 'This link was taken from a window poster without proof of being the applicant, and has been withdrawn. Use the code on your receipt or the link in your SMS' },
  APPLICANT_CODE_WRONG: { status: 422, zh: '验证码不正确，请核对后重新输入', en: 'The code is not right; check it and type it again' },
  APPLICANT_CODE_EXPIRED: { status: 410, zh: '验证码已过期或已用完尝试次数，请重新获取', en: 'The code has expired or was tried too often; ask for a new one' },
  APPLICANT_CODE_TOO_MANY: { status: 429, zh: '尝试次数过多，请一小时后再试，或使用短信中的评价链接', en: 'Too many tries; try again in an hour, or use the rating link in your SMS' },
  APPLICANT_PHONE_INVALID: { status: 422, zh: '手机号格式不正确', en: 'This mobile number does not look right' },
  // Working-day calendar (src/calendar/)
  CALENDAR_NOTICE_INVALID: { status: 422, zh: '节假日安排通知的内容有误（见 details 中的行号与原因）', en: 'The holiday notice is malformed (see the line and reason in details)' },
  CALENDAR_NOTICE_YEAR_INVALID: { status: 409, zh: '只能录入已知工作日历之后紧接的一年（已录入的年份不能更改）', en: 'Only the year right after the known calendar can be entered (a year entered is final)' },
  CALENDAR_NOTICE_MISSES_STATUTORY: { status: 422, zh: '通知中有法定节假日被列为工作日，请核对日期', en: 'The notice leaves a statutory holiday as a working day: check the dates' },

  // Hotline
  HOTLINE_APP_NOT_ALLOWED: { status: 403, zh: '该接入应用未被配置为短信网关或热线系统（HOTLINE_APP_IDS）', en: 'This app is not configured as an SMS gateway or hotline system (HOTLINE_APP_IDS)' },
  HOTLINE_DIGIT_INVALID: { status: 422, zh: '按键须为1至5（5 非常满意 … 1 非常不满意）', en: 'The key pressed must be 1 to 5 (5 very satisfied … 1 very dissatisfied)' },

  // Kiosk
  KIOSK_DEVICE_AUTH_FAILED: { status: 401, zh: '设备凭证无效或设备已停用，请管理员重新配置', en: 'Unknown device credential or device disabled; an administrator must set it up again' },
  KIOSK_DEVICE_NOT_FOUND: { status: 404, zh: '大厅设备不存在', en: 'Hall device not found' },
  KIOSK_LINK_DEVICE_BOUND: { status: 403, zh: '该评价只能在推送它的大厅设备上进行', en: 'This rating can only be made on the hall device it was pushed to' },
  KIOSK_RATING_TOO_LATE: { status: 410, zh: '评价须在推送后几分钟内作出，本次已超时', en: 'A rating must be made within minutes of the push; this one was made too late' },
  KIOSK_MADE_AT_INVALID: { status: 422, zh: '评价时间不合理（早于推送或晚于当前时间）', en: 'The time the rating was made is impossible (before the push or in the future)' },

  // Scoring, inspections, bulletins
  PERIOD_INVALID: { status: 422, zh: '统计周期格式错误（如 2026-11、2026-Q4、2026-W48、2026、2026-11-01..2026-11-15）', en: 'Malformed period (e.g. 2026-11, 2026-Q4, 2026-W48, 2026, 2026-11-01..2026-11-15)' },
  PERIOD_NOT_ENDED: { status: 409, zh: '该周期尚未结束或未到关账时间，不能关账', en: 'The period has not ended (or its closing delay has not passed); it cannot be closed yet' },
  PERIOD_ALREADY_CLOSED: { status: 409, zh: '该周期已关账发布，结果不可更改', en: 'The period is already closed and published; its figures cannot change' },
  PERIOD_KIND_NOT_CLOSABLE: { status: 422, zh: '只能关账日、周、月、季、年周期', en: 'Only days, weeks, months, quarters and years can be closed' },
  SNAPSHOT_NOT_FOUND: { status: 404, zh: '该周期尚无已发布的统计结果', en: 'No published snapshot for this period' },
  SCHEME_INVALID: { status: 422, zh: '计分方案不合规', en: 'Invalid scoring scheme' },
  SCHEME_EXISTS: { status: 409, zh: '该计分方案版本或生效日期已存在（方案只增不改）', en: 'A scheme with this version or effective date exists (schemes are never edited)' },
  SCHEME_NOT_FOUND: { status: 404, zh: '没有适用于该日期的计分方案', en: 'No scoring scheme in force for this date' },
  UNIT_NOT_FOUND: { status: 404, zh: '统计对象不存在或不在您的权限范围内', en: 'Unit not found or outside your scope' },
  SIGNING_KEY_INVALID: { status: 500, zh: '统计结果签名密钥（SM2）缺失或无效', en: 'The SM2 snapshot signing key is missing or invalid' },
  INSPECTION_TEMPLATE_INVALID: { status: 422, zh: '暗访检查表不合规（须有检查项，分值为正）', en: 'Invalid inspection checklist (it needs items with positive points)' },
  INSPECTION_TEMPLATE_NOT_FOUND: { status: 404, zh: '暗访检查表不存在', en: 'Inspection checklist not found' },
  INSPECTION_INVALID: { status: 422, zh: '暗访记录不合规（检查项须与检查表一致，得分不超过分值）', en: 'Invalid inspection (items must match the checklist; no item above its points)' },
  INSPECTION_NOT_FOUND: { status: 404, zh: '暗访记录不存在', en: 'Inspection not found' },
  BULLETIN_NOT_FOUND: { status: 404, zh: '通报不存在', en: 'Bulletin not found' },
  BULLETIN_EXISTS: { status: 409, zh: '该周期该类对象的通报已发布', en: 'A bulletin for this period and class of units has already been issued' },
  BULLETIN_NEEDS_SNAPSHOTS: { status: 409, zh: '连续周期的统计结果尚未全部关账发布，不能生成通报', en: 'Not all of the consecutive periods are closed and published yet' },
  BULLETIN_RESPONSE_INVALID: { status: 409, zh: '整改反馈状态不允许此操作', en: 'This response step is not allowed in the current state' },

  // Risk review (docs/fraud.md)
  RISK_CASE_NOT_FOUND: { status: 404, zh: '核查记录不存在或不在您的权限范围内', en: 'Review case not found or outside your scope' },
  RISK_REVIEW_SAME_REVIEWER: { status: 409, zh: '同一复核人不能重复确认，须由另一名复核人确认', en: 'You have already voted this way; a second, different reviewer must agree' },
  RISK_REVIEW_NO_CHANGE: { status: 409, zh: '该评价已处于此核查结论', en: 'The rating already stands so' },
  RISK_REVIEW_NOT_ALLOWED: { status: 403, zh: '只有上级监管人员可以核查评价（被核查单位和接入系统不能）', en: 'Only the supervising level may review ratings (never the unit concerned or an integrator)' },
  RISK_REVIEW_VIA_QUEUE: { status: 422, zh: '确认或排除刷评须通过核查队列，由两名复核人确认', en: 'Fraud is confirmed or cleared through the review queue, by two reviewers' },
} as const satisfies Record<string, { status: number; zh: string; en: string }>;

export type ErrorCode = keyof typeof errorCatalogue;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, details?: Record<string, unknown>) {
    super(`${code}: ${errorCatalogue[code].en}`);
    this.code = code;
    this.status = errorCatalogue[code].status;
    this.details = details;
  }
}

export interface ErrorBody {
  code: ErrorCode;
  message: string;
  messageEn: string;
  details?: Record<string, unknown>;
}

export function errorBody(code: ErrorCode, details?: Record<string, unknown>): ErrorBody {
  const entry = errorCatalogue[code];
  return details === undefined
    ? { code, message: entry.zh, messageEn: entry.en }
    : { code, message: entry.zh, messageEn: entry.en, details };
}

/** A coded refusal from a pure rule, before it becomes an HTTP response or a CLI line. */
export interface Refusal {
  code: ErrorCode;
  details?: Record<string, unknown>;
}
