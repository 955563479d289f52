//! FHIR R4 type information, loaded from a compact generated table (`r4.txt`, see `gen.py`).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::OnceLock;

/// Index of a type in the model table.
pub type TypeId = u16;

/// Marker for "type unknown".
pub const UNKNOWN: TypeId = u16::MAX;

/// Kind of a FHIR type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TypeKind {
    /// Primitive type (`string`, `code`, ...).
    Primitive,
    /// Complex data type (`Quantity`, `HumanName`, ...).
    Complex,
    /// Resource type.
    Resource,
    /// Backbone element (anonymous, named by its path).
    Backbone,
}

/// One element of a type.
#[derive(Debug, Clone)]
pub struct ElementDef {
    /// Name without `[x]`.
    pub name: String,
    /// Whether the element is a choice (`value[x]`).
    pub choice: bool,
    /// Allowed types.
    pub types: Vec<TypeId>,
}

/// A type definition.
#[derive(Debug, Clone)]
pub struct TypeDef {
    /// Type name (path for backbone elements).
    pub name: String,
    /// Base type.
    pub base: Option<TypeId>,
    /// Kind.
    pub kind: TypeKind,
    /// Own elements.
    pub elements: Vec<ElementDef>,
}

/// The FHIR R4 type model.
#[derive(Debug)]
pub struct Model {
    /// All types.
    pub types: Vec<TypeDef>,
    by_name: HashMap<String, TypeId, BuildHasherDefault<Fnv>>,
    /// Per type: every element name (own and inherited) and every choice JSON key.
    lookup: Vec<HashMap<Box<str>, Slot, BuildHasherDefault<Fnv>>>,
    /// How values of each type convert to System primitives.
    prim: Vec<PrimKind>,
}

/// How a FHIR type's JSON value maps to a System primitive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrimKind {
    /// Not special (strings, booleans, complex types).
    Plain,
    /// `decimal`
    Decimal,
    /// `date`
    Date,
    /// `dateTime` / `instant`
    DateTime,
    /// `time`
    Time,
    /// `Quantity` and its profiles.
    Quantity,
}

/// What a name resolves to within a type.
#[derive(Debug, Clone, Copy)]
enum Slot {
    /// `types[.0].elements[.1]`
    Elem(TypeId, u16),
    /// A choice JSON key such as `valueQuantity`, with its type.
    ChoiceKey(TypeId),
}

/// FNV-1a: type names are short, so this beats SipHash for lookups.
#[derive(Debug, Default, Clone, Copy)]
pub struct Fnv(u64);

impl Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        let mut h = if self.0 == 0 {
            0xcbf2_9ce4_8422_2325
        } else {
            self.0
        };
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
        self.0 = h;
    }
}

static R4: OnceLock<Model> = OnceLock::new();

/// (base name, [(element name, type names)]) while parsing the table.
type RawType = (String, Vec<(String, Vec<String>)>);

/// The FHIR R4 model (parsed once, on first use).
pub fn r4() -> &'static Model {
    R4.get_or_init(|| Model::parse(include_str!("r4.txt")))
}

impl Model {
    fn parse(text: &str) -> Model {
        let mut types: Vec<TypeDef> = Vec::new();
        let mut by_name: HashMap<String, TypeId, BuildHasherDefault<Fnv>> = HashMap::default();
        let mut raw: Vec<RawType> = Vec::new();
        for line in text.lines() {
            if let Some(rest) = line.strip_prefix("T ") {
                let mut it = rest.split(' ');
                let name = it.next().unwrap_or("").to_string();
                let base = it.next().unwrap_or("-").to_string();
                let kind = match it.next() {
                    Some("p") => TypeKind::Primitive,
                    Some("r") => TypeKind::Resource,
                    Some("b") => TypeKind::Backbone,
                    _ => TypeKind::Complex,
                };
                if by_name.contains_key(&name) {
                    continue;
                }
                by_name.insert(name.clone(), types.len() as TypeId);
                types.push(TypeDef {
                    name: name.clone(),
                    base: None,
                    kind,
                    elements: Vec::new(),
                });
                raw.push((base, Vec::new()));
            } else if let Some((n, t)) = line.split_once(' ')
                && let Some(last) = raw.last_mut()
            {
                last.1.push((
                    n.to_string(),
                    t.split(',')
                        .map(|s| s.trim_start_matches('@').to_string())
                        .collect(),
                ));
            }
        }
        for (i, (base, els)) in raw.into_iter().enumerate() {
            types[i].base = by_name.get(&base).copied();
            types[i].elements = els
                .into_iter()
                .map(|(n, ts)| {
                    let choice = n.ends_with("[x]");
                    ElementDef {
                        name: n.trim_end_matches("[x]").to_string(),
                        choice,
                        types: ts
                            .iter()
                            .map(|t| by_name.get(t).copied().unwrap_or(UNKNOWN))
                            .collect(),
                    }
                })
                .collect();
        }
        let mut lookup = Vec::with_capacity(types.len());
        for id in 0..types.len() {
            let mut map: HashMap<Box<str>, Slot, BuildHasherDefault<Fnv>> = HashMap::default();
            let mut cur = Some(id as TypeId);
            let mut guard = 0;
            while let Some(t) = cur {
                guard += 1;
                if guard > 16 {
                    break;
                }
                let d = &types[usize::from(t)];
                for (i, e) in d.elements.iter().enumerate() {
                    map.entry(e.name.as_str().into())
                        .or_insert(Slot::Elem(t, i as u16));
                    if e.choice {
                        for ct in &e.types {
                            if let Some(cd) = types.get(usize::from(*ct)) {
                                let key = format!("{}{}", e.name, capitalize(&cd.name));
                                map.entry(key.into()).or_insert(Slot::ChoiceKey(*ct));
                            }
                        }
                    }
                }
                cur = d.base;
            }
            lookup.push(map);
        }
        let quantity = by_name.get("Quantity").copied();
        let mut prim = Vec::with_capacity(types.len());
        for (i, t) in types.iter().enumerate() {
            let mut k = match t.name.as_str() {
                "decimal" => PrimKind::Decimal,
                "date" => PrimKind::Date,
                "dateTime" | "instant" => PrimKind::DateTime,
                "time" => PrimKind::Time,
                _ => PrimKind::Plain,
            };
            let mut cur = Some(i as TypeId);
            for _ in 0..8 {
                match cur {
                    Some(c) if Some(c) == quantity => k = PrimKind::Quantity,
                    Some(c) => cur = types[usize::from(c)].base,
                    None => break,
                }
            }
            prim.push(k);
        }
        Model {
            types,
            by_name,
            lookup,
            prim,
        }
    }

