//! Hostile input over every route: thousands of generated requests, with and without patient
//! and staff sessions and valid CSRF tokens, with odd paths, queries, bodies and headers (NUL,
//! control characters, bad UTF-8, long values, duplicates, wrong content types). No answer may
//! be a 5xx, and the server must keep answering (a panic would drop the connection).

use std::collections::BTreeMap;

use crate::helpers::{Backend, Options, TestApp, complete_intake, csrf, page};

/// Routes with their method, `{…}` standing for a path parameter.
const ROUTES: &[(&str, &str)] = &[
    ("GET", "/"),
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("GET", "/static/{file}"),
    ("GET", "/i/{token}"),
    ("GET", "/intake"),
    ("POST", "/intake/verify"),
    ("POST", "/intake/code"),
    ("POST", "/intake/code/resend"),
    ("GET", "/intake/page/{index}"),
    ("POST", "/intake/page/{index}"),
    ("POST", "/intake/page/{index}/live"),
    ("GET", "/intake/review"),
    ("POST", "/intake/submit"),
    ("GET", "/intake/done"),
    ("POST", "/intake/sign-out"),
    ("GET", "/language/{code}"),
    ("GET", "/staff/login"),
    ("POST", "/staff/login"),
    ("POST", "/staff/logout"),
    ("GET", "/staff"),
    ("GET", "/staff/worklist/rows"),
    ("GET", "/staff/appointments/{id}"),
    ("POST", "/staff/appointments/{id}/link"),
    ("POST", "/staff/appointments/{id}/send"),
    ("POST", "/staff/appointments/{id}/unlock"),
    ("POST", "/staff/appointments/{id}/cancel"),
    ("GET", "/staff/appointments/new"),
    ("POST", "/staff/appointments/new"),
    ("GET", "/staff/exceptions"),
    ("POST", "/staff/exceptions/bulk"),
    ("GET", "/staff/exceptions/{id}"),
    ("POST", "/staff/exceptions/{id}/approve"),
    ("POST", "/staff/exceptions/{id}/reject"),
    ("POST", "/staff/exceptions/{id}/retry"),
    ("POST", "/staff/exceptions/{id}/edit"),
    ("GET", "/staff/submissions/{id}/trail"),
    ("GET", "/staff/schedule"),
    ("GET", "/staff/sign-in/code"),
    ("POST", "/staff/sign-in/code"),
    ("GET", "/staff/sign-in/password"),
    ("POST", "/staff/sign-in/password"),
    ("GET", "/staff/sign-in/authenticator"),
    ("POST", "/staff/sign-in/authenticator"),
    ("GET", "/staff/admin/accounts"),
    ("POST", "/staff/admin/accounts"),
    ("POST", "/staff/admin/accounts/{username}/{action}"),
    ("GET", "/staff/admin/audit"),
    ("GET", "/clinician"),
    ("GET", "/clinician/submissions/{id}"),
    ("GET", "/preview"),
    ("GET", "/nowhere/{id}"),
];

/// Odd values for any parameter, query value or field (already percent-encoded).
const ODD: &[&str] = &[
    "",
    "%00",
    "a%00b",
    "%1B%5B31m",
    "%FF%FE",
    "%C0%AF",
    "..%2F..%2Fetc%2Fpasswd",
    "%2F%09%2Fevil.example",
    "%0D%0ASet-Cookie%3A%20x%3D1",
    "%3Cscript%3Ealert(1)%3C%2Fscript%3E",
    "'%20OR%201%3D1--",
    "-1",
    "18446744073709551616",
    "1e309",
    "2999-13-40",
    "%F0%9F%99%82%E2%80%AE",
    "null",
];

/// A small deterministic generator, so a failure can be replayed.
struct Draw(u64);

impl Draw {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        self.0 >> 33
    }
    fn pick<'a, T>(&mut self, from: &'a [T]) -> &'a T {
        &from[usize::try_from(self.next()).unwrap() % from.len()]
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }
}

/// What a generated request may carry.
struct Context {
    base: String,
    patient_cookie: String,
    patient_csrf: String,
    staff_cookie: String,
    staff_csrf: String,
    ids: Vec<String>,
}

fn odd_value(draw: &mut Draw) -> String {
    match draw.next() % 6 {
        0 => "x".repeat(5000),
        1 => format!("{}%00{}", "y".repeat(200), "z"),
        _ => (*draw.pick(ODD)).to_owned(),
    }
}

