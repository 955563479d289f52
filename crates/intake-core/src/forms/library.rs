//! The set of forms a site runs, compiled from the files in `forms/` and `forms/valuesets/`.

use std::{collections::BTreeMap, sync::Arc};

use super::{
    Form, FormId, LoadError, ValueSet, load_form_with, load_value_set,
    sdc::{NoValueSets, ValueSetSource},
};

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
    /// Two files declare the same id.
    #[error("{file}: id `{id}` is already used by {other}")]
    Duplicate {
        /// The second file.
        file: String,
        /// The id.
        id: String,
        /// The first file.
        other: String,
    },
}

/// Whether `file` is a value-set file: one whose folder is named `valuesets` (not any path
/// that merely contains the word, such as a checkout in `~/src/valuesets/`).
pub fn is_value_set_file(file: &str) -> bool {
    std::path::Path::new(file)
        .parent()
        .and_then(|dir| dir.file_name())
        .is_some_and(|name| name == "valuesets")
}

impl FormLibrary {
    /// Compiles `(file name, source)` pairs: value sets (files under a `valuesets/` folder)
    /// first, then forms. Scenario-test files (`*.test.yaml`) are not forms. A `value_set`
    /// given as a canonical URL is an error here; see [`FormLibrary::compile_with`].
    pub fn compile<'a>(
        files: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> Result<Self, LibraryError> {
        Self::compile_with(files, &NoValueSets)
    }

    /// [`FormLibrary::compile`], with a `value_set` given as a canonical URL expanded by
    /// `answer_lists`.
    pub fn compile_with<'a>(
        files: impl IntoIterator<Item = (&'a str, &'a str)>,
        answer_lists: &dyn ValueSetSource,
    ) -> Result<Self, LibraryError> {
        let (value_set_files, form_files): (Vec<_>, Vec<_>) = files
            .into_iter()
            .filter(|(file, _)| !file.ends_with(".test.yaml"))
            .partition(|(file, _)| is_value_set_file(file));
        let mut value_sets: BTreeMap<String, ValueSet> = BTreeMap::new();
        let mut origin: BTreeMap<String, String> = BTreeMap::new();
        for (file, source) in value_set_files {
            let set = load_value_set(file, source)?;
            if let Some(other) = origin.insert(format!("vs:{}", set.id), file.to_owned()) {
                return Err(LibraryError::Duplicate {
                    file: file.to_owned(),
                    id: set.id,
                    other,
                });
            }
            value_sets.insert(set.id.clone(), set);
        }
        let mut forms = BTreeMap::new();
        for (file, source) in form_files {
            let form = load_form_with(file, source, &value_sets, answer_lists)?;
            if let Some(other) = origin.insert(format!("form:{}", form.id), file.to_owned()) {
                return Err(LibraryError::Duplicate {
                    file: file.to_owned(),
                    id: form.id.to_string(),
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
