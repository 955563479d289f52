//! The patient pages' sentences about the clinic and the visit, in English and Spanish.

use super::i18n::{Language, Messages};

/// Spanish month names, lower case as Spanish writes them.
const MESES: [&str; 12] = [
    "enero",
    "febrero",
    "marzo",
    "abril",
    "mayo",
    "junio",
    "julio",
    "agosto",
    "septiembre",
    "octubre",
    "noviembre",
    "diciembre",
];

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

impl Messages {
    /// The label before the clinic's phone number.
    pub fn clinic_phone_label(&self) -> &'static str {
        match self.language() {
            Language::En => "Phone",
            Language::Es => "Teléfono",
        }
    }

    /// The heading for a link the patient already submitted through.
    pub fn already_sent_title(&self) -> &'static str {
        match self.language() {
            Language::En => "You already sent your answers",
            Language::Es => "Ya envió sus respuestas",
        }
    }

    /// What it means.
    pub fn already_sent_body(&self) -> &'static str {
        match self.language() {
            Language::En => {
                "Thank you. The clinic has your answers and will review them before your visit. \
                 There is nothing more to do with this link."
            }
            Language::Es => {
                "Gracias. La clínica tiene sus respuestas y las revisará antes de su visita. No \
                 hay nada más que hacer con este enlace."
            }
        }
    }

    /// What to do about a locked link: call the clinic, at its number when it gave one.
    pub fn locked_call(&self, phone: Option<&str>) -> String {
        match (self.language(), phone) {
            (Language::En, Some(phone)) => format!(
                "Please call the clinic at {phone}; they can unlock this link or send you a new one."
            ),
            (Language::Es, Some(phone)) => format!(
                "Llame a la clínica al {phone}; pueden desbloquear este enlace o enviarle uno nuevo."
            ),
            (_, None) => self.locked_what_now.to_owned(),
        }
    }

    /// The visit's date and time on the clinic's clocks.
    pub fn visit_at(&self, millis: i64, zone: &crate::domain::ClinicZone) -> String {
        let at = zone.local_millis(millis);
        let month = usize::from(u8::from(at.month())) - 1;
        let (hour, minute) = (at.hour(), at.minute());
        match self.language() {
            Language::En => format!(
                "Your visit: {} {} {}, {hour:02}:{minute:02}",
                at.day(),
                MONTHS[month],
                at.year()
            ),
            Language::Es => format!(
                "Su visita: {} de {} de {}, {hour:02}:{minute:02}",
                at.day(),
                MESES[month],
                at.year()
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_visit_time_and_the_clinics_number_read_naturally_in_both_languages() {
        let at = crate::clock::millis(time::macros::datetime!(2026-12-04 09:30 UTC));
        let utc = crate::domain::ClinicZone::utc();
        assert_eq!(
            Language::En.messages().visit_at(at, &utc),
            "Your visit: 4 December 2026, 09:30"
        );
        assert_eq!(
            Language::Es.messages().visit_at(at, &utc),
            "Su visita: 4 de diciembre de 2026, 09:30"
        );
        let new_york = crate::domain::ClinicZone::parse("America/New_York").unwrap();
        assert_eq!(
            Language::En.messages().visit_at(at, &new_york),
            "Your visit: 4 December 2026, 04:30"
        );
        assert!(
            Language::Es
                .messages()
                .locked_call(Some("(555) 010-2000"))
                .contains("al (555) 010-2000")
        );
        assert_eq!(
            Language::En.messages().locked_call(None),
            Language::En.messages().locked_what_now
        );
    }
}
