//! SIGTERM stops the service cleanly.

use std::time::Duration;

use firma_testkit::{AppOptions, TestApp};

use crate::FIRMA;

#[tokio::test(flavor = "multi_thread")]
async fn sigterm_stops_the_service_cleanly() {
    let mut app = TestApp::spawn(FIRMA, AppOptions::default()).await;
    assert_eq!(
        reqwest::get(app.url("/health/live"))
            .await
            .unwrap()
            .status(),
        200
    );
    let status = tokio::task::block_in_place(|| app.terminate(Duration::from_secs(10)))
        .expect("the service exits within 10 s of SIGTERM");
    assert!(status.success(), "{status}");
    let logs = app.logs();
    assert!(
        logs.contains("shutting down") && logs.contains("shutdown complete"),
        "{logs}"
    );
    assert!(
        reqwest::get(app.url("/health/live")).await.is_err(),
        "nothing listens any more"
    );
}
