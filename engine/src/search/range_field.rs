//! Queries on range fields (`integer_range`, `date_range`...): the
//! documents holding the field (`_exists`) whose ranges relate to the
//! query's as asked (`relation`). Each range is one string of the field's
//! column ([`crate::mapper::range`]); the strings that relate are found
//! once per segment in the column's dictionary, then each candidate's are
//! looked up among them.

use crate::mapper::range::{Bounds, RangeKind, Relation};
use tantivy::columnar::DynamicColumn;
use tantivy::query::{EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::{DocId, Score, SegmentReader};

#[derive(Debug)]
pub struct RangeFieldQuery {
    /// The documents holding the field, scored as the query is boosted.
    pub holding: Box<dyn Query>,
    /// The field's column (`_terms.<path>`).
    pub column: String,
    pub kind: RangeKind,
    pub bounds: Bounds,
    pub relation: Relation,
}

impl Clone for RangeFieldQuery {
    fn clone(&self) -> Self {
        RangeFieldQuery {
            holding: self.holding.box_clone(),
            column: self.column.clone(),
            kind: self.kind,
            bounds: self.bounds,
            relation: self.relation,
        }
    }
}

impl Query for RangeFieldQuery {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(RangeFieldWeight { holding: self.holding.weight(scoring)?, query: self.clone() }))
    }
}

struct RangeFieldWeight {
    holding: Box<dyn Weight>,
    query: RangeFieldQuery,
}

impl Weight for RangeFieldWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let q = &self.query;
        let column = super::sort::columns(reader, &q.column)?.into_iter().find_map(|c| match c {
            DynamicColumn::Str(c) => Some(c),
            _ => None,
        });
        let Some(column) = column else {
            return Ok(Box::new(tantivy::query::EmptyScorer));
        };
        // Which of the segment's ranges relate, by their ordinal.
        let mut relates = Vec::new();
        let mut text = String::new();
        for ord in 0..column.dictionary().num_terms() as u64 {
            text.clear();
            let found = column.ord_to_str(ord, &mut text).unwrap_or(false);
            let range = found.then(|| Bounds::decode(q.kind, &text)).flatten();
            relates.push(range.is_some_and(|r| r.relates(&q.bounds, q.relation)));
        }
        let keep = move |doc: DocId| column.term_ords(doc).any(|ord| relates.get(ord as usize) == Some(&true));
        Ok(Box::new(super::filtered::Filtered::new(self.holding.scorer(reader, boost)?, keep)))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        super::listed::explain_by_scorer(self, reader, doc, "range field query")
    }
}
