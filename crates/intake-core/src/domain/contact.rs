//! Where a one-time code goes: a mobile number or an email address from the chart, never
//! shown whole and never printed.

use std::fmt;

/// Which kind of contact one-time codes go to (`INTAKE_VERIFY_CODE`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContactKind {
    /// A text message to a phone number (FHIR `ContactPoint.system` `sms`, or `phone`).
    Sms,
    /// An email (FHIR `ContactPoint.system` `email`).
    Email,
}

impl ContactKind {
    /// Reads a setting: `sms`, `email`, or `off` (which is `Some(None)`); `None` for anything else.
    pub fn parse_setting(text: &str) -> Option<Option<Self>> {
        match text.trim().to_ascii_lowercase().as_str() {
            "off" | "false" | "0" => Some(None),
            "sms" => Some(Some(Self::Sms)),
            "email" => Some(Some(Self::Email)),
            _ => None,
        }
    }

    /// The setting's code, for logs and audit events.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Sms => "sms",
            Self::Email => "email",
        }
    }
}

/// A phone number or email address on file. Its `Debug` output is redacted; pages show only
/// [`Contact::masked`].
#[derive(Clone, PartialEq, Eq)]
pub struct Contact {
    kind: ContactKind,
    value: String,
}

impl Contact {
    /// A phone number that can take a text: at least seven digits.
    pub fn phone(raw: &str) -> Option<Self> {
        let digits = raw.chars().filter(char::is_ascii_digit).count();
        (digits >= 7).then(|| Self {
            kind: ContactKind::Sms,
            value: raw.trim().to_owned(),
        })
    }

    /// An email address: something, `@`, and a domain with a dot in it.
    pub fn email(raw: &str) -> Option<Self> {
        let raw = raw.trim();
        let (local, domain) = raw.rsplit_once('@')?;
        let usable = !local.is_empty()
            && domain.contains('.')
            && !domain.starts_with('.')
            && !domain.ends_with('.')
            && !raw.chars().any(char::is_whitespace);
        usable.then(|| Self {
            kind: ContactKind::Email,
            value: raw.to_owned(),
        })
    }

    /// Which kind it is.
    pub fn kind(&self) -> ContactKind {
        self.kind
    }

    /// The whole number or address, for a sender to deliver to. Never for a page or a log.
    pub fn expose(&self) -> &str {
        &self.value
    }

    /// What a page may show, enough for the patient to recognise it: the last four digits of
    /// a phone number (`••• ••• 4567`), or the first letters and the top-level domain of an
    /// email address (`m•••@e•••.org`).
    pub fn masked(&self) -> String {
        match self.kind {
            ContactKind::Sms => {
                let digits: Vec<char> = self.value.chars().filter(char::is_ascii_digit).collect();
                let last: String = digits[digits.len().saturating_sub(4)..].iter().collect();
                format!("••• ••• {last}")
            }
            ContactKind::Email => {
                let (local, domain) = self.value.rsplit_once('@').unwrap_or(("", ""));
                let first = |s: &str| s.chars().next().map(String::from).unwrap_or_default();
                let tld = domain.rsplit_once('.').map_or("", |(_, tld)| tld);
                format!("{}•••@{}•••.{tld}", first(local), first(domain))
            }
        }
    }
}

impl fmt::Debug for Contact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Contact({}, [redacted])", self.kind.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_phone_number_shows_only_its_last_four_digits() {
        let phone = Contact::phone("+1 (555) 010-4567").unwrap();
        assert_eq!(phone.masked(), "••• ••• 4567");
        assert!(!phone.masked().contains("555"));
    }

    #[test]
    fn an_email_address_shows_only_first_letters_and_top_level_domain() {
        let email = Contact::email("maria.lopez@example.org").unwrap();
        assert_eq!(email.masked(), "m•••@e•••.org");
    }

    #[test]
    fn what_cannot_take_a_code_is_not_a_contact() {
        assert!(Contact::phone("555-01").is_none());
        assert!(Contact::email("no-at-sign.example").is_none());
        assert!(Contact::email("a@localhost").is_none());
        assert!(Contact::email("a b@example.org").is_none());
    }

    #[test]
    fn a_contact_never_prints_its_value() {
        let phone = Contact::phone("+1-555-0102").unwrap();
        assert_eq!(format!("{phone:?}"), "Contact(sms, [redacted])");
    }

    #[test]
    fn the_setting_reads_off_sms_and_email() {
        assert_eq!(ContactKind::parse_setting("off"), Some(None));
        assert_eq!(
            ContactKind::parse_setting("SMS"),
            Some(Some(ContactKind::Sms))
        );
        assert_eq!(
            ContactKind::parse_setting("email"),
            Some(Some(ContactKind::Email))
        );
        assert_eq!(ContactKind::parse_setting("fax"), None);
    }
}
