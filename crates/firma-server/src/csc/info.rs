//! `info` (CSC API v2.0 section 11.1, v1.0.4 section 11.1): the service, its methods and what it
//! can sign. Needs no authentication.

use serde_json::{Value, json};

use super::{Version, algorithms};

/// `authType`: the bearer tokens are issued outside the CSC API (`firma principals create`),
/// which the specification calls `external`.
const AUTH_TYPES: [&str; 1] = ["external"];

/// The methods mounted for `version`.
pub fn methods(version: Version) -> Vec<&'static str> {
    let mut methods = vec![
        "info",
        "credentials/list",
        "credentials/info",
        "credentials/sendOTP",
        "credentials/authorize",
        "signatures/signHash",
    ];
    if version == Version::V2 {
        methods.push("signatures/signDoc");
    }
    methods
}

/// The `info` answer. `timestamps`: whether a time-stamping authority is configured (B-T).
pub fn info(version: Version, timestamps: bool) -> Value {
    let specs = match version {
        Version::V1 => "1.0.4.0",
        Version::V2 => "2.0.0.2",
    };
    let mut levels = vec!["Ades-B-B"];
    if timestamps {
        levels.push("Ades-B-T");
    }
    let mut body = json!({
        "specs": specs,
        "name": "firma-remota",
        "logo": "",
        "region": "IT",
        "lang": "en-US",
        "description": "Remote qualified signature for ANSC civil-registry officers (SCAL2, OTP by SMS or token)",
        "authType": AUTH_TYPES,
        "methods": methods(version),
    });
    if version == Version::V2 {
        body["signAlgorithms"] = json!({ "algos": algorithms::ALL });
        // Not a field of the specification: the digests that can be authorised and signed.
        body["hashAlgorithms"] = json!({ "algos": [algorithms::SHA256] });
        body["signature_formats"] = json!({
            "formats": ["C", "P"],
            "envelope_properties": [["Attached", "Detached"], ["Revision"]],
        });
        body["conformance_levels"] = json!(levels);
        body["asynchronousOperationMode"] = json!(false);
    }
    body
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn versions_describe_their_methods() {
        let v1 = info(Version::V1, true);
        assert_eq!(v1["specs"], "1.0.4.0");
        assert!(v1.get("signAlgorithms").is_none());
        assert!(!methods(Version::V1).contains(&"signatures/signDoc"));
        let v2 = info(Version::V2, false);
        assert_eq!(v2["region"], "IT");
        assert!(
            v2["methods"]
                .as_array()
                .unwrap()
                .contains(&json!("signatures/signDoc"))
        );
        assert_eq!(v2["conformance_levels"], json!(["Ades-B-B"]));
        assert_eq!(
            info(Version::V2, true)["conformance_levels"],
            json!(["Ades-B-B", "Ades-B-T"])
        );
    }
}
