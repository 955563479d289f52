//! The file-drop connector: reads FHIR bundles (or single resources) from a folder and writes
//! each posted change as a transaction Bundle into its `outbox/` subfolder, one file per change.
//! The file name is the change's identifier, so a second post of the same change finds the
//! first and writes nothing.

use std::{
    collections::HashMap,
    path::{Path, PathBuf},
    sync::{Arc, Mutex},
    time::SystemTime,
};

use async_trait::async_trait;
use serde_json::{Value, json};

use super::{
    AppointmentPage, ChartPatient, Ehr, EhrError, OutgoingChange, PostReceipt, has_identifier,
    only_patient, search_resources, transaction_entry,
};
use crate::{
    domain::PatientIdentifier,
    mapping::{ChangeIdentifier, ResourceType},
};

/// A folder standing in for the EHR.
#[derive(Debug, Clone)]
pub struct FileDrop {
    folder: PathBuf,
    parsed: Parsed,
}

/// Each JSON file's resources as last read, with the size and time of change they were read
/// at: a chart read or a search reads only files that changed since, not the whole folder (a
/// schedule file of 10,000 appointments took most of every page save's time).
#[derive(Clone, Default)]
struct Parsed(Arc<Mutex<HashMap<PathBuf, (FileStamp, FileResources)>>>);

/// What tells a file changed: its length and time of last change.
type FileStamp = (u64, Option<SystemTime>);

/// One file's resources, shared by every read until the file changes.
type FileResources = Arc<Vec<KeptResource>>;

/// One resource as kept: its type, and its JSON as text, parsed again only when a read asks
/// for its type (10,000 Appointments kept as parsed values held 200 MB; as text, 4 MB).
struct KeptResource {
    resource_type: Box<str>,
    json: Box<str>,
}

impl std::fmt::Debug for Parsed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The resources are patients' charts: only how many files are held.
        let files = self.0.lock().map_or(0, |held| held.len());
        write!(f, "Parsed({files} files)")
    }
}

impl FileDrop {
    /// Uses `folder` (created with its `outbox/` if missing).
    pub fn new(folder: impl Into<PathBuf>) -> std::io::Result<Self> {
        let folder = folder.into();
        std::fs::create_dir_all(folder.join("outbox"))?;
        Ok(Self {
            folder,
            parsed: Parsed::default(),
        })
    }

    fn outbox_file(&self, resource_type: ResourceType, identifier: ChangeIdentifier) -> PathBuf {
        self.folder
            .join("outbox")
            .join(format!("{resource_type}-{}.json", identifier.0))
    }

    /// The folder's resources of one type (bundle entries unpacked).
    async fn of_type(&self, resource_type: &str) -> Result<Vec<Value>, EhrError> {
        let files = self.resources().await?;
        Ok(files
            .iter()
            .flat_map(|file| file.iter())
            .filter(|kept| &*kept.resource_type == resource_type)
            .filter_map(|kept| serde_json::from_str(&kept.json).ok())
            .collect())
    }

    /// The resources of each of the folder's JSON files (bundle entries unpacked), read again
    /// only when a file changed.
    async fn resources(&self) -> Result<Vec<FileResources>, EhrError> {
        let mut files = Vec::new();
        let mut entries = tokio::fs::read_dir(&self.folder).await.map_err(io_error)?;
        while let Some(entry) = entries.next_entry().await.map_err(io_error)? {
            let path = entry.path();
            if path.extension().is_none_or(|e| e != "json") {
                continue;
            }
            let metadata = entry.metadata().await.map_err(io_error)?;
            let stamp = (metadata.len(), metadata.modified().ok());
            let resources = match self.parsed.get(&path, stamp) {
                Some(resources) => resources,
                None => {
                    let resources = Arc::new(read_resources(&path).await?);
                    self.parsed
                        .keep(path.clone(), stamp, Arc::clone(&resources));
                    resources
                }
            };
            files.push((path, resources));
        }
        // In the order of their names, so a position in the folder (a page of the schedule)
        // means the same from one read to the next.
        files.sort_unstable_by(|(a, _), (b, _)| a.cmp(b));
        let (seen, files): (Vec<_>, Vec<_>) = files.into_iter().unzip();
        self.parsed.forget_all_but(&seen);
        Ok(files)
    }

