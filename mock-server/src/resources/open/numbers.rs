//! Numbers (`GET /numbers`): the phone numbers ilert calls and texts from, so that users can
//! allow them. The document marks the operation public (`security: []`), so it answers without
//! a token, the same list for everyone. The mock's numbers are fictional, from the ranges set
//! aside for drama (US 555-01xx, UK 020 7946 0xxx).

use serde_json::{Value, json};

/// One number: country, number, whether it takes SMS replies, and what it is used for.
const NUMBERS: &[(&str, &str, bool, &[&str])] = &[
    ("US", "+12025550143", true, &["SMS", "VOICE"]),
    ("US", "+12025550178", false, &["VOICE"]),
    ("GB", "+442079460321", true, &["SMS", "VOICE"]),
    ("GB", "+442079460958", false, &["SMS"]),
];

/// The list, as `OutboundNumber`s.
pub fn list() -> Value {
    NUMBERS
        .iter()
        .map(|(country, number, inbound_sms, types)| {
            json!({"countryCode": country, "phoneNumber": number, "supportsInboundSms": inbound_sms, "types": types})
        })
        .collect()
}
