//! `_field_usage_stats`: how the searches on a shard used each field since
//! the shard opened, by the kind of data they read: terms and postings
//! (with frequencies, positions and proximity), norms, stored fields, doc
//! values (Tensile's columns: sorts, ranges, `exists` on columnar fields)
//! and points (exact numbers, dates and addresses). A search counts once
//! per field and kind on each shard it runs on.
//!
//! Offsets and term vectors are counted when a request uses what the
//! mapping keeps them for (highlighting a field indexed with offsets, the
//! term vectors of a stored document's field that keeps them): Tensile
//! derives both from the source, but the count answers what users ask of
//! it, whether those mapping options are used.

use crate::mapper::{FieldKind, FieldMapper, Mapper};
use crate::search::dsl::Query;
use std::collections::BTreeMap;
use std::sync::{Mutex, PoisonError};

/// A kind of data a search reads of a field.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Use {
    Terms,
    Postings,
    TermFrequencies,
    Positions,
    Proximity,
    Norms,
    StoredFields,
    DocValues,
    Points,
    Offsets,
    TermVectors,
}

/// A field's counts: uses of any kind, and of each kind.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FieldUses {
    pub any: u64,
    pub by_kind: BTreeMap<Use, u64>,
}

impl FieldUses {
    pub fn count(&self, kind: Use) -> u64 {
        self.by_kind.get(&kind).copied().unwrap_or(0)
    }

    /// Another field's counts added to these.
    pub fn add(&mut self, other: &FieldUses) {
        self.any += other.any;
        for (kind, n) in &other.by_kind {
            *self.by_kind.entry(*kind).or_default() += n;
        }
    }
}

/// A search's uses made ready for [`FieldUsage::record`]: sorted, each
/// once (a search reads them on every shard).
pub fn distinct(uses: &mut Vec<(String, Use)>) {
    uses.sort_unstable();
    uses.dedup();
}

/// One shard's counts since it opened.
pub struct FieldUsage {
    /// Names this tracking (the shard's opening), as Elasticsearch's `tracking_id`.
    pub tracking_id: String,
    pub started_millis: u64,
    fields: Mutex<BTreeMap<String, FieldUses>>,
}

impl Default for FieldUsage {
    fn default() -> Self {
        FieldUsage {
            tracking_id: crate::node_meta::random_base64_uuid(),
            started_millis: crate::clock::now_millis(),
            fields: Mutex::new(BTreeMap::new()),
        }
    }
}

impl FieldUsage {
    /// Counts one search's uses, sorted and without repeats: each field
    /// once, each of its kinds once.
    pub fn record(&self, uses: &[(String, Use)]) {
        debug_assert!(uses.windows(2).all(|w| w[0] < w[1]), "uses sorted, without repeats");
        let mut fields = self.fields.lock().unwrap_or_else(PoisonError::into_inner);
        let mut previous: Option<&str> = None;
        for (field, kind) in uses {
            let entry = fields.entry(field.clone()).or_default();
            if previous != Some(field.as_str()) {
                entry.any += 1;
                previous = Some(field);
            }
            *entry.by_kind.entry(*kind).or_default() += 1;
        }
    }

