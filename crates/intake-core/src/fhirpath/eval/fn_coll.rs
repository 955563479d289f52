//! Existence, filtering, projection, subsetting, combining, aggregate and sort functions.

use super::compile::Node;
use super::ops::{contains_value, union};
use super::{EvalError, Evaluator, Frame, R, single, to_bool};
use crate::fhirpath::value::compare::compare;
use crate::fhirpath::value::{Coll, Value};
use std::cmp::Ordering;

fn b<'a>(x: bool) -> R<'a> {
    Ok(crate::fhirpath::value::coll::coll![Value::Bool(x)])
}

fn bools(input: &[Value<'_>]) -> Result<Vec<bool>, EvalError> {
    input
        .iter()
        .map(|v| {
            v.as_bool()
                .ok_or_else(|| EvalError::new("expected a collection of booleans"))
        })
        .collect()
}

impl<'a> Evaluator<'_, 'a> {
    /// Evaluates a value argument.
    pub(super) fn arg(&self, args: &[Node], i: usize, f: Frame<'_, 'a>) -> R<'a> {
        match args.get(i) {
            Some(n) => self.eval(n, f),
            None => Ok(Coll::new()),
        }
    }

    /// Evaluates a value argument that must be a single integer (None if empty).
    pub(super) fn int_arg(
        &self,
        args: &[Node],
        i: usize,
        f: Frame<'_, 'a>,
    ) -> Result<Option<i64>, EvalError> {
        let v = self.arg(args, i, f)?;
        match single(&v)? {
            None => Ok(None),
            Some(x) => x
                .as_int()
                .map(Some)
                .ok_or_else(|| EvalError::new("expected an integer argument")),
        }
    }

    fn filter(&self, input: Coll<'a>, crit: &Node) -> R<'a> {
        let mut out = Coll::new();
        for (i, v) in input.iter().enumerate() {
            let r = self.lambda(crit, v, i, None)?;
            if to_bool(&r)? == Some(true) {
                out.push(v.clone());
            }
        }
        Ok(out)
    }

    pub(super) fn coll_fn(
        &self,
        func: super::functions::Func,
        input: Coll<'a>,
        args: &[Node],
        f: Frame<'_, 'a>,
    ) -> R<'a> {
        use super::functions::Func::*;
        match func {
            Empty => b(input.is_empty()),
            Exists => match args.first() {
                None => b(!input.is_empty()),
                Some(c) => b(!self.filter(input, c)?.is_empty()),
            },
            All => {
                for (i, v) in input.iter().enumerate() {
                    if to_bool(&self.lambda(&args[0], v, i, None)?)? != Some(true) {
                        return b(false);
                    }
                }
                b(true)
            }
            AllTrue => b(bools(&input)?.iter().all(|x| *x)),
            AnyTrue => b(bools(&input)?.iter().any(|x| *x)),
            AllFalse => b(bools(&input)?.iter().all(|x| !*x)),
            AnyFalse => b(bools(&input)?.iter().any(|x| !*x)),
            SubsetOf => {
                let other = self.arg(args, 0, f)?;
                b(input.iter().all(|v| contains_value(&other, v)))
            }
            SupersetOf => {
                let other = self.arg(args, 0, f)?;
                b(other.iter().all(|v| contains_value(&input, v)))
            }
            Count => Ok(crate::fhirpath::value::coll::coll![Value::Int(
                input.len() as i64
            )]),
            Distinct => Ok(union(input, Coll::new())),
            IsDistinct => {
                let n = input.len();
                b(union(input, Coll::new()).len() == n)
            }
            Where => self.filter(input, &args[0]),
            Select => {
                let mut out = Coll::new();
                for (i, v) in input.iter().enumerate() {
                    out.extend(self.lambda(&args[0], v, i, None)?);
                    super::check_items(out.len())?;
                }
                Ok(out)
            }
            Repeat => {
                let mut out: Coll<'a> = Coll::new();
                let mut seen = super::dedup::Dedup::default();
                let mut queue = input;
                let mut rounds = 0;
                while !queue.is_empty() {
                    rounds += 1;
                    if rounds > 10_000 {
                        return Err(EvalError::new("repeat() did not terminate"));
                    }
                    let mut next = Coll::new();
                    super::check_items(out.len())?;
                    for (i, v) in queue.iter().enumerate() {
                        for r in self.lambda(&args[0], v, i, None)? {
                            if !seen.contains(&out, &r) {
                                out.push(r.clone());
                                seen.inserted(&out);
                                next.push(r);
                            }
                        }
                    }
                    queue = next;
                }
                Ok(out)
            }
            Single => match input.len() {
                0 | 1 => Ok(input),
                _ => Err(EvalError::new(
                    "single() called on a collection with more than one item",
                )),
            },
            First => Ok(input.slice_range(0, 1)),
            Last => {
                let n = input.len();
                Ok(input.slice_range(n.saturating_sub(1), 1))
            }
            Tail => Ok(input.slice_range(1, usize::MAX)),
            Skip => {
                let n = usize::try_from(self.int_arg(args, 0, f)?.unwrap_or(0).max(0))
                    .unwrap_or(usize::MAX);
                Ok(input.slice_range(n, usize::MAX))
            }
            Take => {
                let n = usize::try_from(self.int_arg(args, 0, f)?.unwrap_or(0).max(0))
                    .unwrap_or(usize::MAX);
                Ok(input.slice_range(0, n))
            }
            Intersect => {
                let other = self.arg(args, 0, f)?;
                let mut out = Coll::new();
                for v in input {
                    if contains_value(&other, &v) && !contains_value(&out, &v) {
                        out.push(v);
                    }
                }
                Ok(out)
            }
            Exclude => {
                let other = self.arg(args, 0, f)?;
                Ok(input
                    .into_iter()
                    .filter(|v| !contains_value(&other, v))
                    .collect())
            }
            Union => Ok(union(input, self.arg(args, 0, f)?)),
            Combine => {
                let mut v = input;
                v.extend(self.arg(args, 0, f)?);
                super::check_items(v.len())?;
                Ok(v)
            }
            Aggregate => {
                let mut total = match args.get(1) {
                    Some(init) => self.eval(init, f)?,
                    None => Coll::new(),
                };
                for (i, v) in input.iter().enumerate() {
                    total = self.lambda(&args[0], v, i, Some(&total))?;
                    super::check_items(total.len())?;
                }
                Ok(total)
            }
            Sort => self.sort(input, args),
            _ => Err(EvalError::new("internal: not a collection function")),
        }
    }

    fn sort(&self, input: Coll<'a>, args: &[Node]) -> R<'a> {
        let mut keyed: Vec<(Vec<(Coll<'a>, bool)>, Value<'a>)> = Vec::new();
        for (i, v) in input.into_iter().enumerate() {
            let mut keys = Vec::new();
            if args.is_empty() {
                keys.push((crate::fhirpath::value::coll::coll![v.clone()], false));
            }
            for a in args {
                let (n, desc) = match a {
                    Node::Neg(inner, _) => (&**inner, true),
                    n => (n, false),
                };
                keys.push((self.lambda(n, &v, i, None)?, desc));
            }
            keyed.push((keys, v));
        }
        let mut err = None;
        keyed.sort_by(|(ka, _), (kb, _)| {
            for ((a, desc), (b, _)) in ka.iter().zip(kb) {
                let o = match (a.first(), b.first()) {
                    (None, None) => Ordering::Equal,
                    (None, Some(_)) => Ordering::Less,
                    (Some(_), None) => Ordering::Greater,
                    (Some(x), Some(y)) => match compare(x, y) {
                        Ok(o) => {
                            let o = o.unwrap_or(Ordering::Equal);
                            if *desc { o.reverse() } else { o }
                        }
                        Err(e) => {
                            err = Some(e);
                            Ordering::Equal
                        }
                    },
                };
                if o != Ordering::Equal {
                    return o;
                }
            }
            Ordering::Equal
        });
        if let Some(e) = err {
            return Err(EvalError::new(e));
        }
        Ok(keyed.into_iter().map(|(_, v)| v).collect())
    }
}
