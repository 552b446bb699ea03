//! `firma hsm ...`: token administration.

use std::time::Instant;

use anyhow::{Context, bail};
use firma_core::{KeyPurpose, KeyRef, KeySpec, KeyStore, PublicKeyDer, SignatureAlgorithm};
use sha2::Digest;

use crate::config::Settings;

/// `firma hsm info`: which token, which module.
pub async fn info(settings: Settings) -> anyhow::Result<()> {
    let hsm = super::connect_hsm(&settings).await?;
    let t = hsm.blocking(|h| h.token_info()).await?;
    println!("module        {}", t.module.display());
    println!("token         {}", t.label);
    println!("manufacturer  {}", t.manufacturer);
    println!("model         {}", t.model);
    println!("serial        {}", t.serial);
    println!("sessions      {}", t.sessions);
    Ok(())
}

/// `firma hsm init`: make sure the key-encryption key exists (connecting creates it too).
pub async fn init(settings: Settings) -> anyhow::Result<()> {
    let label = settings.hsm.kek_label.clone();
    let hsm = super::connect_hsm(&settings).await?;
    let l = label.clone();
    hsm.blocking(move |h| h.ensure_kek(&l)).await?;
    println!("key-encryption key {label:?} present on the token");
    Ok(())
}

/// `firma hsm selftest`: for each key type, generate an officer key in the token, sign
/// `signatures` digests, verify each signature outside the HSM (RustCrypto), and report rates.
pub async fn selftest(settings: Settings, signatures: usize) -> anyhow::Result<()> {
    let hsm = super::connect_hsm(&settings).await?;
    println!(
        "{:<9} {:<8} {:>6} {:>12} {:>10}",
        "key", "storage", "blob", "sign/s", "verified"
    );
    for spec in KeySpec::ALL {
        let line = hsm
            .blocking(move |h| Ok(selftest_one(h, spec, signatures)))
            .await?
            .with_context(|| format!("self-test of {spec} keys"))?;
        println!("{line}");
    }
    Ok(())
}

fn selftest_one(hsm: &firma_hsm::Hsm, spec: KeySpec, n: usize) -> anyhow::Result<String> {
    let generated = hsm.generate(spec, KeyPurpose::Officer)?;
    let (storage, blob) = match &generated.key {
        KeyRef::Wrapped { blob, .. } => ("wrapped", blob.len().to_string()),
        KeyRef::Token { .. } => ("token", "-".to_owned()),
    };
    let algorithm = spec.default_algorithm();
    let key = hsm.activate(&generated.key)?;
    let messages: Vec<Vec<u8>> = (0..n.max(1))
        .map(|i| format!("firma-remota self-test {spec} {i}").into_bytes())
        .collect();
    let started = Instant::now();
    let mut sigs = Vec::with_capacity(messages.len());
    for m in &messages {
        sigs.push(key.sign_digest(algorithm, &sha2::Sha256::digest(m))?);
    }
    let rate = messages.len() as f64 / started.elapsed().as_secs_f64();
    drop(key);
    for (m, s) in messages.iter().zip(&sigs) {
        verify(&generated.public_key, algorithm, m, s)?;
    }
    // A wrapped key disappears with its blob; a token key (HSM that cannot wrap) is destroyed.
    if let KeyRef::Token { .. } = generated.key {
        hsm.destroy(&generated.key)?;
    }
    Ok(format!(
        "{:<9} {:<8} {:>6} {:>12.0} {:>10}",
        spec.name(),
        storage,
        blob,
        rate,
        format!("{}/{}", sigs.len(), messages.len())
    ))
}

/// Verification with RustCrypto, independent of the HSM's implementation.
fn verify(
    public_key: &PublicKeyDer,
    algorithm: SignatureAlgorithm,
    message: &[u8],
    signature: &[u8],
) -> anyhow::Result<()> {
    use p256::pkcs8::DecodePublicKey;
    use rsa::signature::Verifier;
    let ok = match algorithm {
        SignatureAlgorithm::Ecdsa(firma_core::HashAlgorithm::Sha256) => {
            let key = p256::ecdsa::VerifyingKey::from_public_key_der(public_key.as_bytes())?;
            let sig = p256::ecdsa::Signature::from_der(signature)?;
            key.verify(message, &sig).is_ok()
        }
        SignatureAlgorithm::RsaPkcs1v15(firma_core::HashAlgorithm::Sha256) => {
            let key = rsa::RsaPublicKey::from_public_key_der(public_key.as_bytes())?;
            let key = rsa::pkcs1v15::VerifyingKey::<sha2::Sha256>::new(key);
            let sig = rsa::pkcs1v15::Signature::try_from(signature)?;
            key.verify(message, &sig).is_ok()
        }
        other => bail!("the self-test does not verify {other:?}"),
    };
    if !ok {
        bail!("a {algorithm:?} signature from the HSM does not verify");
    }
    Ok(())
}
