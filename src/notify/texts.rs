//! What messages say, in every language the product speaks: every subject and body is a
//! message of `locales/<language>/notify.ftl`. Plain and short, with the clinic's name, the
//! visit's date and the link, and nothing clinical. Text messages are kept to the GSM 7-bit
//! alphabet and one or two segments.

use super::Purpose;
use crate::{
    domain::{Arg, ClinicZone},
    i18n::Language,
};

/// What a message is about, with what its words need.
#[derive(Clone, PartialEq, Eq)]
pub enum MessageText<'a> {
    /// The link, before the visit.
    Invitation {
        /// The visit's start, epoch milliseconds.
        starts_at: i64,
        /// The whole link.
        link: &'a str,
    },
    /// The link again, when the form is not in yet.
    Reminder {
        /// The visit's start, epoch milliseconds.
        starts_at: i64,
        /// The whole link.
        link: &'a str,
    },
    /// A one-time code.
    OneTimeCode {
        /// The six digits.
        code: &'a str,
    },
}

impl std::fmt::Debug for MessageText<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The link and the code are secrets.
        write!(f, "MessageText({}, [redacted])", self.purpose().as_str())
    }
}

impl MessageText<'_> {
    /// The purpose it serves.
    pub fn purpose(&self) -> Purpose {
        match self {
            Self::Invitation { .. } => Purpose::Invitation,
            Self::Reminder { .. } => Purpose::Reminder,
            Self::OneTimeCode { .. } => Purpose::OneTimeCode,
        }
    }
}

/// A message ready for the outbox.
#[derive(Clone, PartialEq, Eq)]
pub struct Rendered {
    /// The email subject (a text message has none; the outbox keeps it for staff and logs).
    pub subject: String,
    /// The text.
    pub body: String,
}

impl std::fmt::Debug for Rendered {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Rendered")
            .field("subject", &self.subject)
            .field("body", &"[redacted]")
            .finish()
    }
}

/// The message ids of a purpose's subject, text message and email (`locales/*/notify.ftl`).
fn ids(purpose: Purpose) -> [&'static str; 3] {
    match purpose {
        Purpose::Reminder => ["reminder-subject", "reminder-sms", "reminder-email"],
        Purpose::OneTimeCode => ["code-subject", "code-sms", "code-email"],
        // Urgent alerts are not worded here (they go to staff with no patient data).
        Purpose::Invitation | Purpose::UrgentAlert => {
            ["invitation-subject", "invitation-sms", "invitation-email"]
        }
    }
}

/// Every message id of the messages to patients, for the check that each has its words in
/// every language.
pub const MESSAGE_IDS: [&str; 11] = [
    "invitation-subject",
    "invitation-sms",
    "invitation-email",
    "reminder-subject",
    "reminder-sms",
    "reminder-email",
    "code-subject",
    "code-sms",
    "code-email",
    "questions-call",
    "visit-time",
];

/// The language a message is written in: the chart's (`Patient.communication`) when the
/// product speaks it, else English.
pub fn message_language(tag: Option<&str>) -> Language {
    tag.and_then(Language::parse)
        .unwrap_or(*Language::english())
}

/// The words for `text` in `language`, for email (`sms` false) or a text message. A text
/// message is folded into the GSM 7-bit alphabet.
pub fn render(
    text: &MessageText<'_>,
    language: Language,
    sms: bool,
    clinic: &crate::domain::Clinic,
) -> Rendered {
    let [subject_id, sms_id, email_id] = ids(text.purpose());
    let (when, link, code) = match text {
        MessageText::Invitation { starts_at, link } | MessageText::Reminder { starts_at, link } => {
            (visit_time(*starts_at, &clinic.zone, language), *link, "")
        }
        MessageText::OneTimeCode { code } => (String::new(), "", *code),
    };
    let call = clinic.phone.as_ref().map_or_else(String::new, |phone| {
        let sentence = language.format(
            "questions-call",
            &[
                ("clinic", Arg::from(&clinic.name)),
                ("phone", Arg::from(phone)),
            ],
        );
        format!("\n\n{sentence}")
    });
    let args = [
        ("clinic", Arg::from(&clinic.name)),
        ("when", Arg::from(when)),
        ("link", Arg::from(link)),
        ("code", Arg::from(code)),
        ("call", Arg::from(call)),
    ];
    let subject = language.format(subject_id, &args);
    let body = if sms {
        to_gsm7(&language.format(sms_id, &args))
    } else {
        // Fluent trims a message's last line break; an email ends with one.
        language.format(email_id, &args) + "\n"
    };
    Rendered { subject, body }
}

