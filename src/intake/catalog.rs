//! The forms in service, replaceable while running (the designer's live preview swaps in each
//! new compile; a form already pinned by a draft keeps its content hash).

use std::sync::{Arc, RwLock};

use crate::forms::{Form, FormId, FormLibrary};

/// The current form library.
#[derive(Debug, Default)]
pub struct FormCatalog(RwLock<Arc<FormLibrary>>);

impl FormCatalog {
    /// A catalog serving `library`.
    pub fn new(library: FormLibrary) -> Self {
        Self(RwLock::new(Arc::new(library)))
    }

    /// The form with this id, as compiled now.
    pub fn get(&self, id: &FormId) -> Option<Arc<Form>> {
        self.library().get(id)
    }

    /// The whole library, as compiled now.
    pub fn library(&self) -> Arc<FormLibrary> {
        // A writer never panics while holding the lock, so a poisoned lock still holds a
        // complete library.
        self.0
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }

    /// Serves `library` from now on.
    pub fn replace(&self, library: FormLibrary) {
        *self
            .0
            .write()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Arc::new(library);
    }
}