fn fill(template: &str, draw: &mut Draw, context: &Context) -> String {
    let mut path = template.to_owned();
    for (marker, good) in [
        ("{id}", context.ids.clone()),
        (
            "{index}",
            vec!["0".into(), "1".into(), "2".into(), "99".into()],
        ),
        ("{code}", vec!["es".into(), "en".into(), "zz".into()]),
        ("{token}", vec!["AAAAAAAAAAAAAAAAAAAAAA".into()]),
        ("{file}", vec!["app.css".into(), "nope.js".into()]),
        ("{username}", vec!["desk".into(), "admin".into()]),
        (
            "{action}",
            vec!["disable".into(), "reset".into(), "role".into()],
        ),
    ] {
        while path.contains(marker) {
            let value = if draw.chance(50) {
                draw.pick(&good).clone()
            } else {
                odd_value(draw)
            };
            path = path.replacen(marker, &value, 1);
        }
    }
    if draw.chance(40) {
        let name = *draw.pick(&[
            "back", "q", "day", "after", "before", "add", "format", "%FF", "state",
        ]);
        path = format!(
            "{path}?{name}={}&{name}={}",
            odd_value(draw),
            odd_value(draw)
        );
    }
    path
}

fn body(draw: &mut Draw, csrf: &str) -> (String, &'static str) {
    let fields = [
        "a.reason",
        "a.pain_level",
        "a.new_allergies",
        "birth_date",
        "code",
        "username",
        "password",
        "reason",
        "text",
        "value",
        "status",
        "action",
        "id",
        "nav",
        "shown",
        "g.meds",
        "back",
        "new_password",
        "role",
        "%00",
        "%FF",
    ];
    let mut parts = vec![format!("csrf={csrf}")];
    for _ in 0..(draw.next() % 5) {
        parts.push(format!("{}={}", draw.pick(&fields), odd_value(draw)));
    }
    if draw.chance(10) {
        parts.push(format!("csrf={}", odd_value(draw)));
    }
    let content_type = *draw.pick(&[
        "application/x-www-form-urlencoded",
        "application/x-www-form-urlencoded",
        "application/x-www-form-urlencoded",
        "application/json",
        "text/plain",
        "multipart/form-data; boundary=x",
    ]);
    let mut text = parts.join("&");
    if draw.chance(3) {
        text = "b=".to_owned() + &"c".repeat(70 * 1024);
    }
    (text, content_type)
}

#[tokio::test]
async fn thousands_of_hostile_requests_over_every_route_get_no_5xx() {
    let app = TestApp::spawn_with(Options {
        backend: Backend::Postgres,
        worker: false,
        ..Options::default()
    })
    .await;
    // Something to point at: a submission with held changes, an appointment, sessions.
    let (link, appointment) = app
        .invite_with_appointment(intake::domain::PatientIdentifier {
            system: "urn:oid:2.16.840.1.113883.19.5".into(),
            value: "MRN-1001".into(),
        })
        .await;
    complete_intake(&app, &link, "1958-04-12", "Peanuts\nLatex").await;
    let (patient, patient_jar) = app.browser_with_jar();
    let fresh = app.invite("MRN-1001").await;
    assert_eq!(patient.get(&fresh).send().await.unwrap().status(), 303);
    let patient_csrf = csrf(&page(&patient, &app.url("/intake")).await);
    let (staff, staff_jar) = app.signed_in_with_jar("desk").await;
    let staff_csrf = csrf(&page(&staff, &app.url("/staff")).await);
    let url: reqwest::Url = app.url("/").parse().unwrap();
    let cookie = |jar: &reqwest::cookie::Jar| {
        reqwest::cookie::CookieStore::cookies(jar, &url)
            .map(|v| v.to_str().unwrap().to_owned())
            .unwrap_or_default()
    };
    let exceptions = page(&staff, &app.url("/staff/exceptions")).await;
    let mut ids = vec![appointment.to_string(), uuid::Uuid::new_v4().to_string()];
    // The submission's own id, for the trail and the summary.
    if let Some(found) = regex_lite::Regex::new(r"/clinician/submissions/([0-9a-f-]{36})")
        .unwrap()
        .captures(&page(&app.signed_in("clinician").await, &app.url("/clinician")).await)
    {
        ids.push(found[1].to_owned());
    }
    ids.extend(
        regex_lite::Regex::new(r"/staff/exceptions/([0-9a-f-]{36})")
            .unwrap()
            .captures_iter(&exceptions)
            .map(|c| c[1].to_owned()),
    );
    let context = std::sync::Arc::new(Context {
        base: app.base.clone(),
        patient_cookie: cookie(&patient_jar),
        patient_csrf,
        staff_cookie: cookie(&staff_jar),
        staff_csrf,
        ids,
    });

    let total: u64 = std::env::var("INTAKE_HOSTILE_REQUESTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3000);
    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(30))
        .build()
        .unwrap();
    let mut by_status: BTreeMap<String, u64> = BTreeMap::new();
    let mut bad = Vec::new();
    let lanes = 4;
    let mut draw = Draw(0x5eed);
    let mut sent = 0;
    while sent < total {
        let mut batch = tokio::task::JoinSet::new();
        for _ in 0..lanes {
            let seed = draw.next();
            let context = context.clone();
            let client = client.clone();
            batch.spawn(async move { hostile_request(&client, &context, seed).await });
        }
        while let Some(done) = batch.join_next().await {
            let (what, outcome) = done.unwrap();
            sent += 1;
            let key = match &outcome {
                Ok(status) => status.to_string(),
                Err(_) => "no answer".to_owned(),
            };
            if outcome.as_ref().map_or(true, |status| *status >= 500) {
                bad.push(format!("{what} -> {key}"));
            }
            *by_status.entry(key).or_default() += 1;
        }
    }
    // The server still answers after all of it.
    let alive = client.get(app.url("/healthz")).send().await.unwrap();
    assert_eq!(alive.status(), 200);
    eprintln!("HOSTILE: {sent} requests; replies by status: {by_status:?}");
    assert!(
        bad.is_empty(),
        "{} bad answers, e.g. {:?}",
        bad.len(),
        &bad[..bad.len().min(10)]
    );
    app.stop().await;
}

