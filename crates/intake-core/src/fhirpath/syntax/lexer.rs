//! Tokenizer for FHIRPath source text.

use super::ParseError;
use super::ast::Span;

/// Token kinds.
#[derive(Debug, Clone, PartialEq)]
pub enum Tok {
    /// Identifier (plain or delimited); bool is true for delimited.
    Ident(String, bool),
    /// String literal (unescaped).
    Str(String),
    /// Number text (integer or decimal).
    Num(String),
    /// `@...` date / dateTime / time literal text (without `@`).
    DateTime(String),
    /// `%name` or `%'name'` / `%` followed by delimited name.
    Var(String),
    /// `$this` / `$index` / `$total`
    Special(String),
    /// Punctuation or operator symbol.
    Sym(&'static str),
    /// End of input.
    Eof,
}

/// A token with its span.
#[derive(Debug, Clone, PartialEq)]
pub struct Token {
    /// Kind and payload.
    pub tok: Tok,
    /// Source span.
    pub span: Span,
}

const SYMS: &[&str] = &[
    "<=", ">=", "!=", "!~", "(", ")", "[", "]", "{", "}", ".", ",", "+", "-", "*", "/", "&", "|",
    "<", ">", "=", "~",
];

/// Splits `src` into tokens.
pub fn tokenize(src: &str) -> Result<Vec<Token>, ParseError> {
    let b = src.as_bytes();
    let mut i = 0;
    let mut out = Vec::new();
    while i < b.len() {
        let c = b[i];
        if c.is_ascii_whitespace() {
            i += 1;
            continue;
        }
        if c == b'/' && b.get(i + 1) == Some(&b'/') {
            while i < b.len() && b[i] != b'\n' {
                i += 1;
            }
            continue;
        }
        if c == b'/' && b.get(i + 1) == Some(&b'*') {
            let start = i;
            i += 2;
            loop {
                if i + 1 >= b.len() {
                    return Err(ParseError::new(
                        src,
                        start,
                        "end of comment `*/`",
                        "unterminated comment",
                    ));
                }
                if b[i] == b'*' && b[i + 1] == b'/' {
                    i += 2;
                    break;
                }
                i += 1;
            }
            continue;
        }
        let start = i;
        let tok = if c.is_ascii_alphabetic() || c == b'_' {
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                i += 1;
            }
            Tok::Ident(src[start..i].to_string(), false)
        } else if c == b'`' {
            let (s, n) = quoted(src, i, b'`')?;
            i = n;
            Tok::Ident(s, true)
        } else if c == b'\'' {
            let (s, n) = quoted(src, i, b'\'')?;
            i = n;
            Tok::Str(s)
        } else if c.is_ascii_digit() {
            while i < b.len() && b[i].is_ascii_digit() {
                i += 1;
            }
            if i + 1 < b.len() && b[i] == b'.' && b[i + 1].is_ascii_digit() {
                i += 1;
                while i < b.len() && b[i].is_ascii_digit() {
                    i += 1;
                }
            }
            Tok::Num(src[start..i].to_string())
        } else if c == b'@' {
            i += 1;
            let s = i;
            i = scan_datetime(b, i);
            let text = &src[s..i];
            if text.is_empty() {
                return Err(ParseError::new(
                    src,
                    start,
                    "date, dateTime or time after `@`",
                    "`@`",
                ));
            }
            Tok::DateTime(text.to_string())
        } else if c == b'%' {
            i += 1;
            if i < b.len() && (b[i] == b'`' || b[i] == b'\'') {
                let (s, n) = quoted(src, i, b[i])?;
                i = n;
                Tok::Var(s)
            } else {
                let s = i;
                while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_') {
                    i += 1;
                }
                // `%vs-name` / `%ext-name` (FHIR value set and extension constants) may contain '-'
                if matches!(&src[s..i], "vs" | "ext") && b.get(i) == Some(&b'-') {
                    while i < b.len()
                        && (b[i].is_ascii_alphanumeric()
                            || b[i] == b'_'
                            || b[i] == b'-'
                            || b[i] == b'.')
                    {
                        i += 1;
                    }
                }
                if s == i {
                    return Err(ParseError::new(
                        src,
                        start,
                        "variable name after `%`",
                        "`%`",
                    ));
                }
                Tok::Var(src[s..i].to_string())
            }
        } else if c == b'$' {
            i += 1;
            let s = i;
            while i < b.len() && b[i].is_ascii_alphanumeric() {
                i += 1;
            }
            let name = &src[s..i];
            if !matches!(name, "this" | "index" | "total") {
                return Err(ParseError::new(
                    src,
                    start,
                    "`$this`, `$index` or `$total`",
                    "`$`",
                ));
            }
            Tok::Special(name.to_string())
        } else if let Some(sym) = SYMS.iter().find(|s| b[i..].starts_with(s.as_bytes())) {
            i += sym.len();
            Tok::Sym(sym)
        } else {
            let ch = src[i..].chars().next().unwrap_or(' ');
            return Err(ParseError::new(src, start, "a token", &format!("`{ch}`")));
        };
        out.push(Token {
            tok,
            span: Span { start, end: i },
        });
    }
    out.push(Token {
        tok: Tok::Eof,
        span: Span {
            start: b.len(),
            end: b.len(),
        },
    });
    Ok(out)
}

