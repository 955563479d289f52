//! Domain types shared by every layer: parsed once at the edge, valid by construction.

mod appointment;
mod birth_date;
mod clinic;
mod clinic_time;
mod contact;
mod intake_state;
mod message;
mod one_time_code;
mod patient;
mod resource_type;
mod secret_token;
mod staff;
mod states;
mod stored_phrase;
mod typed_text;
mod urgent;
mod wording;

pub use appointment::AppointmentStatus;
pub use birth_date::{BirthDate, BirthDateError};
pub use clinic::Clinic;
pub use clinic_time::{ClinicZone, UnknownZone};
pub use contact::{Contact, ContactKind};
pub use intake_state::{
    ChangeTally, IntakeFacts, IntakeState, LinkFacts, LinkMessage, LinkStatus, STATE_KINDS,
};
pub use message::{Channel, MessageState, Purpose};
pub use one_time_code::{CODE_DIGITS, CodeHash, OneTimeCode};
pub use patient::{PatientIdentifier, PatientName};
pub use resource_type::{DEFINITION_TYPES, PREFILL_TYPES, ResourceType, chart_query};
pub use secret_token::{SecretToken, TokenHash, constant_time_eq};
pub use staff::{MfaPolicy, StaffRole, Username, UsernameError};
pub use states::{ChangeState, InvitationStatus};
pub use typed_text::{has_control_character, without_control_characters};
pub use urgent::{UrgentContact, UrgentContactError};
#[cfg(test)]
pub(crate) use wording::Ids;
pub use wording::{Arg, Joiner, Message, Phrase, Translate};
