//! Syntax tree for FHIRPath expressions, with source spans and a canonical printer.

/// Byte range `[start, end)` in the source expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Span {
    /// Start byte offset.
    pub start: usize,
    /// End byte offset (exclusive).
    pub end: usize,
}

/// A syntax tree node.
#[derive(Debug, Clone, PartialEq)]
pub struct Expr {
    /// What kind of expression this is.
    pub kind: ExprKind,
    /// Where it appears in the source.
    pub span: Span,
}

/// Literal values.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    /// `{}`
    Empty,
    /// `true` / `false`
    Bool(bool),
    /// A string literal (unescaped).
    String(String),
    /// An integer literal (source text).
    Integer(i64),
    /// A decimal literal, kept as source text.
    Decimal(String),
    /// A date literal without `@`, e.g. `2014-01`.
    Date(String),
    /// A dateTime literal without `@`, e.g. `2014-01-01T10:00`.
    DateTime(String),
    /// A time literal without `@T`, e.g. `10:00`.
    Time(String),
    /// A quantity: number text and unit (UCUM string or calendar keyword).
    Quantity(String, String, bool),
}

/// Binary operators.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinOp {
    /// `*`
    Mul,
    /// `/`
    Div,
    /// `div`
    IntDiv,
    /// `mod`
    Mod,
    /// `+`
    Add,
    /// `-`
    Sub,
    /// `&`
    Concat,
    /// `|`
    Union,
    /// `<`
    Lt,
    /// `<=`
    Le,
    /// `>`
    Gt,
    /// `>=`
    Ge,
    /// `=`
    Eq,
    /// `!=`
    Ne,
    /// `~`
    Equiv,
    /// `!~`
    NotEquiv,
    /// `in`
    In,
    /// `contains`
    Contains,
    /// `and`
    And,
    /// `or`
    Or,
    /// `xor`
    Xor,
    /// `implies`
    Implies,
}

impl BinOp {
    /// Source token of the operator.
    pub fn symbol(self) -> &'static str {
        match self {
            BinOp::Mul => "*",
            BinOp::Div => "/",
            BinOp::IntDiv => "div",
            BinOp::Mod => "mod",
            BinOp::Add => "+",
            BinOp::Sub => "-",
            BinOp::Concat => "&",
            BinOp::Union => "|",
            BinOp::Lt => "<",
            BinOp::Le => "<=",
            BinOp::Gt => ">",
            BinOp::Ge => ">=",
            BinOp::Eq => "=",
            BinOp::Ne => "!=",
            BinOp::Equiv => "~",
            BinOp::NotEquiv => "!~",
            BinOp::In => "in",
            BinOp::Contains => "contains",
            BinOp::And => "and",
            BinOp::Or => "or",
            BinOp::Xor => "xor",
            BinOp::Implies => "implies",
        }
    }

    /// Binding power (higher binds tighter).
    pub fn precedence(self) -> u8 {
        match self {
            BinOp::Mul | BinOp::Div | BinOp::IntDiv | BinOp::Mod => 10,
            BinOp::Add | BinOp::Sub | BinOp::Concat => 9,
            BinOp::Union => 7,
            BinOp::Lt | BinOp::Le | BinOp::Gt | BinOp::Ge => 6,
            BinOp::Eq | BinOp::Ne | BinOp::Equiv | BinOp::NotEquiv => 5,
            BinOp::In | BinOp::Contains => 4,
            BinOp::And => 3,
            BinOp::Or | BinOp::Xor => 2,
            BinOp::Implies => 1,
        }
    }
}

/// Precedence of `is` / `as` type operators.
pub const TYPE_OP_PRECEDENCE: u8 = 8;

/// Expression kinds.
#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// A literal.
    Literal(Literal),
    /// A bare identifier at the start of a path (member of `$this` or a type name).
    Identifier(String),
    /// `%name`
    Variable(String),
    /// `$this`
    This,
    /// `$index`
    Index,
    /// `$total`
    Total,
    /// A function call without explicit target (applies to `$this`).
    Call(String, Vec<Expr>),
    /// `target.name`
    Member(Box<Expr>, String),
    /// `target.name(args)`
    Method(Box<Expr>, String, Vec<Expr>),
    /// `target[index]`
    Indexer(Box<Expr>, Box<Expr>),
    /// Unary `-` (true) or `+` (false).
    Polarity(bool, Box<Expr>),
    /// A binary operator.
    Binary(BinOp, Box<Expr>, Box<Expr>),
    /// `expr is Type`
    Is(Box<Expr>, String),
    /// `expr as Type`
    As(Box<Expr>, String),
    /// `( expr )` — kept so printing round-trips exactly.
    Paren(Box<Expr>),
}

impl Expr {
    /// A copy of the tree with every span set to zero (for structural comparison).
    pub fn without_spans(&self) -> Expr {
        let b = |e: &Expr| Box::new(e.without_spans());
        let v = |a: &[Expr]| a.iter().map(Expr::without_spans).collect::<Vec<_>>();
        let kind = match &self.kind {
            ExprKind::Call(n, a) => ExprKind::Call(n.clone(), v(a)),
            ExprKind::Member(t, n) => ExprKind::Member(b(t), n.clone()),
            ExprKind::Method(t, n, a) => ExprKind::Method(b(t), n.clone(), v(a)),
            ExprKind::Indexer(t, i) => ExprKind::Indexer(b(t), b(i)),
            ExprKind::Polarity(n, e) => ExprKind::Polarity(*n, b(e)),
            ExprKind::Binary(o, l, r) => ExprKind::Binary(*o, b(l), b(r)),
            ExprKind::Is(e, t) => ExprKind::Is(b(e), t.clone()),
            ExprKind::As(e, t) => ExprKind::As(b(e), t.clone()),
            ExprKind::Paren(e) => ExprKind::Paren(b(e)),
            k => k.clone(),
        };
        Expr {
            kind,
            span: Span::default(),
        }
    }

    /// Direct children of this node.
    pub fn children(&self) -> Vec<&Expr> {
        match &self.kind {
            ExprKind::Call(_, a) => a.iter().collect(),
            ExprKind::Method(t, _, a) => std::iter::once(&**t).chain(a.iter()).collect(),
            ExprKind::Member(t, _) | ExprKind::Polarity(_, t) | ExprKind::Paren(t) => vec![t],
            ExprKind::Is(t, _) | ExprKind::As(t, _) => vec![t],
            ExprKind::Indexer(a, b) | ExprKind::Binary(_, a, b) => vec![a, b],
            _ => Vec::new(),
        }
    }
}
