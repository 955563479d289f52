//! Security and robustness over HTTP: concurrent link opens on a SQLite file and on Postgres,
//! control characters refused beside their field, internal-only redirects, idle connections,
//! session renewal and sign-out, headers on early rejections, request ids, and rate limits
//! shared by two processes on one Postgres.

use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::helpers::{
    Backend, Options, TestApp, csrf, fresh_database, location, open_link, page, verified,
};

/// An app without the worker: its message planner sends links for upcoming visits, and a link
/// sent replaces the one a test holds.
async fn quiet(backend: Backend) -> TestApp {
    TestApp::spawn_with(Options {
        backend,
        worker: false,
        ..Options::default()
    })
    .await
}

/// Opens `count` links from `clients` browsers at once; the statuses, by count.
async fn open_links_at_once(app: &TestApp, count: usize, clients: usize) -> (usize, Vec<String>) {
    let mut links = Vec::new();
    for _ in 0..count {
        links.push(app.invite("MRN-1001").await);
    }
    let mut tasks = Vec::new();
    for client in 0..clients {
        let mine: Vec<String> = links
            .iter()
            .skip(client)
            .step_by(clients)
            .cloned()
            .collect();
        let browser = app.browser();
        tasks.push(tokio::spawn(async move {
            let mut failures = Vec::new();
            for link in mine {
                match browser.get(&link).send().await {
                    Ok(r) if r.status() == 303 => {}
                    Ok(r) => failures.push(format!("{}", r.status())),
                    Err(e) => failures.push(e.to_string()),
                }
            }
            failures
        }));
    }
    let mut failures = Vec::new();
    for task in tasks {
        failures.extend(task.await.unwrap());
    }
    (count, failures)
}

#[tokio::test]
async fn a_hundred_links_opened_by_eight_clients_at_once_all_open_on_a_sqlite_file() {
    let app = quiet(Backend::Sqlite).await;
    let (opened, failures) = open_links_at_once(&app, 100, 8).await;
    eprintln!(
        "CONCURRENCY sqlite: {opened} opens, {} failures",
        failures.len()
    );
    assert!(failures.is_empty(), "{failures:?}");
    app.stop().await;
}

#[tokio::test]
async fn a_hundred_links_opened_by_eight_clients_at_once_all_open_on_postgres() {
    let app = quiet(Backend::Postgres).await;
    let (opened, failures) = open_links_at_once(&app, 100, 8).await;
    eprintln!(
        "CONCURRENCY postgres: {opened} opens, {} failures",
        failures.len()
    );
    assert!(failures.is_empty(), "{failures:?}");
    app.stop().await;
}

