//! The 0008 migration on a database made before it, on SQLite (a table rebuild) and Postgres.

use intake::{domain::StaffRole, store::Store};
use uuid::Uuid;

use crate::{
    helpers::{Backend, fresh_database},
    store_accounts::new_user,
};

/// A database made before accounts (migrations up to 0007) with a front-desk user and a session.
async fn database_before_accounts(url: &str, dir: &std::path::Path) {
    let old = dir.join("old-migrations");
    std::fs::create_dir_all(&old).unwrap();
    let backend = if url.starts_with("sqlite:") {
        "sqlite"
    } else {
        "postgres"
    };
    let source = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("migrations")
        .join(backend);
    for entry in std::fs::read_dir(source).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        if name.as_str() < "0008" {
            std::fs::copy(&path, old.join(&name)).unwrap();
        }
    }
    let migrator = sqlx::migrate::Migrator::new(old.as_path()).await.unwrap();
    let insert_user = "INSERT INTO staff_users (id, username, display_name, role, password_hash, created_at) \
                       VALUES ($1, 'desk', 'Desk', 'front_desk', 'hash', 1)";
    let insert_session = "INSERT INTO staff_sessions (token_hash, user_id, csrf_token, created_at, last_seen_at) \
                          VALUES ('t', $1, 'c', 1, 1)";
    let id = Uuid::now_v7();
    if backend == "sqlite" {
        let options = sqlx::sqlite::SqliteConnectOptions::new()
            .filename(url.trim_start_matches("sqlite:"))
            .create_if_missing(true)
            .foreign_keys(true);
        let pool = sqlx::SqlitePool::connect_with(options).await.unwrap();
        migrator.run(&pool).await.unwrap();
        sqlx::query(insert_user)
            .bind(id)
            .execute(&pool)
            .await
            .unwrap();
        sqlx::query(insert_session)
            .bind(id)
            .execute(&pool)
            .await
            .unwrap();
        pool.close().await;
    } else {
        let pool = sqlx::PgPool::connect(url).await.unwrap();
        migrator.run(&pool).await.unwrap();
        sqlx::query(insert_user)
            .bind(id)
            .execute(&pool)
            .await
            .unwrap();
        sqlx::query(insert_session)
            .bind(id)
            .execute(&pool)
            .await
            .unwrap();
        pool.close().await;
    }
}

async fn an_upgrade_keeps_every_account_and_allows_admins(backend: Backend) {
    let dir = tempfile::tempdir().unwrap();
    let url = fresh_database(backend, dir.path()).await;
    database_before_accounts(&url, dir.path()).await;
    let store = Store::connect(&url).await.expect("migrates to accounts");
    let desk = store.find_staff_user("desk").await.unwrap().unwrap();
    assert_eq!(desk.role, StaffRole::FrontDesk);
    assert!(!desk.must_change_password && desk.disabled_at.is_none() && !desk.totp_enrolled);
    new_user(&store, "ada", StaffRole::Admin).await;
    assert_eq!(
        store.find_staff_user("ada").await.unwrap().unwrap().role,
        StaffRole::Admin
    );
}

mod an_upgrade_keeps_every_account_and_allows_admins {
    use super::*;
    #[tokio::test]
    async fn on_sqlite() {
        super::an_upgrade_keeps_every_account_and_allows_admins(Backend::Sqlite).await
    }
    #[tokio::test]
    async fn on_postgres() {
        super::an_upgrade_keeps_every_account_and_allows_admins(Backend::Postgres).await
    }
}
