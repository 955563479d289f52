//! Static files: compiled into the binary, served under content-hashed names with a year's
//! caching, and compressed once at start-up (brotli, gzip) for the clients that accept it.
//!
//! A file's name carries the first 16 hex digits of its SHA-256, so a changed file is a new URL
//! and a browser may keep each one forever (`immutable`). The plain names (`/static/app.css`)
//! and names with any other hash answer 404, so no stale copy can be served or cached. Pages name
//! files only through [`app_css`], [`htmx_js`] and [`preview_js`].
//!
//! Only these files are compressed, never pages: a page holds a CSRF token next to what the
//! patient typed, and compressing the two together is what BREACH measures.

use std::{io::Write, sync::LazyLock};

use axum::{
    Router,
    body::Body,
    extract::Path,
    http::{HeaderMap, HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
    routing::get,
};
use ring::digest;

use super::{AppState, Error};

/// Subresource integrity of the vendored htmx, as recorded in `static/vendor/README.md`. Pages
/// carry this pinned value, not one computed from the bytes, so a changed file that was not
/// recorded fails the unit test below rather than ship.
const HTMX_INTEGRITY: &str =
    "sha384-2OatzQy1H+Zd/IIrjr1TcuDGqLXeHhbooAyJY1KdQMKnr4LZ22k31GBLdYKHmVjg";

/// What a hashed asset may be cached for: a year, never revalidated.
const IMMUTABLE: &str = "public, max-age=31536000, immutable";

/// A file as it is in the source tree.
struct Source {
    /// The name under `/static/` before the hash, e.g. `vendor/htmx-2.0.11`.
    stem: &'static str,
    /// The extension the hash goes before, e.g. `min.js`.
    extension: &'static str,
    content_type: &'static str,
    bytes: &'static [u8],
}

/// The files, in the order of [`Name`].
const SOURCES: [Source; 7] = [
    Source {
        stem: "app",
        extension: "css",
        content_type: "text/css; charset=utf-8",
        bytes: include_bytes!("../../static/app.css"),
    },
    Source {
        stem: "preview",
        extension: "js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../../static/preview.js"),
    },
    Source {
        stem: "live",
        extension: "js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../../static/live.js"),
    },
    Source {
        stem: "vendor/htmx-2.0.11",
        extension: "min.js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../../static/vendor/htmx-2.0.11.min.js"),
    },
    Source {
        stem: "copy",
        extension: "js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../../static/copy.js"),
    },
    Source {
        stem: "select",
        extension: "js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../../static/select.js"),
    },
    Source {
        stem: "media",
        extension: "js",
        content_type: "text/javascript; charset=utf-8",
        bytes: include_bytes!("../../static/media.js"),
    },
];

/// Which file, as an index into [`SOURCES`].
#[derive(Debug, Clone, Copy)]
enum Name {
    AppCss = 0,
    PreviewJs = 1,
    LiveJs = 2,
    Htmx = 3,
    CopyJs = 4,
    SelectJs = 5,
    MediaJs = 6,
}

/// One file as served.
#[derive(Debug)]
struct Asset {
    /// The path under `/static/`, hash included.
    path: String,
    /// `/static/` and the path.
    url: String,
    /// The hash, which is also the entity tag (one per encoding).
    hash: String,
    content_type: &'static str,
    identity: Vec<u8>,
    gzip: Vec<u8>,
    brotli: Vec<u8>,
}

static ASSETS: LazyLock<Vec<Asset>> = LazyLock::new(|| SOURCES.iter().map(Asset::new).collect());

impl Asset {
    fn new(source: &Source) -> Self {
        let bytes = without_comments(source);
        let sha256 = digest::digest(&digest::SHA256, &bytes);
        let hash = data_encoding::HEXLOWER.encode(&sha256.as_ref()[..8]);
        let path = format!("{}.{hash}.{}", source.stem, source.extension);
        Self {
            url: format!("/static/{path}"),
            path,
            hash,
            content_type: source.content_type,
            gzip: gzip(&bytes),
            brotli: brotli(&bytes),
            identity: bytes,
        }
    }
}

/// Our own stylesheet and scripts as served: their comments are for the people who read the
/// source, not for every patient's first visit (they cost about 700 bytes of its 30 KB). CSS
/// loses its `/* … */` comments, JavaScript its whole-line `//` comments (a code line never
/// starts with `//`, so no string is touched); the vendored htmx is served as pinned, since its
/// integrity hash covers its bytes.
fn without_comments(source: &Source) -> Vec<u8> {
    let Ok(text) = std::str::from_utf8(source.bytes) else {
        return source.bytes.to_vec();
    };
    let kept = match source.extension {
        "css" => {
            let mut kept = String::with_capacity(text.len());
            let mut rest = text;
            while let Some(start) = rest.find("/*") {
                kept.push_str(&rest[..start]);
                rest = rest[start..]
                    .find("*/")
                    .map_or("", |end| &rest[start + end + 2..]);
            }
            kept.push_str(rest);
            kept
        }
        "js" if !source.stem.starts_with("vendor/") => text
            .lines()
            .filter(|line| !line.trim_start().starts_with("//"))
            .map(|line| format!("{line}\n"))
            .collect(),
        _ => return source.bytes.to_vec(),
    };
    kept.lines()
        .filter(|line| !line.trim().is_empty())
        .map(|line| format!("{line}\n"))
        .collect::<String>()
        .into_bytes()
}

