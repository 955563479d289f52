//! Forms: the compiled form model, the YAML front end, and the set of forms a site runs.

mod library;
mod model;
mod text;
mod yaml;

pub use library::{FormLibrary, LibraryError};
pub use model::{
    AnswerOption, Coding, ContentHash, ExtractHook, Form, FormId, Item, ItemKind, Section,
};
pub use text::Text;
pub use yaml::{LoadError, load_yaml};