    /// One page of the folder's Appointments in `[from, to)` with a status the sync reads,
    /// from the `start`th resource of the folder on. Only the page's Appointments are parsed.
    async fn appointments_from(
        &self,
        from: time::OffsetDateTime,
        to: time::OffsetDateTime,
        start: usize,
    ) -> Result<AppointmentPage, EhrError> {
        let statuses: Vec<&str> = super::SYNCED_STATUSES.split(',').collect();
        let files = self.resources().await?;
        let mut page = AppointmentPage::default();
        let mut kept = files
            .iter()
            .flat_map(|file| file.iter())
            .enumerate()
            .skip(start);
        for (position, resource) in kept.by_ref() {
            if &*resource.resource_type != "Appointment" {
                continue;
            }
            let Ok(appointment) = serde_json::from_str::<Value>(&resource.json) else {
                continue;
            };
            if appointment["status"]
                .as_str()
                .is_some_and(|s| statuses.contains(&s))
                && starts_within(&appointment, from, to)
            {
                page.appointments.push(appointment);
                if page.appointments.len() == PAGE_SIZE {
                    page.next = Some((position + 1).to_string());
                    break;
                }
            }
        }
        if kept.next().is_none() {
            page.next = None;
        }
        Ok(page)
    }
}

impl Parsed {
    fn get(&self, path: &Path, stamp: FileStamp) -> Option<FileResources> {
        let held = self.0.lock().ok()?;
        held.get(path)
            .filter(|(kept, _)| *kept == stamp)
            .map(|(_, resources)| Arc::clone(resources))
    }

    fn keep(&self, path: PathBuf, stamp: FileStamp, resources: FileResources) {
        if let Ok(mut held) = self.0.lock() {
            held.insert(path, (stamp, resources));
        }
    }

    /// Drops files no longer in the folder.
    fn forget_all_but(&self, present: &[PathBuf]) {
        if let Ok(mut held) = self.0.lock() {
            held.retain(|path, _| present.contains(path));
        }
    }
}

/// How many Appointments a page of the folder's schedule holds, as a FHIR server's would.
const PAGE_SIZE: usize = 100;

/// Whether the Appointment starts in `[from, to)`. One without a readable start is kept, so the
/// sync can say what is wrong with it.
fn starts_within(
    appointment: &Value,
    from: time::OffsetDateTime,
    to: time::OffsetDateTime,
) -> bool {
    appointment["start"]
        .as_str()
        .and_then(|start| {
            time::OffsetDateTime::parse(start, &time::format_description::well_known::Rfc3339).ok()
        })
        .is_none_or(|start| start >= from && start < to)
}

/// Just a resource's type: the rest of it is skipped, not built.
#[derive(serde::Deserialize)]
struct TypeOnly<'a> {
    #[serde(rename = "resourceType", borrow)]
    resource_type: Option<std::borrow::Cow<'a, str>>,
}

/// A Bundle's entries, each resource left as its text.
#[derive(serde::Deserialize)]
struct Entries<'a> {
    #[serde(default, borrow)]
    entry: Vec<Entry<'a>>,
}

#[derive(serde::Deserialize)]
struct Entry<'a> {
    #[serde(borrow)]
    resource: Option<&'a serde_json::value::RawValue>,
}

/// A file's resources (a Bundle's entries, or the one resource it is), each kept as compact
/// text. The file is never built as one JSON tree: a schedule of 10,000 Appointments built
/// whole took 100 MB for a moment, one resource at a time takes a few kilobytes.
async fn read_resources(path: &Path) -> Result<Vec<KeptResource>, EhrError> {
    let text = tokio::fs::read_to_string(path).await.map_err(io_error)?;
    let not_json =
        |e: serde_json::Error| EhrError::Unexpected(format!("{} is not JSON: {e}", path.display()));
    let whole = serde_json::from_str::<&serde_json::value::RawValue>(&text).map_err(not_json)?;
    let resources = match serde_json::from_str::<TypeOnly<'_>>(whole.get())
        .map_err(not_json)?
        .resource_type
        .as_deref()
    {
        Some("Bundle") => serde_json::from_str::<Entries<'_>>(whole.get())
            .map_err(not_json)?
            .entry
            .into_iter()
            .filter_map(|entry| entry.resource)
            .collect(),
        Some(_) => vec![whole],
        None => vec![],
    };
    resources
        .into_iter()
        .map(|raw| keep(raw).map_err(not_json))
        .collect()
}

fn keep(raw: &serde_json::value::RawValue) -> Result<KeptResource, serde_json::Error> {
    let resource_type = serde_json::from_str::<TypeOnly<'_>>(raw.get())?
        .resource_type
        .unwrap_or_default()
        .into();
    // Compact, as the connector writes it: a file written for people holds twice the spaces.
    let json = serde_json::from_str::<Value>(raw.get())?.to_string().into();
    Ok(KeptResource {
        resource_type,
        json,
    })
}

