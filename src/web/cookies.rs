//! Session cookies: `HttpOnly`, `SameSite`, and with an https public URL `Secure` and the
//! `__Host-` prefix (which pins them to this host and path `/`).

use axum::http::{HeaderMap, HeaderValue, header};

/// The cookies Intake sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cookie {
    /// A patient's session (after the invitation link).
    Patient,
    /// A staff member's session.
    Staff,
    /// The sign-in form's CSRF token.
    SignInCsrf,
    /// The language a patient chose for the pages (not a secret).
    Language,
}

impl Cookie {
    fn base_name(self) -> &'static str {
        match self {
            Self::Patient => "intake-patient",
            Self::Staff => "intake-staff",
            Self::SignInCsrf => "intake-signin",
            Self::Language => "intake-lang",
        }
    }

    /// Patients arrive from a link in a text message, so their cookie must survive that
    /// top-level navigation (`Lax`); staff cookies never need to (`Strict`).
    fn same_site(self) -> &'static str {
        match self {
            Self::Patient | Self::Language => "Lax",
            Self::Staff | Self::SignInCsrf => "Strict",
        }
    }
}

/// How cookies are written on this deployment.
#[derive(Debug, Clone, Copy)]
pub struct CookiePolicy {
    /// `Secure` and `__Host-` (true behind https).
    pub secure: bool,
}

impl CookiePolicy {
    /// The cookie's name on this deployment.
    pub fn name(self, cookie: Cookie) -> String {
        if self.secure {
            format!("__Host-{}", cookie.base_name())
        } else {
            cookie.base_name().to_owned()
        }
    }

    /// A `Set-Cookie` value for a session cookie (no `Max-Age`: it ends with the browser, and
    /// the server ends it sooner).
    pub fn set(self, cookie: Cookie, value: &str) -> HeaderValue {
        self.header(cookie, value, "")
    }

    /// A `Set-Cookie` value that removes the cookie.
    pub fn clear(self, cookie: Cookie) -> HeaderValue {
        self.header(cookie, "", "; Max-Age=0")
    }

    fn header(self, cookie: Cookie, value: &str, extra: &str) -> HeaderValue {
        let secure = if self.secure { "; Secure" } else { "" };
        let text = format!(
            "{}={value}; Path=/; HttpOnly; SameSite={}{secure}{extra}",
            self.name(cookie),
            cookie.same_site()
        );
        // Names and values are our own base64url tokens, always valid header text.
        HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static(""))
    }

    /// The cookie's value in a request.
    pub fn read(self, headers: &HeaderMap, cookie: Cookie) -> Option<String> {
        let name = self.name(cookie);
        headers
            .get_all(header::COOKIE)
            .iter()
            .filter_map(|v| v.to_str().ok())
            .flat_map(|v| v.split(';'))
            .filter_map(|pair| pair.trim().split_once('='))
            .find(|(n, _)| *n == name)
            .map(|(_, value)| value.to_owned())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secure_deployments_use_host_prefixed_secure_cookies() {
        let policy = CookiePolicy { secure: true };
        assert_eq!(
            policy.set(Cookie::Staff, "abc"),
            "__Host-intake-staff=abc; Path=/; HttpOnly; SameSite=Strict; Secure"
        );
        assert_eq!(
            CookiePolicy { secure: false }.set(Cookie::Patient, "x"),
            "intake-patient=x; Path=/; HttpOnly; SameSite=Lax"
        );
    }

    #[test]
    fn a_cookie_is_read_among_others() {
        let policy = CookiePolicy { secure: false };
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            HeaderValue::from_static("a=1; intake-staff=tok; b=2"),
        );
        assert_eq!(policy.read(&headers, Cookie::Staff).as_deref(), Some("tok"));
        assert_eq!(policy.read(&headers, Cookie::Patient), None);
    }
}
