//! `Phone`: headless Chromium on a phone-sized screen, JavaScript on or off, that follows links,
//! fills fields and has axe-core judge each page.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::webdriver::{Element, Session};
use crate::helpers::TestApp;

/// The rules axe runs: WCAG 2.0, 2.1 and 2.2, levels A and AA.
const WCAG_TAGS: [&str; 5] = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"];

/// A phone's screen (an iPhone 12 to 15), in CSS pixels.
const SCREEN: (u32, u32) = (390, 844);

/// Chromium's switches: headless, as root, and quiet on a machine with no network but loopback.
pub(super) const CHROMIUM_ARGS: [&str; 11] = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--lang=en-US",
    "--force-prefers-reduced-motion",
];

/// With the page's scripts off, Chromium still runs WebDriver's scripts and their promise
/// callbacks, but no timer: `setTimeout` and `queueMicrotask` callbacks never come, and axe-core
/// waits on both between its rules. For its sake they become promise callbacks; a timer longer
/// than a tick only guards against a hang (preloading, frames) and is dropped. The page's DOM and
/// CSS, which axe judges, are untouched.
const NO_SCRIPT_TIMERS: &str = "
    let next = 1;
    const due = new Set();
    window.setTimeout = (callback, ms, ...args) => {
        const id = next++;
        if (!(ms > 1)) {
            due.add(id);
            Promise.resolve().then(() => { if (due.delete(id)) callback(...args); });
        }
        return id;
    };
    window.clearTimeout = id => { due.delete(id); };
    window.queueMicrotask = callback => { Promise.resolve().then(callback); };";

/// Runs axe-core with `arguments[0]` as `runOnly`; returns its violations and undecided results.
const RUN_AXE: &str = "
    const done = arguments[arguments.length - 1];
    const brief = (kind, rule) => ({kind, id: rule.id, impact: rule.impact, help: rule.help,
        nodes: rule.nodes.map(n => ({target: n.target, html: n.html, why: n.failureSummary}))});
    axe.run(document, {runOnly: arguments[0], resultTypes: ['violations', 'incomplete']})
        .then(r => done(r.violations.map(v => brief('violation', v))
            .concat(r.incomplete.map(v => brief('needs review', v)))))
        .catch(e => done([{kind: 'axe-core failed', id: String(e), nodes: []}]));";

/// The chromedriver `scripts/test` started. Tests that need it fail, saying why, without it.
pub(super) fn webdriver_url() -> String {
    std::env::var("INTAKE_TEST_WEBDRIVER_URL").unwrap_or_else(|_| {
        panic!("INTAKE_TEST_WEBDRIVER_URL is not set: the browser tests need the chromedriver (Debian's chromium-driver) that scripts/test installs and starts")
    })
}

/// axe-core's `axe.min.js`, which `scripts/test` installs from npm.
fn axe_source() -> String {
    let path = std::env::var("INTAKE_TEST_AXE_JS").unwrap_or_else(|_| {
        panic!("INTAKE_TEST_AXE_JS is not set: the browser tests need axe-core's axe.min.js, which scripts/test installs from npm")
    });
    std::fs::read_to_string(&path).unwrap_or_else(|e| {
        panic!("cannot read axe-core at {path} ({e}); run scripts/test, which installs it")
    })
}

/// axe-core's findings, one rule and the elements it names per entry.
fn report(problems: &[Value]) -> String {
    let mut out = String::new();
    for rule in problems {
        out.push_str(&format!(
            "\n- {} {} ({}): {}\n",
            rule["kind"].as_str().unwrap_or(""),
            rule["id"].as_str().unwrap_or(""),
            rule["impact"].as_str().unwrap_or("no impact given"),
            rule["help"].as_str().unwrap_or("")
        ));
        for node in rule["nodes"].as_array().into_iter().flatten() {
            out.push_str(&format!(
                "    at {}: {}\n      {}\n",
                node["target"],
                node["html"].as_str().unwrap_or(""),
                node["why"].as_str().unwrap_or("").replace('\n', "\n      ")
            ));
        }
    }
    out
}

/// A phone's browser on the test app, with JavaScript on or off.
pub struct Phone {
    session: Session,
    base: String,
    /// Whether the page's scripts run.
    pub javascript: bool,
    axe: String,
    /// The page types axe checked, in order.
    pub checked: Vec<&'static str>,
}

