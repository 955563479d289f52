//! The baseline `scripts/load.sh` measures Intake against: axum answering "Hello, world!" on the
//! same tokio runtime, with no database, templates or middleware.
//!
//! `cargo run --release --example hello -- 127.0.0.1:8089`

use axum::{Router, routing::get};

#[tokio::main]
async fn main() -> std::io::Result<()> {
    let addr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:8089".to_owned());
    let app = Router::new().route("/", get(|| async { "Hello, world!" }));
    let listener = tokio::net::TcpListener::bind(&addr).await?;
    axum::serve(listener, app).await
}
