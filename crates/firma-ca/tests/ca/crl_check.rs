//! `check_crl`, the relying-party side of CRLs used by the B-LT collector (RFC 5280 section
//! 6.3.3): the issuer's signature, freshness and the serial lookup, on CRLs built by the CA.

use firma_ca::{RevocationReason, RevokedEntry, build_crl, build_root_crl, check_crl};
use firma_core::KeySpec;
use firma_testkit::token_test;
use time::Duration;

use crate::revocation_support::*;
use crate::support::*;

token_test!(fn crls_are_checked_as_a_relying_party_does(token) {
    let hsm = connect(token);
    let (material, ca) = create_ca(&hsm, KeySpec::EcP256);
    let good = issue_officer_at(&hsm, &ca, KeySpec::EcP256, NOW);
    let revoked = issue_officer_at(&hsm, &ca, KeySpec::EcP256, NOW);
    let revoked_at = NOW + Duration::minutes(10);
    let entries = [RevokedEntry::new(&revoked.serial, revoked_at, RevocationReason::KeyCompromise)];
    let this_update = NOW + Duration::minutes(30);
    let crl = build_crl(&ca, &entries, this_update, this_update + Duration::days(1), 3).unwrap();
    let issuing = &material.issuing_certificate;
    let at = this_update + Duration::hours(1);

    let checked = check_crl(&crl, &good.der, issuing, at).unwrap();
    assert_eq!(checked.revoked_at, None);
    assert_eq!(checked.this_update, this_update);
    let checked = check_crl(&crl, &revoked.der, issuing, at).unwrap();
    assert_eq!(checked.revoked_at, Some(revoked_at));

    // Expired, not yet issued, tampered with, or from another issuer: refused.
    let late = check_crl(&crl, &good.der, issuing, at + Duration::days(2)).unwrap_err();
    assert!(late.to_string().contains("expired"), "{late}");
    let early = check_crl(&crl, &good.der, issuing, NOW).unwrap_err();
    assert!(early.to_string().contains("future"), "{early}");
    let mut tampered = crl.clone();
    let last = tampered.len() - 1;
    tampered[last] ^= 1;
    assert!(check_crl(&tampered, &good.der, issuing, at).is_err());
    let root_crl = build_root_crl(&ca, &[], this_update, this_update + Duration::days(1), 1).unwrap();
    let other = check_crl(&root_crl, &good.der, issuing, at).unwrap_err();
    assert!(other.to_string().contains("issuer"), "{other}");
    // The root's CRL does apply to the issuing CA certificate.
    let checked = check_crl(&root_crl, issuing, &material.root_certificate, at).unwrap();
    assert_eq!(checked.revoked_at, None);
});