/// The visit's date and time as a message says it: `Tue 8 Dec at 9:30`, `mar 8 dic a las 9:30`,
/// on the clinic's clocks (the patient's too, as a rule); `9:30 UTC` when the clinic set no zone.
pub fn visit_time(starts_at: i64, zone: &ClinicZone, language: Language) -> String {
    let at = zone.local_millis(starts_at);
    let zone_name = if zone.is_utc() { " UTC" } else { "" };
    language.format(
        "visit-time",
        &[
            ("weekday", Arg::from(at.weekday().number_from_monday())),
            ("day", Arg::from(at.day())),
            ("month", Arg::from(u8::from(at.month()))),
            (
                "time",
                Arg::Text(format!("{}:{:02}{zone_name}", at.hour(), at.minute())),
            ),
        ],
    )
}

/// The GSM 03.38 basic character set: a text in it takes 160 characters a segment (153 when
/// split); one character outside it makes the whole message UCS-2, 70 (67) a segment.
const GSM7: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";

/// Characters of the GSM extension table: each takes two places.
const GSM7_EXTENDED: &str = "^{}\\[~]|€";

/// Letters with marks the GSM alphabet lacks, by the plain letter gateways' "smart encoding"
/// puts in their place: Spanish, Portuguese and Vietnamese vowels, `đ`, `ç`.
const FOLDS: [(&str, char); 16] = [
    ("áâãäăằắẳẵặầấẩẫậảạ", 'a'),
    ("ÁÀÂÃĂẰẮẲẴẶẦẤẨẪẬẢẠ", 'A'),
    ("êëẻẽẹềếểễệ", 'e'),
    ("ÈÊËẺẼẸỀẾỂỄỆ", 'E'),
    ("íîïỉĩị", 'i'),
    ("ÍÌÎÏỈĨỊ", 'I'),
    ("óôõơờớởỡợồốổỗộỏọ", 'o'),
    ("ÓÒÔÕƠỜỚỞỠỢỒỐỔỖỘỎỌ", 'O'),
    ("úûưừứửữựủũụ", 'u'),
    ("ÚÙÛƯỪỨỬỮỰỦŨỤ", 'U'),
    ("ýỳỷỹỵ", 'y'),
    ("ÝỲỶỸỴ", 'Y'),
    ("đ", 'd'),
    ("Đ", 'D'),
    ("ç", 'c'),
    ("•", '*'),
];

/// Marked letters the GSM alphabet has, which a Vietnamese text loses all the same.
const FOLDS_IN_GSM: [(&str, char); 10] = [
    ("à", 'a'),
    ("À", 'A'),
    ("èé", 'e'),
    ("ÈÉ", 'E'),
    ("ì", 'i'),
    ("Ì", 'I'),
    ("ò", 'o'),
    ("Ò", 'O'),
    ("ù", 'u'),
    ("Ù", 'U'),
];

