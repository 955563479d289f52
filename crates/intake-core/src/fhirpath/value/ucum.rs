//! A small UCUM subset: parses unit expressions into a dimension vector and a factor.

use rust_decimal::Decimal;
use std::str::FromStr;

/// Dimension exponents: mass, length, time, temperature, amount, each as i8.
pub type Dims = [i8; 5];

/// A unit resolved to base SI-like units: value_base = value * factor + offset.
#[derive(Debug, Clone, PartialEq)]
pub struct Resolved {
    /// Dimension vector.
    pub dims: Dims,
    /// Multiplicative factor to base units.
    pub factor: Decimal,
    /// Additive offset (temperatures only).
    pub offset: Decimal,
}

/// Base atoms: (code, dims, factor, prefixable).
fn atom(code: &str) -> Option<(Dims, Decimal, bool)> {
    Some(match code {
        "g" => ([1, 0, 0, 0, 0], Decimal::ONE, true),
        "m" => ([0, 1, 0, 0, 0], Decimal::ONE, true),
        "s" => ([0, 0, 1, 0, 0], Decimal::ONE, true),
        "K" => ([0, 0, 0, 1, 0], Decimal::ONE, true),
        "mol" => ([0, 0, 0, 0, 1], Decimal::ONE, true),
        "L" | "l" => ([0, 3, 0, 0, 0], Decimal::new(1, 3), true),
        "min" => ([0, 0, 1, 0, 0], Decimal::new(60, 0), false),
        "h" => ([0, 0, 1, 0, 0], Decimal::new(3600, 0), false),
        "d" => ([0, 0, 1, 0, 0], Decimal::new(86400, 0), false),
        "wk" => ([0, 0, 1, 0, 0], Decimal::new(604800, 0), false),
        "mo" => ([0, 0, 1, 0, 0], Decimal::new(2629800, 0), false),
        "a" => ([0, 0, 1, 0, 0], Decimal::new(31557600, 0), false),
        "[lb_av]" => ([1, 0, 0, 0, 0], Decimal::new(45359237, 5), false),
        "[oz_av]" => ([1, 0, 0, 0, 0], Decimal::new(28349523125, 9), false),
        "[in_i]" => ([0, 1, 0, 0, 0], Decimal::new(254, 4), false),
        "[ft_i]" => ([0, 1, 0, 0, 0], Decimal::new(3048, 4), false),
        "Pa" => ([1, -1, -2, 0, 0], Decimal::new(1000, 0), true),
        "m[Hg]" => ([1, -1, -2, 0, 0], Decimal::new(133322387415, 3), true),
        "bar" => ([1, -1, -2, 0, 0], Decimal::new(100000000, 0), true),
        "%" => ([0, 0, 0, 0, 0], Decimal::new(1, 2), false),
        "1" => ([0, 0, 0, 0, 0], Decimal::ONE, false),
        "[iU]" | "[IU]" | "U" => ([0, 0, 0, 0, 0], Decimal::ONE, true),
        "[degF]" | "Cel" => ([0, 0, 0, 1, 0], Decimal::ONE, false),
        _ => return None,
    })
}

fn prefix(p: &str) -> Option<Decimal> {
    Some(match p {
        "k" => Decimal::new(1000, 0),
        "h" => Decimal::new(100, 0),
        "da" => Decimal::new(10, 0),
        "d" => Decimal::new(1, 1),
        "c" => Decimal::new(1, 2),
        "m" => Decimal::new(1, 3),
        "u" => Decimal::new(1, 6),
        "n" => Decimal::new(1, 9),
        "p" => Decimal::new(1, 12),
        "M" => Decimal::new(1000000, 0),
        _ => return None,
    })
}

/// Maps a calendar-duration keyword to its UCUM code.
pub fn calendar_to_ucum(kw: &str) -> Option<&'static str> {
    Some(match kw.trim_end_matches('s') {
        "year" => "a",
        "month" => "mo",
        "week" => "wk",
        "day" => "d",
        "hour" => "h",
        "minute" => "min",
        "second" => "s",
        "millisecond" => "ms",
        _ => return None,
    })
}

fn term(t: &str) -> Option<(Dims, Decimal)> {
    if t.is_empty() {
        return None;
    }
    // split trailing exponent
    let bytes = t.as_bytes();
    let mut cut = t.len();
    while cut > 0
        && (bytes[cut - 1].is_ascii_digit() || bytes[cut - 1] == b'-' || bytes[cut - 1] == b'+')
    {
        cut -= 1;
    }
    let (body, exp) = if cut == 0 || cut == t.len() {
        (t, 1i32)
    } else {
        (&t[..cut], t[cut..].parse::<i32>().ok()?)
    };
    if body.chars().all(|c| c.is_ascii_digit()) {
        // a pure number like "10" or "1"
        let n = Decimal::from_str(t).ok()?;
        return Some(([0; 5], n));
    }
    let (dims, factor) = if let Some((d, f, _)) = atom(body) {
        (d, f)
    } else {
        let mut found = None;
        for plen in [1usize, 2] {
            if body.len() > plen
                && body.is_char_boundary(plen)
                && let (Some(pf), Some((d, f, true))) = (prefix(&body[..plen]), atom(&body[plen..]))
            {
                found = Some((d, f * pf));
                break;
            }
        }
        found?
    };
    let mut d = [0i8; 5];
    for i in 0..5 {
        d[i] = dims[i].checked_mul(i8::try_from(exp).ok()?)?;
    }
    let mut f = Decimal::ONE;
    for _ in 0..exp.unsigned_abs() {
        f = if exp > 0 {
            f.checked_mul(factor)?
        } else {
            f.checked_div(factor)?
        };
    }
    Some((d, f))
}

/// Resolves a UCUM unit string (or calendar keyword) to dimensions and a factor.
pub fn resolve(unit: &str) -> Option<Resolved> {
    if let Some(code) = calendar_to_ucum(unit) {
        return resolve(code);
    }
    match unit {
        "Cel" => {
            return Some(Resolved {
                dims: [0, 0, 0, 1, 0],
                factor: Decimal::ONE,
                offset: Decimal::new(27315, 2),
            });
        }
        "[degF]" => {
            let f = Decimal::from(5) / Decimal::from(9);
            return Some(Resolved {
                dims: [0, 0, 0, 1, 0],
                factor: f,
                offset: Decimal::new(45967, 2) * f,
            });
        }
        _ => {}
    }
    let mut dims = [0i8; 5];
    let mut factor = Decimal::ONE;
    let mut rest = unit;
    let mut divide = false;
    if let Some(r) = rest.strip_prefix('/') {
        rest = r;
        divide = true;
    }
    loop {
        let end = rest.find(['.', '/']).unwrap_or(rest.len());
        // do not split inside brackets
        let end = match rest.find('[') {
            Some(b) if b < end => rest[b..].find(']').map_or(end, |c| {
                let after = b + c + 1;
                rest[after..]
                    .find(['.', '/'])
                    .map_or(rest.len(), |x| after + x)
            }),
            _ => end,
        };
        let (d, f) = term(&rest[..end])?;
        for i in 0..5 {
            dims[i] = if divide {
                dims[i].checked_sub(d[i])?
            } else {
                dims[i].checked_add(d[i])?
            };
        }
        factor = if divide {
            factor.checked_div(f)?
        } else {
            factor.checked_mul(f)?
        };
        if end >= rest.len() {
            break;
        }
        divide = rest.as_bytes()[end] == b'/';
        rest = &rest[end + 1..];
    }
    Some(Resolved {
        dims,
        factor,
        offset: Decimal::ZERO,
    })
}
