//! The command line. Exit codes: 0 on success; 2 on bad usage or invalid input, with the reason
//! on stderr; 1 when the service fails while running. Output goes through [`print`], the one
//! writer to stdout.

mod appointments;
mod audit;
mod evaluate;
mod extract;
mod fhirpath;
mod forms;
mod import_check;
mod operations;
mod populate;
mod preview;
mod rotate_key;
mod serve;
mod smart_key;
mod staff;
mod worker;

use std::{io::Write, path::PathBuf, process::ExitCode};

use clap::{Parser, Subcommand};

use crate::config::Overrides;

/// Patient intake: adaptive forms, FHIR prefill, exactly-once write-back.
#[derive(Debug, Parser)]
#[command(name = "intake", version, about)]
pub struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the web service and the write-back worker.
    Serve {
        /// Address to listen on (overrides INTAKE_ADDR).
        #[arg(long)]
        addr: Option<String>,
        /// Database URL, `sqlite:PATH` or `postgres://…` (overrides DATABASE_URL).
        #[arg(long)]
        database: Option<String>,
        /// Seed demo data: staff accounts, appointments and invitation links, printed once.
        #[arg(long)]
        demo: bool,
        /// How many demo appointments (and links) a fresh database gets; `scripts/load.sh` asks
        /// for many, to spread its load over many patient sessions.
        #[arg(long, hide = true, requires = "demo", default_value_t = 3)]
        demo_appointments: usize,
    },
    /// Run the write-back worker alone (no web service), for sites that run workers and web
    /// servers as separate processes on one Postgres database.
    Worker {
        /// Database URL (overrides DATABASE_URL).
        #[arg(long)]
        database: Option<String>,
    },
    /// Apply the database migrations and exit (a deployment runs this once before new
    /// processes start; `serve` and `worker` also migrate unless INTAKE_MIGRATE_ON_START=false).
    Migrate {
        /// Database URL (overrides DATABASE_URL).
        #[arg(long)]
        database: Option<String>,
    },
    /// Re-wrap the database's data key under a new key-encryption key: unwraps it with the
    /// current key (INTAKE_DATA_KEY_FILE, or the file beside a SQLite database) and wraps it
    /// with the key in `--new-key-file` (made there, readable by its owner only, when the
    /// file does not exist). No patient data is re-encrypted. Afterwards point
    /// INTAKE_DATA_KEY_FILE at the new file, restart every process, and keep the old file
    /// until the backups made before the rotation have expired.
    RotateKey {
        /// The new key file (32 random bytes in base64).
        #[arg(long, value_name = "FILE")]
        new_key_file: PathBuf,
        /// Database URL (overrides DATABASE_URL).
        #[arg(long)]
        database: Option<String>,
    },
    /// Read and check every variable and the files they name, print what would run (secrets
    /// masked), and exit 2 naming the first problem.
    CheckConfig,
    /// Copy a SQLite database, consistently, while it is in use (Postgres: use pg_dump).
    Backup {
        /// The new file to write.
        #[arg(long, value_name = "FILE")]
        to: PathBuf,
        /// Database URL (overrides DATABASE_URL).
        #[arg(long)]
        database: Option<String>,
    },
    /// Delete now what the retention periods (INTAKE_RETAIN_*) say is no longer needed, and
    /// print how many of each (workers do this daily).
    Purge {
        /// Database URL (overrides DATABASE_URL).
        #[arg(long)]
        database: Option<String>,
    },
    /// Evaluate a FHIRPath expression and print the result collection as a JSON array.
    Fhirpath {
        /// The expression (it may start with `-`, as in `-3 != 3`).
        #[arg(allow_hyphen_values = true)]
        expression: String,
        /// The FHIR JSON resource to evaluate on (the expression's focus and `%resource`).
        #[arg(long, value_name = "FILE.json")]
        input: Option<PathBuf>,
        /// A `%`-variable bound to a JSON file; may be repeated.
        #[arg(long = "var", value_name = "NAME=FILE.json")]
        vars: Vec<String>,
        /// The time `now()` and `today()` read, e.g. 2026-11-22T10:00:00Z (default: the clock).
        #[arg(long, value_name = "DATETIME")]
        now: Option<String>,
        /// The specification's checks, as the conformance suite's strict tests run them: an
        /// element no item of the collection has, a non-boolean `iif` criterion and an ordered
        /// function on an unordered collection are errors. The official suite passes with it
        /// (935 of 935). (Without it the specification's semantics still hold:
        /// `valueQuantity`-style paths are errors, as `intake forms check` reports them.)
        #[arg(long)]
        strict: bool,
    },
    /// Evaluate a form against a QuestionnaireResponse and print what the engine decides, as JSON.
    Evaluate {
        /// A form: a YAML file, the id of a form in forms/, or an SDC Questionnaire JSON file.
        #[arg(long)]
        form: String,
        /// The QuestionnaireResponse JSON.
        #[arg(long, value_name = "QR.json")]
        response: PathBuf,
        /// Launch context, e.g. patient=patient.json; may be repeated.
        #[arg(long = "context", value_name = "NAME=FILE.json")]
        contexts: Vec<String>,
        /// The time `now()` and `today()` read (default: the clock).
        #[arg(long, value_name = "DATETIME")]
        now: Option<String>,
    },
    /// Run SDC $extract on a QuestionnaireResponse and print the transaction Bundle (JSON);
    /// what could not be extracted is reported on stderr.
    Extract {
        /// A form: an SDC Questionnaire JSON file, a YAML form file, or the id of a form in forms/.
        #[arg(long)]
        form: String,
        /// The QuestionnaireResponse JSON.
        #[arg(long, value_name = "QR.json")]
        response: PathBuf,
        /// A %-variable: a launch context such as patient=patient.json, or the result Bundle of
        /// one of the Questionnaire's query variables; may be repeated.
        #[arg(long = "context", value_name = "NAME=FILE.json")]
        contexts: Vec<String>,
        /// The time `now()` and `today()` read and the Bundle's timestamp (default: the clock).
        #[arg(long, value_name = "DATETIME")]
        now: Option<String>,
        /// Print what Intake would post instead: identifiers, unconfirmed status, only what
        /// differs from the chart given as contexts (patient, AllergyIntolerance,
        /// MedicationStatement, Condition), and the Provenance.
        #[arg(long)]
        for_posting: bool,
    },
    /// Run SDC $populate and print the in-progress QuestionnaireResponse (JSON); what could not
    /// be read or evaluated is reported on stderr.
    Populate {
        /// A form: an SDC Questionnaire JSON file, a YAML form file, or the id of a form in forms/.
        #[arg(long)]
        form: String,
        /// A %-variable: a launch context such as patient=patient.json (also user, encounter),
        /// or the result Bundle of one of the form's queries, which is then not run; may be
        /// repeated.
        #[arg(long = "context", value_name = "NAME=FILE.json")]
        contexts: Vec<String>,
        /// Where the form's queries run: a file-drop folder or a FHIR base URL.
        #[arg(long, value_name = "FOLDER|URL")]
        ehr: Option<String>,
        /// The time `now()` and `today()` read (default: the clock).
        #[arg(long, value_name = "DATETIME")]
        now: Option<String>,
    },
    /// Make (ES384) or read (RS384, ES384) the key for SMART Backend Services and print its
    /// public JWK set, to register with the EHR.
    SmartKey {
        /// ES384 (a new key is made) or RS384 (make the key with openssl and pass --from).
        #[arg(long, default_value = "ES384")]
        alg: String,
        /// Where to write the new private key (PKCS#8 PEM, mode 0600); an existing file is kept.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// An existing private key (PKCS#8 PEM or DER) to print the public key set of.
        #[arg(long, value_name = "FILE", conflicts_with = "out")]
        from: Option<PathBuf>,
        /// The key id (default: the key's JWK thumbprint).
        #[arg(long)]
        kid: Option<String>,
    },
    /// Check and test form definitions.
    Forms {
        #[command(subcommand)]
        command: FormsCommand,
    },
    /// Manage staff accounts (the first admin is made this way on a fresh database).
    Staff {
        /// Database URL (overrides DATABASE_URL).
        #[arg(long, global = true)]
        database: Option<String>,
        #[command(subcommand)]
        command: StaffSubcommand,
    },
    /// The audit log's hash chains.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// Appointments from the EHR's schedule.
    Appointments {
        #[command(subcommand)]
        command: AppointmentsCommand,
    },
}