/// gzip at the best ratio. Writing to a `Vec` cannot fail.
fn gzip(bytes: &[u8]) -> Vec<u8> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    drop(encoder.write_all(bytes));
    encoder.finish().unwrap_or_default()
}

/// Brotli at the best ratio (quality 11), with a window just large enough for the file: the
/// encoder's tables grow with the window, and a 4 MiB one took tens of megabytes a file that
/// the allocator then kept, for no better ratio on files of a few kilobytes. Writing to a `Vec`
/// cannot fail.
fn brotli(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    {
        // Brotli's windows run from 2^10 to 2^24 bytes, less 16.
        let window = (bytes.len() + 16)
            .next_power_of_two()
            .trailing_zeros()
            .clamp(10, 22);
        let mut encoder = brotli::CompressorWriter::new(&mut out, 4096, 11, window);
        drop(encoder.write_all(bytes));
    }
    out
}

fn url(name: Name) -> &'static str {
    ASSETS
        .get(name as usize)
        .map_or("/static/missing", |asset| asset.url.as_str())
}

/// The stylesheet's URL.
pub fn app_css() -> &'static str {
    url(Name::AppCss)
}

/// The vendored htmx's URL.
pub fn htmx_js() -> &'static str {
    url(Name::Htmx)
}

/// The `integrity` attribute of the htmx script tag.
pub fn htmx_integrity() -> &'static str {
    HTMX_INTEGRITY
}

/// The patient pages' script that keeps what was typed during a live save.
pub fn live_js() -> &'static str {
    url(Name::LiveJs)
}

/// The form preview's reload script's URL.
pub fn preview_js() -> &'static str {
    url(Name::PreviewJs)
}

/// The copy button of a link shown to staff.
pub fn copy_js() -> &'static str {
    url(Name::CopyJs)
}

/// The review queue's "check all on this page" box.
pub fn select_js() -> &'static str {
    url(Name::SelectJs)
}

/// Photos scaled down on the device before upload, and drawn signatures: loaded only by the
/// pages that ask for one, so a first visit does not carry it.
pub fn media_js() -> &'static str {
    url(Name::MediaJs)
}

/// `GET /static/{path}`, for hashed names only. Hashing and compressing happen here, once, so
/// the first request does not pay for them.
pub fn router() -> Router<AppState> {
    LazyLock::force(&ASSETS);
    Router::new().route("/static/{*path}", get(asset))
}

async fn asset(Path(path): Path<String>, request: HeaderMap) -> Result<Response, Error> {
    let asset = ASSETS
        .iter()
        .find(|asset| asset.path == path)
        .ok_or(Error::NotFound)?;
    let (encoding, body, etag) = match preferred_encoding(&request) {
        Encoding::Brotli => (
            Some("br"),
            &asset.brotli[..],
            format!("\"{}.br\"", asset.hash),
        ),
        Encoding::Gzip => (
            Some("gzip"),
            &asset.gzip[..],
            format!("\"{}.gz\"", asset.hash),
        ),
        Encoding::Identity => (
            None,
            asset.identity.as_slice(),
            format!("\"{}\"", asset.hash),
        ),
    };
    let mut headers = HeaderMap::new();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(asset.content_type),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static(IMMUTABLE));
    headers.insert(header::VARY, HeaderValue::from_static("accept-encoding"));
    if let Ok(value) = HeaderValue::from_str(&etag) {
        headers.insert(header::ETAG, value);
    }
    if let Some(encoding) = encoding {
        headers.insert(header::CONTENT_ENCODING, HeaderValue::from_static(encoding));
    }
    if not_modified(&request, &etag) {
        return Ok((StatusCode::NOT_MODIFIED, headers).into_response());
    }
    Ok((headers, Body::from(axum::body::Bytes::from_static(body))).into_response())
}

/// Whether `If-None-Match` names this representation (weak comparison, as RFC 9110 asks).
fn not_modified(request: &HeaderMap, etag: &str) -> bool {
    request
        .get_all(header::IF_NONE_MATCH)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .map(|tag| tag.trim().trim_start_matches("W/"))
        .any(|tag| tag == "*" || tag == etag)
}

/// How a response body is encoded.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Encoding {
    Brotli,
    Gzip,
    Identity,
}

