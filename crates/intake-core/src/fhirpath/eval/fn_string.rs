//! String functions.

use super::compile::Node;
use super::functions::Func;
use super::{EvalError, Evaluator, Frame, R, single};
use crate::fhirpath::value::{Coll, Value};

fn s<'a>(x: impl Into<String>) -> R<'a> {
    Ok(crate::fhirpath::value::coll::coll![Value::string(x)])
}

/// String form of a single primitive for string functions (`None` for complex values).
pub fn str_of(v: &Value<'_>) -> Option<String> {
    match v.resolved() {
        Value::Str(s) => Some(s.to_string()),
        Value::Node(_) | Value::Type(..) => None,
        other => Some(other.to_string()),
    }
}

/// Compiled patterns, by source: forms evaluate the same `matches()` on every change, and
/// compiling a large pattern costs far more than matching it.
static REGEXES: std::sync::LazyLock<
    std::sync::Mutex<std::collections::HashMap<String, std::sync::Arc<regex_lite::Regex>>>,
> = std::sync::LazyLock::new(Default::default);

/// At most this many patterns are kept; past it the cache starts again.
const MAX_CACHED_REGEXES: usize = 256;

fn regex(p: &str) -> Result<std::sync::Arc<regex_lite::Regex>, EvalError> {
    let mut cache = REGEXES
        .lock()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    if let Some(found) = cache.get(p) {
        return Ok(found.clone());
    }
    let compiled = regex_lite::RegexBuilder::new(p)
        .dot_matches_new_line(true)
        .build()
        .map_err(|e| EvalError::new(format!("invalid regular expression: {e}")))?;
    if cache.len() >= MAX_CACHED_REGEXES {
        cache.clear();
    }
    let compiled = std::sync::Arc::new(compiled);
    cache.insert(p.to_owned(), compiled.clone());
    Ok(compiled)
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

fn b64_encode(data: &[u8], url: bool) -> String {
    let mut out = String::new();
    for chunk in data.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, b)| acc | (u32::from(*b) << (16 - 8 * i)));
        for i in 0..4 {
            if i <= chunk.len() {
                let c = B64[((n >> (18 - 6 * i)) & 63) as usize] as char;
                out.push(match (url, c) {
                    (true, '+') => '-',
                    (true, '/') => '_',
                    (_, c) => c,
                });
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn b64_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    let mut acc = 0u32;
    let mut bits = 0;
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            b'=' => continue,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    Some(out)
}

impl<'a> Evaluator<'_, 'a> {
    fn str_arg(
        &self,
        args: &[Node],
        i: usize,
        f: Frame<'_, 'a>,
    ) -> Result<Option<String>, EvalError> {
        let v = self.arg(args, i, f)?;
        Ok(single(&v)?.and_then(str_of))
    }

    pub(super) fn string_fn(
        &self,
        func: Func,
        input: Coll<'a>,
        args: &[Node],
        f: Frame<'_, 'a>,
    ) -> R<'a> {
        if func == Func::Join {
            let sep = self.str_arg(args, 0, f)?.unwrap_or_default();
            let parts: Vec<String> = input.iter().filter_map(str_of).collect();
            super::check_len(
                parts
                    .iter()
                    .map(String::len)
                    .sum::<usize>()
                    .saturating_add(sep.len().saturating_mul(parts.len())),
            )?;
            return s(parts.join(&sep));
        }
        let Some(v) = single(&input)? else {
            return Ok(Coll::new());
        };
        let Some(st) = str_of(v) else {
            return Err(EvalError::new(
                "string function called on a non-string value",
            ));
        };
        let st = st.as_str();
        let chars = || st.chars().collect::<Vec<_>>();
        macro_rules! arg {
            ($i:expr) => {
                match self.str_arg(args, $i, f)? {
                    Some(x) => x,
                    None => return Ok(Coll::new()),
                }
            };
        }
        match func {
            Func::IndexOf => {
                let sub = arg!(0);
                Ok(crate::fhirpath::value::coll::coll![Value::Int(
                    match st.find(&sub) {
                        Some(pos) => st[..pos].chars().count() as i64,
                        None => -1,
                    }
                )])
            }
            Func::Substring => {
                let Some(start) = self.int_arg(args, 0, f)? else {
                    return Ok(Coll::new());
                };
                let c = chars();
                if start < 0 || start as usize >= c.len() {
                    return Ok(Coll::new());
                }
                let len = match args.get(1) {
                    Some(_) => match self.int_arg(args, 1, f)? {
                        Some(l) => l.max(0) as usize,
                        None => c.len(),
                    },
                    None => c.len(),
                };
                s(c[start as usize..].iter().take(len).collect::<String>())
            }
            Func::StartsWith => Ok(crate::fhirpath::value::coll::coll![Value::Bool(
                st.starts_with(arg!(0).as_str())
            )]),
            Func::EndsWith => Ok(crate::fhirpath::value::coll::coll![Value::Bool(
                st.ends_with(arg!(0).as_str())
            )]),
            Func::Contains => Ok(crate::fhirpath::value::coll::coll![Value::Bool(
                st.contains(arg!(0).as_str())
            )]),
            Func::Upper => s(st.to_uppercase()),
            Func::Lower => s(st.to_lowercase()),
            Func::Replace => {
                let (pat, rep) = (arg!(0), arg!(1));
                if pat.is_empty() {
                    super::check_len(
                        st.len()
                            .saturating_mul(rep.len() + 1)
                            .saturating_add(rep.len()),
                    )?;
                    let mut out = rep.clone();
                    for ch in st.chars() {
                        out.push(ch);
                        out.push_str(&rep);
                    }
                    return s(out);
                }
                let grows = rep
                    .len()
                    .saturating_sub(pat.len())
                    .saturating_mul(st.len() / pat.len().max(1) + 1);
                super::check_len(st.len().saturating_add(grows))?;
                s(st.replace(&pat, &rep))
            }
            Func::Matches => Ok(crate::fhirpath::value::coll::coll![Value::Bool(
                regex(&arg!(0))?.is_match(st)
            )]),
            Func::MatchesFull => Ok(crate::fhirpath::value::coll::coll![Value::Bool(
                regex(&format!("^(?:{})$", arg!(0)))?.is_match(st)
            )]),
            Func::ReplaceMatches => {
                let (pat, rep) = (arg!(0), arg!(1));
                if pat.is_empty() {
                    return s(st);
                }
                let out = regex(&pat)?.replace_all(st, rep.as_str()).into_owned();
                super::check_len(out.len())?;
                s(out)
            }
            Func::Length => Ok(crate::fhirpath::value::coll::coll![Value::Int(
                st.chars().count() as i64
            )]),
            Func::ToChars => Ok(st.chars().map(|c| Value::string(c.to_string())).collect()),
            Func::Trim => s(st.trim()),
            Func::Split => {
                let sep = arg!(0);
                Ok(st.split(sep.as_str()).map(Value::string).collect())
            }
            Func::Encode | Func::Decode | Func::Escape | Func::Unescape => {
                let fmt = arg!(0);
                let r = match (func, fmt.as_str()) {
                    (Func::Encode, "base64") => b64_encode(st.as_bytes(), false),
                    (Func::Encode, "urlbase64") => b64_encode(st.as_bytes(), true),
                    (Func::Encode, "hex") => data_encoding::HEXLOWER.encode(st.as_bytes()),
                    (Func::Decode, "base64" | "urlbase64") => {
                        match b64_decode(st).and_then(|b| String::from_utf8(b).ok()) {
                            Some(x) => x,
                            None => return Ok(Coll::new()),
                        }
                    }
                    (Func::Decode, "hex") => {
                        let bytes: Option<Vec<u8>> = (0..st.len() / 2)
                            .map(|i| u8::from_str_radix(st.get(2 * i..2 * i + 2)?, 16).ok())
                            .collect();
                        match bytes.and_then(|b| String::from_utf8(b).ok()) {
                            Some(x) => x,
                            None => return Ok(Coll::new()),
                        }
                    }
                    (Func::Escape, "html") => st
                        .replace('&', "&amp;")
                        .replace('<', "&lt;")
                        .replace('>', "&gt;")
                        .replace('"', "&quot;")
                        .replace('\'', "&#39;"),
                    (Func::Escape, "json") => {
                        let j = serde_json::to_string(st).unwrap_or_default();
                        j[1..j.len() - 1].to_string()
                    }
                    (Func::Unescape, "html") => st
                        .replace("&lt;", "<")
                        .replace("&gt;", ">")
                        .replace("&quot;", "\"")
                        .replace("&#39;", "'")
                        .replace("&amp;", "&"),
                    (Func::Unescape, "json") => {
                        serde_json::from_str::<String>(&format!("\"{st}\""))
                            .unwrap_or_else(|_| st.to_string())
                    }
                    _ => return Ok(Coll::new()),
                };
                s(r)
            }
            _ => Err(EvalError::new("internal: not a string function")),
        }
    }
}
