//! Headers every response carries, and the refusal of writes from other sites.

use axum::{
    extract::Request,
    http::{HeaderMap, HeaderName, HeaderValue, Method, header},
    middleware::Next,
    response::{IntoResponse, Response},
};
use tower_http::set_header::SetResponseHeaderLayer;

use super::Error;

/// No inline script or style, nothing from other origins, no framing, no referrer.
const CONTENT_SECURITY_POLICY: &str = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; \
     connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// One year, the least HSTS preload lists accept.
const STRICT_TRANSPORT_SECURITY: &str = "max-age=31536000; includeSubDomains";

/// `Clear-Site-Data`, sent on sign-out.
pub const CLEAR_SITE_DATA: HeaderName = HeaderName::from_static("clear-site-data");

/// What sign-out clears in the browser: this site's cookies, cache and storage.
pub fn clear_site_data() -> HeaderValue {
    HeaderValue::from_static("\"cache\", \"cookies\", \"storage\"")
}

/// The security headers, each set unless a handler chose its own (assets set their caching).
/// With `https` (the public URL), also HSTS. They sit outside every other layer, so early
/// answers (413 for a body over the limit, 408 for a request too slow) carry them too.
pub fn header_layers(https: bool) -> Vec<SetResponseHeaderLayer<HeaderValue>> {
    let set = |name: HeaderName, value: &'static str| {
        SetResponseHeaderLayer::if_not_present(name, HeaderValue::from_static(value))
    };
    let mut layers = vec![
        set(header::CONTENT_SECURITY_POLICY, CONTENT_SECURITY_POLICY),
        set(header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        set(header::REFERRER_POLICY, "no-referrer"),
        set(header::X_FRAME_OPTIONS, "DENY"),
        // Pages hold health data: never cache them anywhere.
        set(header::CACHE_CONTROL, "no-store"),
    ];
    if https {
        layers.push(set(
            header::STRICT_TRANSPORT_SECURITY,
            STRICT_TRANSPORT_SECURITY,
        ));
    }
    layers
}

/// Refuses any write a browser says comes from another site (`Sec-Fetch-Site`, or an `Origin`
/// that is not this host), before any handler runs. CSRF tokens are the second line.
pub async fn reject_cross_site_writes(request: Request, next: Next) -> Response {
    let safe = matches!(
        *request.method(),
        Method::GET | Method::HEAD | Method::OPTIONS
    );
    if !safe && is_cross_site(request.headers()) {
        return Error::Forgery.into_response();
    }
    next.run(request).await
}

/// A browser that sends `Sec-Fetch-Site` says where a request comes from, and that is the
/// answer: only this site's own pages (`same-origin`) or the person themselves (`none`) may
/// write. `Origin` decides only for browsers without it, because Chromium sends `Origin: null`
/// on every plain form post from a page with `Referrer-Policy: no-referrer`, as ours are: the
/// pages without JavaScript would otherwise be refused at every step.
/// <https://fetch.spec.whatwg.org/#serializing-a-request-origin>
fn is_cross_site(headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site") {
        return !(site == "same-origin" || site == "none");
    }
    let Some(origin) = headers.get(header::ORIGIN).and_then(|v| v.to_str().ok()) else {
        return false;
    };
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let origin_host = origin.split_once("://").map_or(origin, |(_, rest)| rest);
    origin == "null" || origin_host != host
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        pairs
            .iter()
            .map(|(name, value)| {
                (
                    HeaderName::from_static(name),
                    HeaderValue::from_static(value),
                )
            })
            .collect()
    }

    #[test]
    fn writes_are_refused_unless_the_browser_says_they_come_from_this_site() {
        let host = ("host", "intake.example:8080");
        let cases: [(&[(&str, &str)], bool); 10] = [
            // A plain form post from our own page under `no-referrer`, as Chromium sends it.
            (
                &[host, ("sec-fetch-site", "same-origin"), ("origin", "null")],
                false,
            ),
            (
                &[
                    host,
                    ("sec-fetch-site", "same-origin"),
                    ("origin", "http://intake.example:8080"),
                ],
                false,
            ),
            (&[host, ("sec-fetch-site", "none")], false),
            (
                &[
                    host,
                    ("sec-fetch-site", "cross-site"),
                    ("origin", "http://intake.example:8080"),
                ],
                true,
            ),
            (
                &[
                    host,
                    ("sec-fetch-site", "same-site"),
                    ("origin", "http://other.intake.example"),
                ],
                true,
            ),
            // Browsers without Fetch Metadata: the Origin decides.
            (&[host, ("origin", "http://intake.example:8080")], false),
            (&[host, ("origin", "https://evil.example")], true),
            (&[host, ("origin", "null")], true),
            // Not a browser (scripts, the tests' HTTP client): the CSRF token decides.
            (&[host], false),
            (&[], false),
        ];
        for (pairs, refused) in cases {
            assert_eq!(is_cross_site(&headers(pairs)), refused, "{pairs:?}");
        }
    }
}
