//! The function table: names, arities and ids resolved at compile time.

/// Every supported function.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[expect(missing_docs, reason = "variants are the FHIRPath function names")]
pub enum Func {
    Empty,
    Exists,
    All,
    AllTrue,
    AnyTrue,
    AllFalse,
    AnyFalse,
    SubsetOf,
    SupersetOf,
    Count,
    Distinct,
    IsDistinct,
    Where,
    Select,
    Repeat,
    OfType,
    Single,
    First,
    Last,
    Tail,
    Skip,
    Take,
    Intersect,
    Exclude,
    Union,
    Combine,
    Iif,
    ToBoolean,
    ConvertsToBoolean,
    ToInteger,
    ConvertsToInteger,
    ToDate,
    ConvertsToDate,
    ToDateTime,
    ConvertsToDateTime,
    ToDecimal,
    ConvertsToDecimal,
    ToQuantity,
    ConvertsToQuantity,
    ToString,
    ConvertsToString,
    ToTime,
    ConvertsToTime,
    IndexOf,
    Substring,
    StartsWith,
    EndsWith,
    Contains,
    Upper,
    Lower,
    Replace,
    Matches,
    MatchesFull,
    ReplaceMatches,
    Length,
    ToChars,
    Trim,
    Split,
    Join,
    Encode,
    Decode,
    Escape,
    Unescape,
    Abs,
    Ceiling,
    Exp,
    Floor,
    Ln,
    Log,
    Power,
    Round,
    Sqrt,
    Truncate,
    Children,
    Descendants,
    Trace,
    Now,
    TimeOfDay,
    Today,
    Aggregate,
    Not,
    Is,
    As,
    Type,
    Extension,
    HasValue,
    GetValue,
    Resolve,
    ConformsTo,
    MemberOf,
    HtmlChecks,
    Sort,
    LowBoundary,
    HighBoundary,
    Precision,
    Comparable,
    Weight,
    Ordinal,
    Sum,
    Min,
    Max,
    Avg,
    Answers,
    Subsumes,
    SubsumedBy,
    ElementDefinition,
    Slice,
    CheckModifiers,
}

/// How an argument is evaluated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ArgMode {
    /// Evaluated once against the caller's focus.
    Value,
    /// Evaluated per input item with `$this` bound (a lambda).
    Lambda,
    /// A type specifier.
    Type,
}

/// Static description of a function.
#[derive(Debug, Clone, Copy)]
pub struct FuncInfo {
    /// Id.
    pub func: Func,
    /// FHIRPath name.
    pub name: &'static str,
    /// Minimum argument count.
    pub min: usize,
    /// Maximum argument count.
    pub max: usize,
    /// How arguments are evaluated.
    pub mode: ArgMode,
}

macro_rules! table {
    ($( $f:ident $n:literal $min:literal $max:literal $m:ident ;)*) => {
        /// All functions with their arities.
        pub const FUNCTIONS: &[FuncInfo] = &[
            $( FuncInfo { func: Func::$f, name: $n, min: $min, max: $max, mode: ArgMode::$m }, )*
        ];
    };
}

