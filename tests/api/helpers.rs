//! `TestApp`: the application on a random port with a fresh database, plus an HTTP client with
//! a cookie jar that walks the pages as a browser would.

use std::{collections::HashMap, path::PathBuf, sync::Arc, time::Duration};

use intake::{
    app::{self, Server},
    clock::{Clock, ManualClock},
    config::{Config, Overrides},
    intake::{ScheduleRequest, Services},
};
use tokio_util::sync::CancellationToken;
use uuid::Uuid;

/// An HTTP client for talking to servers directly (reqwest here runs on rustls with ring).
/// A proposed change's summary as staff read it (in English).
pub fn in_english(summary: &intake::mapping::ChangeSummary) -> String {
    intake::i18n::Language::english().phrase(summary.phrase())
}

pub fn http() -> reqwest::Client {
    drop(rustls::crypto::ring::default_provider().install_default());
    reqwest::Client::new()
}

/// A port free on loopback right now, for a server the test starts as a process.
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// Waits until the server at `base` answers `/healthz`, for up to ten seconds.
pub async fn wait_until_up(base: &str) {
    let client = http();
    for _ in 0..200 {
        if client
            .get(format!("{base}/healthz"))
            .send()
            .await
            .is_ok_and(|r| r.status() == 200)
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    panic!("the server at {base} did not come up");
}

/// One one-time code as the app handed it to its sender.
#[derive(Debug, Clone)]
pub struct SentCode {
    /// The whole contact, as a real sender would get it.
    pub to: String,
    pub code: String,
    pub language: String,
}

/// A code sender that keeps what it was given, so tests can read the code; it fails on
/// demand.
#[derive(Debug, Default)]
pub struct RecordingSender {
    sent: std::sync::Mutex<Vec<SentCode>>,
    failing: std::sync::atomic::AtomicBool,
}

impl RecordingSender {
    /// Every code sent so far.
    pub fn sent(&self) -> Vec<SentCode> {
        self.sent.lock().unwrap().clone()
    }

    /// The code sent last.
    pub fn last(&self) -> String {
        self.sent().last().expect("a code was sent").code.clone()
    }

    /// Makes the next sends fail (or succeed again).
    pub fn fail(&self, failing: bool) {
        self.failing
            .store(failing, std::sync::atomic::Ordering::SeqCst);
    }
}

#[async_trait::async_trait]
impl intake::intake::CodeSender for RecordingSender {
    async fn send(
        &self,
        _invitation_id: Uuid,
        to: &intake::domain::Contact,
        code: &intake::domain::OneTimeCode,
        language: &str,
    ) -> Result<(), intake::intake::SendError> {
        if self.failing.load(std::sync::atomic::Ordering::SeqCst) {
            return Err(intake::intake::SendError("the gateway is down".into()));
        }
        self.sent.lock().unwrap().push(SentCode {
            to: to.expose().to_owned(),
            code: code.expose().to_owned(),
            language: language.to_owned(),
        });
        Ok(())
    }
}

/// Which database a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The Postgres server tests create their databases on. `scripts/test` starts one when none runs.
fn postgres_admin_url() -> String {
    std::env::var("INTAKE_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// A fresh, empty database URL for one test.
pub async fn fresh_database(backend: Backend, dir: &std::path::Path) -> String {
    match backend {
        Backend::Sqlite => format!("sqlite:{}", dir.join("intake.db").display()),
        Backend::Postgres => {
            use sqlx::Connection;
            let admin = postgres_admin_url();
            let mut connection = sqlx::PgConnection::connect(&admin).await.unwrap_or_else(|e| {
                panic!("Postgres is not reachable at {admin} ({e}); run the suite with scripts/test, which starts one")
            });
            let name = format!("intake_test_{}", Uuid::new_v4().simple());
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}")))
                .execute(&mut connection)
                .await
                .expect("create the test database");
            let (base, _) = admin
                .rsplit_once('/')
                .expect("the admin URL names a database");
            format!("{base}/{name}")
        }
    }
}

/// The key-encryption key file every Postgres app of this test process shares (made once in
/// the system's temp folder), as a deployment's processes share `INTAKE_DATA_KEY_FILE`.
pub fn data_key_file() -> PathBuf {
    static FILE: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    FILE.get_or_init(|| {
        let path = std::env::temp_dir().join(format!(
            "intake-test-data-key-{}-{}",
            std::process::id(),
            Uuid::new_v4().simple()
        ));
        intake::crypt::KeyEncryptionKey::generate()
            .unwrap()
            .write_new(&path)
            .unwrap();
        path
    })
    .clone()
}

/// The FHIR server `scripts/test` started (HFS). Tests that need it fail, saying why, without it.
pub fn fhir_server_url() -> String {
    std::env::var("INTAKE_TEST_FHIR_URL").unwrap_or_else(|_| {
        panic!("INTAKE_TEST_FHIR_URL is not set: these tests need the real FHIR server (HFS) that scripts/test installs and starts")
    })
}

/// How to start a test app.
#[derive(Debug, Clone)]
pub struct Options {
    pub backend: Backend,
    /// A FHIR base URL; otherwise a file-drop folder with the demo patients.
    pub fhir_url: Option<String>,
    /// Whether the write-back worker runs in the app.
    pub worker: bool,
    /// `INTAKE_VERIFY_CODE` (`sms`, `email`); unset, the default (`off`).
    pub verify_code: Option<&'static str>,
    /// More variables (e.g. `INTAKE_SMTP_URL`).
    pub env: Vec<(&'static str, String)>,
    /// Keep the app's own code sender (the message outbox) instead of recording codes.
    pub outbox_codes: bool,
    /// A database URL to share (e.g. two app instances on one Postgres); else a fresh one.
    pub database: Option<String>,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            backend: Backend::Sqlite,
            fhir_url: None,
            worker: true,
            verify_code: None,
            env: Vec::new(),
            outbox_codes: false,
            database: None,
        }
    }
}

/// A running app.
pub struct TestApp {
    pub base: String,
    pub services: Services,
    pub clock: Arc<ManualClock>,
    pub ehr_folder: PathBuf,
    /// Every one-time code the app sent, in order.
    pub codes: Arc<RecordingSender>,
    shutdown: CancellationToken,
    server: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
    _dir: tempfile::TempDir,
}

impl TestApp {
    pub async fn spawn() -> Self {
        Self::spawn_with(Options::default()).await
    }

    pub async fn spawn_with(options: Options) -> Self {
        drop(rustls::crypto::ring::default_provider().install_default());
        let dir = tempfile::tempdir().expect("temp dir");
        let database = match &options.database {
            Some(url) => url.clone(),
            None => fresh_database(options.backend, dir.path()).await,
        };
        let ehr_folder = dir.path().join("ehr");
        let mut vars: HashMap<&str, String> = HashMap::from([
            ("INTAKE_ADDR", "127.0.0.1:0".to_owned()),
            ("DATABASE_URL", database),
            ("INTAKE_DATA_DIR", dir.path().display().to_string()),
            (
                "INTAKE_FORMS_DIR",
                concat!(env!("CARGO_MANIFEST_DIR"), "/forms").to_owned(),
            ),
            ("INTAKE_WORKER", options.worker.to_string()),
            ("INTAKE_WORKER_POLL_MS", "25".to_owned()),
            ("INTAKE_LOG", "warn".to_owned()),
            // Tests run the schedule sync when they mean to.
            ("INTAKE_SCHEDULE_SYNC_SECS", "0".to_owned()),
        ]);
        if let Some(setting) = options.verify_code {
            vars.insert("INTAKE_VERIFY_CODE", setting.to_owned());
        }
        if vars["DATABASE_URL"].starts_with("postgres") {
            vars.insert(
                "INTAKE_DATA_KEY_FILE",
                data_key_file().display().to_string(),
            );
        }
        vars.extend(options.env.iter().cloned());
        match &options.fhir_url {
            Some(url) => vars.insert("INTAKE_EHR_FHIR_URL", url.clone()),
            None => vars.insert("INTAKE_EHR_FOLDER", ehr_folder.display().to_string()),
        };
        let config = Config::from_lookup(|name| vars.get(name).cloned(), &Overrides::default())
            .expect("test config");
        let clock = Arc::new(ManualClock::at(time::OffsetDateTime::now_utc()));
        let mut services = app::services(&config, true, clock.clone() as Arc<dyn Clock>)
            .await
            .expect("services start");
        let codes = Arc::new(RecordingSender::default());
        if !options.outbox_codes {
            services.code_sender = codes.clone();
        }
        let server = Server::bind(config, services.clone()).await.expect("bind");
        let base = format!("http://{}", server.local_addr().expect("address"));
        let shutdown = CancellationToken::new();
        let handle = tokio::spawn(server.run(shutdown.clone()));
        Self {
            base,
            services,
            clock,
            ehr_folder,
            codes,
            shutdown,
            server: Some(handle),
            _dir: dir,
        }
    }

    /// Stops the app as SIGTERM would, and waits for it to finish.
    pub async fn stop(mut self) {
        self.shutdown.cancel();
        if let Some(handle) = self.server.take() {
            handle.await.expect("server task").expect("server ran");
        }
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    /// A browser: a cookie jar and no automatic redirects, so tests see each 303.
    pub fn browser(&self) -> reqwest::Client {
        self.browser_with_jar().0
    }

    /// A browser and its cookie jar, to read (or steal) its cookies.
    pub fn browser_with_jar(&self) -> (reqwest::Client, Arc<reqwest::cookie::Jar>) {
        let jar = Arc::new(reqwest::cookie::Jar::default());
        let client = reqwest::Client::builder()
            .cookie_provider(jar.clone())
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        (client, jar)
    }

    /// Schedules an appointment for a demo patient and returns the invitation link.
    pub async fn invite(&self, mrn: &str) -> String {
        self.invite_patient(intake::domain::PatientIdentifier {
            system: "urn:oid:2.16.840.1.113883.19.5".into(),
            value: mrn.into(),
        })
        .await
    }

    /// Schedules an appointment for any patient on the EHR and returns the invitation link.
    pub async fn invite_patient(&self, patient: intake::domain::PatientIdentifier) -> String {
        self.invite_with_appointment(patient).await.0
    }

    /// Schedules an appointment and returns the link and the appointment's id.
    pub async fn invite_with_appointment(
        &self,
        patient: intake::domain::PatientIdentifier,
    ) -> (String, uuid::Uuid) {
        self.invite_to_form(patient, "previsit-basic").await
    }

    /// Schedules an appointment with this form and returns the link and the appointment's id.
    pub async fn invite_to_form(
        &self,
        patient: intake::domain::PatientIdentifier,
        form: &str,
    ) -> (String, uuid::Uuid) {
        let request = ScheduleRequest {
            patient,
            starts_at: self.clock.now_millis() + 86_400_000,
            visit_type: "Follow-up".into(),
            form_id: intake::forms::FormId::parse(form).expect("form id"),
        };
        let (appointment, _) = self
            .services
            .schedule_appointment(request)
            .await
            .expect("schedule");
        let token = self
            .services
            .issue_invitation(appointment)
            .await
            .expect("invite");
        (self.url(&format!("/i/{}", token.expose())), appointment)
    }

    /// Creates (or resets) a staff account and returns its password: `clinician` is a clinician,
    /// any other name the front desk.
    pub async fn staff_account(&self, username: &str) -> String {
        let password = intake::auth::generate_password();
        let hash = intake::auth::hash_password(&password).expect("hash");
        let role = if username == "clinician" {
            intake::store::StaffRole::Clinician
        } else {
            intake::store::StaffRole::FrontDesk
        };
        self.services
            .store
            .upsert_staff_user(username, username, role, &hash, 0)
            .await
            .expect("user");
        password
    }

    /// Signs a staff member in (creating the account) and returns their browser.
    pub async fn signed_in(&self, username: &str) -> reqwest::Client {
        self.signed_in_with_jar(username).await.0
    }

    /// Signs a staff member in and returns their browser and its cookie jar.
    pub async fn signed_in_with_jar(
        &self,
        username: &str,
    ) -> (reqwest::Client, Arc<reqwest::cookie::Jar>) {
        let password = self.staff_account(username).await;
        let (browser, jar) = self.browser_with_jar();
        let form = browser
            .get(self.url("/staff/login"))
            .send()
            .await
            .expect("login page")
            .text()
            .await
            .expect("body");
        let response = browser
            .post(self.url("/staff/login"))
            .form(&[
                ("csrf", csrf(&form).as_str()),
                ("username", username),
                ("password", &password),
            ])
            .send()
            .await
            .expect("sign in");
        assert_eq!(response.status(), 303, "sign-in should redirect");
        (browser, jar)
    }
}

/// The CSRF token in a page's first form.
pub fn csrf(html: &str) -> String {
    attribute_after(html, "name=\"csrf\" value=\"")
}

/// The attribute value that starts right after the first `marker` in `html`.
pub fn attribute_after(html: &str, marker: &str) -> String {
    let start = html
        .find(marker)
        .map(|i| i + marker.len())
        .unwrap_or_else(|| panic!("the page has {marker}"));
    html[start..]
        .split('"')
        .next()
        .expect("a closed attribute")
        .to_owned()
}

/// Where a 303 points, as a path.
pub fn location(response: &reqwest::Response) -> String {
    let value = response
        .headers()
        .get("location")
        .expect("a Location header")
        .to_str()
        .expect("text");
    value.to_owned()
}

/// Waits until `check` holds, for up to ten seconds (the worker polls every 25 ms).
pub async fn eventually<F, Fut>(what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..400 {
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("timed out waiting until {what}");
}

/// A client with a cookie jar that follows redirects, for a server started as a process.
pub fn cookie_browser() -> reqwest::Client {
    drop(rustls::crypto::ring::default_provider().install_default());
    reqwest::Client::builder()
        .cookie_store(true)
        .build()
        .unwrap()
}

/// A page's body.
pub async fn page(browser: &reqwest::Client, url: &str) -> String {
    browser.get(url).send().await.unwrap().text().await.unwrap()
}

/// A patient's browser on an opened link, and the session's CSRF token.
pub async fn open_link(app: &TestApp, link: &str) -> (reqwest::Client, String) {
    let browser = app.browser();
    let opened = browser.get(link).send().await.unwrap();
    assert_eq!(opened.status(), 303, "the link opens");
    let token = csrf(&page(&browser, &app.url("/intake")).await);
    (browser, token)
}

/// A patient's browser past the date-of-birth check, and the session's CSRF token.
pub async fn verified(app: &TestApp, link: &str, birth_date: &str) -> (reqwest::Client, String) {
    let (browser, token) = open_link(app, link).await;
    let response = browser
        .post(app.url("/intake/verify"))
        .form(&[("csrf", token.as_str()), ("birth_date", birth_date)])
        .send()
        .await
        .unwrap();
    // Where the patient picks up: the first page with something left, or the review.
    let next = location(&response);
    assert!(
        next.starts_with("/intake/page/") || next == "/intake/review",
        "the date of birth is accepted: {next}"
    );
    (browser, token)
}

/// Accepts the first item of the exception queue on the staff page, as the front desk would.
pub async fn accept_first_exception(app: &TestApp, staff: &reqwest::Client) {
    let queue = page(staff, &app.url("/staff/exceptions")).await;
    let id = queue
        .split("href=\"/staff/exceptions/")
        .nth(1)
        .expect("an item in the queue");
    let id = id.split('"').next().unwrap();
    let accepted = staff
        .post(app.url(&format!("/staff/exceptions/{id}/approve")))
        .form(&[("csrf", csrf(&queue))])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&accepted), "/staff/exceptions");
}

/// Walks a patient from the link to a submitted form: verify, answer every page, submit.
/// Returns the browser (its session now on the confirmation page).
pub async fn complete_intake(
    app: &TestApp,
    link: &str,
    birth_date: &str,
    allergies: &str,
) -> reqwest::Client {
    let (browser, token) = verified(app, link, birth_date).await;
    let pages: [&[(&str, &str)]; 3] = [
        &[
            ("a.reason", "Cough for two weeks"),
            ("a.pain_level", "3"),
            ("a.symptom_start", "2026-11-01"),
        ],
        &[("a.new_allergies", allergies), ("a.new_medications", "")],
        &[("a.tobacco", "266919005"), ("a.wants_callback", "no")],
    ];
    answer_and_submit(app, &browser, &token, &pages).await;
    browser
}

/// A patient (record number `mrn` in the demo EHR, born `birth_date`) invited to `form` and
/// verified: the browser and its CSRF token.
pub async fn answering(
    app: &TestApp,
    mrn: &str,
    birth_date: &str,
    form: &str,
) -> (reqwest::Client, String) {
    let (link, _) = app
        .invite_to_form(
            intake::domain::PatientIdentifier {
                system: "urn:oid:2.16.840.1.113883.19.5".into(),
                value: mrn.into(),
            },
            form,
        )
        .await;
    verified(app, &link, birth_date).await
}

/// Saves each of `pages` in turn (page 0 first; the entries on file each page asks about
/// confirmed as still true), each answered 303, then submits.
pub async fn answer_and_submit(
    app: &TestApp,
    browser: &reqwest::Client,
    token: &str,
    pages: &[&[(&str, &str)]],
) {
    for (index, answers) in pages.iter().enumerate() {
        save_page_confirming(app, browser, token, index, answers).await;
    }
    let submitted = browser
        .post(app.url("/intake/submit"))
        .form(&[("csrf", token)])
        .send()
        .await
        .unwrap();
    assert_eq!(location(&submitted), "/intake/done", "the intake submits");
}

/// Saves page `index` with `answers`, which the server answers 303.
pub async fn save_page(
    app: &TestApp,
    browser: &reqwest::Client,
    token: &str,
    index: usize,
    answers: &[(&str, &str)],
) {
    let mut form = vec![("csrf", token)];
    form.extend_from_slice(answers);
    let saved = browser
        .post(app.url(&format!("/intake/page/{index}")))
        .form(&form)
        .send()
        .await
        .unwrap();
    assert_eq!(saved.status(), 303, "page {index} saves");
}

/// Saves page `index` with `answers` and the entries on file it asks about confirmed as still
/// true, which the server answers 303.
pub async fn save_page_confirming(
    app: &TestApp,
    browser: &reqwest::Client,
    token: &str,
    index: usize,
    answers: &[(&str, &str)],
) {
    let shown = page(browser, &app.url(&format!("/intake/page/{index}"))).await;
    let confirmed = confirm_on_file(&shown);
    let mut form = answers.to_vec();
    form.extend(confirmed.iter().map(|(k, v)| (k.as_str(), v.as_str())));
    save_page(app, browser, token, index, &form).await;
}

/// The answers confirming, as they are, the entries on file a page asks about (its
/// `..._on_file` groups): each "still taking" or "still true" choice.
pub fn confirm_on_file(html: &str) -> Vec<(String, String)> {
    let choice =
        regex_lite::Regex::new(r#"name="(a\.\w+\.\d+\.\w+_status)" value="(taking|still)""#)
            .unwrap();
    choice
        .captures_iter(html)
        .map(|c| (c[1].to_owned(), c[2].to_owned()))
        .collect()
}

/// The JSON files the file-drop EHR received, by resource type.
pub fn posted(app: &TestApp, resource_type: &str) -> Vec<serde_json::Value> {
    let Ok(entries) = std::fs::read_dir(app.ehr_folder.join("outbox")) else {
        return vec![];
    };
    entries
        .filter_map(Result::ok)
        .filter(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            name.starts_with(&format!("{resource_type}-")) && name.ends_with(".json")
        })
        .map(|e| serde_json::from_str(&std::fs::read_to_string(e.path()).unwrap()).unwrap())
        .collect()
}