impl Phone {
    /// Starts Chromium through the chromedriver of `scripts/test`.
    pub async fn open(app: &TestApp, javascript: bool) -> Self {
        let driver = webdriver_url();
        let axe = axe_source();
        let (width, height) = SCREEN;
        let mut options = json!({
            "binary": "/usr/bin/chromium",
            "args": CHROMIUM_ARGS,
            // A phone's screen and layout. Touch emulation stays off: with scripts off,
            // chromedriver waits forever on the touch events it sends for a click.
            "mobileEmulation": {"deviceMetrics": {
                "width": width, "height": height, "pixelRatio": 3.0, "mobile": true, "touch": false
            }},
        });
        if !javascript {
            // What a person gets from Settings → Site settings → JavaScript → Don't allow.
            options["prefs"] = json!({"profile.managed_default_content_settings.javascript": 2});
        }
        let capabilities = json!({"browserName": "chrome", "goog:chromeOptions": options});
        let session = Session::start(&driver, capabilities)
            .await
            .unwrap_or_else(|e| {
                panic!("cannot start Chromium through the chromedriver at {driver}: {e}")
            });
        session
            .script_timeout(Duration::from_secs(20))
            .await
            .unwrap();
        Self {
            session,
            base: app.base.clone(),
            javascript,
            axe,
            checked: vec![],
        }
    }

    /// Closes the browser.
    pub async fn quit(self) {
        self.session.quit().await.unwrap();
    }

    /// Runs a script in the page and returns its value. WebDriver's scripts run even where the
    /// page's own are off: the JavaScript setting and the page's CSP bind the page only.
    pub async fn js(&self, script: &str) -> Value {
        self.session
            .execute(script, vec![])
            .await
            .unwrap_or_else(|e| panic!("the script failed ({e}):\n{script}"))
    }

    /// Runs `source` in every document from now on, before the page's own scripts and outside
    /// its CSP (DevTools' `Page.addScriptToEvaluateOnNewDocument`).
    pub async fn watch(&self, source: &str) {
        self.session
            .devtools(
                "Page.addScriptToEvaluateOnNewDocument",
                json!({"source": source}),
            )
            .await
            .unwrap_or_else(|e| panic!("cannot add a script to every page ({e})"));
    }

    /// Runs an asynchronous script (its last argument ends it) and returns its value.
    pub async fn inspect(&self, script: &str) -> Value {
        self.session
            .execute_async(script, vec![])
            .await
            .unwrap_or_else(|e| panic!("the script failed ({e}):\n{script}"))
    }

    /// The page's path.
    pub async fn path(&self) -> String {
        let path = self.js("return location.pathname").await;
        path.as_str().unwrap_or_default().to_owned()
    }

    /// The page's heading.
    pub async fn h1(&self) -> String {
        self.text("h1").await
    }

    /// The text of what `css` finds.
    pub async fn text(&self, css: &str) -> String {
        self.session.text(&self.field(css).await).await.unwrap()
    }

    /// An attribute of what `css` finds.
    pub async fn attribute(&self, css: &str, name: &str) -> Option<String> {
        let element = self.field(css).await;
        self.session.attribute(&element, name).await.unwrap()
    }