#[derive(Debug, Subcommand)]
enum StaffSubcommand {
    /// Add an account and print its one-time initial password (changed at first sign-in).
    Add {
        /// The login name: lower-case letters, digits, `.`, `_` or `-`.
        username: String,
        /// admin, front_desk or clinician.
        #[arg(long)]
        role: String,
        /// The name shown in the header and the audit log (default: the username).
        #[arg(long)]
        name: Option<String>,
        /// Read the initial password from the first line of stdin instead of generating one.
        #[arg(long)]
        password_stdin: bool,
    },
    /// List every account: username, role, state, whether an authenticator is set up, name.
    List,
    /// Disable an account: it cannot sign in and its sessions end.
    Disable {
        /// The login name.
        username: String,
    },
    /// Let a disabled account sign in again.
    Enable {
        /// The login name.
        username: String,
    },
    /// Give an account a new one-time password (printed), to be changed at the next sign-in.
    ResetPassword {
        /// The login name.
        username: String,
    },
    /// Forget an account's authenticator app and recovery codes (a lost phone); it sets up a
    /// new one at the next sign-in.
    ResetAuthenticator {
        /// The login name.
        username: String,
    },
}

#[derive(Debug, Subcommand)]
enum AuditCommand {
    /// Walk every chain of the audit log and name the first event that was changed, removed or
    /// inserted behind Intake's back; prints each chain's length and head hash. Exit 0 when the
    /// log is intact, 1 when it was tampered with, 2 when it cannot be read.
    Verify {
        /// Database URL (overrides DATABASE_URL).
        #[arg(long)]
        database: Option<String>,
        /// A head printed by an earlier run and kept elsewhere, `CHAIN:NUMBER:HASH`: the event
        /// of that number must still have that hash (else the chain was rewritten); may be
        /// repeated.
        #[arg(long = "anchor", value_name = "CHAIN:NUMBER:HASH")]
        anchors: Vec<String>,
    },
}

