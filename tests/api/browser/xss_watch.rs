//! The watcher of the stored-XSS test: what goes into every page before its own scripts, what
//! is read from it after it loaded, and the tally of pages, payload sightings and problems.

use std::collections::BTreeSet;

use serde_json::json;

use super::phone::Phone;

/// Put in every document before its own scripts (DevTools), outside the page's CSP: the
/// marker function payloads call, and a record of CSP violations.
pub const WATCH: &str = "
    window.__xssRan = [];
    window.__xss = n => window.__xssRan.push(String(n));
    window.__csp = [];
    document.addEventListener('securitypolicyviolation', e =>
        window.__csp.push(e.violatedDirective + ' blocked ' + e.blockedURI + ' ' + (e.sample || '')), true);";

/// What a page holds after it loaded: what ran, what CSP refused, and markup a payload left.
const INSPECT: &str = "
    const done = arguments[arguments.length - 1];
    // Let images fail and handlers fire before looking.
    setTimeout(() => {
        const injected = [];
        for (const el of document.querySelectorAll('*')) {
            for (const a of el.attributes) {
                const name = a.name.toLowerCase();
                if (name.startsWith('on') || name.startsWith('hx-on') || name === 'srcdoc') {
                    injected.push(el.tagName + '[' + name + ']');
                }
                if (/^\\s*(javascript|data):/i.test(a.value)
                    && ['href', 'src', 'action', 'formaction', 'data'].includes(name)) {
                    injected.push(el.tagName + '[' + name + '=' + a.value.slice(0, 30) + ']');
                }
            }
            if (['IFRAME', 'OBJECT', 'EMBED', 'BASE'].includes(el.tagName)
                || (el.tagName === 'SCRIPT' && !el.src)) {
                injected.push(el.tagName);
            }
        }
        done({ran: window.__xssRan === undefined ? null : window.__xssRan,
              csp: window.__csp === undefined ? null : window.__csp,
              injected, text: document.body ? document.body.innerText : ''});
    }, 150);";

/// Pages viewed, payloads seen on them, and everything that went wrong.
#[derive(Default)]
pub struct Tally {
    pub pages: usize,
    pub sightings: usize,
    pub seen: BTreeSet<usize>,
    /// Pages that showed no payload (listed, so a page that stopped showing them is noticed).
    pub bare: Vec<String>,
    pub problems: Vec<String>,
}

impl Tally {
    pub async fn view(&mut self, phone: &Phone, path: &str) {
        phone.goto(path).await;
        let found = phone.inspect(INSPECT).await;
        self.record(path, &found);
    }

    /// Like [`Tally::view`], and saves screenshots (`INTAKE_TEST_SCREENSHOTS`) as `xss-<name>`.
    pub async fn view_and_keep(&mut self, phone: &Phone, path: &str, name: &str) {
        self.view(phone, path).await;
        phone.screenshots(&format!("xss {name}")).await;
    }

    fn record(&mut self, path: &str, found: &serde_json::Value) {
        self.pages += 1;
        if found["ran"].is_null() || found["csp"].is_null() {
            self.problems
                .push(format!("{path}: the watcher was not in the page"));
        }
        for (what, key) in [
            ("ran", "ran"),
            ("CSP violation", "csp"),
            ("markup injected", "injected"),
        ] {
            for item in found[key].as_array().into_iter().flatten() {
                self.problems.push(format!("{path}: {what}: {item}"));
            }
        }
        let text = found["text"].as_str().unwrap_or_default();
        let before = self.sightings;
        for n in 0..super::xss::PAYLOADS.len() {
            if text.contains(&format!("__xss({n})")) {
                self.sightings += 1;
                self.seen.insert(n);
            }
        }
        if self.sightings == before {
            self.bare.push(path.to_owned());
        }
    }
}

/// The watcher sees what it is meant to: markup planted in the page after load is refused by
/// the CSP, recorded, and found by the inspection.
pub async fn assert_the_watcher_catches_a_planted_payload(phone: &Phone) {
    phone
        .js("document.body.insertAdjacentHTML('beforeend', '<img src=x onerror=\"__xss(99)\">')")
        .await;
    let found = phone.inspect(INSPECT).await;
    assert!(
        found["csp"].as_array().is_some_and(|v| !v.is_empty()),
        "the planted handler is a CSP violation: {found}"
    );
    assert!(
        found["injected"].as_array().is_some_and(|v| !v.is_empty()),
        "the planted handler is found: {found}"
    );
    assert_eq!(found["ran"], json!([]), "the CSP kept it from running");
}
