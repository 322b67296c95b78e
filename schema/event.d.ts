// TypeScript types for the events sms-relay sends (queue message bodies, KV values, HTTP
// delivery bodies): the same contract as event.schema.json, beside it. e2e/types.test.mjs checks
// that the two name the same fields with the same optionality and nullability, and that events
// the built worker produces type-check against these declarations.
//
//   import type { SmsRelayEvent } from "./schema/event";
//   if (event.type === "io.github.sms-relay.status_report" && event.data.final) {
//     if (event.data.state === "delivered") { … } else { … event.data.error_code … }
//   }
//   if (event.provider === "twilio") { … }

/** RFC 3339 UTC, e.g. `2018-04-13T06:31:46Z`; a provider's time keeps its fraction as sent. */
export type Timestamp = string;

/** How the push that carried the event was authenticated. */
export type Auth =
  | {
      scheme: "aksk";
      /** The access key (Vonage: the API key) that signed the push. */
      access_key: string;
      /** Which HUAWEI_PUSH_KEYS (or VONAGE_SIGNATURE_SECRETS) entry (1-based) signed it: two share an access key while its secret is rotated. */
      key_index: number;
    }
  | {
      scheme: "signature";
      /** Which entry (1-based) of TWILIO_AUTH_TOKENS, YUNPIAN_APIKEYS, SINCH_WEBHOOK_SECRETS, TELNYX_PUBLIC_KEYS or PLIVO_AUTH_TOKENS signed it. */
      token_index: number;
    }
  | { scheme: "token" | "none" };

/** The provider that sent the event. */
export type Provider = "huawei" | "alibaba" | "tencent" | "twilio" | "volcengine" | "yunpian" | "sinch" | "telnyx" | "plivo" | "vonage";

/** Every field the provider sent that is not mapped, verbatim. */
export type Extra = Record<string, unknown>;

/**
 * Where a message is, whichever vendor reported it (docs/delivery-states.md): `accepted` (the
 * vendor has it), `sent` (handed to the carrier), `delivered`, `failed`, `expired`, `read`, or
 * `unknown` (the vendor cannot tell, or sent a value no mapping knows).
 */
export type DeliveryState = "accepted" | "sent" | "delivered" | "failed" | "expired" | "read" | "unknown";

/** The CloudEvents attributes every event carries. */
interface EventBase {
  specversion: "1.0";
  /** 32 lower-case hex digits, the same for a duplicate push. */
  id: string;
  /** A URN per provider. */
  source:
    | "urn:huaweicloud:msgsms"
    | "urn:alibabacloud:dysms"
    | "urn:tencentcloud:sms"
    | "urn:twilio:messaging"
    | "urn:volcengine:sms"
    | "urn:yunpian:sms"
    | "urn:sinch:sms"
    | "urn:telnyx:messaging"
    | "urn:plivo:messaging"
    | "urn:vonage:sms";
  /** The provider's time, else when the relay received the push. */
  time: Timestamp;
  datacontenttype: "application/json";
  /** CloudEvents extension attribute: which provider sent it. */
  provider: Provider;
}

export interface StatusReportData {
  /** smsMsgId (Huawei), biz_id (Alibaba), sid (Tencent), MessageSid (Twilio), MessageUUID (Plivo), messageId or message_uuid (Vonage). */
  message_id: string;
  /** The raw status code, e.g. `DELIVRD` (Huawei, Tencent), `DELIVERED` (Alibaba), `delivered` (Twilio). */
  status: string;
  /** The status in the one model every vendor maps onto. */
  state: DeliveryState;
  /** True when the outcome is settled: nothing follows for this recipient and part, but a read receipt after `delivered`. */
  final: boolean;
  /** The vendor's error or status code, verbatim (status, err_code, errmsg, ErrorCode); null when there is none. */
  error_code: string | null;
  /** `state` is `delivered` or `read`. */
  delivered: boolean;
  /** statusDesc, err_msg or description; null for Twilio. */
  status_description: string | null;
  /** Huawei's `source`; null for other providers. */
  report_source: "sms_platform" | "sms_center" | "huawei_platform" | null;
  /** The part number of a split message (Huawei: 1 when not split); null where not given. */
  segment: number | null;
  /** The parts of a split message; null where not given. */
  segments: number | null;
  /** to, phone_number, +nationcode+mobile, To. */
  recipient: string | null;
  /** The sender's own reference echoed back: extend, out_id or ext. */
  extend: string | null;
  /** Huawei's orgCode; null for other providers. */
  org_code: string | null;
  /** When the status was reached; null where the vendor gives no usable time (Twilio). */
  updated_at: Timestamp | null;
  /** When the vendor sent it to the carrier, where it says (Alibaba's send_time / SendDate). */
  sent_at: Timestamp | null;
  received_at: Timestamp;
  auth: Auth;
  extra: Extra;
}

export interface UplinkData {
  /** The provider's id of the message; null for Tencent, which gives none. */
  message_id: string | null;
  /** The subscriber's number. */
  from: string;
  /** The number or extension that received it; null when not given. */
  to: string | null;
  /** The message text. */
  body: string;
  /** When it was sent; null when the provider does not say (Twilio). */
  created_at: Timestamp | null;
  received_at: Timestamp;
  auth: Auth;
  extra: Extra;
}

export interface UnparsedData {
  /** Error code, optionally `: field`, e.g. `missing_field: smsMsgId`. */
  reason: string;
  endpoint: "reports" | "uplink" | "replies" | "status" | "inbound" | "callbacks" | "webhooks";
  content_type: string | null;
  /** The input: a whole body, or one batch entry as JSON. */
  body: string;
  body_encoding: "utf8" | "base64";
  /** Present when the input was too large for one event: this is piece `part` (1-based) of `parts`. */
  part?: number;
  parts?: number;
  /** Hex SHA-256 of the whole input, which the pieces' decoded bodies make joined in order. */
  whole_sha256?: string;
  received_at: Timestamp;
  auth: Auth;
}

export interface StatusReportEvent extends EventBase {
  type: "io.github.sms-relay.status_report";
  /** The message id. */
  subject: string;
  data: StatusReportData;
}

export interface UplinkEvent extends EventBase {
  type: "io.github.sms-relay.uplink";
  /** The uplink's message id, when it has one. */
  subject?: string;
  data: UplinkData;
}

export interface UnparsedEvent extends EventBase {
  type: "io.github.sms-relay.unparsed";
  data: UnparsedData;
}

/** One event, told apart by `type`. */
export type SmsRelayEvent = StatusReportEvent | UplinkEvent | UnparsedEvent;
