//! A flat JSON object handed to tantivy from borrowed entries: how a
//! document's `_terms`, `_text` and `_len` values reach its JSON fields
//! without a map, an owned key or an owned string per value first.
//! tantivy copies what it reads into its own document, so the entries
//! only live as long as the document is being built.
//!
//! A path may come more than once: tantivy indexes each entry, and several
//! values of one path in a document are a multi-valued column, as an array
//! would be.

use std::borrow::Cow;
use tantivy::schema::document::{ReferenceValue, ReferenceValueLeaf};
use tantivy::schema::Value;

/// One value of a path.
#[derive(Debug, Clone, PartialEq)]
pub enum Leaf<'a> {
    Str(Cow<'a, str>),
    I64(i64),
    U64(u64),
    F64(f64),
    Bool(bool),
}

/// The object: its entries in the order they were met.
#[derive(Debug, Default)]
pub struct DocObject<'a> {
    entries: Vec<(Cow<'a, str>, Leaf<'a>)>,
}

impl<'a> DocObject<'a> {
    pub fn push(&mut self, path: impl Into<Cow<'a, str>>, leaf: Leaf<'a>) {
        self.entries.push((path.into(), leaf));
    }

    /// Several values of one path.
    pub fn extend(&mut self, path: &'a str, leaves: impl IntoIterator<Item = Leaf<'a>>) {
        self.entries.extend(leaves.into_iter().map(|leaf| (Cow::Borrowed(path), leaf)));
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The object as tantivy reads a value.
    pub fn view(&self) -> View<'_> {
        View::Object(&self.entries)
    }
}

/// A borrowed view of the object or of one of its leaves.
#[derive(Debug, Clone, Copy)]
pub enum View<'b> {
    Object(&'b [(Cow<'b, str>, Leaf<'b>)]),
    Leaf(&'b Leaf<'b>),
}

type Entry<'b> = (Cow<'b, str>, Leaf<'b>);

fn entry_view<'b>(entry: &'b Entry<'b>) -> (&'b str, View<'b>) {
    (entry.0.as_ref(), View::Leaf(&entry.1))
}

impl<'b> Value<'b> for View<'b> {
    type ArrayIter = std::iter::Empty<View<'b>>;
    type ObjectIter = std::iter::Map<std::slice::Iter<'b, Entry<'b>>, fn(&'b Entry<'b>) -> (&'b str, View<'b>)>;

    fn as_value(&self) -> ReferenceValue<'b, Self> {
        match *self {
            View::Object(entries) => ReferenceValue::Object(entries.iter().map(entry_view as fn(&'b Entry<'b>) -> _)),
            View::Leaf(leaf) => ReferenceValue::Leaf(match leaf {
                Leaf::Str(s) => ReferenceValueLeaf::Str(s.as_ref()),
                Leaf::I64(v) => ReferenceValueLeaf::I64(*v),
                Leaf::U64(v) => ReferenceValueLeaf::U64(*v),
                Leaf::F64(v) => ReferenceValueLeaf::F64(*v),
                Leaf::Bool(v) => ReferenceValueLeaf::Bool(*v),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::schema::{JsonObjectOptions, OwnedValue, Schema, FAST, STORED};
    use tantivy::TantivyDocument;

    #[test]
    fn tantivy_reads_the_entries_as_an_object_with_repeated_paths() {
        let mut schema = Schema::builder();
        let json = schema.add_json_field("j", JsonObjectOptions::from(STORED | FAST));
        let _ = schema.build();
        let owned = String::from("owned");
        let mut object = DocObject::default();
        object.push("a", Leaf::Str(Cow::Borrowed("x")));
        object.push(String::from("b.c"), Leaf::I64(-3));
        object.push("a", Leaf::Str(Cow::Owned(owned)));
        object.push("d", Leaf::Bool(true));
        assert!(!object.is_empty());
        let mut doc = TantivyDocument::default();
        doc.add_field_value(json, object.view());
        let read: Vec<(String, OwnedValue)> = doc
            .get_first(json)
            .and_then(|v| v.as_object())
            .map(|entries| entries.map(|(k, v)| (k.to_owned(), OwnedValue::from(v))).collect())
            .unwrap();
        assert_eq!(
            read,
            vec![
                ("a".into(), OwnedValue::Str("x".into())),
                ("b.c".into(), OwnedValue::I64(-3)),
                ("a".into(), OwnedValue::Str("owned".into())),
                ("d".into(), OwnedValue::Bool(true)),
            ]
        );
    }
}
