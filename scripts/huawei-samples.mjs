// The sample callbacks from Huawei's documentation (spec §1.1–1.3), used by `make send-sample`
// and the end-to-end tests.
export const FORM = "application/x-www-form-urlencoded";
export const JSON_UTF8 = "application/JSON;charset=UTF-8";

/** The docs' status report example body, byte for byte. */
export const STATUS_REPORT =
  "sequence=1&total=1&orgCode=000&updateTime=2018-04-13T06%3A31%3A46Z&source=2&smsMsgId=b9d9b4fe-ad0e-4a2a-a2c7-445505b674ac_6&status=DELIVRD";

/** A batch as the docs describe it: every value a JSON string, updateTime in both spellings. */
export const BATCH = JSON.stringify({
  statusReportList: [
    { smsMsgId: "b9d9b4fe-ad0e-4a2a-a2c7-445505b674ac_7", total: "1", sequence: "1", status: "DELIVRD", source: "2", updateTime: "2018-04-13T06:31:46Z", orgCode: "000" },
    { smsMsgId: "b9d9b4fe-ad0e-4a2a-a2c7-445505b674ac_8", total: "2", sequence: "2", status: "UNDELIV", statusDesc: "user is busy", source: "2", updateTime: "2018-04-13T06%3A31%3A47Z", extend: "order-42", to: "+8615500000000" },
    { smsMsgId: "b9d9b4fe-ad0e-4a2a-a2c7-445505b674ac_9", status: "EXPIRED", source: "1", newField: "kept" },
  ],
});

/** The docs' uplink example, with a real body and number in place of the masked ones. */
export const UPLINK = "from=%2B8615500000000&to=201804131431201234&body=%E4%BD%A0%E5%A5%BD+TD&smsMsgId=9692b5be-c427-4525-8e73-cf4a6ac5b3f7";
