//! Static files and page weight: hashed names cached for a year, compressed for the browsers that
//! accept it, and a first visit that stays light, with no web fonts and nothing from elsewhere.

use std::io::Read;

use base64::Engine;

use crate::helpers::{TestApp, location, open_link};

/// What a current browser sends.
const BROWSER_ENCODINGS: &str = "gzip, br";

/// A page or file as the browser received it.
struct Fetched {
    url: String,
    /// The body as it crossed the wire (compressed when the server compressed it).
    wire: Vec<u8>,
    /// The response's status line and headers, as HTTP/1.1 would send them.
    header_bytes: usize,
    headers: reqwest::header::HeaderMap,
}

impl Fetched {
    /// The body decoded from whatever `Content-Encoding` the server chose.
    fn decoded(&self) -> Vec<u8> {
        let mut out = Vec::new();
        match self
            .headers
            .get("content-encoding")
            .map(|v| v.to_str().unwrap())
        {
            Some("br") => brotli::BrotliDecompress(&mut &self.wire[..], &mut out).unwrap(),
            Some("gzip") => {
                flate2::read::GzDecoder::new(&self.wire[..])
                    .read_to_end(&mut out)
                    .unwrap();
            }
            None => out.clone_from(&self.wire),
            Some(other) => panic!("{}: unexpected encoding {other}", self.url),
        }
        out
    }

    fn text(&self) -> String {
        String::from_utf8(self.decoded()).unwrap()
    }

    fn transferred(&self) -> usize {
        self.header_bytes + self.wire.len()
    }
}

async fn fetch(browser: &reqwest::Client, url: &str, accept_encoding: &str) -> Fetched {
    let response = browser
        .get(url)
        .header("accept-encoding", accept_encoding)
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200, "{url}");
    let status_line = format!("HTTP/1.1 {}\r\n", response.status()).len();
    let header_bytes = status_line
        + response
            .headers()
            .iter()
            .map(|(name, value)| name.as_str().len() + 2 + value.len() + 2)
            .sum::<usize>()
        + 2;
    let headers = response.headers().clone();
    Fetched {
        url: url.to_owned(),
        wire: response.bytes().await.unwrap().to_vec(),
        header_bytes,
        headers,
    }
}

