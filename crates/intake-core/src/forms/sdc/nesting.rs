//! Items nested under a question in the Questionnaire (SDC `answer.item`), which the form model
//! keeps as the question's following siblings (`child_of`), put back under their question.
//! Spec: <https://hl7.org/fhir/R4/questionnaire-definitions.html#Questionnaire.item.item>

use serde_json::Value as Json;

use crate::forms::Item;

/// The JSON of one list of sibling items, each with what it became (none, one, or one per
/// instance of a repeating group), with every item `child_of` a question put under that
/// question's JSON by `attach`, in the model's order. A question that became nothing (no answer,
/// in a response) but has children that became something becomes `bare` to hold them.
pub fn nest_children(
    entries: Vec<(&Item, Vec<Json>)>,
    bare: impl Fn(&Item) -> Json,
    attach: impl Fn(&mut Json, Json),
) -> Vec<Json> {
    if entries.iter().all(|(item, _)| item.child_of.is_none()) {
        return entries.into_iter().flat_map(|(_, json)| json).collect();
    }
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); entries.len()];
    let mut top = Vec::new();
    for (at, (item, _)) in entries.iter().enumerate() {
        match &item.child_of {
            None => top.push(at),
            Some(question) => {
                if let Some(parent) = entries[..at].iter().rposition(|(i, _)| &i.id == question) {
                    children[parent].push(at);
                }
            }
        }
    }
    let items: Vec<&Item> = entries.iter().map(|(item, _)| *item).collect();
    let mut slots: Vec<Option<Vec<Json>>> = entries.into_iter().map(|(_, j)| Some(j)).collect();
    let nest = Nest {
        items: &items,
        children: &children,
        bare: &bare,
        attach: &attach,
    };
    top.into_iter()
        .flat_map(|at| nest.assemble(at, &mut slots))
        .collect()
}

struct Nest<'a, B, A> {
    items: &'a [&'a Item],
    children: &'a [Vec<usize>],
    bare: &'a B,
    attach: &'a A,
}

impl<B: Fn(&Item) -> Json, A: Fn(&mut Json, Json)> Nest<'_, B, A> {
    /// Entry `at` with its children (and theirs) attached, taking them out of `slots`.
    fn assemble(&self, at: usize, slots: &mut [Option<Vec<Json>>]) -> Vec<Json> {
        let mut own = slots[at].take().unwrap_or_default();
        for &child in &self.children[at] {
            let nested = self.assemble(child, slots);
            if nested.is_empty() {
                continue;
            }
            if own.is_empty() {
                own.push((self.bare)(self.items[at]));
            }
            for json in nested {
                (self.attach)(&mut own[0], json);
            }
        }
        own
    }
}

/// Appends `child` to the `item` array of `parent`, making the array if need be.
pub fn push_item(parent: &mut Json, child: Json) {
    if let Some(object) = parent.as_object_mut() {
        match object
            .entry("item")
            .or_insert_with(|| Json::Array(Vec::new()))
        {
            Json::Array(items) => items.push(child),
            other => *other = Json::Array(vec![child]),
        }
    }
}