/// A NUL (or an escape) in any text gives a message beside the field, never a 500, on both
/// backends; the patient's other answers are saved.
async fn control_characters_are_refused_beside_their_field(backend: Backend) {
    let app = quiet(backend).await;
    let link = app.invite("MRN-1001").await;
    let (browser, token) = verified(&app, &link, "1958-04-12").await;
    let response = browser
        .post(app.url("/intake/page/0"))
        .form(&[
            ("csrf", token.as_str()),
            ("a.reason", "Knee\0 pain"),
            ("a.weight_kg", "80,5"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    let body = response.text().await.unwrap();
    assert!(
        body.contains(r#"<p class="error" id="f-reason-error">This answer holds a character that cannot be saved"#),
        "{body}"
    );
    let reloaded = page(&browser, &app.url("/intake/page/0")).await;
    assert!(
        reloaded.contains(r#"value="80.5""#),
        "the other answer is saved"
    );

    // The date of birth with a NUL: the field's own message.
    let (other, other_token) = open_link(&app, &app.invite("MRN-1001").await).await;
    let response = other
        .post(app.url("/intake/verify"))
        .form(&[
            ("csrf", other_token.as_str()),
            ("birth_date", "1958-04-12\0"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);

    // Staff: a sign-in username with a NUL.
    let (staff, _) = app.browser_with_jar();
    let form = page(&staff, &app.url("/staff/login")).await;
    let response = staff
        .post(app.url("/staff/login"))
        .form(&[
            ("csrf", csrf(&form).as_str()),
            ("username", "desk\0"),
            ("password", "whatever-it-is"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 422);
    let body = response.text().await.unwrap();
    assert!(body.contains("control character"), "{body}");
    assert!(
        body.contains(r#"value="desk""#),
        "the username comes back without it"
    );

    // A control character in a form whose fields are not typed text: 400, not 500.
    let desk = app.signed_in("desk").await;
    let response = desk
        .post(app.url("/staff/exceptions/bulk"))
        .form(&[("csrf", "x\0"), ("action", "accept")])
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 400);
    app.stop().await;
}

#[tokio::test]
async fn control_characters_are_refused_beside_their_field_on_sqlite() {
    control_characters_are_refused_beside_their_field(Backend::Sqlite).await;
}

#[tokio::test]
async fn control_characters_are_refused_beside_their_field_on_postgres() {
    control_characters_are_refused_beside_their_field(Backend::Postgres).await;
}

#[tokio::test]
async fn a_reviewer_s_reason_or_edit_with_a_control_character_comes_back_beside_its_field() {
    let app = quiet(Backend::Postgres).await;
    let link = app.invite("MRN-1001").await;
    crate::helpers::complete_intake(&app, &link, "1958-04-12", "Peanuts").await;
    let clinician = app.signed_in("clinician").await;
    let queue = page(&clinician, &app.url("/staff/exceptions")).await;
    let id = regex_lite::Regex::new(r"/staff/exceptions/([0-9a-f-]{36})")
        .unwrap()
        .captures(&queue)
        .map(|c| c[1].to_owned())
        .expect("a held change");
    let detail = page(&clinician, &app.url(&format!("/staff/exceptions/{id}"))).await;
    let token = csrf(&detail);
    let rejected = clinician
        .post(app.url(&format!("/staff/exceptions/{id}/reject")))
        .form(&[("csrf", token.as_str()), ("reason", "dup\0licate")])
        .send()
        .await
        .unwrap();
    assert_eq!(rejected.status(), 422);
    let body = rejected.text().await.unwrap();
    assert!(
        body.contains(r#"<p class="error" id="reason-error">"#),
        "{body}"
    );
    assert!(
        body.contains(r#"value="duplicate""#),
        "what was typed, without it"
    );
    let edited = clinician
        .post(app.url(&format!("/staff/exceptions/{id}/edit")))
        .form(&[("csrf", token.as_str()), ("text", "pea\0nuts")])
        .send()
        .await
        .unwrap();
    assert_eq!(edited.status(), 422);
    let body = edited.text().await.unwrap();
    assert!(
        body.contains(
            "This holds a character that cannot be saved (a control character); retype it."
        ),
        "{body}"
    );
    // Nothing was decided: the change still waits.
    let still = page(&clinician, &app.url(&format!("/staff/exceptions/{id}"))).await;
    assert!(still.contains("Reject"), "the change can still be decided");
    app.stop().await;
}

#[tokio::test]
async fn the_language_switch_goes_back_only_to_intake_pages() {
    let app = quiet(Backend::Sqlite).await;
    let browser = app.browser();
    for (back, expected) in [
        ("/intake/page/1", "/intake/page/1"),
        ("/%09/evil.example", "/intake"),
        ("/%0A/evil.example", "/intake"),
        ("//evil.example", "/intake"),
        ("/%5Cevil.example", "/intake"),
        ("https://evil.example/", "/intake"),
        ("/intake%00", "/intake"),
        ("/intake%0D%0ASet-Cookie:%20x=1", "/intake"),
        ("/staff/exceptions", "/intake"),
    ] {
        let response = browser
            .get(app.url(&format!("/language/es?back={back}")))
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 303, "{back}");
        assert_eq!(location(&response), expected, "{back}");
    }
    app.stop().await;
}

#[tokio::test]
async fn a_thousand_idle_connections_do_not_keep_a_page_from_being_served() {
    let app = quiet(Backend::Sqlite).await;
    let address = app.base.trim_start_matches("http://").to_owned();
    let mut idle = Vec::new();
    for _ in 0..1000 {
        idle.push(tokio::net::TcpStream::connect(&address).await.unwrap());
    }
    // Half of them start a request and never finish its headers.
    for stream in idle.iter_mut().step_by(2) {
        stream
            .write_all(b"GET / HTTP/1.1\r\nHost: x\r\n")
            .await
            .unwrap();
    }
    let started = Instant::now();
    let response = crate::helpers::http()
        .get(app.url("/healthz"))
        .timeout(Duration::from_secs(5))
        .send()
        .await
        .unwrap();
    let took = started.elapsed();
    eprintln!(
        "IDLE: 1000 idle connections open, /healthz answered {} in {took:?}",
        response.status()
    );
    assert_eq!(response.status(), 200);
    assert!(took < Duration::from_secs(2), "{took:?}");
    drop(idle);
    app.stop().await;
}

#[tokio::test]
async fn a_connection_that_sends_no_headers_is_closed_after_the_header_timeout() {
    let app = TestApp::spawn_with(Options {
        worker: false,
        env: vec![
            ("INTAKE_HEADER_TIMEOUT_SECS", "1".into()),
            ("INTAKE_MAX_CONNECTIONS", "4".into()),
        ],
        ..Options::default()
    })
    .await;
    let address = app.base.trim_start_matches("http://").to_owned();
    // More silent connections than the cap: they are dropped after a second, and then a
    // real request gets through.
    let mut silent = Vec::new();
    for _ in 0..6 {
        silent.push(tokio::net::TcpStream::connect(&address).await.unwrap());
    }
    let mut first = silent.remove(0);
    let mut buffer = [0_u8; 256];
    let read = tokio::time::timeout(Duration::from_secs(5), first.read(&mut buffer))
        .await
        .expect("the server closes an idle connection within the header timeout");
    drop(read);
    let response = crate::helpers::http()
        .get(app.url("/healthz"))
        .timeout(Duration::from_secs(5))
        .send()
        .await
        .unwrap();
    assert_eq!(response.status(), 200);
    // A kept-alive connection left idle after its response is closed too.
    let mut kept = tokio::net::TcpStream::connect(&address).await.unwrap();
    kept.write_all(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    let mut seen = Vec::new();
    let closed = tokio::time::timeout(Duration::from_secs(5), async {
        loop {
            let n = kept.read(&mut buffer).await.unwrap_or(0);
            if n == 0 {
                break;
            }
            seen.extend_from_slice(&buffer[..n]);
        }
    })
    .await;
    assert!(closed.is_ok(), "an idle kept-alive connection is closed");
    assert!(String::from_utf8_lossy(&seen).starts_with("HTTP/1.1 200"));
    app.stop().await;
}

#[tokio::test]
async fn proving_the_date_of_birth_gives_the_session_a_new_id() {
    let app = quiet(Backend::Sqlite).await;
    let link = app.invite("MRN-1001").await;
    let (browser, jar) = app.browser_with_jar();
    assert_eq!(browser.get(&link).send().await.unwrap().status(), 303);
    let url = app.url("/").parse().unwrap();
    let planted = reqwest::cookie::CookieStore::cookies(&*jar, &url).unwrap();
    let token = csrf(&page(&browser, &app.url("/intake")).await);
    let verified = browser
        .post(app.url("/intake/verify"))
        .form(&[("csrf", token.as_str()), ("birth_date", "1958-04-12")])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&verified), "/intake/page/0");
    let renewed = reqwest::cookie::CookieStore::cookies(&*jar, &url).unwrap();
    assert_ne!(planted, renewed, "a new session id after the proof");
    // The id from before the proof (one an attacker could have planted) opens nothing.
    let old = crate::helpers::http()
        .get(app.url("/intake/page/0"))
        .header("cookie", planted)
        .send()
        .await
        .unwrap();
    assert_eq!(old.status(), 401);
    let new = browser.get(app.url("/intake/page/0")).send().await.unwrap();
    assert_eq!(new.status(), 200);
    app.stop().await;
}

#[tokio::test]
async fn a_patient_signs_out_and_the_browser_is_told_to_forget_the_site() {
    let app = quiet(Backend::Sqlite).await;
    let link = app.invite("MRN-1001").await;
    let (browser, token) = verified(&app, &link, "1958-04-12").await;
    let form = page(&browser, &app.url("/intake/page/0")).await;
    assert!(
        form.contains(r#"action="/intake/sign-out""#),
        "a sign-out button"
    );
    let out = browser
        .post(app.url("/intake/sign-out"))
        .form(&[("csrf", token.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 200);
    assert_eq!(
        out.headers()["clear-site-data"],
        r#""cache", "cookies", "storage""#
    );
    let after = browser.get(app.url("/intake/page/0")).send().await.unwrap();
    assert_eq!(after.status(), 401, "the session ended on the server");

    let staff = app.signed_in("desk").await;
    let home = page(&staff, &app.url("/staff")).await;
    let out = staff
        .post(app.url("/staff/logout"))
        .form(&[("csrf", csrf(&home).as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(out.status(), 303);
    assert_eq!(
        out.headers()["clear-site-data"],
        r#""cache", "cookies", "storage""#
    );
    app.stop().await;
}

#[tokio::test]
async fn early_rejections_carry_the_security_headers_and_the_request_id_is_ours() {
    let app = TestApp::spawn_with(Options {
        worker: false,
        env: vec![("INTAKE_PUBLIC_URL", "https://intake.example".into())],
        ..Options::default()
    })
    .await;
    let client = crate::helpers::http();
    let big = client
        .post(app.url("/staff/login"))
        .header("content-type", "application/x-www-form-urlencoded")
        .body(vec![b'a'; 200 * 1024])
        .send()
        .await
        .unwrap();
    assert_eq!(big.status(), 413);
    let ok = client
        .get(app.url("/healthz"))
        .header("x-request-id", "client-chosen-id")
        .send()
        .await
        .unwrap();
    for response in [&big, &ok] {
        let headers = response.headers();
        assert!(
            headers.contains_key("content-security-policy"),
            "{headers:?}"
        );
        assert_eq!(headers["x-content-type-options"], "nosniff");
        assert_eq!(
            headers["strict-transport-security"],
            "max-age=31536000; includeSubDomains"
        );
    }
    let ours = ok.headers()["x-request-id"].to_str().unwrap();
    assert_ne!(ours, "client-chosen-id");
    assert!(uuid::Uuid::parse_str(ours).is_ok(), "{ours}");
    app.stop().await;
    // Without https, no HSTS (browsers would pin a plain-http development server).
    let plain = quiet(Backend::Sqlite).await;
    let response = client.get(plain.url("/healthz")).send().await.unwrap();
    assert!(!response.headers().contains_key("strict-transport-security"));
    plain.stop().await;
}

#[tokio::test]
async fn two_app_processes_on_one_postgres_share_the_rate_limits() {
    let dir = tempfile::tempdir().unwrap();
    let database = fresh_database(Backend::Postgres, dir.path()).await;
    let options = || Options {
        backend: Backend::Postgres,
        database: Some(database.clone()),
        worker: false,
        // Two checks: six link opens per address per window.
        env: vec![("INTAKE_RATE_LIMIT", "2".into())],
        ..Options::default()
    };
    let one = TestApp::spawn_with(options()).await;
    let two = TestApp::spawn_with(options()).await;
    let wrong = |app: &TestApp| app.url("/i/AAAAAAAAAAAAAAAAAAAAAA");
    for app in [&one, &two, &one, &two, &one, &two] {
        let response = app.browser().get(wrong(app)).send().await.unwrap();
        assert_eq!(response.status(), 404);
    }
    // Each process saw three failures; together six, the allowance: both now refuse.
    for app in [&one, &two] {
        let response = app.browser().get(wrong(app)).send().await.unwrap();
        assert_eq!(response.status(), 429);
        assert!(response.headers().contains_key("retry-after"));
    }
    one.stop().await;
    two.stop().await;
}
