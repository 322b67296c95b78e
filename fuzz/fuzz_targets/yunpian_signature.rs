#![no_main]
//! Yunpian's reply `_sign`: any bytes as a reply's JSON object are verified without a panic;
//! a reply that reads as an object, signed by the signer under one apikey, verifies under a
//! rotation that holds that apikey (at its position) and under no other apikey; and any form
//! body on the replies route with `YUNPIAN_APIKEYS` set is refused or accepted without a
//! panic, never stored unless its `_sign` verifies.
use libfuzzer_sys::fuzz_target;
use sms_relay::config::{Bindings, Config, Secret};
use sms_relay::payload::json_object;
use sms_relay::providers::yunpian::signature::{sign, verify, SignatureError, SIGN};
use sms_relay::providers::{yunpian, Endpoint};

const APIKEY: &str = "yunpian-fuzz-apikey-0123456789ab";

fuzz_target!(|data: &[u8]| {
    let keys = [Secret::new("another-apikey-0123456789".into()), Secret::new(APIKEY.into())];
    if let Ok(fields) = json_object(data) {
        let _ = verify(&fields, &keys);
        let signature = sign(&fields, APIKEY);
        // The same members with the signature added (or replaced) verify.
        let mut members: Vec<String> = fields
            .iter()
            .filter(|(name, _)| *name != SIGN)
            .map(|(name, value)| {
                let value = match value {
                    sms_relay::payload::FieldValue::Json(raw) => raw.to_string(),
                    sms_relay::payload::FieldValue::Text(text) => {
                        serde_json::to_string(text.as_ref()).unwrap_or_default()
                    }
                };
                format!("{}:{value}", serde_json::to_string(name).unwrap_or_default())
            })
            .collect();
        members.push(format!("\"{SIGN}\":\"{signature}\""));
        let signed = format!("{{{}}}", members.join(","));
        if let Ok(signed) = json_object(signed.as_bytes()) {
            assert_eq!(sign(&signed, APIKEY), signature);
            assert_eq!(verify(&signed, &keys), Ok(2));
            assert_eq!(
                verify(&signed, &[Secret::new("not-the-apikey-0123456789".into())]),
                Err(SignatureError::Mismatch)
            );
        }
    }
    let config = Config::from_vars(
        &[
            ("YUNPIAN_TOKEN", "yunpian-token-0123456789"),
            ("YUNPIAN_APIKEYS", APIKEY),
        ],
        Bindings::ALL,
    );
    let ingested = sms_relay::testing::oracle::ingest(
        &config,
        Endpoint::Yunpian(yunpian::Endpoint::Replies),
        "application/x-www-form-urlencoded",
        data,
    );
    if let Some(ingested) = ingested {
        if ingested.reply.status == 401 {
            assert!(ingested.events.is_empty());
        }
    }
});
