//! Recursive-descent / precedence-climbing parser for FHIRPath (N1 grammar).

use super::ParseError;
use super::ast::{BinOp, Expr, ExprKind, Literal, Span, TYPE_OP_PRECEDENCE};
use super::lexer::{Tok, Token, tokenize};

/// Maximum nesting depth of the syntax tree; deeper expressions are rejected.
pub const MAX_DEPTH: usize = 128;

/// Calendar duration keywords allowed as quantity units.
pub const CALENDAR_UNITS: &[&str] = &[
    "year",
    "years",
    "month",
    "months",
    "week",
    "weeks",
    "day",
    "days",
    "hour",
    "hours",
    "minute",
    "minutes",
    "second",
    "seconds",
    "millisecond",
    "milliseconds",
];

/// Parses a FHIRPath expression into a syntax tree.
pub fn parse(src: &str) -> Result<Expr, ParseError> {
    let toks = tokenize(src)?;
    let mut p = Parser {
        src,
        toks,
        pos: 0,
        depth: 0,
    };
    let e = p.expr(0)?;
    let t = p.peek();
    if t.tok != Tok::Eof {
        return Err(p.err_here("an operator or end of expression"));
    }
    Ok(e)
}

struct Parser<'s> {
    src: &'s str,
    toks: Vec<Token>,
    pos: usize,
    depth: usize,
}

fn describe(t: &Tok) -> String {
    match t {
        Tok::Ident(s, _) => format!("identifier `{s}`"),
        Tok::Str(_) => "string literal".into(),
        Tok::Num(n) => format!("number `{n}`"),
        Tok::DateTime(d) => format!("`@{d}`"),
        Tok::Var(v) => format!("`%{v}`"),
        Tok::Special(s) => format!("`${s}`"),
        Tok::Sym(s) => format!("`{s}`"),
        Tok::Eof => "end of expression".into(),
    }
}

impl<'s> Parser<'s> {
    fn peek(&self) -> &Token {
        &self.toks[self.pos.min(self.toks.len() - 1)]
    }

    fn next(&mut self) -> Token {
        let t = self.peek().clone();
        self.pos += 1;
        t
    }

    fn err_here(&self, expected: &str) -> ParseError {
        let t = self.peek();
        ParseError::new(self.src, t.span.start, expected, &describe(&t.tok))
    }

    fn is_sym(&self, s: &str) -> bool {
        matches!(&self.peek().tok, Tok::Sym(x) if *x == s)
    }

    fn expect_sym(&mut self, s: &'static str) -> Result<Span, ParseError> {
        if self.is_sym(s) {
            Ok(self.next().span)
        } else {
            Err(self.err_here(&format!("`{s}`")))
        }
    }

    /// Builds a node; `enter` bookkeeping bounds the depth (counter >= real tree depth).
    fn mk(&mut self, kind: ExprKind, span: Span) -> Result<Expr, ParseError> {
        self.enter()?;
        Ok(Expr { kind, span })
    }