/// One generated request: what it was (for the failure message), and its status.
async fn hostile_request(
    client: &reqwest::Client,
    context: &Context,
    seed: u64,
) -> (String, Result<u16, String>) {
    let mut draw = Draw(seed);
    let (method, template) = *draw.pick(ROUTES);
    let path = fill(template, &mut draw, context);
    let patient = draw.chance(50);
    let staff = draw.chance(50);
    let valid_csrf = draw.chance(60);
    // A request that ends a session would spoil the rest of the run for that session.
    let ends_session = template.ends_with("sign-out") || template.ends_with("logout");
    let token = match (valid_csrf && !ends_session, template.starts_with("/intake")) {
        (true, true) => context.patient_csrf.clone(),
        (true, false) => context.staff_csrf.clone(),
        (false, _) => odd_value(&mut draw),
    };
    let mut cookies = Vec::new();
    if patient {
        cookies.push(context.patient_cookie.clone());
    }
    if staff {
        cookies.push(context.staff_cookie.clone());
    }
    if draw.chance(10) {
        cookies.push("intake-patient=%00%FF; intake-staff=..%2F; intake-lang=zz".to_owned());
    }
    let url = format!("{}{path}", context.base);
    let mut request = if method == "GET" {
        client.get(&url)
    } else {
        let (text, content_type) = body(&mut draw, &token);
        client
            .post(&url)
            .header("content-type", content_type)
            .body(text)
    };
    if !cookies.is_empty() {
        request = request.header("cookie", cookies.join("; "));
    }
    for (name, values) in [
        (
            "accept-language",
            &["es", "zz;q=x", "*", "en-US,en;q=0.9"][..],
        ),
        (
            "x-forwarded-for",
            &["garbage", "1.2.3.4, ::1", "[::1]:80"][..],
        ),
        ("hx-request", &["true", "false"][..]),
        ("origin", &["https://evil.example", "null"][..]),
        ("sec-fetch-site", &["cross-site", "same-origin", "none"][..]),
        ("x-request-id", &["evil id; with=stuff", "forged-0000"][..]),
    ] {
        if draw.chance(15) {
            request = request.header(name, *draw.pick(values));
        }
    }
    let what = format!("{method} {}", truncate(&path));
    match request.send().await {
        Ok(response) => (what, Ok(response.status().as_u16())),
        Err(error) => (what, Err(error.to_string())),
    }
}

fn truncate(text: &str) -> String {
    text.chars().take(120).collect()
}
