//! The set of forms a site runs, compiled from the files in `forms/`.

use std::{collections::BTreeMap, sync::Arc};

use super::{Form, FormId, LoadError, load_yaml};

/// Compiled forms by id. Built once at start-up; every draft pins a form by content hash.
#[derive(Debug, Clone, Default)]
pub struct FormLibrary {
    forms: BTreeMap<FormId, Arc<Form>>,
}

/// Why the form files did not make a library.
#[derive(Debug, thiserror::Error)]
pub enum LibraryError {
    /// A file did not compile.
    #[error(transparent)]
    Load(#[from] LoadError),
    /// Two files declare the same form id.
    #[error("{file}: form id `{id}` is already used by {other}")]
    DuplicateForm {
        /// The second file.
        file: String,
        /// The id.
        id: FormId,
        /// The first file.
        other: String,
    },
}

impl FormLibrary {
    /// Compiles `(file name, source)` pairs. Scenario-test files (`*.test.yaml`) are not forms.
    pub fn compile<'a>(
        files: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Self, LibraryError> {
        let mut forms = BTreeMap::new();
        let mut origin: BTreeMap<FormId, String> = BTreeMap::new();
        for (file, source) in files {
            if file.ends_with(".test.yaml") {
                continue;
            }
            let form = load_yaml(file, source)?;
            if let Some(other) = origin.insert(form.id.clone(), file.to_owned()) {
                return Err(LibraryError::DuplicateForm {
                    file: file.to_owned(),
                    id: form.id,
                    other,
                });
            }
            forms.insert(form.id.clone(), Arc::new(form));
        }
        Ok(Self { forms })
    }

    /// The form with this id.
    pub fn get(&self, id: &FormId) -> Option<Arc<Form>> {
        self.forms.get(id).cloned()
    }

    /// Every form, by id.
    pub fn iter(&self) -> impl Iterator<Item = &Arc<Form>> {
        self.forms.values()
    }
}