fn io_error(error: std::io::Error) -> EhrError {
    EhrError::Transient {
        message: format!("file-drop folder: {}", error.kind()),
        retry_after: None,
    }
}

#[async_trait]
impl Ehr for FileDrop {
    async fn find_patient(
        &self,
        identifier: &PatientIdentifier,
    ) -> Result<Option<ChartPatient>, EhrError> {
        let matches: Vec<Value> = self
            .of_type("Patient")
            .await?
            .into_iter()
            .filter(|r| has_identifier(r, &identifier.system, &identifier.value))
            .collect();
        only_patient(&matches)
    }

    async fn post(&self, change: OutgoingChange<'_>) -> Result<PostReceipt, EhrError> {
        let path = self.outbox_file(change.resource_type, change.identifier);
        let resource_id = change.identifier.0.to_string();
        if tokio::fs::try_exists(&path).await.map_err(io_error)? {
            return Ok(PostReceipt {
                resource_id,
                created: false,
            });
        }
        // The file holds the resource with the id the EHR would give it: the chart's own for an
        // update, else the change identifier's.
        let mut resource = change.resource.clone();
        if resource.get("id").is_none() {
            resource["id"] = json!(resource_id);
        }
        let resource_id = resource["id"].as_str().unwrap_or_default().to_owned();
        let mut entry = transaction_entry(change);
        entry["resource"] = resource;
        let bundle = json!({"resourceType": "Bundle", "type": "transaction", "entry": [entry]});
        let text =
            serde_json::to_vec_pretty(&bundle).map_err(|e| EhrError::Unexpected(e.to_string()))?;
        // Write then rename, so a reader never sees half a file.
        let partial = path.with_extension("json.partial");
        tokio::fs::write(&partial, text).await.map_err(io_error)?;
        tokio::fs::rename(&partial, &path).await.map_err(io_error)?;
        Ok(PostReceipt {
            resource_id,
            created: true,
        })
    }

    async fn find_posted(
        &self,
        resource_type: ResourceType,
        identifier: ChangeIdentifier,
    ) -> Result<Option<String>, EhrError> {
        let exists = tokio::fs::try_exists(self.outbox_file(resource_type, identifier))
            .await
            .map_err(io_error)?;
        Ok(exists.then(|| identifier.0.to_string()))
    }

    async fn search(&self, query: &str) -> Result<Value, EhrError> {
        let (resource_type, _) = query.split_once('?').unwrap_or((query, ""));
        let resources = self.of_type(resource_type.trim_start_matches('/')).await?;
        search_resources(&resources, query)
    }

