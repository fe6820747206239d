/** Error codes from the hub, in words (zh/en). Never show a raw message or code alone. */
import type { ErrorCode } from "../server/src/contract/index.ts";
import type { Lang, Msg } from "./i18n.ts";

/** What the client itself can fail with, beside the hub's closed list. */
export type ClientErrorCode = ErrorCode | "NETWORK";

const MESSAGES: Record<ClientErrorCode, Msg> = {
  VALIDATION_FAILED: { zh: "填写的内容不正确，请检查后重试", en: "Some input is not valid; please check and try again" },
  NOT_FOUND: { zh: "未找到", en: "Not found" },
  UNKNOWN_MATTER: { zh: "没有这个事项", en: "Unknown service matter" },
  UNKNOWN_QUEUE: { zh: "没有这个队列", en: "Unknown queue" },
  UNKNOWN_COUNTER: { zh: "没有这个窗口", en: "Unknown counter" },
  UNKNOWN_TICKET: { zh: "没有这张号票", en: "Unknown ticket" },
  OUTSIDE_HOURS: { zh: "当前不在该事项的取号时间内", en: "Tickets for this matter are not issued at this time" },
  DAILY_CAP_REACHED: {
    zh: "该事项今日号源已取完，请明天再来或预约",
    en: "Today's tickets for this matter are all taken; please come tomorrow or book",
  },
  DUPLICATE_ID_TICKET: { zh: "此身份证今天已取过该事项的号", en: "This ID card already holds a ticket for this matter today" },
  COUNTER_CLOSED: { zh: "窗口未签到", en: "The counter is not signed in" },
  COUNTER_PAUSED: { zh: "窗口已暂停服务", en: "The counter is paused" },
  COUNTER_NOT_PAUSED: { zh: "窗口未暂停", en: "The counter is not paused" },
  COUNTER_TAKEN: { zh: "该窗口已有其他工作人员签到", en: "Another staff member holds this counter" },
  NO_CURRENT_TICKET: { zh: "当前没有正在办理的号", en: "No current ticket" },
  TICKET_NOT_WAITING: { zh: "该号不在等候中", en: "The ticket is not waiting" },
  TICKET_NOT_CALLABLE: { zh: "该号不能被呼叫", en: "The ticket cannot be called" },
  INVALID_TRANSITION: { zh: "当前状态下不能进行此操作", en: "Not possible in the current state" },
  BOOKING_NOT_FOUND: { zh: "没有找到这个预约码，请核对后重试", en: "No booking with this code: please check it and try again" },
  BOOKING_USED: { zh: "这个预约码已使用过", en: "This booking code has already been used" },
  BOOKING_NOT_TODAY: {
    zh: "这个预约不是今天的，请在预约当天取号",
    en: "This booking is for another day: come on the booked day",
  },
  REACTIVATION_EXPIRED: { zh: "过号已超过可恢复时间，请重新取号", en: "Too late to reactivate; please take a new ticket" },
  QUEUE_NOT_SERVED: { zh: "本窗口不办理该队列", en: "This counter does not serve that queue" },
  ALREADY_RATED: { zh: "已经评价过了，谢谢", en: "Already rated, thank you" },
  UNAUTHENTICATED: { zh: "请先登录（或登录已过期）", en: "Please sign in (or your session expired)" },
  FORBIDDEN: { zh: "没有权限进行此操作", en: "You are not allowed to do this" },
  BAD_CREDENTIALS: { zh: "用户名或密码错误", en: "Wrong username or password" },
  DEVICE_ERROR: { zh: "设备故障", en: "Device error" },
  UNKNOWN_DEVICE: { zh: "没有这个设备", en: "Unknown device" },
  PAYLOAD_TOO_LARGE: { zh: "内容过长", en: "Request too large" },
  INTERNAL: { zh: "系统内部错误，请稍后再试", en: "Internal error; please try again later" },
  DEVICE_PATH_NOT_ALLOWED: {
    zh: "设备路径不允许：只能使用 /dev 下的打印机或串口设备",
    en: "Device path not allowed: only printer or serial devices under /dev",
  },
  // visitor's ticket (issue 7.2, 7.13, 7.17)
  TICKET_KEY_REQUIRED: {
    zh: "请用号票上的二维码打开本页后再操作",
    en: "Open this page from the QR code on your ticket to do this",
  },
  RATE_LIMITED: { zh: "操作过于频繁，请稍后再试", en: "Too many requests; please try again later" },
  TICKET_DAY_CLOSED: {
    zh: "今日已闭厅，号票已失效，请在下一个工作日重新取号",
    en: "The hall has closed for the day; this ticket is no longer valid. Please take a new ticket on the next working day",
  },
  TICKET_ALREADY_CALLED: {
    zh: "本窗口已叫到一位群众，请先开始办理、过号或暂挂",
    en: "This counter already has a called ticket: start, no-show or park it first",
  },
  TOO_MANY_SUBSCRIPTIONS: { zh: "订阅过多，请刷新页面", en: "Too many subscriptions; please reload the page" },
  ORIGIN_REFUSED: { zh: "请求来源不被允许", en: "Requests from this page's origin are not allowed" },
  UNSUPPORTED_ENCODING: { zh: "不支持的请求编码", en: "Unsupported request encoding" },
  UNKNOWN_CASE: {
    zh: "没有找到这个办件，请核对办件编号和手机号（或身份证号）后四位",
    en: "No such case: check the case number and the last four digits of the phone or ID number",
  },
  ILLEGAL_TRANSITION: { zh: "该办件当前状态下不能进行此操作", en: "This case cannot do that in its current status" },
  CASE_CONFLICT: {
    zh: "该办件刚被其他人处理过，请刷新后重试",
    en: "Someone else just changed this case; reload and try again",
  },
  CASE_ALREADY_ACCEPTED: { zh: "这张号票已受理过办件", en: "A case was already accepted from this ticket" },
  MATERIALS_INCOMPLETE: {
    zh: "材料清单与受理结果不符：受理须材料齐全，容缺受理只可缺非必要材料并注明承诺补交日期",
    en: "The checklist does not fit the outcome: accepting needs every material; deferral only for non-essential ones with a promised date",
  },
  UNKNOWN_SITE: { zh: "没有这个受理点", en: "Unknown acceptance site" },
  IDEMPOTENCY_KEY_REUSED: {
    zh: "请求编号已用于其他操作，请刷新页面后重试",
    en: "This request id was used for another request; reload the page and try again",
  },
  UNKNOWN_HELP_CASE: { zh: "没有找到这个帮办件", en: "No such help case" },
  NOT_HELP_OWNER: {
    zh: "首问负责制：只有该帮办件的负责人或主管可以操作",
    en: "First-ask responsibility: only the help case's owner or a supervisor may act on it",
  },
  HELP_CASE_CLOSED: { zh: "该帮办件已办结", en: "This help case is closed" },
  CERTIFICATE_ALREADY_COLLECTED: { zh: "该证照已领取，不能重复领取", en: "This certificate was already collected" },
  ALREADY_MAILED: { zh: "该证照已寄出，不能再领取或重复寄递", en: "This certificate is already in the post" },
  NO_POSTAL_ADDRESS: { zh: "请先填写邮寄地址", en: "Enter the postal address first" },
  COURIER_UNAVAILABLE: { zh: "快递公司暂时无法下单，请稍后重试", en: "The courier is not answering; please try again" },
  NOT_CASE_OWNER: {
    zh: "这张身份证不是该办件的申请人，不能打印",
    en: "This ID card is not the applicant's: the certificate cannot be printed",
  },
  CERTIFICATE_NOT_READY: { zh: "证照尚未制作完成，请稍后再来", en: "The certificate is not ready yet" },
  SELF_PRINT_NOT_ALLOWED: {
    zh: "该事项的证照不支持自助打印，请到统一出证窗口领取",
    en: "This certificate is not printed at terminals: collect it at the certificate window",
  },
  ALREADY_PRINTED: {
    zh: "该证照已自助打印过一次，如需再次打印请到窗口由工作人员办理",
    en: "This certificate was already printed once; a second copy needs a clerk at a window",
  },
  PRINT_IN_PROGRESS: { zh: "该证照正在打印，请稍候", en: "This certificate is being printed; please wait" },
  ID_CARD_EXPIRED: { zh: "身份证读取已失效，请重新放置身份证", en: "The ID card reading expired: place the card again" },
  NO_PRINTER: { zh: "本机未连接打印机，请到窗口办理", en: "This terminal has no printer; please go to a window" },
  PRINTER_OFFLINE: {
    zh: "打印机离线，未打印。请稍后重试或联系工作人员",
    en: "The printer is offline: nothing was printed. Try again later or ask staff",
  },
  PRINTER_OUT_OF_PAPER: {
    zh: "打印机缺纸，未打印。请联系工作人员加纸后重试",
    en: "The printer is out of paper: nothing was printed. Ask staff to refill it, then retry",
  },
  PRINTER_JAMMED: {
    zh: "打印机卡纸，本次打印未完成（不计次数）。请联系工作人员处理后重试",
    en: "Paper jam: the print did not finish and does not count. Ask staff to clear it, then retry",
  },
  PRINTER_FAILED: {
    zh: "打印失败（不计次数），请稍后重试或联系工作人员",
    en: "Printing failed (it does not count); try again or ask staff",
  },
  NETWORK: { zh: "无法连接服务器，请稍后再试", en: "Cannot reach the server; please try again" },
  DEFERRED_AFTER_DUE: {
    zh: "容缺材料的承诺补交日期晚于办结期限：请约定不晚于办结期限的日期，或不予受理并一次性告知",
    en: "A deferred material is promised after the case's due date: agree a date no later than the due date, or refuse with the one-time notice",
  },
  NOT_SELF_PRINTED: {
    zh: "该证照尚未自助打印，无需补打：请在窗口直接发放",
    en: "This certificate was never self-printed, so there is no copy to reprint: hand it over at the window",
  },
  PAYMENT_AMOUNT_MISMATCH: {
    zh: "金额与该事项的收费标准不符，未扣款",
    en: "The amount is not this matter's fee; nothing was charged",
  },
  NO_FEE_DUE: { zh: "该办件无需缴费", en: "There is no fee to pay for this case" },
  FEE_ALREADY_PAID: { zh: "该办件已缴费，无需重复缴纳", en: "This fee is paid already" },
  PAYMENT_IN_PROGRESS: {
    zh: "该办件正在缴费，请在手机上确认或稍候",
    en: "A payment of this case is under way; confirm it on your phone or wait",
  },
  PAYMENT_CODE_USED: {
    zh: "该付款码已使用，请刷新付款码后重新扫描",
    en: "This payment code was used already; refresh it on your phone and scan again",
  },
  PAYMENT_CODE_EXPIRED: { zh: "付款码已失效，请重新扫描", en: "The payment code expired; scan it again" },
  PAYMENT_METHOD_UNAVAILABLE: {
    zh: "此终端暂不支持该支付方式，请联系工作人员",
    en: "This way of paying is not available here; please ask staff",
  },
  UNKNOWN_ORDER: { zh: "找不到该缴费订单", en: "No such payment order" },
  ORDER_NOT_PAID: { zh: "该订单未支付或正在退款，不能退款", en: "This order is not paid (or a refund is under way)" },
  REFUND_EXCEEDS_PAYMENT: { zh: "退款金额超过可退金额", en: "The refund is more than what is left of the payment" },
  UNKNOWN_ALARM: { zh: "该告警已解除", en: "This alarm has cleared" },
  ADVICE_STALE: { zh: "窗口业务已有变化，请重新计算建议", en: "The counters have changed since; get the advice again" },
  CATALOGUE_CONFLICT: {
    zh: "事项目录刚被其他管理员修改过，已重新载入，请再改一次",
    en: "Another admin changed the catalogue meanwhile; it was reloaded, please make your change again",
  },
  UNKNOWN_FOLLOWUP: { zh: "找不到该差评整改事项", en: "No such bad-rating follow-up" },
  FOLLOWUP_CLOSED: { zh: "该差评整改已办结", en: "This follow-up is closed already" },
  CATALOGUE_FILE_TOO_LARGE: {
    zh: "文件解压后过大（超过 64 MB 或 1000 个部件），不是事项目录表格",
    en: "The file unpacks to too much (over 64 MB or 1,000 parts): it is not a catalogue workbook",
  },
};

/** The visitor- or clerk-facing sentence for an error code; unknown codes get the INTERNAL text. */
export function errorMessage(code: string, lang: Lang): string {
  const m = (MESSAGES as Record<string, Msg | undefined>)[code] ?? MESSAGES.INTERNAL;
  return m[lang];
}