/// Replaces what the GSM alphabet lacks with its plain letter (`á` → `a`, `ộ` → `o`), as
/// gateways' "smart encoding" does, so a Spanish or Vietnamese text stays in one or two
/// segments. A text in Vietnamese (a letter of its own, such as `ư` or `ộ`) loses every mark,
/// `ò` and `é` too, as Vietnamese text messages are commonly written, rather than half of them.
pub fn to_gsm7(text: &str) -> String {
    let vietnamese = text.chars().any(|c| {
        matches!(c, 'ă' | 'Ă' | 'đ' | 'Đ' | 'ơ' | 'Ơ' | 'ư' | 'Ư')
            || ('\u{1EA0}'..='\u{1EF9}').contains(&c)
    });
    text.chars()
        .map(|c| match c {
            'à' | 'è' | 'é' | 'ì' | 'ò' | 'ù' | 'À' | 'È' | 'É' | 'Ì' | 'Ò' | 'Ù' if vietnamese => {
                FOLDS_IN_GSM
                    .iter()
                    .find(|(marked, _)| marked.contains(c))
                    .map_or(c, |(_, plain)| *plain)
            }
            '’' | '‘' => '\'',
            '“' | '”' => '"',
            '–' | '—' => '-',
            other => FOLDS
                .iter()
                .find(|(marked, _)| marked.contains(other))
                .map_or(other, |(_, plain)| *plain),
        })
        .collect()
}

