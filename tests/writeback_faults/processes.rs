//! The `intake` binary as real processes: `intake serve` without the worker, and `intake
//! worker`, started, killed with SIGKILL and started again.

use std::{
    path::{Path, PathBuf},
    process::Stdio,
    time::Duration,
};

use tokio::process::{Child, Command};

/// What every process of one test shares.
#[derive(Debug, Clone)]
pub struct Setup {
    pub database_url: String,
    /// Where the processes' logs and data go.
    pub dir: PathBuf,
}

/// One `intake` process, which can be killed and started again.
#[derive(Debug)]
pub struct Intake {
    name: String,
    args: Vec<String>,
    env: Vec<(String, String)>,
    log: PathBuf,
    /// The base URL, for a server.
    pub url: Option<String>,
    child: Option<Child>,
    /// How often it was killed.
    pub kills: u32,
}

impl Intake {
    /// `intake serve` without the worker; its FHIR reads (the chart) go to `fhir_url`.
    pub fn server(setup: &Setup, name: &str, fhir_url: &str) -> Self {
        let port = free_port();
        let mut intake = Self::new(setup, name, &["serve"], fhir_url);
        intake.env.extend([
            ("INTAKE_ADDR".into(), format!("127.0.0.1:{port}")),
            ("INTAKE_WORKER".into(), "false".into()),
        ]);
        intake.url = Some(format!("http://127.0.0.1:{port}"));
        intake
    }

    /// `intake worker`, writing back to `fhir_url`.
    pub fn worker(setup: &Setup, name: &str, fhir_url: &str) -> Self {
        Self::new(setup, name, &["worker"], fhir_url)
    }

    fn new(setup: &Setup, name: &str, args: &[&str], fhir_url: &str) -> Self {
        let data = setup.dir.join(name);
        std::fs::create_dir_all(&data).unwrap();
        Self {
            name: name.into(),
            args: args.iter().map(|a| (*a).to_owned()).collect(),
            env: [
                ("DATABASE_URL", setup.database_url.as_str()),
                ("INTAKE_DATA_DIR", &data.display().to_string()),
                (
                    "INTAKE_FORMS_DIR",
                    concat!(env!("CARGO_MANIFEST_DIR"), "/forms"),
                ),
                ("INTAKE_EHR_FHIR_URL", fhir_url),
                // Short, so a killed worker's lease (6 × this + 10 s) runs out soon.
                ("INTAKE_EHR_TIMEOUT_SECS", "1"),
                ("INTAKE_WORKER_POLL_MS", "20"),
                ("INTAKE_WORKER_BACKOFF_MS", "100"),
                // Every simulated patient comes from 127.0.0.1.
                ("INTAKE_RATE_LIMIT", "1000000"),
                ("INTAKE_LOG", "warn"),
                (
                    "INTAKE_DATA_KEY_FILE",
                    &super::support::data_key_file().display().to_string(),
                ),
            ]
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect(),
            log: setup.dir.join(format!("{name}.log")),
            url: None,
            child: None,
            kills: 0,
        }
    }

    /// Starts the process (again); a server is waited for until it answers.
    pub async fn start(&mut self) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_intake"))
            .args(&self.args)
            .env_clear()
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            .stdin(Stdio::null())
            .stdout(Stdio::from(log.try_clone().unwrap()))
            .stderr(Stdio::from(log))
            .kill_on_drop(true)
            .spawn()
            .unwrap();
        self.child = Some(child);
        if let Some(url) = &self.url {
            wait_until_up(url, &self.name, &self.log).await;
        }
    }

    /// `kill -9`, and waits for the process to be gone.
    pub async fn kill(&mut self) {
        if let Some(mut child) = self.child.take() {
            child.start_kill().unwrap();
            drop(child.wait().await);
            self.kills += 1;
        }
    }

    /// Fails the test if the process exited on its own (a crash, not one of ours).
    pub fn assert_running(&mut self) {
        if let Some(child) = &mut self.child
            && let Some(status) = child.try_wait().unwrap()
        {
            panic!(
                "{} exited on its own ({status}); its log:\n{}",
                self.name,
                tail(&self.log)
            );
        }
    }
}

/// A port free on loopback right now.
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

async fn wait_until_up(base: &str, name: &str, log: &Path) {
    let client = crate::support::http();
    for _ in 0..400 {
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
    panic!("{name} did not come up; its log:\n{}", tail(log));
}

/// The end of a log, for a failure message.
pub fn tail(log: &Path) -> String {
    let text = std::fs::read_to_string(log).unwrap_or_default();
    let lines: Vec<&str> = text.lines().collect();
    lines[lines.len().saturating_sub(40)..].join("\n")
}
