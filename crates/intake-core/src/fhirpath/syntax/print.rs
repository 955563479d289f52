//! Canonical, re-parseable printing of syntax trees (`Display` for `Expr` and `Literal`).

use super::ast::{Expr, ExprKind, Literal, TYPE_OP_PRECEDENCE};
use std::fmt;

const KEYWORDS: &[&str] = &[
    "true", "false", "and", "or", "xor", "implies", "div", "mod", "is", "as", "in", "contains",
];

fn write_ident(f: &mut fmt::Formatter<'_>, name: &str) -> fmt::Result {
    let plain = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        && !KEYWORDS.contains(&name);
    if plain {
        f.write_str(name)
    } else {
        f.write_str("`")?;
        for c in name.chars() {
            match c {
                '`' => f.write_str("\\`")?,
                '\\' => f.write_str("\\\\")?,
                c => write_char_escaped(f, c)?,
            }
        }
        f.write_str("`")
    }
}

fn write_char_escaped(f: &mut fmt::Formatter<'_>, c: char) -> fmt::Result {
    match c {
        '\n' => f.write_str("\\n"),
        '\r' => f.write_str("\\r"),
        '\t' => f.write_str("\\t"),
        '\u{c}' => f.write_str("\\f"),
        c if (c as u32) < 0x20 => write!(f, "\\u{:04x}", c as u32),
        c => write!(f, "{c}"),
    }
}

/// Writes a string as a single-quoted FHIRPath string literal.
pub fn write_string_literal(f: &mut fmt::Formatter<'_>, s: &str) -> fmt::Result {
    f.write_str("'")?;
    for c in s.chars() {
        match c {
            '\'' => f.write_str("\\'")?,
            '\\' => f.write_str("\\\\")?,
            c => write_char_escaped(f, c)?,
        }
    }
    f.write_str("'")
}

fn write_args(f: &mut fmt::Formatter<'_>, name: &str, args: &[Expr]) -> fmt::Result {
    f.write_str(name)?;
    f.write_str("(")?;
    for (i, a) in args.iter().enumerate() {
        if i > 0 {
            f.write_str(", ")?;
        }
        write!(f, "{a}")?;
    }
    f.write_str(")")
}

impl fmt::Display for Literal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Literal::Empty => f.write_str("{}"),
            Literal::Bool(b) => write!(f, "{b}"),
            Literal::String(s) => write_string_literal(f, s),
            Literal::Integer(i) => write!(f, "{i}"),
            Literal::Decimal(d) => f.write_str(d),
            Literal::Date(d) | Literal::DateTime(d) => write!(f, "@{d}"),
            Literal::Time(t) => write!(f, "@T{t}"),
            Literal::Quantity(n, u, keyword) => {
                if *keyword {
                    write!(f, "{n} {u}")
                } else {
                    write!(f, "{n} ")?;
                    write_string_literal(f, u)
                }
            }
        }
    }
}

impl fmt::Display for Expr {
    /// Prints a canonical, re-parseable form. Parentheses from the source are kept as
    /// `Paren` nodes; extra ones are only added for hand-built trees that need them.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ExprKind::Literal(l) => write!(f, "{l}"),
            ExprKind::Identifier(n) => write_ident(f, n),
            ExprKind::Variable(n) => {
                f.write_str("%")?;
                write_ident(f, n)
            }
            ExprKind::This => f.write_str("$this"),
            ExprKind::Index => f.write_str("$index"),
            ExprKind::Total => f.write_str("$total"),
            ExprKind::Call(n, a) => write_args(f, n, a),
            ExprKind::Member(t, n) => {
                write_postfix_target(f, t)?;
                f.write_str(".")?;
                write_ident(f, n)
            }
            ExprKind::Method(t, n, a) => {
                write_postfix_target(f, t)?;
                f.write_str(".")?;
                write_args(f, n, a)
            }
            ExprKind::Indexer(t, i) => {
                write_postfix_target(f, t)?;
                write!(f, "[{i}]")
            }
            ExprKind::Polarity(neg, e) => {
                f.write_str(if *neg { "-" } else { "+" })?;
                wrap(f, e, prec(e) < 12)
            }
            ExprKind::Binary(op, l, r) => {
                let p = op.precedence();
                // `a is T + b` parses as `(a is T) + b`: a type operator never needs parens on the left
                let type_op = matches!(l.kind, ExprKind::Is(..) | ExprKind::As(..));
                wrap(f, l, prec(l) < p && !type_op)?;
                write!(f, " {} ", op.symbol())?;
                wrap(f, r, prec(r) <= p)
            }
            ExprKind::Is(e, t) | ExprKind::As(e, t) => {
                let kw = if matches!(self.kind, ExprKind::Is(..)) {
                    "is"
                } else {
                    "as"
                };
                wrap(f, e, prec(e) < TYPE_OP_PRECEDENCE)?;
                write!(f, " {kw} ")?;
                for (i, part) in t.split('.').enumerate() {
                    if i > 0 {
                        f.write_str(".")?;
                    }
                    write_ident(f, part)?;
                }
                Ok(())
            }
            ExprKind::Paren(e) => write!(f, "({e})"),
        }
    }
}

fn wrap(f: &mut fmt::Formatter<'_>, e: &Expr, paren: bool) -> fmt::Result {
    if paren {
        write!(f, "({e})")
    } else {
        write!(f, "{e}")
    }
}

fn write_postfix_target(f: &mut fmt::Formatter<'_>, t: &Expr) -> fmt::Result {
    wrap(f, t, prec(t) < 13)
}

fn prec(e: &Expr) -> u8 {
    match &e.kind {
        ExprKind::Binary(op, ..) => op.precedence(),
        ExprKind::Is(..) | ExprKind::As(..) => TYPE_OP_PRECEDENCE,
        ExprKind::Polarity(..) => 12,
        ExprKind::Literal(Literal::Integer(i)) if *i < 0 => 12,
        _ => 13,
    }
}