    /// Waits until `condition` (a script's return value) holds, for up to ten seconds.
    pub async fn wait_until(&self, what: &str, condition: &str) {
        let start = Instant::now();
        while start.elapsed() < Duration::from_secs(10) {
            if self.js(condition).await == Value::Bool(true) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        panic!(
            "timed out waiting for {what}, on this page:\n{}",
            self.describe().await
        );
    }

    /// Opens a URL or path as a fresh page load (typed in, or a link from a message).
    pub async fn goto(&self, url: &str) {
        let url = if url.starts_with('/') {
            format!("{}{url}", self.base)
        } else {
            url.to_owned()
        };
        self.session.goto(&url).await.unwrap();
    }

    /// Clicks what `css` finds and waits for the next page: the body swapped in by htmx when
    /// JavaScript is on (the window lives on), a new page load when it is off.
    pub async fn click(&self, css: &str) {
        let swapped = self.click_to_next_page(css).await;
        let expected = if self.javascript {
            "htmx to swap the page in"
        } else {
            "a whole page load"
        };
        assert_eq!(
            swapped, self.javascript,
            "clicking {css}: expected {expected}"
        );
    }

    /// Clicks a link that loads a whole page even with htmx (the language switch: htmx swaps
    /// only the body, and `<html lang>` must change).
    pub async fn click_full_load(&self, css: &str) {
        let swapped = self.click_to_next_page(css).await;
        assert!(!swapped, "clicking {css} should load a whole new page");
    }

    /// Clicks what `css` finds without leaving the page (a radio button's label, say).
    pub async fn tap(&self, css: &str) {
        self.session.click(&self.field(css).await).await.unwrap();
    }

    /// Presses Enter in the field `css` finds, which submits its form through the form's
    /// default button, and waits for the next page.
    pub async fn press_enter_in(&self, css: &str) {
        self.to_next_page(css, Press::Enter).await;
    }

    /// Clicks and waits for a new `<main>`; says whether the window survived (an htmx swap).
    async fn click_to_next_page(&self, css: &str) -> bool {
        self.to_next_page(css, Press::Click).await
    }

    async fn to_next_page(&self, css: &str, press: Press) -> bool {
        let element = self.field(css).await;
        self.js(
            "document.querySelector('main').dataset.old = 'yes'; window.intakeSameWindow = true",
        )
        .await;
        match press {
            Press::Click => self.session.click(&element).await.unwrap(),
            Press::Enter => self.session.send_keys(&element, "\u{E007}").await.unwrap(),
        }
        self.wait_until(
            "the next page",
            "return document.readyState === 'complete' && !!document.querySelector('main') \
             && !document.querySelector('main[data-old]') \
             && !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')",
        )
        .await;
        self.js("return window.intakeSameWindow === true").await == Value::Bool(true)
    }

    /// The element `css` finds; failing that, the test fails showing the page it is on.
    async fn field(&self, css: &str) -> Element {
        self.settled().await;
        match self.session.find(css).await.unwrap() {
            Some(element) => element,
            None => panic!(
                "nothing matches {css} on this page:\n{}",
                self.describe().await
            ),
        }
    }

    /// Whether anything on the page matches `css`.
    pub async fn has(&self, css: &str) -> bool {
        self.session.find(css).await.unwrap().is_some()
    }

    /// Where the browser is and what it shows, for a failure's message.
    async fn describe(&self) -> String {
        let page = self
            .js("return location.pathname + ' (' + document.title + ') ' + document.body.innerText")
            .await;
        page.as_str().unwrap_or("").chars().take(1500).collect()
    }

    /// Replaces what a field holds with `text`, typed key by key. Leaving the last field saves
    /// it with htmx and swaps the page's questions in; typing starts once that has settled, as a
    /// person's first key would land in the swapped-in field.
    /// A swap that still lands mid-typing (a slow machine) replaces the field under the keys:
    /// the field is found again, cleared and typed into afresh.
    pub async fn type_into(&self, css: &str, text: &str) {
        for _ in 0..3 {
            let field = self.field(css).await;
            if self.session.clear(&field).await.is_err() {
                continue;
            }
            let field = self.field(css).await;
            if self.session.send_keys(&field, text).await.is_ok() {
                return;
            }
        }
        panic!("{css} was swapped away three times while typing");
    }

    /// Types `keys` into the field `css` finds, after what it holds (a date's next part, say).
    pub async fn keys(&self, css: &str, keys: &str) {
        let field = self.field(css).await;
        self.session.send_keys(&field, keys).await.unwrap();
    }

    /// Chooses the file at `path` in a file input, as picking it from the phone's files does.
    pub async fn choose_file(&self, css: &str, path: &std::path::Path) {
        let field = self.field(css).await;
        self.session
            .send_keys(&field, &path.display().to_string())
            .await
            .unwrap();
    }

    /// Draws one stroke through `points` (CSS pixels from the centre of what `css` finds) with
    /// a pointer of `kind` (`touch`, `mouse` or `pen`): down at the first, moves, up at the last.
    pub async fn draw(&self, css: &str, kind: &str, points: &[(i64, i64)]) {
        let element = self.field(css).await;
        // Actions do not scroll: the whole stroke must be on the screen.
        self.js(&format!(
            "document.querySelector({css:?}).scrollIntoView({{block: 'center'}})"
        ))
        .await;
        let origin = Session::origin(&element);
        let mut steps = Vec::new();
        for (index, (x, y)) in points.iter().enumerate() {
            steps.push(
                json!({"type": "pointerMove", "duration": 16, "origin": origin, "x": x, "y": y}),
            );
            if index == 0 {
                steps.push(json!({"type": "pointerDown", "button": 0}));
            }
        }
        steps.push(json!({"type": "pointerUp", "button": 0}));
        let actions = json!([{
            "type": "pointer",
            "id": format!("{kind}-pointer"),
            "parameters": {"pointerType": kind},
            "actions": steps,
        }]);
        self.session
            .perform_actions(actions)
            .await
            .unwrap_or_else(|e| panic!("drawing on {css} with a {kind} failed: {e}"));
    }

    /// Waits until htmx has no request, swap or settle in progress (at once without scripts).
    pub async fn settled(&self) {
        // htmx may start a request a moment after the event that triggers it.
        if self.javascript {
            tokio::time::sleep(Duration::from_millis(30)).await;
        }
        self.wait_until(
            "htmx to settle",
            "return !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')",
        )
        .await;
    }

    /// What a field holds.
    pub async fn value(&self, css: &str) -> Value {
        let field = self.field(css).await;
        self.session.property(&field, "value").await.unwrap()
    }

    /// Types a date into an `<input type="date">` as a person does in an en-US browser.
    pub async fn type_date(&self, css: &str, iso: &str) {
        let parts: Vec<&str> = iso.split('-').collect();
        let [year, month, day] = parts[..] else {
            panic!("{iso} is not YYYY-MM-DD");
        };
        // Typing focuses the field; a click would open the date picker, which with scripts off
        // chromedriver then waits on.
        let field = self.field(css).await;
        self.session
            .send_keys(&field, &format!("{month}{day}{year}"))
            .await
            .unwrap();
        assert_eq!(self.value(css).await, iso, "the date typed into {css}");
    }

    /// Types a date of birth into the day, month and year boxes of the date field `id` (issue
    /// 17), as a person does, whatever order the language puts them in.
    pub async fn type_birth_date(&self, id: &str, iso: &str) {
        let parts: Vec<&str> = iso.split('-').collect();
        let [year, month, day] = parts[..] else {
            panic!("{iso} is not YYYY-MM-DD");
        };
        for (part, text) in [("day", day), ("month", month), ("year", year)] {
            self.type_into(&format!("#{id}-{part}"), text).await;
        }
    }

    /// Runs axe-core's WCAG 2.2 AA rules on the page: no violation may remain, nor any result
    /// axe could not decide (those need a person's review, so they fail too, to be fixed or
    /// explained here). Nothing may make the page scroll sideways either (WCAG 1.4.10 Reflow).
    pub async fn check(&mut self, page_type: &'static str) {
        self.settled().await;
        let mut problems = self
            .axe_problems(json!({"type": "tag", "values": WCAG_TAGS}))
            .await;
        let undecided_contrast =
            |rule: &Value| rule["kind"] == "needs review" && rule["id"] == "color-contrast";
        if problems.iter().any(undecided_contrast) && self.has(".table-scroll").await {
            // Cells scrolled out of a table's box have no background axe can see: open the boxes
            // out and judge the contrast alone again (CSSOM edits are not subject to the CSP).
            problems.retain(|rule| !undecided_contrast(rule));
            let boxes = "document.querySelectorAll('.table-scroll').forEach(b => b.style.overflow";
            self.js(&format!("{boxes} = 'visible')")).await;
            let contrast = json!({"type": "rule", "values": ["color-contrast"]});
            problems.extend(self.axe_problems(contrast).await);
            self.js(&format!("{boxes} = '')")).await;
        }
        let mode = if self.javascript { "with" } else { "without" };
        assert!(
            problems.is_empty(),
            "axe-core: the {page_type} page ({} {mode} JavaScript) fails WCAG 2.2 AA:{}",
            self.path().await,
            report(&problems)
        );
        let widths = self
            .js("return [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
            .await;
        assert!(
            widths[0].as_u64() <= widths[1].as_u64(),
            "the {page_type} page scrolls sideways on a phone (content {} px wide, screen {} px)",
            widths[0],
            widths[1]
        );
        self.checked.push(page_type);
        self.screenshots(page_type).await;
    }

    /// With `INTAKE_TEST_SCREENSHOTS=DIR`, saves the page as a phone shows it and as a desk's
    /// 1366-px screen does, for people to look at (`DIR/<page>-<js|nojs>-{phone,desk}.png`).
    pub async fn screenshots(&self, page_type: &str) {
        let Some(dir) = std::env::var_os("INTAKE_TEST_SCREENSHOTS") else {
            return;
        };
        let dir = std::path::PathBuf::from(dir);
        std::fs::create_dir_all(&dir).unwrap();
        let mode = if self.javascript { "js" } else { "nojs" };
        let name = page_type.replace([' ', ','], "-");
        let phone = self.session.screenshot().await.unwrap();
        std::fs::write(dir.join(format!("{name}-{mode}-phone.png")), phone).unwrap();
        let metrics = |width: u32, height: u32, ratio: f64, mobile: bool| json!({"width": width, "height": height, "deviceScaleFactor": ratio, "mobile": mobile});
        let set = "Emulation.setDeviceMetricsOverride";
        self.session
            .devtools(set, metrics(1366, 900, 1.0, false))
            .await
            .unwrap();
        let desk = self.session.screenshot().await.unwrap();
        std::fs::write(dir.join(format!("{name}-{mode}-desk.png")), desk).unwrap();
        let (width, height) = SCREEN;
        self.session
            .devtools(set, metrics(width, height, 3.0, true))
            .await
            .unwrap();
    }

    /// How far down the page, in CSS pixels, the bottom of `selector` is on a desk-sized
    /// screen of `width` by `height` (saved as `<name>-desk-WxH.png` with
    /// `INTAKE_TEST_SCREENSHOTS`); the phone's size is put back after.
    pub async fn bottom_on_desk(
        &self,
        selector: &str,
        (width, height): (u32, u32),
        name: &str,
    ) -> f64 {
        let metrics = |width: u32, height: u32, ratio: f64, mobile: bool| json!({"width": width, "height": height, "deviceScaleFactor": ratio, "mobile": mobile});
        let set = "Emulation.setDeviceMetricsOverride";
        self.session
            .devtools(set, metrics(width, height, 1.0, false))
            .await
            .unwrap();
        let bottom = self
            .js(&format!(
                "window.scrollTo(0, 0); return document.querySelector({selector:?}).getBoundingClientRect().bottom"
            ))
            .await
            .as_f64()
            .unwrap_or(f64::MAX);
        if let Some(dir) = std::env::var_os("INTAKE_TEST_SCREENSHOTS") {
            let mode = if self.javascript { "js" } else { "nojs" };
            let shot = self.session.screenshot().await.unwrap();
            let file = std::path::PathBuf::from(dir)
                .join(format!("{name}-{mode}-desk-{width}x{height}.png"));
            std::fs::write(file, shot).unwrap();
        }
        let (width, height) = SCREEN;
        self.session
            .devtools(set, metrics(width, height, 3.0, true))
            .await
            .unwrap();
        bottom
    }

    /// axe-core's violations and undecided results on the page; injects axe on first use.
    async fn axe_problems(&self, run_only: Value) -> Vec<Value> {
        if self.js("return typeof window.axe").await != "object" {
            self.session.execute(&self.axe, vec![]).await.unwrap();
            if !self.javascript {
                self.js(NO_SCRIPT_TIMERS).await;
            }
        }
        let found = self
            .session
            .execute_async(RUN_AXE, vec![run_only])
            .await
            .unwrap_or_else(|e| panic!("axe-core did not finish: {e}"));
        found.as_array().cloned().unwrap_or_default()
    }

    /// axe-core really looks: a picture without a text alternative, planted in the page, is
    /// reported (and then removed).
    pub async fn assert_axe_catches_a_planted_violation(&self) {
        self.js(
            "document.querySelector('main').insertAdjacentHTML('beforeend', \
             '<img id=\"planted\" src=\"/static/planted.png\" width=\"40\" height=\"40\">')",
        )
        .await;
        let found = self
            .axe_problems(json!({"type": "tag", "values": WCAG_TAGS}))
            .await;
        assert!(
            found.iter().any(|rule| rule["id"] == "image-alt"),
            "axe-core should report the planted image without alt text:{}",
            report(&found)
        );
        self.js("document.getElementById('planted').remove()").await;
    }

    /// The page really lays out on a phone, and really runs htmx, or really runs no script.
    pub async fn assert_screen_and_scripting(&self) {
        let (width, _) = SCREEN;
        assert_eq!(
            self.js("return window.innerWidth").await,
            json!(width),
            "the page lays out on a phone-sized viewport"
        );
        let htmx = self.js("return typeof window.htmx === 'object'").await;
        let no_scripting = self
            .js("return matchMedia('(scripting: none)').matches")
            .await;
        if self.javascript {
            assert_eq!(htmx, json!(true), "htmx is loaded and running");
            assert_eq!(no_scripting, json!(false));
        } else {
            assert_eq!(htmx, json!(false), "no page script ran");
            assert_eq!(
                no_scripting,
                json!(true),
                "the browser reports scripting off"
            );
        }
    }
}

/// How a page is left: a click, or Enter in a field.
#[derive(Debug, Clone, Copy)]
enum Press {
    Click,
    Enter,
}
