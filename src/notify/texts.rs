//! What messages say, in English and Spanish: every subject and body in one table, as data.
//! Plain and short, with the clinic's name, the visit's date and the link, and nothing
//! clinical. Text messages are kept to the GSM 7-bit alphabet and one or two segments.

use super::{MessageLanguage, Purpose};
use crate::domain::ClinicZone;

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

/// One purpose's words in one language. `{clinic}`, `{when}`, `{link}`, `{code}` and
/// `{call}` (a sentence with the clinic's phone number, or nothing) are filled in.
struct Wording {
    subject: &'static str,
    sms: &'static str,
    email: &'static str,
}

/// Every message Intake sends, by purpose and language.
const WORDINGS: [(Purpose, MessageLanguage, Wording); 6] = [
    (
        Purpose::Invitation,
        MessageLanguage::En,
        Wording {
            subject: "{clinic}: a few questions before your visit on {when}",
            sms: "{clinic}: please answer a few questions before your visit on {when}: {link}",
            email: "Hello,\n\n{clinic} asks you to answer a few questions before your visit on {when}. \
                    It takes a few minutes and saves time at the front desk.\n\n{link}\n\n\
                    You will be asked for your date of birth. The link is for you only: please do not share it.{call}\n",
        },
    ),
    (
        Purpose::Invitation,
        MessageLanguage::Es,
        Wording {
            subject: "{clinic}: unas preguntas antes de su cita del {when}",
            sms: "{clinic}: por favor conteste unas preguntas antes de su cita del {when}: {link}",
            email: "Hola:\n\n{clinic} le pide que conteste unas preguntas antes de su cita del {when}. \
                    Toma unos minutos y ahorra tiempo en la recepción.\n\n{link}\n\n\
                    Se le pedirá su fecha de nacimiento. El enlace es solo para usted: por favor no lo comparta.{call}\n",
        },
    ),
    (
        Purpose::Reminder,
        MessageLanguage::En,
        Wording {
            subject: "Reminder from {clinic}: questions before your visit on {when}",
            sms: "{clinic}: a reminder to answer a few questions before your visit on {when}: {link}",
            email: "Hello,\n\nA reminder from {clinic}: please answer a few questions before your visit on {when}. \
                    If you have started, you can pick up where you left off.\n\n{link}\n\n\
                    The link is for you only: please do not share it.{call}\n",
        },
    ),
    (
        Purpose::Reminder,
        MessageLanguage::Es,
        Wording {
            subject: "Recordatorio de {clinic}: preguntas antes de su cita del {when}",
            sms: "{clinic}: le recordamos contestar unas preguntas antes de su cita del {when}: {link}",
            email: "Hola:\n\nUn recordatorio de {clinic}: por favor conteste unas preguntas antes de su cita del {when}. \
                    Si ya empezó, puede seguir donde lo dejó.\n\n{link}\n\n\
                    El enlace es solo para usted: por favor no lo comparta.{call}\n",
        },
    ),
    (
        Purpose::OneTimeCode,
        MessageLanguage::En,
        Wording {
            subject: "{clinic}: your code",
            sms: "{clinic}: your code is {code}. It works for 10 minutes. Do not share it.",
            email: "Your code for {clinic} is {code}.\n\nIt works for 10 minutes. Do not share it with anyone.{call}\n",
        },
    ),
    (
        Purpose::OneTimeCode,
        MessageLanguage::Es,
        Wording {
            subject: "{clinic}: su código",
            sms: "{clinic}: su código es {code}. Vale por 10 minutos. No lo comparta.",
            email: "Su código para {clinic} es {code}.\n\nVale por 10 minutos. No lo comparta con nadie.{call}\n",
        },
    ),
];

/// The words for `text` in `language`, for email (`sms` false) or a text message. A text
/// message is folded into the GSM 7-bit alphabet.
pub fn render(
    text: &MessageText<'_>,
    language: MessageLanguage,
    sms: bool,
    clinic: &crate::domain::Clinic,
) -> Rendered {
    let wording = WORDINGS
        .iter()
        .find(|(purpose, lang, _)| *purpose == text.purpose() && *lang == language)
        .map_or(&WORDINGS[0].2, |(_, _, wording)| wording);
    let (when, link, code) = match text {
        MessageText::Invitation { starts_at, link } | MessageText::Reminder { starts_at, link } => {
            (visit_time(*starts_at, &clinic.zone, language), *link, "")
        }
        MessageText::OneTimeCode { code } => (String::new(), "", *code),
    };
    let call = match (&clinic.phone, language) {
        (Some(phone), MessageLanguage::En) => {
            format!("\n\nQuestions? Call {} at {phone}.", clinic.name)
        }
        (Some(phone), MessageLanguage::Es) => {
            format!("\n\n¿Preguntas? Llame a {} al {phone}.", clinic.name)
        }
        (None, _) => String::new(),
    };
    let fill = |template: &str| {
        template
            .replace("{clinic}", &clinic.name)
            .replace("{when}", &when)
            .replace("{link}", link)
            .replace("{code}", code)
            .replace("{call}", &call)
    };
    let subject = fill(wording.subject);
    let body = if sms {
        to_gsm7(&fill(wording.sms))
    } else {
        fill(wording.email)
    };
    Rendered { subject, body }
}