    fn enter(&mut self) -> Result<(), ParseError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            let t = self.peek();
            return Err(ParseError::new(
                self.src,
                t.span.start,
                "a less deeply nested expression",
                "nesting too deep",
            ));
        }
        Ok(())
    }

    fn binop(&self) -> Option<BinOp> {
        Some(match &self.peek().tok {
            Tok::Sym(s) => match *s {
                "*" => BinOp::Mul,
                "/" => BinOp::Div,
                "+" => BinOp::Add,
                "-" => BinOp::Sub,
                "&" => BinOp::Concat,
                "|" => BinOp::Union,
                "<" => BinOp::Lt,
                "<=" => BinOp::Le,
                ">" => BinOp::Gt,
                ">=" => BinOp::Ge,
                "=" => BinOp::Eq,
                "!=" => BinOp::Ne,
                "~" => BinOp::Equiv,
                "!~" => BinOp::NotEquiv,
                _ => return None,
            },
            Tok::Ident(s, false) => match s.as_str() {
                "div" => BinOp::IntDiv,
                "mod" => BinOp::Mod,
                "in" => BinOp::In,
                "contains" => BinOp::Contains,
                "and" => BinOp::And,
                "or" => BinOp::Or,
                "xor" => BinOp::Xor,
                "implies" => BinOp::Implies,
                _ => return None,
            },
            _ => return None,
        })
    }

    fn expr(&mut self, min_prec: u8) -> Result<Expr, ParseError> {
        let saved = self.depth;
        self.enter()?;
        let mut lhs = self.unary()?;
        loop {
            if let Tok::Ident(kw, false) = &self.peek().tok
                && (kw == "is" || kw == "as")
                && TYPE_OP_PRECEDENCE >= min_prec
            {
                let is = kw == "is";
                self.next();
                let (ty, tspan) = self.type_specifier()?;
                let span = Span {
                    start: lhs.span.start,
                    end: tspan.end,
                };
                let b = Box::new(lhs);
                lhs = self.mk(
                    if is {
                        ExprKind::Is(b, ty)
                    } else {
                        ExprKind::As(b, ty)
                    },
                    span,
                )?;
                continue;
            }
            let Some(op) = self.binop() else { break };
            let p = op.precedence();
            if p < min_prec {
                break;
            }
            self.next();
            let rhs = self.expr(p + 1)?;
            let span = Span {
                start: lhs.span.start,
                end: rhs.span.end,
            };
            lhs = self.mk(ExprKind::Binary(op, Box::new(lhs), Box::new(rhs)), span)?;
        }
        self.depth = saved;
        Ok(lhs)
    }

    fn type_specifier(&mut self) -> Result<(String, Span), ParseError> {
        let t = self.next();
        let Tok::Ident(mut name, _) = t.tok else {
            self.pos -= 1;
            return Err(self.err_here("type name"));
        };
        let mut span = t.span;
        while self.is_sym(".") {
            if let Tok::Ident(_, _) = self
                .toks
                .get(self.pos + 1)
                .map(|t| &t.tok)
                .unwrap_or(&Tok::Eof)
            {
                self.next();
                let t = self.next();
                if let Tok::Ident(n, _) = t.tok {
                    name.push('.');
                    name.push_str(&n);
                    span.end = t.span.end;
                }
            } else {
                break;
            }
        }
        Ok((name, span))
    }

    fn unary(&mut self) -> Result<Expr, ParseError> {
        let saved = self.depth;
        let r = self.unary_inner();
        self.depth = saved;
        r
    }

    fn unary_inner(&mut self) -> Result<Expr, ParseError> {
        if self.is_sym("-") || self.is_sym("+") {
            self.enter()?;
            let t = self.next();
            let neg = t.tok == Tok::Sym("-");
            let e = self.unary()?;
            let span = Span {
                start: t.span.start,
                end: e.span.end,
            };
            return self.mk(ExprKind::Polarity(neg, Box::new(e)), span);
        }
        let mut e = self.term()?;
        loop {
            if self.is_sym(".") {
                self.next();
                let t = self.next();
                let name = match t.tok {
                    Tok::Ident(n, _) => n,
                    _ => {
                        self.pos -= 1;
                        return Err(self.err_here("identifier or function name after `.`"));
                    }
                };
                if self.is_sym("(") {
                    let (args, end) = self.args()?;
                    let span = Span {
                        start: e.span.start,
                        end,
                    };
                    e = self.mk(ExprKind::Method(Box::new(e), name, args), span)?;
                } else {
                    let span = Span {
                        start: e.span.start,
                        end: t.span.end,
                    };
                    e = self.mk(ExprKind::Member(Box::new(e), name), span)?;
                }
            } else if self.is_sym("[") {
                self.next();
                let idx = self.expr(0)?;
                let end = self.expect_sym("]")?.end;
                let span = Span {
                    start: e.span.start,
                    end,
                };
                e = self.mk(ExprKind::Indexer(Box::new(e), Box::new(idx)), span)?;
            } else {
                return Ok(e);
            }
        }
    }

    fn args(&mut self) -> Result<(Vec<Expr>, usize), ParseError> {
        self.expect_sym("(")?;
        self.enter()?;
        let mut args = Vec::new();
        if self.is_sym(")") {
            return Ok((args, self.next().span.end));
        }
        loop {
            args.push(self.expr(0)?);
            if self.is_sym(",") {
                self.next();
                continue;
            }
            if self.is_sym(")") {
                return Ok((args, self.next().span.end));
            }
            return Err(self.err_here("`,` or `)`"));
        }
    }

    fn term(&mut self) -> Result<Expr, ParseError> {
        let t = self.next();
        let span = t.span;
        let kind = match t.tok {
            Tok::Sym("(") => {
                let e = self.expr(0)?;
                let end = self.expect_sym(")")?.end;
                return self.mk(
                    ExprKind::Paren(Box::new(e)),
                    Span {
                        start: span.start,
                        end,
                    },
                );
            }
            Tok::Sym("{") => {
                let end = self.expect_sym("}")?.end;
                return Ok(Expr {
                    kind: ExprKind::Literal(Literal::Empty),
                    span: Span {
                        start: span.start,
                        end,
                    },
                });
            }
            Tok::Str(s) => ExprKind::Literal(Literal::String(s)),
            Tok::Num(n) => return self.number(n, span),
            Tok::DateTime(d) => ExprKind::Literal(self.datetime(d, span)?),
            Tok::Var(v) => ExprKind::Variable(v),
            Tok::Special(s) => match s.as_str() {
                "this" => ExprKind::This,
                "index" => ExprKind::Index,
                _ => ExprKind::Total,
            },
            Tok::Ident(n, delimited) => {
                if !delimited && (n == "true" || n == "false") {
                    ExprKind::Literal(Literal::Bool(n == "true"))
                } else if self.is_sym("(") && !delimited {
                    let (args, end) = self.args()?;
                    return self.mk(
                        ExprKind::Call(n, args),
                        Span {
                            start: span.start,
                            end,
                        },
                    );
                } else {
                    if !delimited && is_reserved(&n) {
                        self.pos -= 1;
                        return Err(self.err_here("an expression"));
                    }
                    ExprKind::Identifier(n)
                }
            }
            _ => {
                self.pos -= 1;
                return Err(self.err_here("an expression"));
            }
        };
        Ok(Expr { kind, span })
    }

    fn number(&mut self, n: String, span: Span) -> Result<Expr, ParseError> {
        // Quantity: number followed by a string unit or a calendar keyword.
        match &self.peek().tok {
            Tok::Str(u) => {
                let u = u.clone();
                let end = self.next().span.end;
                return Ok(Expr {
                    kind: ExprKind::Literal(Literal::Quantity(n, u, false)),
                    span: Span {
                        start: span.start,
                        end,
                    },
                });
            }
            Tok::Ident(u, false) if CALENDAR_UNITS.contains(&u.as_str()) => {
                let u = u.clone();
                let end = self.next().span.end;
                return Ok(Expr {
                    kind: ExprKind::Literal(Literal::Quantity(n, u, true)),
                    span: Span {
                        start: span.start,
                        end,
                    },
                });
            }
            _ => {}
        }
        let lit = if n.contains('.') {
            Literal::Decimal(n)
        } else {
            match n.parse::<i64>() {
                Ok(i) => Literal::Integer(i),
                Err(_) => {
                    return Err(ParseError::new(
                        self.src,
                        span.start,
                        "an integer within 64-bit range",
                        &n,
                    ));
                }
            }
        };
        Ok(Expr {
            kind: ExprKind::Literal(lit),
            span,
        })
    }

    fn datetime(&self, d: String, span: Span) -> Result<Literal, ParseError> {
        if let Some(t) = d.strip_prefix('T') {
            if t.is_empty() {
                return Err(ParseError::new(
                    self.src,
                    span.start,
                    "a time after `@T`",
                    "`@T`",
                ));
            }
            return Ok(Literal::Time(t.to_string()));
        }
        if d.contains('T') {
            Ok(Literal::DateTime(d))
        } else {
            Ok(Literal::Date(d))
        }
    }
}

fn is_reserved(n: &str) -> bool {
    matches!(n, "and" | "or" | "xor" | "implies" | "div" | "mod")
}
