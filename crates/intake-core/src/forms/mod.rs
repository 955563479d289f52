//! Forms: the compiled form model, the YAML front end, and the set of forms a site runs.

mod input_hints;
mod library;
mod lint;
mod model;
pub mod on_file;
mod raw;
pub mod sdc;
mod text;
mod yaml;

pub use input_hints::{AUTOCOMPLETE_TOKENS, INPUT_MODES, InputHints};
pub use library::{FormLibrary, LibraryError, is_value_set_file};
pub use lint::{Diagnostic, Level, lint};
pub use model::{
    AnswerOption, AttachmentRules, Audience, Bound, Coding, Condition, ConsentTerms, Constraint,
    ContentHash, DEFAULT_MAX_CHANGES, EnableWhen, Expression, ExtractHook, ExtractionContext, Flag,
    Form, FormId, Item, ItemKind, LaunchName, LinkPeriod, NormalAnswer, Operator, OptionType,
    Pattern, Prepared, Query, QueryKind, ScoreBand, Section, Severity, Variable,
};
pub use text::Text;
pub use yaml::parse as parse_yaml;
pub use yaml::{
    LoadError, ValueSet, definition_type, extractable_by_definition, load_form, load_form_with,
    load_value_set, load_yaml, value_set_urls,
};
