//! From the XML tree to key packages (RFC 6030 section 4), secrets decrypted and MAC-checked.

use crate::pskc::error::{KeyLocation, PskcError};
use crate::pskc::values::Protection;
use crate::pskc::xml::Element;
use crate::seed::Seed;

/// A parsed `KeyContainer`.
#[derive(Debug)]
pub struct PskcContainer {
    /// `KeyContainer/@Id`.
    pub id: Option<String>,
    /// `EncryptionKey/ds:KeyName`: the name of the pre-shared key the vendor used.
    pub key_name: Option<String>,
    /// The key packages in file order.
    pub packages: Vec<PskcKeyPackage>,
}

/// `AlgorithmParameters/ResponseFormat` (RFC 6030 section 4.3.4).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResponseFormat {
    /// `@Length`: number of digits or characters.
    pub length: u32,
    /// `@Encoding`: `DECIMAL`, `HEXADECIMAL`, `ALPHANUMERIC`, `BASE64` or `BINARY`.
    pub encoding: Option<String>,
}

/// One `KeyPackage` with its `DeviceInfo` and `Key` (RFC 6030 sections 4.3 and 4.3.1), values
/// already decoded, MAC-checked and decrypted.
#[derive(Debug)]
pub struct PskcKeyPackage {
    /// Position, `Key/@Id` and `DeviceInfo/SerialNo`.
    pub location: KeyLocation,
    /// `DeviceInfo/Manufacturer`.
    pub manufacturer: Option<String>,
    /// `Key/@Algorithm` (a URI such as `urn:ietf:params:xml:ns:keyprov:pskc:hotp`).
    pub algorithm: Option<String>,
    /// `Key/Issuer`.
    pub issuer: Option<String>,
    /// `AlgorithmParameters/Suite` (for HOTP/TOTP: the hash, e.g. `HMAC-SHA256`).
    pub suite: Option<String>,
    /// `AlgorithmParameters/ResponseFormat`.
    pub response_format: Option<ResponseFormat>,
    /// `Data/Secret`.
    pub secret: Option<Seed>,
    /// `Data/Counter` (HOTP).
    pub counter: Option<u64>,
    /// `Data/Time` (TOTP: time or number of intervals, algorithm dependent).
    pub time: Option<u64>,
    /// `Data/TimeInterval` in seconds (TOTP).
    pub time_interval: Option<u64>,
    /// `Data/TimeDrift` in intervals (TOTP).
    pub time_drift: Option<i64>,
}

pub(crate) fn read_container(
    root: &Element,
    psk: Option<&[u8]>,
) -> Result<PskcContainer, PskcError> {
    if root.name != "KeyContainer" {
        return Err(PskcError::NotKeyContainer {
            found: root.name.chars().take(64).collect(),
        });
    }
    if let Some(version) = root.attr("Version").filter(|v| v.trim() != "1.0") {
        return Err(PskcError::UnsupportedVersion {
            version: version.chars().take(32).collect(),
        });
    }
    let mut protection = Protection::new(root, psk);
    let mut packages = Vec::new();
    for (index, package) in root.children_named("KeyPackage").enumerate() {
        packages.push(read_package(package, index + 1, &mut protection)?);
    }
    if packages.is_empty() {
        return Err(PskcError::NoKeys);
    }
    Ok(PskcContainer {
        id: root.attr("Id").map(str::to_owned),
        key_name: protection.key_name().map(str::to_owned),
        packages,
    })
}

fn text_of(element: Option<&Element>) -> Option<String> {
    element
        .map(|e| e.trimmed_text().to_owned())
        .filter(|t| !t.is_empty())
}

fn read_package(
    package: &Element,
    number: usize,
    protection: &mut Protection<'_>,
) -> Result<PskcKeyPackage, PskcError> {
    let device = package.child("DeviceInfo");
    let mut keys = package.children_named("Key");
    let key = keys.next();
    let location = KeyLocation {
        package: number,
        key_id: key
            .and_then(|k| k.attr("Id"))
            .map(|id| id.trim().chars().take(128).collect()),
        serial: text_of(device.and_then(|d| d.child("SerialNo"))),
    };
    let Some(key) = key else {
        return Err(PskcError::MissingElement {
            location,
            element: "Key",
        });
    };
    if keys.next().is_some() {
        return Err(PskcError::InvalidValue {
            location,
            element: "Key",
            reason: "a KeyPackage holds at most one Key (RFC 6030 section 4)".into(),
        });
    }
    let parameters = key.child("AlgorithmParameters");
    let response_format = match parameters.and_then(|p| p.child("ResponseFormat")) {
        None => None,
        Some(format) => {
            let length = format
                .attr("Length")
                .and_then(|l| l.trim().parse::<u32>().ok())
                .ok_or_else(|| PskcError::InvalidValue {
                    location: location.clone(),
                    element: "ResponseFormat",
                    reason: "the Length attribute is missing or not a number".into(),
                })?;
            Some(ResponseFormat {
                length,
                encoding: format.attr("Encoding").map(|e| e.trim().to_owned()),
            })
        }
    };
    let data = key.child("Data");
    let value = |name: &str| data.and_then(|d| d.child(name));
    let secret = match value("Secret") {
        Some(secret) => {
            let mut bytes = protection.bytes(secret, &location, "Secret")?;
            Some(Seed::new(std::mem::take(&mut *bytes)))
        }
        None => None,
    };
    let counter = match value("Counter") {
        Some(v) => Some(protection.unsigned(v, &location, "Counter")?),
        None => None,
    };
    let time = match value("Time") {
        Some(v) => Some(protection.unsigned(v, &location, "Time")?),
        None => None,
    };
    let time_interval = match value("TimeInterval") {
        Some(v) => Some(protection.unsigned(v, &location, "TimeInterval")?),
        None => None,
    };
    let time_drift = match value("TimeDrift") {
        Some(v) => Some(protection.signed(v, &location, "TimeDrift")?),
        None => None,
    };
    Ok(PskcKeyPackage {
        manufacturer: text_of(device.and_then(|d| d.child("Manufacturer"))),
        algorithm: key.attr("Algorithm").map(|a| a.trim().to_owned()),
        issuer: text_of(key.child("Issuer")),
        suite: text_of(parameters.and_then(|p| p.child("Suite"))),
        response_format,
        secret,
        counter,
        time,
        time_interval,
        time_drift,
        location,
    })
}
