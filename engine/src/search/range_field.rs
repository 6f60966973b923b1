//! Queries on range fields (`integer_range`, `date_range`...): the
//! documents holding the field (`_exists`) whose ranges relate to the
//! query's as asked (`relation`). Each range is one string of the field's
//! column ([`crate::mapper::range`]); the strings that relate are found
//! once per segment in the column's dictionary, then each candidate's are
//! looked up among them.

use super::filtered::SegmentFilter;
use crate::mapper::range::{Bounds, RangeKind, Relation};
use tantivy::columnar::DynamicColumn;
use tantivy::{DocId, SegmentReader};

/// The ranges of a field's column that relate to `bounds` as `relation` asks.
#[derive(Debug, Clone)]
pub(crate) struct RangeRelates {
    /// The field's column (`_terms.<path>`).
    pub column: String,
    pub kind: RangeKind,
    pub bounds: Bounds,
    pub relation: Relation,
}

impl SegmentFilter for RangeRelates {
    fn keep(&self, reader: &SegmentReader) -> tantivy::Result<Option<impl Fn(DocId) -> bool + Send + 'static>> {
        let column = super::sort::columns(reader, &self.column)?.into_iter().find_map(|c| match c {
            DynamicColumn::Str(c) => Some(c),
            _ => None,
        });
        let Some(column) = column else {
            return Ok(None);
        };
        // Which of the segment's ranges relate, by their ordinal.
        let mut relates = Vec::new();
        let mut text = String::new();
        for ord in 0..column.dictionary().num_terms() as u64 {
            text.clear();
            let found = column.ord_to_str(ord, &mut text).unwrap_or(false);
            let range = found.then(|| Bounds::decode(self.kind, &text)).flatten();
            relates.push(range.is_some_and(|r| r.relates(&self.bounds, self.relation)));
        }
        Ok(Some(move |doc: DocId| column.term_ords(doc).any(|ord| relates.get(ord as usize) == Some(&true))))
    }

    fn description(&self) -> Option<&'static str> {
        Some("range field query")
    }
}
