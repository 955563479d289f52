//! FHIRPath Quantity values with UCUM-aware comparison and conversion.

use super::ucum;
use rust_decimal::Decimal;
use serde_json::Value as Json;
use std::cmp::Ordering;
use std::fmt;
use std::sync::{Arc, OnceLock};

/// A quantity: a decimal value and a unit (UCUM code or calendar keyword).
#[derive(Debug, Clone)]
pub struct Quantity {
    /// Numeric value.
    pub value: Decimal,
    /// Unit: UCUM code (`mg`), or a calendar keyword (`year`, `days`).
    pub unit: Arc<str>,
    /// Lazily computed value in base units (shared by compiled literals across evaluations).
    base: OnceLock<Option<(ucum::Dims, Decimal)>>,
}

impl PartialEq for Quantity {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value && self.unit == other.unit
    }
}

impl Quantity {
    /// Builds a quantity.
    pub fn new(value: Decimal, unit: &str) -> Self {
        Quantity {
            value,
            unit: Arc::from(unit),
            base: OnceLock::new(),
        }
    }

    /// Builds a quantity sharing a unit string.
    pub fn with_unit(value: Decimal, unit: Arc<str>) -> Self {
        Quantity {
            value,
            unit,
            base: OnceLock::new(),
        }
    }

    /// Reads a FHIR Quantity JSON object (`value` + `code` or `unit`).
    pub fn from_json(j: &Json) -> Option<Self> {
        let o = j.as_object()?;
        let v = super::json_num_to_dec(super::obj_get(o, "value")?.as_number()?)?;
        let code = super::obj_get(o, "code").and_then(Json::as_str);
        let system = super::obj_get(o, "system").and_then(Json::as_str);
        let unit = match (code, system) {
            (Some(c), Some("http://unitsofmeasure.org") | None) => c,
            _ => super::obj_get(o, "unit")
                .and_then(Json::as_str)
                .or(code)
                .unwrap_or("1"),
        };
        let unit = match unit {
            "lbs" => "[lb_av]",
            u => u,
        };
        Some(Quantity::new(v, unit))
    }

    /// Whether the unit is a calendar keyword.
    pub fn is_calendar(&self) -> bool {
        ucum::calendar_to_ucum(&self.unit).is_some()
            && !self.unit.is_empty()
            && self.unit.chars().all(|c| c.is_ascii_lowercase())
            && self.unit.len() > 2
    }

    /// Value in base units with dimension vector.
    pub fn to_base(&self) -> Option<(ucum::Dims, Decimal)> {
        *self.base.get_or_init(|| {
            let r = ucum::resolve(&self.unit)?;
            Some((
                r.dims,
                self.value
                    .checked_mul(r.factor)?
                    .checked_add(r.offset)?
                    .round_dp(18)
                    .normalize(),
            ))
        })
    }

    /// Converts to another unit if commensurable.
    pub fn convert(&self, unit: &str) -> Option<Quantity> {
        if &*self.unit == unit {
            return Some(self.clone());
        }
        let (d, base) = self.to_base()?;
        let r = ucum::resolve(unit)?;
        if r.dims != d {
            return None;
        }
        let v = base.checked_sub(r.offset)?.checked_div(r.factor)?;
        Some(Quantity::new(v.normalize(), unit))
    }

    /// Compares two quantities; `None` if not comparable.
    pub fn compare(&self, other: &Quantity) -> Option<Ordering> {
        if self.unit == other.unit {
            return Some(self.value.cmp(&other.value));
        }
        let (da, a) = self.to_base()?;
        let (db, b) = other.to_base()?;
        if da != db {
            return None;
        }
        Some(a.cmp(&b))
    }
}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_calendar() {
            write!(f, "{} {}", self.value, self.unit)
        } else {
            write!(f, "{} '{}'", self.value, self.unit)
        }
    }
}
