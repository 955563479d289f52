//! A consent signed on a phone (issue 17, point 5): with JavaScript a drawing pad that takes a
//! finger and a mouse, with a Clear button, whose drawing goes with the page; without, the
//! typed name signs. The consent page and the review pass axe either way, and the answers kept
//! as the patient types never carry a file.

use serde_json::Value;

use super::Phone;
use crate::helpers::{TestApp, page};

/// Records the body of every request the page sends to a patient page's `live` or `keep`
/// address (htmx's XMLHttpRequest, `fetch`, `sendBeacon`) in `window.intakeSent`, so a test
/// can read what left the browser. Runs before the page's own scripts, outside its CSP.
const RECORD_SAVES: &str = "
    window.intakeSent = [];
    const watched = (url) => /\\/intake\\/page\\/\\d+\\/(live|keep)/.test(String(url));
    const text = (body) => body instanceof FormData
        ? [...body].map(([k, v]) => k + '=' + (typeof v === 'string' ? v : '<file ' + v.size + '>')).join('&')
        : String(body);
    const open = XMLHttpRequest.prototype.open;
    XMLHttpRequest.prototype.open = function (method, url, ...rest) {
        this.intakeUrl = url; return open.call(this, method, url, ...rest);
    };
    const send = XMLHttpRequest.prototype.send;
    XMLHttpRequest.prototype.send = function (body) {
        if (watched(this.intakeUrl)) window.intakeSent.push(this.intakeUrl + ' ' + text(body));
        return send.call(this, body);
    };
    const fetched = window.fetch;
    window.fetch = function (url, init) {
        if (watched(url)) window.intakeSent.push(url + ' ' + text(init && init.body));
        return fetched.apply(this, arguments);
    };
    const beacon = navigator.sendBeacon.bind(navigator);
    navigator.sendBeacon = function (url, body) {
        if (watched(url)) window.intakeSent.push(url + ' ' + text(body));
        return beacon(url, body);
    };";

/// Answers the registration's pages 0 to 3 with the browser's own requests (its session, its
/// CSRF token), so the test walks the consent page only.
async fn answer_first_pages(phone: &Phone) {
    let script = r#"
        const done = arguments[arguments.length - 1];
        const csrf = document.querySelector("input[name=csrf]").value;
        const pages = [
            {"a.legal_first_name": "Rosa", "a.legal_last_name": "Delgado", "a.dob": "1958-04-12",
             "a.sex_at_birth": "LA3-6", "a.preferred_language": "en"},
            {"a.phone": "555-010-0101", "a.address_line1": "1 Example Road", "a.city": "Springfield",
             "a.state": "IL", "a.postal_code": "62701"},
            {"a.has_insurance": "yes", "a.insurer_name": "Example Health Plan",
             "a.member_id": "XJH-1234567", "a.subscriber_relationship": "self"},
            {"a.ec_name": "Luis Delgado", "a.ec_relationship": "SPS", "a.ec_phone": "555-010-4455"},
        ];
        (async () => {
            const statuses = [];
            for (const [index, answers] of pages.entries()) {
                const body = new URLSearchParams({csrf, ...answers});
                const saved = await fetch("/intake/page/" + index, {method: "POST", body, redirect: "manual", credentials: "same-origin"});
                statuses.push(saved.type === "opaqueredirect" ? 303 : saved.status);
            }
            done(statuses);
        })().catch((e) => done(String(e)));"#;
    let statuses = phone.inspect(script).await;
    assert_eq!(
        statuses,
        serde_json::json!([303, 303, 303, 303]),
        "pages 0 to 3 save"
    );
}

/// How many dark pixels the pad's canvas holds (a drawing, or none).
async fn dark_pixels(phone: &Phone) -> u64 {
    phone
        .js(
            "const c = document.getElementById('f-consent_drawn-canvas'); \
             const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; \
             let n = 0; for (let i = 0; i < d.length; i += 4) if (d[i] < 128) n++; return n;",
        )
        .await
        .as_u64()
        .unwrap_or_default()
}