#[derive(Debug, Subcommand)]
enum AppointmentsCommand {
    /// Run the schedule sync once: read the EHR's Appointments for the coming days, bring them
    /// in, and print what it did and each problem.
    Sync {
        /// Database URL (overrides DATABASE_URL).
        #[arg(long)]
        database: Option<String>,
    },
}

#[derive(Debug, Subcommand)]
enum FormsCommand {
    /// Compile and lint forms; prints `file:line:col: error: ...` and exits 1 on any error.
    Check {
        /// Form files or directories (default: forms).
        paths: Vec<PathBuf>,
    },
    /// Run the scenario tests (`<form>.test.yaml`) of forms; prints `N passed, N failed`.
    Test {
        /// Form files or directories (default: forms).
        paths: Vec<PathBuf>,
    },
    /// Print a form (an id in forms/ or a YAML file) as an HL7 SDC Questionnaire (JSON).
    Export {
        /// The form: an id in forms/ or a YAML file.
        form: String,
        /// The output format; `fhir` (an R4 SDC Questionnaire) is the only one.
        #[arg(long, default_value = "fhir")]
        format: String,
    },
    /// Import an SDC Questionnaire (JSON) as a form file (YAML); exits 2 naming what is unsupported.
    Import {
        /// The Questionnaire JSON.
        file: PathBuf,
        /// Where to write the YAML (default: stdout).
        #[arg(long, value_name = "FILE.yaml")]
        output: Option<PathBuf>,
    },
    /// Import every SDC Questionnaire (JSON) under the paths as `import` does and run each with
    /// generated answers; prints `ok`/`no` per file, the rate, and the refusals by feature.
    ImportCheck {
        /// Questionnaire JSON files or directories (searched recursively).
        #[arg(required = true)]
        paths: Vec<PathBuf>,
    },
    /// Print the form the rules (INTAKE_FORM_RULES) pick for an appointment and patient, and why.
    Which {
        /// An Appointment (FHIR JSON).
        #[arg(long, value_name = "FILE.json")]
        appointment: PathBuf,
        /// The Patient (FHIR JSON).
        #[arg(long, value_name = "FILE.json")]
        patient: PathBuf,
    },
    /// Serve forms through the patient pages, reloading when the YAML changes and showing lint
    /// problems in the page.
    Preview {
        /// Form files or directories (default: forms).
        paths: Vec<PathBuf>,
        /// Address to listen on.
        #[arg(long)]
        addr: Option<String>,
    },
}