table! {
    Empty "empty" 0 0 Value; Exists "exists" 0 1 Lambda; All "all" 1 1 Lambda;
    AllTrue "allTrue" 0 0 Value; AnyTrue "anyTrue" 0 0 Value; AllFalse "allFalse" 0 0 Value;
    AnyFalse "anyFalse" 0 0 Value; SubsetOf "subsetOf" 1 1 Value; SupersetOf "supersetOf" 1 1 Value;
    Count "count" 0 0 Value; Distinct "distinct" 0 0 Value; IsDistinct "isDistinct" 0 0 Value;
    Where "where" 1 1 Lambda; Select "select" 1 1 Lambda; Repeat "repeat" 1 1 Lambda;
    OfType "ofType" 1 1 Type; Single "single" 0 0 Value; First "first" 0 0 Value;
    Last "last" 0 0 Value; Tail "tail" 0 0 Value; Skip "skip" 1 1 Value; Take "take" 1 1 Value;
    Intersect "intersect" 1 1 Value; Exclude "exclude" 1 1 Value; Union "union" 1 1 Value;
    Combine "combine" 1 1 Value; Iif "iif" 2 3 Lambda; ToBoolean "toBoolean" 0 0 Value;
    ConvertsToBoolean "convertsToBoolean" 0 0 Value; ToInteger "toInteger" 0 0 Value;
    ConvertsToInteger "convertsToInteger" 0 0 Value; ToDate "toDate" 0 0 Value;
    ConvertsToDate "convertsToDate" 0 0 Value; ToDateTime "toDateTime" 0 0 Value;
    ConvertsToDateTime "convertsToDateTime" 0 0 Value; ToDecimal "toDecimal" 0 0 Value;
    ConvertsToDecimal "convertsToDecimal" 0 0 Value; ToQuantity "toQuantity" 0 1 Value;
    ConvertsToQuantity "convertsToQuantity" 0 1 Value; ToString "toString" 0 0 Value;
    ConvertsToString "convertsToString" 0 0 Value; ToTime "toTime" 0 0 Value;
    ConvertsToTime "convertsToTime" 0 0 Value; IndexOf "indexOf" 1 1 Value;
    Substring "substring" 1 2 Value; StartsWith "startsWith" 1 1 Value; EndsWith "endsWith" 1 1 Value;
    Contains "contains" 1 1 Value; Upper "upper" 0 0 Value; Lower "lower" 0 0 Value;
    Replace "replace" 2 2 Value; Matches "matches" 1 1 Value; MatchesFull "matchesFull" 1 1 Value;
    ReplaceMatches "replaceMatches" 2 2 Value; Length "length" 0 0 Value; ToChars "toChars" 0 0 Value;
    Trim "trim" 0 0 Value; Split "split" 1 1 Value; Join "join" 0 1 Value; Encode "encode" 1 1 Value;
    Decode "decode" 1 1 Value; Escape "escape" 1 1 Value; Unescape "unescape" 1 1 Value;
    Abs "abs" 0 0 Value; Ceiling "ceiling" 0 0 Value; Exp "exp" 0 0 Value; Floor "floor" 0 0 Value;
    Ln "ln" 0 0 Value; Log "log" 1 1 Value; Power "power" 1 1 Value; Round "round" 0 1 Value;
    Sqrt "sqrt" 0 0 Value; Truncate "truncate" 0 0 Value; Children "children" 0 0 Value;
    Descendants "descendants" 0 0 Value; Trace "trace" 1 2 Lambda; Now "now" 0 0 Value;
    TimeOfDay "timeOfDay" 0 0 Value; Today "today" 0 0 Value; Aggregate "aggregate" 1 2 Lambda;
    Not "not" 0 0 Value; Is "is" 1 1 Type; As "as" 1 1 Type; Type "type" 0 0 Value;
    Extension "extension" 1 1 Value; HasValue "hasValue" 0 0 Value; GetValue "getValue" 0 0 Value;
    Resolve "resolve" 0 0 Value; ConformsTo "conformsTo" 1 1 Value; MemberOf "memberOf" 1 1 Value;
    HtmlChecks "htmlChecks" 0 0 Value; Sort "sort" 0 9 Lambda; LowBoundary "lowBoundary" 0 1 Value;
    HighBoundary "highBoundary" 0 1 Value; Precision "precision" 0 0 Value;
    Comparable "comparable" 1 1 Value; Weight "weight" 0 0 Value; Ordinal "ordinal" 0 0 Value;
    Sum "sum" 0 0 Value; Min "min" 0 0 Value; Max "max" 0 0 Value; Avg "avg" 0 0 Value;
    Answers "answers" 0 0 Value; Subsumes "subsumes" 1 1 Value; SubsumedBy "subsumedBy" 1 1 Value;
    ElementDefinition "elementDefinition" 0 0 Value; Slice "slice" 2 2 Value;
    CheckModifiers "checkModifiers" 1 1 Value;
}

/// Looks a function up by name.
pub fn lookup(name: &str) -> Option<&'static FuncInfo> {
    FUNCTIONS.iter().find(|f| f.name == name)
}

/// Info for a function id.
pub fn info(f: Func) -> &'static FuncInfo {
    FUNCTIONS
        .iter()
        .find(|i| i.func == f)
        .unwrap_or(&FUNCTIONS[0])
}