/// How many files the pad's hidden file input holds.
async fn drawn_files(phone: &Phone) -> Value {
    phone
        .js("return document.getElementById('f-consent_drawn-file').files.length")
        .await
}

/// A wavy line across the pad's middle, as `(x, y)` from its centre.
fn wave(width: i64, lift: i64) -> Vec<(i64, i64)> {
    (0..=12)
        .map(|step| {
            (
                -width / 2 + step * width / 12,
                lift + if step % 2 == 0 { -18 } else { 18 },
            )
        })
        .collect()
}

async fn a_consent_on_a_phone(javascript: bool) {
    let app = TestApp::spawn().await;
    let (link, _) = app
        .invite_to_form(
            intake::domain::PatientIdentifier {
                system: "urn:oid:2.16.840.1.113883.19.5".into(),
                value: "MRN-1001".into(),
            },
            "new-patient-registration",
        )
        .await;
    let mut phone = Phone::open(&app, javascript).await;
    phone.watch(RECORD_SAVES).await;
    phone.goto(&link).await;
    phone.type_birth_date("birth_date", "1958-04-12").await;
    phone.click("form button[type=submit]").await;
    answer_first_pages(&phone).await;
    phone.goto("/intake/page/4").await;
    assert_eq!(phone.h1().await, "Consent to treatment");
    phone.tap("label[for='f-consent_agree-yes']").await;
    if javascript {
        phone
            .wait_until(
                "the signature questions to open",
                "return !!document.querySelector('#f-consent_signature')",
            )
            .await;
    } else {
        // The page comes back with the questions "yes" turned on.
        phone.click(".actions button[value=next]").await;
        assert_eq!(phone.path().await, "/intake/page/4");
    }
    phone
        .type_into("#f-consent_signature", "Rosa Delgado")
        .await;

    if javascript {
        assert_eq!(
            phone
                .js("return [document.getElementById('f-consent_drawn').hidden, document.getElementById('f-consent_drawn-pad').hidden]")
                .await,
            serde_json::json!([false, false]),
            "the script shows the pad"
        );
        assert!(
            phone
                .text("#f-consent_drawn-keyboard")
                .await
                .contains("You need not draw"),
            "keyboard users are told their typed name signs"
        );
        assert_eq!(dark_pixels(&phone).await, 0, "a blank pad");
        phone.check("consent page with a drawing pad").await;

        // A finger, then Clear, then a mouse.
        phone
            .draw("#f-consent_drawn-canvas", "touch", &wave(240, 0))
            .await;
        phone
            .wait_until(
                "the drawing to reach the file input",
                "return document.getElementById('f-consent_drawn-file').files.length === 1",
            )
            .await;
        assert!(dark_pixels(&phone).await > 100, "the finger drew");
        assert_eq!(
            phone
                .js("return document.querySelector('[data-pad-status]').textContent")
                .await,
            "Signature drawn. It is sent when you go on.",
            "said where screen readers hear it"
        );
        phone.tap("#f-consent_drawn-pad [data-clear]").await;
        assert_eq!(dark_pixels(&phone).await, 0, "Clear empties the pad");
        assert_eq!(drawn_files(&phone).await, 0, "and the file input");
        assert_eq!(
            phone
                .js("return document.querySelector('[data-pad-status]').textContent")
                .await,
            "The drawing was cleared."
        );
        phone
            .draw("#f-consent_drawn-canvas", "mouse", &wave(200, -10))
            .await;
        phone
            .draw("#f-consent_drawn-canvas", "mouse", &[(-60, 30), (60, 30)])
            .await;
        phone
            .wait_until(
                "the mouse drawing to reach the file input",
                "return document.getElementById('f-consent_drawn-file').files.length === 1",
            )
            .await;
        let drawn = dark_pixels(&phone).await;
        assert!(drawn > 100, "the mouse drew");

        // A live save (the name's change) swaps the questions in; the pad keeps its drawing.
        phone
            .js("document.getElementById('page-fields').dataset.old = 'yes'; \
                 document.getElementById('f-consent_signature').dispatchEvent(new Event('change', {bubbles: true}))")
            .await;
        phone
            .wait_until(
                "the live save to swap the questions",
                "return !document.querySelector('#page-fields[data-old]')",
            )
            .await;
        phone.settled().await;
        assert_eq!(
            dark_pixels(&phone).await,
            drawn,
            "the drawing survives the swap"
        );
        assert_eq!(drawn_files(&phone).await, 1);

        // Typing saves as the patient types (the keep address): never a file.
        phone
            .type_into("#f-consent_signature", "Rosa M. Delgado")
            .await;
        phone
            .wait_until(
                "a save as the patient types",
                "return window.intakeSent.some((s) => s.includes('/keep') && s.includes('Rosa+M.+Delgado'))",
            )
            .await;
        let sent = phone.js("return window.intakeSent").await;
        let sent: Vec<&str> = sent
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Value::as_str)
            .collect();
        assert!(sent.iter().any(|s| s.contains("/live")), "{sent:?}");
        for body in &sent {
            assert!(
                !body.contains("object File") && !body.contains("a.consent_drawn="),
                "a live or kept save carried the file input: {body}"
            );
        }
        assert!(
            sent.iter()
                .any(|s| s.contains("/keep") && s.contains("Rosa+M.+Delgado")),
            "what was typed is kept: {sent:?}"
        );
        phone.check("consent page, signature drawn").await;
    } else {
        assert!(
            !phone.has("#f-consent_drawn:not([hidden])").await,
            "without JavaScript there is no pad, and the typed name signs"
        );
        phone.check("consent page without a drawing pad").await;
    }

    phone.click(".actions button[value=next]").await;
    assert_eq!(phone.path().await, "/intake/review");
    let signed = phone.text("main").await;
    let how = if javascript {
        "Signed with your drawn signature and your typed full name."
    } else {
        "Signed by typing your full name."
    };
    assert!(signed.contains(how), "{signed}");
    phone
        .js("document.querySelector('.signed').scrollIntoView({block: 'center'})")
        .await;
    phone.check("review, consent signed").await;
    phone.click("form[action='/intake/submit'] button").await;
    assert_eq!(phone.path().await, "/intake/done");

    // The clinician's summary with the consent, in the same browser.
    let password = app.staff_account("clinician").await;
    phone.goto("/staff/login").await;
    super::sign_in(&phone, "clinician", &password).await;
    phone.click("td a[href^='/clinician/submissions/']").await;
    phone
        .js("document.getElementById('consent-title').scrollIntoView({block: 'start'})")
        .await;
    phone.check("pre-visit summary, consent").await;
    phone.quit().await;

    let staff = app.signed_in("clinician").await;
    let list = page(&staff, &app.url("/clinician")).await;
    let id = list
        .split("/clinician/submissions/")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap()
        .to_owned();
    let summary = page(&staff, &app.url(&format!("/clinician/submissions/{id}"))).await;
    if javascript {
        let src = crate::helpers::attribute_after(&summary, r#"<br><img src=""#);
        let png = staff
            .get(app.url(&src))
            .send()
            .await
            .unwrap()
            .bytes()
            .await
            .unwrap();
        assert!(png.starts_with(b"\x89PNG"), "a PNG");
        let image = image::load_from_memory(&png).unwrap().to_luma8();
        let dark = image.pixels().filter(|p| p.0[0] < 128).count();
        assert!(dark > 50, "staff see what was drawn ({dark} dark pixels)");
    } else {
        assert!(summary.contains("(typed name)"), "{summary}");
        assert!(!summary.contains(r#"class="signature""#));
    }
    app.stop().await;
}

#[tokio::test]
async fn on_a_phone_with_javascript_a_consent_is_signed_by_finger_and_mouse_on_a_drawing_pad() {
    a_consent_on_a_phone(true).await;
}

#[tokio::test]
async fn on_a_phone_without_javascript_the_typed_name_signs_the_consent() {
    a_consent_on_a_phone(false).await;
}