/// The visit's date and time as a message says it: `Tue 8 Dec at 9:30`, `mar 8 dic a las 9:30`,
/// on the clinic's clocks (the patient's too, as a rule); `9:30 UTC` when the clinic set no zone.
pub fn visit_time(starts_at: i64, zone: &ClinicZone, language: MessageLanguage) -> String {
    let at = zone.local_millis(starts_at);
    let zone_name = if zone.is_utc() { " UTC" } else { "" };
    let weekday = usize::from(at.weekday().number_days_from_monday());
    let month = usize::from(u8::from(at.month())) - 1;
    let (day_names, month_names, at_word) = match language {
        MessageLanguage::En => (
            ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
            [
                "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
            ],
            "at",
        ),
        MessageLanguage::Es => (
            ["lun", "mar", "mié", "jue", "vie", "sáb", "dom"],
            [
                "ene", "feb", "mar", "abr", "may", "jun", "jul", "ago", "sep", "oct", "nov", "dic",
            ],
            "a las",
        ),
    };
    format!(
        "{} {} {} {at_word} {}:{:02}{zone_name}",
        day_names[weekday],
        at.day(),
        month_names[month],
        at.hour(),
        at.minute()
    )
}

/// The GSM 03.38 basic character set: a text in it takes 160 characters a segment (153 when
/// split); one character outside it makes the whole message UCS-2, 70 (67) a segment.
const GSM7: &str = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà";

/// Characters of the GSM extension table: each takes two places.
const GSM7_EXTENDED: &str = "^{}\\[~]|€";

/// Replaces what the GSM alphabet lacks with its plain letter (`á` → `a`, `Í` → `I`), as
/// gateways' "smart encoding" does, so a Spanish text stays in one or two segments.
pub fn to_gsm7(text: &str) -> String {
    text.chars()
        .map(|c| match c {
            'á' | 'â' | 'ã' => 'a',
            'í' | 'î' | 'ï' => 'i',
            'ó' | 'ô' | 'õ' => 'o',
            'ú' | 'û' => 'u',
            'ê' | 'ë' => 'e',
            'ç' => 'c',
            'Á' | 'À' | 'Â' | 'Ã' => 'A',
            'Í' | 'Ì' | 'Î' | 'Ï' => 'I',
            'Ó' | 'Ò' | 'Ô' | 'Õ' => 'O',
            'Ú' | 'Ù' | 'Û' => 'U',
            'È' | 'Ê' | 'Ë' => 'E',
            '’' | '‘' => '\'',
            '“' | '”' => '"',
            '–' | '—' => '-',
            '•' => '*',
            other => other,
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
            MessageLanguage::En,
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
            MessageLanguage::Es,
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
        for language in [MessageLanguage::En, MessageLanguage::Es] {
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
            MessageLanguage::Es,
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
    fn visit_times_read_in_the_patients_language() {
        let saturday = crate::clock::millis(time::macros::datetime!(2026-12-12 17:05 UTC));
        assert_eq!(
            visit_time(saturday, &ClinicZone::utc(), MessageLanguage::En),
            "Sat 12 Dec at 17:05 UTC"
        );
        assert_eq!(
            visit_time(saturday, &ClinicZone::utc(), MessageLanguage::Es),
            "sáb 12 dic a las 17:05 UTC"
        );
        // In the clinic's zone the time alone is enough: 17:05 UTC is 12:05 in New York.
        let new_york = ClinicZone::parse("America/New_York").unwrap();
        assert_eq!(
            visit_time(saturday, &new_york, MessageLanguage::En),
            "Sat 12 Dec at 12:05"
        );
        let late = crate::clock::millis(time::macros::datetime!(2026-12-13 03:30 UTC));
        assert_eq!(
            visit_time(late, &new_york, MessageLanguage::Es),
            "sáb 12 dic a las 22:30"
        );
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
