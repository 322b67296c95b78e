// TypeScript types for the events sms-relay sends (queue message bodies, KV values, HTTP
// delivery bodies): the same contract as event.schema.json, beside it. e2e/types.test.mjs checks
// that the two name the same fields with the same optionality and nullability, and that events
// the built worker produces type-check against these declarations.
//
//   import type { SmsRelayEvent } from "./schema/event";
//   if (event.type === "com.huaweicloud.sms.status_report" && event.data.delivered) { … }

/** RFC 3339 UTC, e.g. `2018-04-13T06:31:46Z`; a provider's time keeps its fraction as sent. */
export type Timestamp = string;

/** How the push that carried the event was authenticated. */
export type Auth =
  | { scheme: "aksk"; /** The access key that signed the push. */ access_key: string }
  | { scheme: "token" | "none" };

/** Every field the provider sent that is not mapped, verbatim. */
export type Extra = Record<string, unknown>;

/** The CloudEvents attributes every event carries. */
interface EventBase {
  specversion: "1.0";
  /** 32 lower-case hex digits, the same for a duplicate push. */
  id: string;
  source: "urn:huaweicloud:msgsms";
  /** The provider's time, else when the relay received the push. */
  time: Timestamp;
  datacontenttype: "application/json";
}

export interface StatusReportData {
  /** smsMsgId */
  message_id: string;
  /** The raw status code, e.g. `DELIVRD`, `UNDELIV`, `MA:0001`. */
  status: string;
  /** `true` only for `DELIVRD`. */
  delivered: boolean;
  /** statusDesc, else a description of a known code. */
  status_description: string | null;
  report_source: "sms_platform" | "sms_center" | "huawei_platform" | null;
  /** sequence: the part number of a split message, 1 when not split. */
  segment: number;
  /** total: the parts of a split message. */
  segments: number;
  /** to */
  recipient: string | null;
  /** The sender's extend value, echoed back. */
  extend: string | null;
  /** orgCode */
  org_code: string | null;
  /** updateTime */
  updated_at: Timestamp | null;
  received_at: Timestamp;
  auth: Auth;
  extra: Extra;
}

export interface UplinkData {
  /** smsMsgId of the uplink message. */
  message_id: string;
  /** The subscriber's number. */
  from: string;
  /** The channel number or extension that received it. */
  to: string;
  /** The message text. */
  body: string;
  /** createTime */
  created_at: Timestamp | null;
  received_at: Timestamp;
  auth: Auth;
  extra: Extra;
}

export interface UnparsedData {
  /** Error code, optionally `: field`, e.g. `missing_field: smsMsgId`. */
  reason: string;
  endpoint: "reports" | "uplink";
  content_type: string | null;
  /** The input: a whole body, or one batch entry as JSON. */
  body: string;
  body_encoding: "utf8" | "base64";
  received_at: Timestamp;
  auth: Auth;
}

export interface StatusReportEvent extends EventBase {
  type: "com.huaweicloud.sms.status_report";
  /** The message id. */
  subject: string;
  data: StatusReportData;
}

export interface UplinkEvent extends EventBase {
  type: "com.huaweicloud.sms.uplink";
  /** The uplink's message id. */
  subject: string;
  data: UplinkData;
}

export interface UnparsedEvent extends EventBase {
  type: "com.huaweicloud.sms.unparsed";
  data: UnparsedData;
}

/** One event, told apart by `type`. */
export type SmsRelayEvent = StatusReportEvent | UplinkEvent | UnparsedEvent;
