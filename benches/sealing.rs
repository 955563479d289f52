//! The cost of sealing on an answer save: `Store::save_draft_at` (answers sealed, AES-256-GCM)
//! against the same statement binding the answers' JSON as plain text, on one SQLite file in
//! the same run, and the CPU part alone (JSON vs JSON + seal). Prints ratios, not times.
//! `cargo bench --bench sealing`

#![allow(
    clippy::expect_used,
    clippy::print_stdout,
    reason = "a benchmark: a broken set-up should stop it loudly, and it prints its figures"
)]

use std::{
    hint::black_box,
    path::Path,
    time::{Duration, Instant},
};

use intake::{
    app::form_files,
    domain::{BirthDate, PatientIdentifier, PatientName, SecretToken},
    engine::Answers,
    forms::{FormId, FormLibrary, answers_from_yaml, load_scenarios},
    store::{Draft, NewAppointment, Store},
};

/// The adult pre-visit form's fullest scenario answers: a real page save's payload.
fn answers() -> (Answers, FormId, intake::forms::ContentHash) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("forms");
    let files = form_files(std::slice::from_ref(&dir)).expect("forms/");
    let library = FormLibrary::compile(files.iter().map(|(f, s)| (f.as_str(), s.as_str())))
        .expect("forms compile");
    let id = FormId::parse("adult-previsit").expect("id");
    let form = library.get(&id).expect("form").as_ref().clone();
    let scenarios =
        std::fs::read_to_string(dir.join("adult-previsit.test.yaml")).expect("scenarios");
    let scenarios = load_scenarios("adult-previsit", &scenarios).expect("scenarios parse");
    let case = scenarios
        .cases
        .iter()
        .max_by_key(|c| c.answers.len())
        .expect("a case");
    let answers = answers_from_yaml(
        form.sections.iter().flat_map(|s| s.items.iter()),
        &case.answers,
    )
    .expect("answers");
    (answers, id, form.content_hash.clone())
}

/// The median of `rounds` timings of `n` runs of `f`.
fn median(mut times: Vec<Duration>) -> Duration {
    times.sort();
    times[times.len() / 2]
}

const N: usize = 400;
const ROUNDS: usize = 7;

fn main() {
    let runtime = tokio::runtime::Runtime::new().expect("runtime");
    let (answers, form_id, form_hash) = answers();
    let dir = tempfile::tempdir().expect("temp dir");
    let url = format!("sqlite:{}", dir.path().join("bench.db").display());
    let store = runtime.block_on(Store::connect(&url)).expect("store");
    let appointment = runtime
        .block_on(store.insert_appointment(
            &NewAppointment {
                patient: PatientIdentifier {
                    system: "urn:mrn".into(),
                    value: "B-1".into(),
                },
                patient_name: PatientName::new("Bench Patient"),
                patient_birth_date: BirthDate::from_chart("1970-01-01").expect("date"),
                patient_ref: "Patient/b".into(),
                starts_at: 1,
                visit_type: "Follow-up".into(),
                form_id: form_id.clone(),
            },
            1,
        ))
        .expect("appointment");
    let invitation = runtime
        .block_on(store.issue_invitation(appointment, &SecretToken::generate().hash(), i64::MAX, 1))
        .expect("invitation");
    let draft = Draft {
        form_id: form_id.clone(),
        form_hash,
        answers: answers.clone(),
        form_state: intake::store::FormState::default(),
        sent_at: None,
    };
    // The store's own connection settings (WAL, synchronous NORMAL, foreign keys), so the two
    // saves differ only in the sealing.
    let options = <sqlx::sqlite::SqliteConnectOptions as std::str::FromStr>::from_str(&url)
        .expect("url")
        .journal_mode(sqlx::sqlite::SqliteJournalMode::Wal)
        .synchronous(sqlx::sqlite::SqliteSynchronous::Normal)
        .foreign_keys(true);
    let plain_pool = runtime
        .block_on(sqlx::SqlitePool::connect_with(options))
        .expect("plain pool");
    let plain_sql = "INSERT INTO drafts (invitation_id, form_id, form_hash, answers, updated_at, form_state, page) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) \
         ON CONFLICT (invitation_id) DO UPDATE SET form_id = excluded.form_id, form_hash = excluded.form_hash, \
         answers = excluded.answers, updated_at = excluded.updated_at, form_state = excluded.form_state, \
         page = COALESCE(excluded.page, drafts.page)";
    let (mut sealed, mut plain) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        let started = Instant::now();
        for i in 0..N {
            runtime
                .block_on(store.save_draft_at(invitation, &draft, Some(1), i as i64))
                .expect("save");
        }
        sealed.push(started.elapsed());
        let started = Instant::now();
        for i in 0..N {
            let json = serde_json::to_string(&draft.answers).expect("json");
            runtime
                .block_on(
                    sqlx::query(plain_sql)
                        .bind(invitation)
                        .bind(draft.form_id.as_str())
                        .bind(draft.form_hash.as_str())
                        .bind(json)
                        .bind(i as i64)
                        .bind(sqlx::types::Json(&draft.form_state))
                        .bind(Some(1_i64))
                        .execute(&plain_pool),
                )
                .expect("plain save");
        }
        plain.push(started.elapsed());
    }
    let (sealed, plain) = (median(sealed), median(plain));

    // The CPU part alone: JSON, against JSON and the seal.
    let sealer = store.sealer().clone();
    let aad = intake::crypt::aad("drafts.answers", invitation);
    let (mut json_only, mut json_sealed) = (Vec::new(), Vec::new());
    for _ in 0..ROUNDS {
        let started = Instant::now();
        for _ in 0..N * 10 {
            black_box(serde_json::to_string(black_box(&answers)).expect("json"));
        }
        json_only.push(started.elapsed());
        let started = Instant::now();
        for _ in 0..N * 10 {
            let json = serde_json::to_string(black_box(&answers)).expect("json");
            black_box(sealer.seal_text(&json, &aad).expect("seal"));
        }
        json_sealed.push(started.elapsed());
    }
    let (json_only, json_sealed) = (median(json_only), median(json_sealed));
    let bytes = serde_json::to_string(&answers).expect("json").len();
    println!(
        "answer save on SQLite ({bytes} bytes of answers, {N} saves, median of {ROUNDS}): \
         sealed / plain = {:.3} ({:.1} µs vs {:.1} µs a save)",
        sealed.as_secs_f64() / plain.as_secs_f64(),
        sealed.as_secs_f64() * 1e6 / N as f64,
        plain.as_secs_f64() * 1e6 / N as f64,
    );
    println!(
        "CPU only: (JSON + seal) / JSON = {:.3} ({:.2} µs vs {:.2} µs)",
        json_sealed.as_secs_f64() / json_only.as_secs_f64(),
        json_sealed.as_secs_f64() * 1e6 / (N * 10) as f64,
        json_only.as_secs_f64() * 1e6 / (N * 10) as f64,
    );
}