    /// The primitive mapping of a type ([`PrimKind::Plain`] when unknown).
    pub fn prim_kind(&self, id: TypeId) -> PrimKind {
        self.prim
            .get(usize::from(id))
            .copied()
            .unwrap_or(PrimKind::Plain)
    }

    /// The type of the JSON key `key` of an object of type `id`: a plain element's (first) type or
    /// a choice key's type (`valueQuantity` -> Quantity); `None` for choice base names and unknowns.
    pub fn key_type(&self, id: TypeId, key: &str) -> Option<TypeId> {
        match self.lookup.get(usize::from(id))?.get(key)? {
            Slot::ChoiceKey(t) => Some(*t),
            Slot::Elem(t, i) => {
                let e = self.def(*t)?.elements.get(usize::from(*i))?;
                if e.choice {
                    None
                } else {
                    e.types.first().copied()
                }
            }
        }
    }

    /// The type of a choice JSON key (`valueQuantity` -> Quantity) within type `id`.
    pub fn choice_key(&self, id: TypeId, key: &str) -> Option<TypeId> {
        match self.lookup.get(usize::from(id))?.get(key)? {
            Slot::ChoiceKey(t) => Some(*t),
            Slot::Elem(..) => None,
        }
    }

    /// Looks a type up by name (`Patient`, `string`, `Patient.contact`).
    pub fn type_id(&self, name: &str) -> Option<TypeId> {
        self.by_name.get(name).copied()
    }

    /// The definition of a type.
    pub fn def(&self, id: TypeId) -> Option<&TypeDef> {
        self.types.get(usize::from(id))
    }

    /// The type's name, or `""` when unknown.
    pub fn name(&self, id: TypeId) -> &str {
        self.def(id).map_or("", |d| d.name.as_str())
    }

    /// Whether `id` is `of` or derives from it.
    pub fn is_subtype(&self, mut id: TypeId, of: TypeId) -> bool {
        for _ in 0..16 {
            if id == of {
                return true;
            }
            match self.def(id).and_then(|d| d.base) {
                Some(b) => id = b,
                None => return false,
            }
        }
        false
    }

    /// Finds an element of a type (searching base types).
    pub fn element(&self, id: TypeId, name: &str) -> Option<&ElementDef> {
        match self.lookup.get(usize::from(id))?.get(name)? {
            Slot::Elem(t, i) => self.def(*t)?.elements.get(usize::from(*i)),
            Slot::ChoiceKey(_) => None,
        }
    }

    /// Whether `name` looks like a type-suffixed choice element (e.g. `valueQuantity`) of `id`.
    pub fn is_choice_expansion(&self, id: TypeId, name: &str) -> bool {
        self.choice_key(id, name).is_some()
    }

    /// Kind of a type.
    pub fn kind(&self, id: TypeId) -> Option<TypeKind> {
        self.def(id).map(|d| d.kind)
    }

    /// Whether the named type is a resource type.
    pub fn is_resource(&self, name: &str) -> bool {
        self.type_id(name)
            .is_some_and(|t| self.kind(t) == Some(TypeKind::Resource))
    }
}

static REPEATS: OnceLock<HashMap<&'static str, Vec<&'static str>>> = OnceLock::new();

impl Model {
    /// Whether the element `name` of type `id` (or of a type it derives from) repeats
    /// (`max = "*"`), so its FHIR JSON is an array. From `repeats.txt` (see `gen_repeats.py`).
    pub fn repeats(&self, mut id: TypeId, name: &str) -> bool {
        let table = REPEATS.get_or_init(|| {
            include_str!("repeats.txt")
                .lines()
                .filter_map(|line| {
                    let mut words = line.split_whitespace();
                    Some((words.next()?, words.collect()))
                })
                .collect()
        });
        for _ in 0..16 {
            if table
                .get(self.name(id))
                .is_some_and(|names| names.contains(&name))
            {
                return true;
            }
            match self.def(id).and_then(|d| d.base) {
                Some(base) => id = base,
                None => return false,
            }
        }
        false
    }
}

/// Compares `rest` with `tname` whose first letter is upper-cased.
pub fn capitalized_eq(tname: &str, rest: &str) -> bool {
    let mut a = tname.chars();
    let mut b = rest.chars();
    match (a.next(), b.next()) {
        (Some(x), Some(y)) => x.to_ascii_uppercase() == y && a.as_str() == b.as_str(),
        _ => false,
    }
}

/// Upper-cases the first letter of a type name (for choice element JSON keys).
pub fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
        None => String::new(),
    }
}