/// How many SMS segments a text takes.
pub fn sms_segments(text: &str) -> usize {
    let gsm = text
        .chars()
        .all(|c| GSM7.contains(c) || GSM7_EXTENDED.contains(c));
    let (units, single, multi) = if gsm {
        let units: usize = text
            .chars()
            .map(|c| if GSM7_EXTENDED.contains(c) { 2 } else { 1 })
            .sum();
        (units, 160, 153)
    } else {
        (text.encode_utf16().count(), 70, 67)
    };
    if units <= single {
        1
    } else {
        units.div_ceil(multi)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Clinic;

    fn en() -> Language {
        *Language::english()
    }

    fn es() -> Language {
        Language::parse("es").unwrap()
    }

    fn vi() -> Language {
        Language::parse("vi").unwrap()
    }

    /// Tue 8 Dec 2026, 9:30 UTC.
    fn tuesday() -> i64 {
        crate::clock::millis(time::macros::datetime!(2026-12-08 09:30 UTC))
    }

    fn clinic(name: &str, phone: Option<&str>) -> Clinic {
        Clinic {
            name: name.into(),
            phone: phone.map(str::to_owned),
            logo: None,
            zone: crate::domain::ClinicZone::utc(),
        }
    }

    const LINK: &str =
        "https://intake.riverside.example/i/Zx8kT1q0m3vB7c9dE2fG4hJ6kL8nP0rS2tU4wY6aC8e";

    #[test]
    fn an_invitation_text_names_the_clinic_the_visit_and_the_link() {
        let text = MessageText::Invitation {
            starts_at: tuesday(),
            link: LINK,
        };
        let sms = render(
            &text,
            en(),
            true,
            &clinic("Riverside Family Practice", None),
        );
        assert_eq!(
            sms.body,
            format!(
                "Riverside Family Practice: please answer a few questions before your visit on Tue 8 Dec at 9:30 UTC: {LINK}"
            )
        );
        let email = render(
            &text,
            es(),
            false,
            &clinic("Clínica del Río", Some("(555) 010-2000")),
        );
        assert_eq!(
            email.subject,
            "Clínica del Río: unas preguntas antes de su cita del mar 8 dic a las 9:30 UTC"
        );
        assert!(email.body.contains(LINK));
        assert!(email.body.contains("recepción"), "{}", email.body);
        assert!(
            email
                .body
                .contains("Llame a Clínica del Río al (555) 010-2000")
        );
    }

    #[test]
    fn every_text_message_stays_within_two_segments_in_the_gsm_alphabet() {
        // A long clinic name and a long public address: the worst a real site is likely to have.
        let clinic = clinic("Saint Bartholomew's Family & Community Clinic", Some("555"));
        let link = "https://patient-intake.saint-bartholomews-clinic.example.org/i/Zx8kT1q0m3vB7c9dE2fG4hJ6kL8nP0rS2tU4wY6aC8e";
        let saturday = crate::clock::millis(time::macros::datetime!(2026-12-12 17:45 UTC));
        for language in [en(), es(), vi()] {
            for text in [
                MessageText::Invitation {
                    starts_at: saturday,
                    link,
                },
                MessageText::Reminder {
                    starts_at: saturday,
                    link,
                },
                MessageText::OneTimeCode { code: "012345" },
            ] {
                let body = render(&text, language, true, &clinic).body;
                assert!(
                    body.chars()
                        .all(|c| GSM7.contains(c) || GSM7_EXTENDED.contains(c)),
                    "{body}"
                );
                assert!(sms_segments(&body) <= 2, "{} chars: {body}", body.len());
            }
        }
    }

    #[test]
    fn spanish_text_messages_lose_their_accents_but_not_their_enye() {
        let body = render(
            &MessageText::OneTimeCode { code: "123456" },
            es(),
            true,
            &clinic("Clínica Peña", None),
        )
        .body;
        assert_eq!(
            body,
            "Clinica Peña: su codigo es 123456. Vale por 10 minutos. No lo comparta."
        );
    }

    #[test]
    fn segments_count_as_gateways_count_them() {
        let table = [
            ("a".repeat(160), 1),
            ("a".repeat(161), 2),
            ("a".repeat(306), 2),
            ("a".repeat(307), 3),
            ("€".repeat(80), 1),
            ("€".repeat(81), 2),
            ("á".repeat(70), 1),
            ("á".repeat(71), 2),
        ];
        for (text, segments) in table {
            assert_eq!(sms_segments(&text), segments, "{}", text.len());
        }
    }

    #[test]
    fn a_vietnamese_text_message_goes_without_marks_and_the_email_keeps_them() {
        let text = MessageText::OneTimeCode { code: "123456" };
        let clinic = clinic("Phòng khám Sông Xanh", Some("(555) 010-2000"));
        let sms = render(&text, vi(), true, &clinic).body;
        assert_eq!(
            sms,
            "Phong kham Song Xanh: ma so cua quy vi la 123456. Ma co hieu luc trong 10 phut. Khong chia se ma nay."
        );
        let email = render(&text, vi(), false, &clinic);
        assert_eq!(email.subject, "Phòng khám Sông Xanh: mã số của quý vị");
        assert!(
            email
                .body
                .contains("Xin gọi Phòng khám Sông Xanh theo số (555) 010-2000.")
        );
        assert!(email.body.ends_with(".\n"), "{}", email.body);
    }

    #[test]
    fn visit_times_read_in_the_patients_language() {
        let saturday = crate::clock::millis(time::macros::datetime!(2026-12-12 17:05 UTC));
        let utc = ClinicZone::utc();
        assert_eq!(visit_time(saturday, &utc, en()), "Sat 12 Dec at 17:05 UTC");
        assert_eq!(
            visit_time(saturday, &utc, es()),
            "sáb 12 dic a las 17:05 UTC"
        );
        assert_eq!(visit_time(saturday, &utc, vi()), "17:05 UTC Thứ Bảy 12/12");
        // In the clinic's zone the time alone is enough: 17:05 UTC is 12:05 in New York.
        let new_york = ClinicZone::parse("America/New_York").unwrap();
        assert_eq!(visit_time(saturday, &new_york, en()), "Sat 12 Dec at 12:05");
        let late = crate::clock::millis(time::macros::datetime!(2026-12-13 03:30 UTC));
        assert_eq!(visit_time(late, &new_york, es()), "sáb 12 dic a las 22:30");
    }

    #[test]
    fn nothing_but_the_purpose_shows_in_debug() {
        let text = MessageText::OneTimeCode { code: "123456" };
        assert_eq!(
            format!("{text:?}"),
            "MessageText(one_time_code, [redacted])"
        );
    }
}
