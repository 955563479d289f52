//! Forms: the compiled form model, the YAML front end, and the set of forms a site runs.

mod library;
mod model;
mod raw;
mod text;
mod yaml;

pub use library::{FormLibrary, LibraryError};
pub use model::{
    AnswerOption, Audience, Bound, Coding, Condition, Constraint, ContentHash, EnableWhen,
    Expression, ExtractHook, Flag, Form, FormId, Item, ItemKind, Operator, Pattern, Section,
    Severity, Variable,
};
pub use text::Text;
pub use yaml::{LoadError, ValueSet, load_form, load_value_set, load_yaml};