/// The smallest encoding the client accepts (`Accept-Encoding`, with its `q` weights and `*`).
fn preferred_encoding(request: &HeaderMap) -> Encoding {
    let offered: Vec<(String, f32)> = request
        .get_all(header::ACCEPT_ENCODING)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(','))
        .filter_map(|item| {
            let mut parts = item.split(';');
            let coding = parts.next()?.trim().to_ascii_lowercase();
            let q = parts
                .filter_map(|p| p.trim().strip_prefix("q="))
                .find_map(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            (!coding.is_empty()).then_some((coding, q))
        })
        .collect();
    let accepts = |coding: &str| {
        offered
            .iter()
            .find(|(c, _)| c == coding)
            .or_else(|| offered.iter().find(|(c, _)| c == "*"))
            .is_some_and(|(_, q)| *q > 0.0)
    };
    if accepts("br") {
        Encoding::Brotli
    } else if accepts("gzip") || accepts("x-gzip") {
        Encoding::Gzip
    } else {
        Encoding::Identity
    }
}

#[cfg(test)]
mod tests {
    use base64::Engine;

    use super::*;

    fn accepting(value: &str) -> Encoding {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::ACCEPT_ENCODING,
            HeaderValue::from_str(value).unwrap(),
        );
        preferred_encoding(&headers)
    }

    #[test]
    fn the_smallest_accepted_encoding_wins() {
        for (header, expected) in [
            ("gzip, deflate, br, zstd", Encoding::Brotli),
            ("gzip, br", Encoding::Brotli),
            ("br;q=0, gzip", Encoding::Gzip),
            ("gzip", Encoding::Gzip),
            ("GZIP;q=0.5", Encoding::Gzip),
            ("*", Encoding::Brotli),
            ("*;q=0", Encoding::Identity),
            ("identity", Encoding::Identity),
            ("", Encoding::Identity),
        ] {
            assert_eq!(accepting(header), expected, "Accept-Encoding: {header}");
        }
        assert_eq!(preferred_encoding(&HeaderMap::new()), Encoding::Identity);
    }

    #[test]
    fn the_pinned_integrity_is_the_sha384_of_the_vendored_htmx() {
        let sha384 = digest::digest(&digest::SHA384, SOURCES[Name::Htmx as usize].bytes);
        let computed = format!(
            "sha384-{}",
            base64::engine::general_purpose::STANDARD.encode(sha384.as_ref())
        );
        assert_eq!(
            computed, HTMX_INTEGRITY,
            "update static/vendor/README.md too"
        );
    }

    #[test]
    fn names_carry_sixteen_hex_digits_of_the_content_hash_before_the_extension() {
        assert!(htmx_js().starts_with("/static/vendor/htmx-2.0.11."));
        assert!(htmx_js().ends_with(".min.js"));
        let hash = htmx_js()
            .trim_start_matches("/static/vendor/htmx-2.0.11.")
            .trim_end_matches(".min.js");
        assert_eq!(hash.len(), 16);
        assert!(hash.bytes().all(|b| b.is_ascii_hexdigit()));
        assert!(app_css().starts_with("/static/app.") && app_css().ends_with(".css"));
        assert!(preview_js().starts_with("/static/preview.") && preview_js().ends_with(".js"));
        assert!(live_js().starts_with("/static/live.") && live_js().ends_with(".js"));
    }

    #[test]
    fn our_files_are_served_without_comments_and_htmx_as_pinned() {
        for (source, asset) in SOURCES.iter().zip(ASSETS.iter()) {
            let served = std::str::from_utf8(&asset.identity).unwrap();
            if source.stem.starts_with("vendor/") {
                assert_eq!(asset.identity, source.bytes, "{}", asset.path);
                continue;
            }
            assert!(
                !served.contains("/*") || source.extension == "js",
                "{}",
                asset.path
            );
            assert!(
                served
                    .lines()
                    .all(|line| !line.trim_start().starts_with("//")),
                "{}",
                asset.path
            );
            assert!(
                served.len() < source.bytes.len(),
                "{} lost nothing",
                asset.path
            );
        }
    }

    #[test]
    fn compressed_copies_decode_to_the_original_bytes() {
        for asset in ASSETS.iter() {
            let mut gunzipped = Vec::new();
            std::io::Read::read_to_end(
                &mut flate2::read::GzDecoder::new(&asset.gzip[..]),
                &mut gunzipped,
            )
            .unwrap();
            assert_eq!(gunzipped, asset.identity, "{} (gzip)", asset.path);
            let mut unbrotlied = Vec::new();
            brotli::BrotliDecompress(&mut &asset.brotli[..], &mut unbrotlied).unwrap();
            assert_eq!(unbrotlied, asset.identity, "{} (br)", asset.path);
        }
    }
}