/// The values of `attribute="…"` in a page.
fn attribute_values(html: &str, attribute: &str) -> Vec<String> {
    let pattern = regex_lite::Regex::new(&format!(r#"\s{attribute}="([^"]*)""#)).unwrap();
    pattern
        .captures_iter(html)
        .map(|c| c[1].to_owned())
        .collect()
}

/// The `url(…)` references in a stylesheet.
fn css_urls(css: &str) -> Vec<String> {
    let pattern = regex_lite::Regex::new(r#"url\(\s*['"]?([^'")]*)"#).unwrap();
    pattern
        .captures_iter(css)
        .map(|c| c[1].to_owned())
        .collect()
}

/// Whether a reference stays on this origin (a path, not `https:`, not `//host`).
fn same_origin(reference: &str) -> bool {
    let scheme = reference
        .split_once(':')
        .is_some_and(|(before, _)| !before.contains(['/', '?', '#']));
    (!scheme || reference.starts_with("data:")) && !reference.starts_with("//")
}

/// The stylesheet and script URLs a page loads.
fn asset_urls(html: &str) -> Vec<String> {
    let stylesheets = regex_lite::Regex::new(r#"<link[^>]*\shref="([^"]*)""#).unwrap();
    let scripts = regex_lite::Regex::new(r#"<script[^>]*\ssrc="([^"]*)""#).unwrap();
    stylesheets
        .captures_iter(html)
        .chain(scripts.captures_iter(html))
        .map(|c| c[1].to_owned())
        .collect()
}

#[tokio::test]
async fn assets_have_hashed_names_a_years_caching_and_their_plain_names_are_gone() {
    let app = TestApp::spawn().await;
    let browser = app.browser();
    let login = crate::helpers::page(&browser, &app.url("/staff/login")).await;
    let assets = asset_urls(&login);
    assert_eq!(assets.len(), 2, "a stylesheet and htmx: {login}");
    let hashed = regex_lite::Regex::new(
        r"^/static/(app\.[0-9a-f]{16}\.css|vendor/htmx-2\.0\.11\.[0-9a-f]{16}\.min\.js)$",
    )
    .unwrap();
    for url in &assets {
        assert!(hashed.is_match(url), "{url} is a content-hashed name");
        let response = browser.get(app.url(url)).send().await.unwrap();
        assert_eq!(response.status(), 200, "{url}");
        assert_eq!(
            response.headers()["cache-control"],
            "public, max-age=31536000, immutable"
        );
        assert_eq!(response.headers()["vary"], "accept-encoding");
        let etag = response.headers()["etag"].clone();
        let again = browser
            .get(app.url(url))
            .header("if-none-match", etag)
            .send()
            .await
            .unwrap();
        assert_eq!(again.status(), 304, "{url} is not sent twice");
    }
    for stale in [
        "/static/app.css",
        "/static/vendor/htmx-2.0.11.min.js",
        "/static/preview.js",
        "/static/app.0123456789abcdef.css",
    ] {
        let response = browser.get(app.url(stale)).send().await.unwrap();
        assert_eq!(response.status(), 404, "{stale} is not served");
        assert_eq!(response.headers()["cache-control"], "no-store", "{stale}");
    }
    app.stop().await;
}

#[tokio::test]
async fn assets_come_compressed_as_the_browser_accepts_and_htmx_matches_its_integrity() {
    let app = TestApp::spawn().await;
    let browser = app.browser();
    let login = crate::helpers::page(&browser, &app.url("/staff/login")).await;
    let htmx = asset_urls(&login)
        .into_iter()
        .find(|url| url.contains("htmx"))
        .unwrap();
    let mut decoded = Vec::new();
    for (accepted, encoding) in [
        ("gzip, deflate, br, zstd", Some("br")),
        ("gzip", Some("gzip")),
        ("identity", None),
    ] {
        let fetched = fetch(&browser, &app.url(&htmx), accepted).await;
        assert_eq!(
            fetched
                .headers
                .get("content-encoding")
                .map(|v| v.to_str().unwrap()),
            encoding,
            "Accept-Encoding: {accepted}"
        );
        decoded.push(fetched.decoded());
    }
    assert!(decoded.iter().all(|body| *body == decoded[2]));
    let sha384 = ring::digest::digest(&ring::digest::SHA384, &decoded[2]);
    let integrity = format!(
        "sha384-{}",
        base64::engine::general_purpose::STANDARD.encode(sha384.as_ref())
    );
    assert!(
        login.contains(&format!("src=\"{htmx}\" integrity=\"{integrity}\"")),
        "the script tag's integrity is the served file's: {login}"
    );
    app.stop().await;
}

#[tokio::test]
#[expect(
    clippy::print_stdout,
    reason = "the measured weights are the test's report (`-- --nocapture` shows them)"
)]
async fn the_first_pages_of_an_intake_weigh_under_30_kb_with_no_fonts_and_nothing_from_elsewhere() {
    let app = TestApp::spawn().await;
    let link = app.invite("MRN-1002").await;
    let (browser, token) = open_link(&app, &link).await;
    let verify = fetch(&browser, &app.url("/intake"), BROWSER_ENCODINGS).await;
    let verified = browser
        .post(app.url("/intake/verify"))
        .form(&[("csrf", token.as_str()), ("birth_date", "1984-09-30")])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&verified), "/intake/page/0");
    let first_page = fetch(&browser, &app.url("/intake/page/0"), BROWSER_ENCODINGS).await;
    assert!(first_page.text().contains("name=\"a.reason\""));

    // The second page loads the same files, which the browser already holds.
    let mut assets = asset_urls(&verify.text());
    assert_eq!(assets, asset_urls(&first_page.text()), "the same files");
    assets.dedup();
    let mut fetched = Vec::new();
    for url in &assets {
        fetched.push(fetch(&browser, &app.url(url), BROWSER_ENCODINGS).await);
    }

    for page in [&verify, &first_page] {
        let html = page.text();
        for attribute in ["src", "href", "action", "srcset", "poster"] {
            for reference in attribute_values(&html, attribute) {
                assert!(same_origin(&reference), "{}: {reference}", page.url);
            }
        }
        assert!(!html.contains("@font-face") && !html.contains("as=\"font\""));
    }
    for asset in &fetched {
        assert!(
            asset.headers.contains_key("content-encoding"),
            "{} is compressed",
            asset.url
        );
        let text = asset.text();
        if asset.url.ends_with(".css") {
            assert!(!text.contains("@font-face"), "no web fonts");
            assert!(!text.contains("@import"), "no further stylesheets");
            for reference in css_urls(&text) {
                assert!(same_origin(&reference), "{}: url({reference})", asset.url);
            }
        }
        for font in [".woff", ".woff2", ".ttf", ".otf", ".eot"] {
            assert!(!asset.url.ends_with(font), "{} is a font", asset.url);
        }
    }

    let mut total = 0;
    println!("first visit, as a browser accepting `{BROWSER_ENCODINGS}` receives it:");
    for item in [&verify, &first_page].into_iter().chain(&fetched) {
        let encoding = item
            .headers
            .get("content-encoding")
            .map_or("none", |v| v.to_str().unwrap());
        println!(
            "  {:>6} B  = {:>6} B body ({encoding}, {:>6} B decoded) + {:>4} B headers  {}",
            item.transferred(),
            item.wire.len(),
            item.decoded().len(),
            item.header_bytes,
            item.url.trim_start_matches(&app.base),
        );
        total += item.transferred();
    }
    println!("  {total:>6} B  in total");
    assert!(total < 30_000, "the first pages weigh {total} bytes");
    app.stop().await;
}
