//! Many tokio tasks signing at once through the pool: every signature correct, no deadlock.

use std::sync::Arc;

use firma_core::{ActiveKey, KeyPurpose, KeySpec, KeyStore};

use crate::support::{connect, sha256, verify};

firma_testkit::token_test!(async fn many_tasks_sign_concurrently(token) {
    let hsm = connect(token);
    let mut tasks = Vec::new();
    for spec in [KeySpec::EcP256, KeySpec::Rsa2048] {
        let generated = hsm.generate(spec, KeyPurpose::Officer).unwrap();
        let key: Arc<dyn ActiveKey> = Arc::from(hsm.activate(&generated.key).unwrap());
        let public_key = Arc::new(generated.public_key);
        // More tasks than sessions (4): callers wait for a free session.
        for i in 0..48 {
            let key = key.clone();
            let public_key = public_key.clone();
            tasks.push(tokio::spawn({
                let hsm = hsm.clone();
                async move {
                    let msg = format!("atto {spec} {i}");
                    let alg = spec.default_algorithm();
                    let digest = sha256(msg.as_bytes());
                    let sig = hsm
                        .blocking(move |_| key.sign_digest(alg, &digest))
                        .await
                        .unwrap();
                    verify(&public_key, alg, msg.as_bytes(), &sig);
                }
            }));
        }
    }
    for t in tasks {
        t.await.unwrap();
    }
    // The runtime stayed responsive and the pool is intact: a health check still passes.
    let health = hsm.blocking(|h| h.health()).await.unwrap();
    assert!(health.kek_present);
});
