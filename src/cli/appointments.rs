//! `intake appointments sync` (the schedule sync, once) and `intake forms which` (the form the
//! rules pick for an Appointment and Patient, and why).

use std::{path::Path, process::ExitCode};

use super::{print, read_json, usage_error};
use crate::{
    app,
    config::{Config, Overrides},
    ehr::chart_patient,
    schedule::{EhrAppointment, VisitFacts},
    telemetry,
};

/// Runs the sync once and prints what it did and each problem. Exit 1 when the EHR's schedule
/// could not be read.
pub async fn sync(overrides: Overrides) -> ExitCode {
    let config = match Config::from_env(&overrides) {
        Ok(config) => config,
        Err(error) => return usage_error(&format!("configuration: {error}")),
    };
    telemetry::init(&config.log_filter, config.log_json);
    let services = match app::services(&config, false, app::system_clock()).await {
        Ok(services) => services,
        Err(error) => return usage_error(&error.to_string()),
    };
    let outcome = services.sync_schedule().await;
    services.store.close().await;
    match outcome {
        Ok(report) => {
            let mut text = format!("schedule sync: {}", report.summary());
            for problem in &report.problems {
                let when = problem
                    .starts_at
                    .map(|at| format!(" ({})", crate::web::format_when(&config.clinic.zone, at)))
                    .unwrap_or_default();
                text.push_str(&format!(
                    "\n  Appointment/{}{when}: {}",
                    problem.ehr_appointment_id, problem.message
                ));
            }
            print(&text);
            ExitCode::SUCCESS
        }
        Err(error) => {
            drop(std::io::Write::write_all(
                &mut std::io::stderr(),
                format!("intake: the schedule sync failed: {error}\n").as_bytes(),
            ));
            ExitCode::FAILURE
        }
    }
}

/// Prints the form the rules pick for `appointment` (an Appointment JSON file) and `patient`
/// (a Patient JSON file), and why. Exit 1 when no rule matches and there is no default.
pub async fn which(appointment: &Path, patient: &Path) -> ExitCode {
    let config = match Config::from_env(&Overrides::default()) {
        Ok(config) => config,
        Err(error) => return usage_error(&format!("configuration: {error}")),
    };
    let forms = match app::load_configured_forms(&config).await {
        Ok(forms) => forms,
        Err(error) => return usage_error(&error.to_string()),
    };
    let rules = match app::load_form_rules(config.schedule.form_rules.as_deref(), &forms) {
        Ok(rules) => rules,
        Err(error) => return usage_error(&error.to_string()),
    };
    let (appointment_json, patient_json) = match (read_json(appointment), read_json(patient)) {
        (Ok(a), Ok(p)) => (a, p),
        (Err(error), _) | (_, Err(error)) => return usage_error(&error),
    };
    let Some(visit) = EhrAppointment::from_fhir(&appointment_json) else {
        return usage_error(&format!(
            "{}: not an Appointment with an id",
            appointment.display()
        ));
    };
    let Some(chart) = (patient_json["resourceType"] == "Patient")
        .then(|| chart_patient(&patient_json))
        .flatten()
    else {
        return usage_error(&format!(
            "{}: not a Patient with an id and a name",
            patient.display()
        ));
    };
    // The visit's day on the clinic's clocks, for the patient's age.
    let day = config.clinic.zone.today(
        visit
            .starts_at
            .unwrap_or_else(time::OffsetDateTime::now_utc),
    );
    let facts = VisitFacts {
        service_types: visit.service_types,
        appointment_types: visit.appointment_types,
        age: chart.birth_date.map(|b| b.age_on(day)),
        sex: chart.sex,
    };
    match rules.choose(&facts) {
        Some(choice) => {
            // The command line speaks English.
            let reason = crate::i18n::Language::english().phrase(&choice.reason);
            print(&format!("{}\n  {reason}", choice.form.as_str()));
            ExitCode::SUCCESS
        }
        None => {
            print("no form: no rule matches this visit and the rules give no default form");
            ExitCode::FAILURE
        }
    }
}