fn quoted(src: &str, start: usize, q: u8) -> Result<(String, usize), ParseError> {
    let b = src.as_bytes();
    let mut i = start + 1;
    let mut out = String::new();
    let mut run = i;
    while i < b.len() {
        let c = b[i];
        if c == q {
            out.push_str(&src[run..i]);
            return Ok((out, i + 1));
        }
        if c == b'\\' {
            out.push_str(&src[run..i]);
            let e = *b
                .get(i + 1)
                .ok_or_else(|| ParseError::new(src, i, "escape sequence", "end of input"))?;
            i += 2;
            match e {
                b'\'' => out.push('\''),
                b'"' => out.push('"'),
                b'`' => out.push('`'),
                b'\\' => out.push('\\'),
                b'/' => out.push('/'),
                b'f' => out.push('\u{c}'),
                b'n' => out.push('\n'),
                b'r' => out.push('\r'),
                b't' => out.push('\t'),
                b'u' => {
                    let hex = src
                        .get(i..i + 4)
                        .ok_or_else(|| ParseError::new(src, i, "4 hex digits", "end of input"))?;
                    let v = u32::from_str_radix(hex, 16)
                        .map_err(|_| ParseError::new(src, i, "4 hex digits", hex))?;
                    out.push(char::from_u32(v).unwrap_or('\u{fffd}'));
                    i += 4;
                }
                _ => {
                    return Err(ParseError::new(
                        src,
                        i - 1,
                        "valid escape sequence",
                        &format!("`\\{}`", e as char),
                    ));
                }
            }
            run = i;
            continue;
        }
        i += 1;
    }
    let what = if q == b'`' {
        "closing backtick"
    } else {
        "closing quote"
    };
    Err(ParseError::new(src, start, what, "end of input"))
}

fn digits(b: &[u8], i: usize, n: usize) -> bool {
    i + n <= b.len() && b[i..i + n].iter().all(u8::is_ascii_digit)
}

fn scan_time(b: &[u8], mut i: usize) -> usize {
    if !digits(b, i, 2) {
        return i;
    }
    i += 2;
    if b.get(i) == Some(&b':') && digits(b, i + 1, 2) {
        i += 3;
        if b.get(i) == Some(&b':') && digits(b, i + 1, 2) {
            i += 3;
            if b.get(i) == Some(&b'.') && digits(b, i + 1, 1) {
                i += 1;
                while i < b.len() && b[i].is_ascii_digit() {
                    i += 1;
                }
            }
        }
    }
    i
}

fn scan_datetime(b: &[u8], mut i: usize) -> usize {
    if b.get(i) == Some(&b'T') {
        return scan_time(b, i + 1);
    }
    if !digits(b, i, 4) {
        return i;
    }
    i += 4;
    if b.get(i) == Some(&b'-') && digits(b, i + 1, 2) {
        i += 3;
        if b.get(i) == Some(&b'-') && digits(b, i + 1, 2) {
            i += 3;
        }
    }
    if b.get(i) == Some(&b'T') {
        i += 1;
        let t = scan_time(b, i);
        if t > i {
            i = t;
            if b.get(i) == Some(&b'Z') {
                i += 1;
            } else if matches!(b.get(i), Some(b'+' | b'-'))
                && digits(b, i + 1, 2)
                && b.get(i + 3) == Some(&b':')
                && digits(b, i + 4, 2)
            {
                i += 6;
            }
        }
    }
    i
}
