//! What people may type: printable text, with tabs and line breaks where a field takes several
//! lines. Control characters (NUL above all, which Postgres refuses in text) stop at the edge.

/// Whether `text` holds a character no one types on purpose: a C0 control other than tab,
/// line feed and carriage return, DEL, or a C1 control.
pub fn has_control_character(text: &str) -> bool {
    text.chars()
        .any(|c| c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
}

/// `text` without those characters: what a page shows back in the field after refusing it, so
/// the person sees what they meant to type and can send it again.
pub fn without_control_characters(text: &str) -> String {
    text.chars()
        .filter(|c| !c.is_control() || matches!(c, '\t' | '\n' | '\r'))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nul_and_other_controls_are_refused_but_tabs_and_line_breaks_are_text() {
        for bad in ["a\0b", "\u{1}", "x\u{1b}[31m", "\u{7f}", "\u{85}", "\u{9f}"] {
            assert!(has_control_character(bad), "{bad:?}");
        }
        for good in [
            "",
            "plain",
            "two\nlines\r\n",
            "a\tb",
            "é ñ 中文 🙂",
            "\u{200b}",
        ] {
            assert!(!has_control_character(good), "{good:?}");
            assert_eq!(without_control_characters(good), good);
        }
        assert_eq!(without_control_characters("a\0b\u{1b}c"), "abc");
    }
}
