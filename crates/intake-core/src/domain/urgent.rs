//! Who an urgent flag reaches: an email address, a mobile number in E.164 form, or an https
//! webhook, parsed once (from `INTAKE_URGENT_CONTACT`, `INTAKE_FLAG_ESCALATION_CONTACT` or a
//! form's `notify:` list) and valid by construction. Staff contacts, not patients', but their
//! `Debug` output still names only the kind.

use std::fmt;

use super::Channel;

/// A person or system an urgent flag is sent to.
#[derive(Clone, PartialEq, Eq, serde::Serialize)]
#[serde(into = "String")]
pub struct UrgentContact {
    channel: Channel,
    address: String,
}

/// Why a text is not an urgent contact.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "`{0}` is not an email address, a mobile number in E.164 form (+15551234567) or an https:// webhook URL"
)]
pub struct UrgentContactError(pub String);

impl UrgentContact {
    /// Reads one contact: `name@host.tld`, `+15551234567`, or `https://…` (plain `http://` only
    /// to a loopback address, for a relay on the same machine).
    pub fn parse(raw: &str) -> Result<Self, UrgentContactError> {
        let text = raw.trim();
        let bad = || UrgentContactError(text.to_owned());
        let (channel, address) = if let Some(digits) = text.strip_prefix('+') {
            let e164 = (7..=15).contains(&digits.len())
                && !digits.starts_with('0')
                && digits.bytes().all(|b| b.is_ascii_digit());
            if !e164 {
                return Err(bad());
            }
            (Channel::Sms, text.to_owned())
        } else if text.starts_with("https://") || text.starts_with("http://") {
            let url = url::Url::parse(text).map_err(|_| bad())?;
            let loopback = matches!(
                url.host(),
                Some(url::Host::Ipv4(ip)) if ip.is_loopback()
            ) || matches!(url.host(), Some(url::Host::Ipv6(ip)) if ip.is_loopback())
                || url.host_str() == Some("localhost");
            let secure = url.scheme() == "https" || loopback;
            if !secure || url.host_str().is_none_or(str::is_empty) {
                return Err(bad());
            }
            (Channel::Webhook, url.to_string())
        } else {
            let email = super::Contact::email(text).ok_or_else(bad)?;
            (Channel::Email, email.expose().to_owned())
        };
        Ok(Self { channel, address })
    }

    /// Reads a comma-separated list (an environment variable); empty entries are skipped.
    pub fn parse_list(raw: &str) -> Result<Vec<Self>, UrgentContactError> {
        raw.split(',')
            .map(str::trim)
            .filter(|entry| !entry.is_empty())
            .map(Self::parse)
            .collect()
    }

    /// How an alert to it goes.
    pub fn channel(&self) -> Channel {
        self.channel
    }

    /// The address, number or URL, for the sender.
    pub fn address(&self) -> &str {
        &self.address
    }
}

impl From<UrgentContact> for String {
    fn from(contact: UrgentContact) -> Self {
        contact.address
    }
}

impl fmt::Debug for UrgentContact {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "UrgentContact({})", self.channel.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_urgent_contact_is_an_email_an_e164_mobile_or_an_https_webhook() {
        let table = [
            ("oncall@clinic.example", Some(Channel::Email)),
            (" +15550102000 ", Some(Channel::Sms)),
            (
                "https://hooks.clinic.example/urgent",
                Some(Channel::Webhook),
            ),
            ("http://127.0.0.1:9000/hook", Some(Channel::Webhook)),
            ("http://hooks.clinic.example/urgent", None),
            ("5550102000", None),
            ("+0123456789", None),
            ("+1555", None),
            ("oncall@clinic", None),
            ("ftp://clinic.example", None),
        ];
        for (raw, channel) in table {
            assert_eq!(
                UrgentContact::parse(raw).ok().map(|c| c.channel()),
                channel,
                "{raw}"
            );
        }
        let list = UrgentContact::parse_list("oncall@clinic.example, +15550102000,").unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(format!("{:?}", list[0]), "UrgentContact(email)");
    }
}