    async fn appointments(
        &self,
        from: time::OffsetDateTime,
        to: time::OffsetDateTime,
        page: Option<&str>,
    ) -> Result<AppointmentPage, EhrError> {
        let start = match page {
            None => 0,
            Some(position) => position.parse().map_err(|_| {
                EhrError::Unexpected(format!("`{position}` is not a page of the folder"))
            })?,
        };
        self.appointments_from(from, to, start).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn folder_with_patient() -> (tempfile::TempDir, FileDrop) {
        let dir = tempfile::tempdir().unwrap();
        let bundle = json!({"resourceType": "Bundle", "type": "collection", "entry": [{"resource": {
            "resourceType": "Patient", "id": "p1",
            "identifier": [{"system": "urn:mrn", "value": "42"}],
            "name": [{"family": "Example", "given": ["Ada"]}], "birthDate": "1970-01-02"}}]});
        std::fs::write(dir.path().join("chart.json"), bundle.to_string()).unwrap();
        let ehr = FileDrop::new(dir.path()).unwrap();
        (dir, ehr)
    }

    #[tokio::test]
    async fn finds_a_patient_by_identifier_in_a_bundle() {
        let (_dir, ehr) = folder_with_patient();
        let mrn = PatientIdentifier {
            system: "urn:mrn".into(),
            value: "42".into(),
        };
        let patient = ehr.find_patient(&mrn).await.unwrap().unwrap();
        assert_eq!(
            (patient.reference.as_str(), patient.name.as_str()),
            ("Patient/p1", "Ada Example")
        );
        let other = PatientIdentifier {
            system: "urn:mrn".into(),
            value: "43".into(),
        };
        assert!(ehr.find_patient(&other).await.unwrap().is_none());
    }

    #[tokio::test]
    async fn a_file_changed_or_removed_after_a_read_is_read_again() {
        let (dir, ehr) = folder_with_patient();
        let allergy = |id: &str| {
            json!({"resourceType": "AllergyIntolerance", "id": id,
                   "patient": {"reference": "Patient/p1"}})
        };
        let file = dir.path().join("allergies.json");
        std::fs::write(&file, allergy("a1").to_string()).unwrap();
        let ids = |bundle: Value| -> Vec<String> {
            bundle["entry"]
                .as_array()
                .into_iter()
                .flatten()
                .map(|e| e["resource"]["id"].as_str().unwrap_or_default().to_owned())
                .collect()
        };
        let query = "AllergyIntolerance?patient=Patient/p1";
        assert_eq!(ids(ehr.search(query).await.unwrap()), ["a1"]);
        // A longer file, so the change shows even within the file system's time resolution.
        let bundle = json!({"resourceType": "Bundle", "type": "collection",
                            "entry": [{"resource": allergy("a1")}, {"resource": allergy("a2")}]});
        std::fs::write(&file, bundle.to_string()).unwrap();
        assert_eq!(ids(ehr.search(query).await.unwrap()), ["a1", "a2"]);
        std::fs::remove_file(&file).unwrap();
        assert!(ids(ehr.search(query).await.unwrap()).is_empty());
        assert_eq!(format!("{:?}", ehr.parsed), "Parsed(1 files)");
    }

    #[tokio::test]
    async fn the_schedule_is_read_a_page_of_100_at_a_time_across_files_in_the_window_only() {
        let dir = tempfile::tempdir().unwrap();
        let at = time::macros::datetime!(2026-12-07 09:00 UTC);
        let appointment = |n: i64, status: &str| {
            let start = (at + time::Duration::minutes(n))
                .format(&time::format_description::well_known::Rfc3339)
                .unwrap();
            json!({"resource": {"resourceType": "Appointment", "id": format!("a{n}"),
                   "status": status, "start": start}})
        };
        // 150 in one file (every tenth one cancelled, which the sync also reads, and every
        // fifteenth proposed, which it does not), 100 in another, one a day later.
        let first: Vec<_> = (0..150)
            .map(|n| appointment(n, if n % 15 == 0 { "proposed" } else { "booked" }))
            .collect();
        let second: Vec<_> = (150..250).map(|n| appointment(n, "cancelled")).collect();
        for (name, entries) in [("a.json", first), ("b.json", second)] {
            let bundle = json!({"resourceType": "Bundle", "type": "collection", "entry": entries});
            std::fs::write(
                dir.path().join(name),
                serde_json::to_string_pretty(&bundle).unwrap(),
            )
            .unwrap();
        }
        std::fs::write(
            dir.path().join("c.json"),
            appointment(24 * 60, "booked")["resource"].to_string(),
        )
        .unwrap();
        let ehr = FileDrop::new(dir.path()).unwrap();
        let (from, to) = (at, at + time::Duration::hours(12));
        let (mut ids, mut page, mut pages) = (Vec::new(), None, Vec::new());
        loop {
            let read = ehr.appointments(from, to, page.as_deref()).await.unwrap();
            pages.push(read.appointments.len());
            ids.extend(
                read.appointments
                    .iter()
                    .map(|a| a["id"].as_str().unwrap().to_owned()),
            );
            match read.next {
                Some(next) => page = Some(next),
                None => break,
            }
        }
        assert_eq!(pages, [100, 100, 40]);
        let expected: Vec<String> = (0..250)
            .filter(|n| n % 15 != 0 || *n >= 150)
            .map(|n| format!("a{n}"))
            .collect();
        assert_eq!(ids, expected, "each once, in the folder's order");
        let wrong = ehr
            .appointments(from, to, Some("page two"))
            .await
            .unwrap_err();
        assert_eq!(wrong.to_string(), "`page two` is not a page of the folder");
    }

    #[tokio::test]
    async fn posting_the_same_change_twice_writes_one_file() {
        let (dir, ehr) = folder_with_patient();
        let identifier = ChangeIdentifier(uuid::Uuid::from_u128(1));
        let resource = json!({"resourceType": "AllergyIntolerance"});
        let change = OutgoingChange {
            identifier,
            resource_type: ResourceType::AllergyIntolerance,
            resource: &resource,
        };
        assert!(ehr.post(change).await.unwrap().created);
        assert!(!ehr.post(change).await.unwrap().created);
        assert_eq!(
            std::fs::read_dir(dir.path().join("outbox"))
                .unwrap()
                .count(),
            1
        );
        assert!(
            ehr.find_posted(ResourceType::AllergyIntolerance, identifier)
                .await
                .unwrap()
                .is_some()
        );
    }
}