    pub fn snapshot(&self) -> BTreeMap<String, FieldUses> {
        self.fields.lock().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// The counts so far, with the tracking they belong to.
    pub fn report(&self) -> UsageReport {
        UsageReport {
            tracking_id: self.tracking_id.clone(),
            started_millis: self.started_millis,
            fields: self.snapshot(),
        }
    }
}

/// A shard's counts at one moment.
#[derive(Debug, Clone)]
pub struct UsageReport {
    pub tracking_id: String,
    pub started_millis: u64,
    pub fields: BTreeMap<String, FieldUses>,
}

/// What a query reads of each field it names (resolved through the mapping;
/// names it does not know read nothing). `scores`: whether the search
/// scores, and so reads norms.
pub fn query_uses(q: &Query, mapper: &Mapper, scores: bool, out: &mut Vec<(String, Use)>) {
    let field = |name: &str| mapper.resolved(name);
    let mut push = |f: &FieldMapper, kinds: &[Use]| out.extend(kinds.iter().map(|k| (f.path.clone(), *k)));
    let exact = |f: &FieldMapper| -> &'static [Use] {
        if f.kind.is_numeric() || f.kind.is_date() || f.kind == FieldKind::Ip {
            &[Use::Points]
        } else {
            &[Use::Terms, Use::Postings]
        }
    };
    let text = |f: &FieldMapper, positions: bool| -> Vec<Use> {
        if !f.kind.is_text() {
            return exact(f).to_vec();
        }
        let mut kinds = vec![Use::Terms, Use::Postings, Use::TermFrequencies];
        if positions {
            kinds.extend([Use::Positions, Use::Proximity]);
        }
        if scores {
            kinds.push(Use::Norms);
        }
        kinds
    };
    match q {
        Query::Term { field: name, .. }
        | Query::Terms { field: name, .. }
        | Query::TermsLookup { field: name, .. }
        | Query::TermsSet { field: name, .. }
        | Query::Fuzzy { field: name, .. }
        | Query::Pattern { field: name, .. } => {
            if let Some(f) = field(name) {
                push(f, exact(f));
            }
        }
        Query::Ids { .. } => {
            if let Some(f) = field("_id") {
                push(f, &[Use::Terms, Use::Postings]);
            }
        }
        Query::Match { field: name, .. } => {
            if let Some(f) = field(name) {
                push(f, &text(f, false));
            }
        }
        Query::MatchPhrase { field: name, .. } | Query::Intervals { field: name, .. } => {
            if let Some(f) = field(name) {
                push(f, &text(f, true));
            }
        }
        Query::AcrossFields { fields, .. } => {
            for (name, _) in fields {
                if let Some(f) = field(name) {
                    push(f, &text(f, false));
                }
            }
        }
        Query::MoreLikeThis(m) => {
            for name in &m.fields {
                if let Some(f) = field(name) {
                    push(f, &text(f, false));
                }
            }
        }
        Query::Range { field: name, .. } => {
            use crate::search::compile::{range_source, RangeSource};
            if let Some(f) = field(name) {
                let kinds: &[Use] = match range_source(mapper, f) {
                    _ if f.kind.is_text() => &[Use::Terms],
                    RangeSource::Column => &[Use::DocValues],
                    RangeSource::Index if f.kind == FieldKind::Keyword => &[Use::Terms],
                    RangeSource::Index => &[Use::Points],
                    // The column tells which segments hold the field, the
                    // points how many terms the range spans (`point_range`).
                    RangeSource::IndexOrColumn => &[Use::Points, Use::DocValues],
                };
                push(f, kinds);
            }
        }
        Query::Exists { field: name } => {
            if let Some(f) = field(name) {
                push(f, if crate::indexed::in_column_alone(mapper, f) { &[Use::DocValues] } else { &[Use::Postings] });
            }
        }
        Query::GeoBox { field: name, .. }
        | Query::GeoDistance { field: name, .. }
        | Query::DistanceFeature { field: name, .. }
        | Query::RankFeature { field: name, .. } => {
            if let Some(f) = field(name) {
                push(f, &[Use::DocValues]);
            }
        }
        other => {
            for child in other.children() {
                query_uses(child, mapper, scores, out);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_search_counts_once_per_field_and_kind() {
        let usage = FieldUsage::default();
        let uses = |list: &[(&str, Use)]| {
            let mut uses = list.iter().map(|(f, u)| (f.to_string(), *u)).collect();
            distinct(&mut uses);
            uses
        };
        usage.record(&uses(&[("a", Use::Terms), ("a", Use::Postings), ("a", Use::Terms), ("b", Use::DocValues)]));
        usage.record(&uses(&[("a", Use::Terms)]));
        let seen = usage.snapshot();
        assert_eq!((seen["a"].any, seen["a"].count(Use::Terms), seen["a"].count(Use::Postings)), (2, 2, 1));
        assert_eq!((seen["b"].any, seen["b"].count(Use::DocValues)), (1, 1));
    }
}