/// Parses the arguments and runs the command.
pub async fn run() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(error) => {
            // clap prints help and version to stdout (exit 0) and usage errors to stderr (exit 2).
            drop(error.print());
            return ExitCode::from(u8::try_from(error.exit_code()).unwrap_or(2));
        }
    };
    match cli.command {
        Command::Serve {
            addr,
            database,
            demo,
            demo_appointments,
        } => {
            serve::serve(
                Overrides {
                    addr,
                    database_url: database,
                },
                demo.then_some(demo_appointments),
            )
            .await
        }
        Command::Worker { database } => {
            worker::worker(Overrides {
                addr: None,
                database_url: database,
            })
            .await
        }
        Command::Migrate { database } => operations::migrate(database).await,
        Command::CheckConfig => operations::check_config().await,
        Command::RotateKey {
            new_key_file,
            database,
        } => rotate_key::rotate_key(database, &new_key_file).await,
        Command::Backup { to, database } => operations::backup(database, &to).await,
        Command::Purge { database } => operations::purge(database).await,
        Command::Audit {
            command: AuditCommand::Verify { database, anchors },
        } => audit::verify(database, &anchors).await,
        Command::Fhirpath {
            expression,
            input,
            vars,
            now,
            strict,
        } => fhirpath::evaluate(&expression, input.as_deref(), &vars, now.as_deref(), strict),
        Command::Evaluate {
            form,
            response,
            contexts,
            now,
        } => evaluate::run(&form, &response, &contexts, now.as_deref()).await,
        Command::Populate {
            form,
            contexts,
            ehr,
            now,
        } => populate::run(&form, &contexts, ehr.as_deref(), now.as_deref()).await,
        Command::Extract {
            form,
            response,
            contexts,
            now,
            for_posting,
        } => extract::run(&form, &response, &contexts, now.as_deref(), for_posting).await,
        Command::SmartKey {
            alg,
            out,
            from,
            kid,
        } => smart_key::run(&alg, out.as_deref(), from.as_deref(), kid.as_deref()),
        Command::Forms {
            command: FormsCommand::Check { paths },
        } => forms::check(&paths).await,
        Command::Forms {
            command: FormsCommand::Preview { paths, addr },
        } => preview::preview(&paths, addr).await,
        Command::Forms {
            command: FormsCommand::Test { paths },
        } => forms::test(&paths).await,
        Command::Forms {
            command: FormsCommand::Export { form, format },
        } => forms::export(&form, &format).await,
        Command::Forms {
            command: FormsCommand::Import { file, output },
        } => forms::import(&file, output.as_deref()).await,
        Command::Forms {
            command: FormsCommand::ImportCheck { paths },
        } => import_check::run(&paths).await,
        Command::Staff { database, command } => {
            let command = match command {
                StaffSubcommand::Add {
                    username,
                    role,
                    name,
                    password_stdin,
                } => staff::StaffCommand::Add {
                    username,
                    role,
                    name,
                    password_stdin,
                },
                StaffSubcommand::List => staff::StaffCommand::List,
                StaffSubcommand::Disable { username } => staff::StaffCommand::Disable(username),
                StaffSubcommand::Enable { username } => staff::StaffCommand::Enable(username),
                StaffSubcommand::ResetPassword { username } => {
                    staff::StaffCommand::ResetPassword(username)
                }
                StaffSubcommand::ResetAuthenticator { username } => {
                    staff::StaffCommand::ResetAuthenticator(username)
                }
            };
            staff::run(database, command).await
        }
        Command::Forms {
            command:
                FormsCommand::Which {
                    appointment,
                    patient,
                },
        } => appointments::which(&appointment, &patient).await,
        Command::Appointments {
            command: AppointmentsCommand::Sync { database },
        } => {
            appointments::sync(Overrides {
                addr: None,
                database_url: database,
            })
            .await
        }
    }
}

/// Reports bad usage or invalid input on stderr and exits 2.
fn usage_error(message: &str) -> ExitCode {
    drop(writeln!(std::io::stderr(), "intake: {message}"));
    ExitCode::from(2)
}

/// The Questionnaire for `form`: a Questionnaire JSON file as it is, or one of our YAML forms
/// (a file, or an id in `forms/`) exported as an SDC Questionnaire, with the form.
async fn questionnaire_for(
    form: &str,
) -> Result<
    (
        serde_json::Value,
        Option<std::sync::Arc<crate::forms::Form>>,
    ),
    String,
> {
    if form.ends_with(".json") {
        let questionnaire = read_json(std::path::Path::new(form))?;
        if questionnaire["resourceType"] != "Questionnaire" {
            return Err(format!("{form}: not a Questionnaire"));
        }
        return Ok((questionnaire, None));
    }
    let form = evaluate::load_form(form).await?;
    Ok((crate::forms::sdc::export(&form), Some(form)))
}

/// `--context NAME=FILE.json` bindings, read (the name without a leading `%`).
fn read_contexts(bindings: &[String]) -> Result<Vec<(String, serde_json::Value)>, String> {
    bindings
        .iter()
        .map(|binding| {
            let (name, file) = binding
                .split_once('=')
                .ok_or_else(|| format!("--context {binding}: expected NAME=FILE.json"))?;
            let value = read_json(std::path::Path::new(file))?;
            Ok((name.trim_start_matches('%').to_owned(), value))
        })
        .collect()
}

/// Reads a JSON file, naming the file (and the line and column) in the error.
fn read_json(path: &std::path::Path) -> Result<serde_json::Value, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| {
        format!(
            "{}:{}:{}: not JSON: {e}",
            path.display(),
            e.line(),
            e.column()
        )
    })
}

/// The instant `--now` names (RFC 3339, e.g. `2026-11-22T10:00:00Z`), or the system clock's.
fn now_from(argument: Option<&str>) -> Result<time::OffsetDateTime, String> {
    match argument {
        None => Ok(time::OffsetDateTime::now_utc()),
        Some(text) => {
            time::OffsetDateTime::parse(text, &time::format_description::well_known::Rfc3339)
                .map_err(|_| format!("--now {text}: not a date and time like 2026-11-22T10:00:00Z"))
        }
    }
}

/// Writes command output to stdout.
fn print(text: &str) {
    drop(writeln!(std::io::stdout().lock(), "{text}"));
}
