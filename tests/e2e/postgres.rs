//! The same service on a real PostgreSQL server (production's database).

use firma_testkit::{AppOptions, TestApp};
use serde_json::Value;
use sqlx::Connection;

use crate::FIRMA;

fn postgres() -> AppOptions {
    AppOptions {
        postgres: true,
        ..Default::default()
    }
}

#[tokio::test]
async fn ready_on_postgres() {
    let app = TestApp::spawn(FIRMA, postgres()).await;
    let body: Value = reqwest::get(app.url("/health/ready"))
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(body["status"], "ready", "{body}");
    assert_eq!(body["checks"]["database"]["detail"], "postgres");
    // The service really uses this database: sqlx recorded its migrations table there.
    let mut conn = sqlx::PgConnection::connect(app.database.url())
        .await
        .unwrap();
    let (n,): (i64,) = sqlx::query_as(
        "SELECT count(*) FROM information_schema.tables WHERE table_name = '_sqlx_migrations'",
    )
    .fetch_one(&mut conn)
    .await
    .unwrap();
    assert_eq!(n, 1);
}

#[tokio::test]
async fn not_ready_when_the_database_goes_away_and_says_which_check_failed() {
    let app = TestApp::spawn(FIRMA, postgres()).await;
    let url = app.database.url().to_owned();
    let name = url.rsplit('/').next().unwrap().to_owned();
    let admin = std::env::var("FIRMA_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let mut conn = sqlx::PgConnection::connect(&admin).await.unwrap();
    sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
        "DROP DATABASE {name} WITH (FORCE)"
    )))
    .execute(&mut conn)
    .await
    .unwrap();
    let r = reqwest::get(app.url("/health/ready")).await.unwrap();
    assert_eq!(r.status(), 503);
    let body: Value = r.json().await.unwrap();
    assert_eq!(body["status"], "not_ready");
    assert_eq!(body["checks"]["database"]["status"], "down", "{body}");
    assert_eq!(body["checks"]["hsm"]["status"], "up", "{body}");
    // Liveness is unaffected: the process is fine, its dependency is not.
    assert_eq!(
        reqwest::get(app.url("/health/live"))
            .await
            .unwrap()
            .status(),
        200
    );
}
