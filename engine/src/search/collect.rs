//! The top hits of a shard by a request's sort: a tantivy collector that
//! reads each match's sort values from its segment's columns, keeps the
//! best `limit` of them (with `search_after` and `min_score` applied as it
//! goes), and counts the matches that pass.

use super::sort::{self, FieldColumns, SortBy, SortKey, SortValue, Values};
use crate::error::EngineError;
use std::cmp::Ordering;
use std::sync::Arc;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::columnar::Column;
use tantivy::{DocAddress, DocId, Score, SegmentOrdinal, SegmentReader};

/// A hit found on a shard, before its document is fetched.
#[derive(Clone, Debug)]
pub(crate) struct Found {
    pub score: f32,
    pub index: usize,
    pub shard: usize,
    pub address: DocAddress,
    /// The hit's values for the request's sort keys (empty when sorted by score).
    pub sort: Values,
    /// What orders hits that tie: the index sort's values, or the sequence
    /// number (the order documents were written in).
    pub tie: Values,
    /// The hit's value of the field a search collapses on.
    pub group: Option<SortValue>,
    /// Its segment's latest `@timestamp`, when its index orders segments
    /// by it (newest first), as Elasticsearch does for indices created with
    /// an `@timestamp` date field.
    pub segment_time: Option<i64>,
}

/// Ascending, missing last: how sequence numbers order documents that tie.
const SEQ_NO_ORDER: SortKey = SortKey::new(SortBy::Doc, false);

/// How a search orders its hits: by the request's keys (by score when it
/// has none), then in index order.
#[derive(Debug)]
pub(crate) struct Order {
    pub keys: Vec<SortKey>,
    /// How each index reads each key's values.
    pub readings: Vec<Vec<sort::Reading>>,
    /// For each index, each sort key's `nested` filters, one per level.
    pub nested_filters: Vec<Vec<super::sort::NestedFilters>>,
    pub by_fields: bool,
    /// Each index's sort (empty: the order of sequence numbers).
    pub tie_orders: Vec<Vec<SortKey>>,
    /// The field hits are collapsed on, in each index (an alias resolved):
    /// only each value's best hit is kept.
    pub collapse: Option<Vec<String>>,
    /// Each index's factor on its hits' scores (`indices_boost`).
    pub boosts: Vec<f32>,
    /// Whether each index orders its segments by their latest `@timestamp`.
    pub timestamp_segments: Vec<bool>,
    /// Whether the search pages with `search_after`.
    pub paged: bool,
}

impl Order {
    /// Index order: the index, then its documents' order (the index sort's,
    /// or the order they were written in), shard, address.
    fn doc_order(&self, a: &Found, b: &Found) -> Ordering {
        let keys = &self.tie_orders[a.index];
        let within = if keys.is_empty() {
            // The order documents were written in: ascending sequence numbers.
            a.tie.first().zip(b.tie.first()).map_or(Ordering::Equal, |(x, y)| sort::compare(&SEQ_NO_ORDER, x, y))
        } else {
            keys.iter()
                .zip(a.tie.iter().zip(&b.tie))
                .fold(Ordering::Equal, |o, (key, (x, y))| o.then_with(|| sort::compare(key, x, y)))
        };
        // Newest segments first where the index orders them so.
        let segments = b.segment_time.cmp(&a.segment_time);
        a.index.cmp(&b.index).then(segments).then(within).then(a.shard.cmp(&b.shard)).then(a.address.cmp(&b.address))
    }

    /// By the request's keys alone.
    fn by_keys(&self, a: &Found, b: &Found) -> Ordering {
        if !self.by_fields {
            return b.score.total_cmp(&a.score);
        }
        self.keys.iter().zip(a.sort.iter().zip(&b.sort)).fold(Ordering::Equal, |o, (key, (x, y))| {
            o.then_with(|| match key.by {
                // Paged by `search_after`, `_doc` is the packed place its
                // sort value shows, so that a page resumes where it stopped.
                SortBy::Doc if self.paged => sort::compare(key, x, y),
                SortBy::Doc if key.desc => self.doc_order(a, b).reverse(),
                SortBy::Doc => self.doc_order(a, b),
                _ => sort::compare(key, x, y),
            })
        })
    }

    pub fn cmp(&self, a: &Found, b: &Found) -> Ordering {
        self.by_keys(a, b).then_with(|| self.doc_order(a, b))
    }

    /// Whether a hit comes strictly after `search_after`'s values.
    fn after(&self, hit: &Found, after: &[serde_json::Value]) -> bool {
        if !self.by_fields {
            let score = after.first().and_then(serde_json::Value::as_f64).unwrap_or(f64::INFINITY);
            return f64::from(hit.score) < score;
        }
        let order = self.keys.iter().zip(&hit.sort).zip(after).fold(Ordering::Equal, |o, ((key, value), given)| {
            o.then_with(|| sort::compare(key, value, &SortValue::like(given, value)))
        });
        order == Ordering::Greater
    }
}

/// A segment's columns for the values a hit is ordered by.
pub(crate) struct SegmentValues {
    order: Arc<Order>,
    index: usize,
    shard: usize,
    segment: SegmentOrdinal,
    columns: Vec<Option<FieldColumns>>,
    tie_columns: Vec<FieldColumns>,
    seq_no: Option<Column<u64>>,
    /// The column of the field a search collapses on.
    group: Option<FieldColumns>,
    /// The segment's latest `@timestamp` (see [`Found::segment_time`]).
    segment_time: Option<i64>,
}

impl SegmentValues {
    pub fn open(
        order: &Arc<Order>,
        index: usize,
        shard: usize,
        ord: SegmentOrdinal,
        segment: &SegmentReader,
        seq_no: Option<Column<u64>>,
    ) -> Result<SegmentValues, EngineError> {
        let mut columns = Vec::new();
        for ((key, reading), filter) in order.keys.iter().zip(&order.readings[index]).zip(&order.nested_filters[index])
        {
            let opened = match &key.by {
                SortBy::Field(path) if order.by_fields => FieldColumns::open(segment, path, key.desc)?,
                SortBy::GeoDistance(geo) if order.by_fields => FieldColumns::geo(segment, geo, key.desc)?,
                _ => {
                    columns.push(None);
                    continue;
                }
            };
            let opened = opened.reading(reading.clone());
            columns.push(Some(match &key.nested {
                Some(nested) => opened.nested(segment, nested, filter)?,
                None => opened,
            }));
        }
        let mut tie_columns = Vec::new();
        for key in &order.tie_orders[index] {
            if let SortBy::Field(path) = &key.by {
                tie_columns.push(FieldColumns::open(segment, path, key.desc)?);
            }
        }
        let group = match &order.collapse {
            Some(paths) => Some(FieldColumns::open(segment, &paths[index], false)?),
            None => None,
        };
        let segment_time = order.timestamp_segments[index].then(|| latest_timestamp(segment));
        Ok(SegmentValues {
            order: order.clone(),
            index,
            shard,
            segment: ord,
            columns,
            tie_columns,
            seq_no,
            group,
            segment_time,
        })
    }

    /// A match's value for the first sort key, when that key is a field.
    fn primary(&self, doc: DocId) -> Option<SortValue> {
        self.columns.first()?.as_ref().map(|c| c.value(doc))
    }

    /// A match with the values it is ordered by.
    pub fn found(&self, doc: DocId, score: Score) -> Found {
        self.found_with(doc, score, None)
    }

    /// A match with the values it is ordered by, its first key's value
    /// already read when `first` is given.
    fn found_with(&self, doc: DocId, score: Score, mut first: Option<SortValue>) -> Found {
        let score = score * self.order.boosts[self.index];
        let sort = if self.order.by_fields {
            self.order
                .keys
                .iter()
                .zip(&self.columns)
                .map(|(key, column)| match (&key.by, column) {
                    (SortBy::Field(_) | SortBy::GeoDistance(_), Some(_)) if first.is_some() => {
                        first.take().unwrap_or(SortValue::Missing)
                    }
                    (SortBy::Score, _) => SortValue::Double(f64::from(score)),
                    // Index order: index, shard, segment, document.
                    (SortBy::Doc | SortBy::ShardDoc, _) => SortValue::Long(
                        ((self.index as i64) << 48)
                            | ((self.shard as i64) << 40)
                            | (i64::from(self.segment) << 32)
                            | i64::from(doc),
                    ),
                    (_, Some(c)) => c.value(doc),
                    (_, None) => SortValue::Missing,
                })
                .collect()
        } else {
            Values::Many(Vec::new())
        };
        let tie = if self.tie_columns.is_empty() {
            Values::One(SortValue::Unsigned(self.seq_no.as_ref().and_then(|c| c.first(doc)).unwrap_or(0)))
        } else {
            self.tie_columns.iter().map(|c| c.value(doc)).collect()
        };
        Found {
            score,
            index: self.index,
            shard: self.shard,
            address: DocAddress::new(self.segment, doc),
            sort,
            tie,
            group: self.group.as_ref().map(|c| c.value(doc)),
            segment_time: self.segment_time,
        }
    }
}

/// A segment's latest `@timestamp` (a segment without any comes last),
/// read from its column once per segment.
fn latest_timestamp(segment: &SegmentReader) -> i64 {
    super::segment_cache::cached(segment, "latest @timestamp", || {
        let columns = sort::columns(segment, "_terms.@timestamp").unwrap_or_default();
        columns
            .iter()
            .filter_map(|c| match c {
                tantivy::columnar::DynamicColumn::I64(c) => Some(c.max_value()),
                _ => None,
            })
            .max()
            .unwrap_or(i64::MIN)
    })
}

/// What one shard's collection needs to know.
pub(crate) struct ShardTop {
    pub order: Arc<Order>,
    pub index: usize,
    pub shard: usize,
    /// How many hits to keep.
    pub limit: usize,
    pub min_score: Option<f32>,
    pub search_after: Option<Arc<Vec<serde_json::Value>>>,
    pub needs_scores: bool,
    /// `terminate_after`: the shard stops collecting after this many matches.
    pub terminate_after: Option<u64>,
    /// The matches the shard's segments collected so far.
    pub seen: Arc<std::sync::atomic::AtomicU64>,
    /// The shard's segments' `_seq_no` columns.
    pub shards: Arc<crate::shards::IndexShards>,
}

/// A shard's best hits, in order, and how many matched.
pub(crate) struct ShardFruit {
    pub found: Vec<Found>,
    pub total: u64,
    /// Whether `terminate_after` stopped the collection.
    pub terminated: bool,
}

impl Collector for ShardTop {
    type Fruit = ShardFruit;
    type Child = SegmentTop;

    fn for_segment(&self, ord: SegmentOrdinal, segment: &SegmentReader) -> tantivy::Result<SegmentTop> {
        let seq_no = self.shards.shards[self.shard].seq_no_column(segment);
        let values = SegmentValues::open(&self.order, self.index, self.shard, ord, segment, seq_no)
            .map_err(|e| tantivy::TantivyError::InternalError(e.to_string()))?;
        Ok(SegmentTop {
            values,
            terminate_after: self.terminate_after,
            seen: self.seen.clone(),
            terminated: false,
            limit: self.limit,
            min_score: self.min_score,
            search_after: self.search_after.clone(),
            found: Vec::new(),
            worst: None,
            total: 0,
            kept: Vec::new(),
        })
    }

    fn requires_scoring(&self) -> bool {
        self.needs_scores || self.min_score.is_some()
    }

    fn merge_fruits(&self, fruits: Vec<ShardFruit>) -> tantivy::Result<ShardFruit> {
        let total = fruits.iter().map(|f| f.total).sum();
        let terminated = fruits.iter().any(|f| f.terminated);
        let mut found: Vec<Found> = fruits.into_iter().flat_map(|f| f.found).collect();
        found.sort_by(|a, b| self.order.cmp(a, b));
        found.truncate(self.limit);
        Ok(ShardFruit { found, total, terminated })
    }
}

/// One segment's part of a [`ShardTop`].
pub(crate) struct SegmentTop {
    values: SegmentValues,
    terminate_after: Option<u64>,
    seen: Arc<std::sync::atomic::AtomicU64>,
    terminated: bool,
    limit: usize,
    min_score: Option<f32>,
    search_after: Option<Arc<Vec<serde_json::Value>>>,
    found: Vec<Found>,
    /// The last hit of a full page, once there is one.
    worst: Option<Found>,
    total: u64,
    /// The documents of a block a column could not rule out.
    kept: Vec<DocId>,
}

impl SegmentTop {
    /// Keeps the best `limit` of what was gathered.
    fn prune(&mut self) {
        let order = &self.values.order;
        self.found.sort_by(|a, b| order.cmp(a, b));
        self.found.truncate(self.limit);
        if self.found.len() == self.limit {
            self.worst = self.found.last().cloned();
        }
    }
}

impl SegmentCollector for SegmentTop {
    type Fruit = ShardFruit;

    fn collect(&mut self, doc: DocId, score: Score) {
        if self.min_score.is_some_and(|min| score * self.values.order.boosts[self.values.index] < min) {
            return;
        }
        if let Some(cap) = self.terminate_after {
            if self.seen.fetch_add(1, std::sync::atomic::Ordering::Relaxed) >= cap {
                self.terminated = true;
                return;
            }
        }
        self.total += 1;
        if self.limit == 0 {
            return;
        }
        self.consider(doc, score);
    }

    /// Matches without scores come in blocks: a number column rules most
    /// of a block out past the worst of a full page in one tight loop.
    fn collect_block(&mut self, docs: &[DocId]) {
        // Past the worst of a full page, a match cannot make it, whatever
        // the `search_after` cursor (checked for the rest by `consider`).
        let plain = self.min_score.is_none() && self.terminate_after.is_none() && self.limit > 0;
        if let (true, Some(worst)) = (plain, &self.worst) {
            if let Some(Some(column)) = self.values.columns.first().filter(|_| !self.values.order.keys[0].missing_first)
            {
                self.kept.clear();
                if column.keep_before(docs, &worst.sort[0], &mut self.kept) {
                    self.total += docs.len() as u64;
                    let kept = std::mem::take(&mut self.kept);
                    for &doc in &kept {
                        self.consider(doc, 0.0);
                    }
                    self.kept = kept;
                    return;
                }
            }
        }
        for &doc in docs {
            self.collect(doc, 0.0);
        }
    }

    fn harvest(mut self) -> ShardFruit {
        self.prune();
        ShardFruit { found: self.found, total: self.total, terminated: self.terminated }
    }
}

impl SegmentTop {
    /// A counted match: kept if it may make the page.
    fn consider(&mut self, doc: DocId, score: Score) {
        // The first key alone often rules a match out (before the cursor,
        // or past the worst of a full page) without reading the rest.
        let first = self.values.primary(doc);
        if let Some(first) = &first {
            let order = &self.values.order;
            let key = &order.keys[0];
            if let Some(after) = self.search_after.as_ref().and_then(|a| a.first()) {
                if sort::compare(key, first, &SortValue::like(after, first)) == Ordering::Less {
                    return;
                }
            }
            if let Some(worst) = &self.worst {
                if sort::compare(key, first, &worst.sort[0]) == Ordering::Greater {
                    return;
                }
            }
        }
        let hit = self.values.found_with(doc, score, first);
        let order = &self.values.order;
        if self.search_after.as_ref().is_some_and(|after| !order.after(&hit, after)) {
            return;
        }
        // Past the worst of a full page, a hit cannot make it.
        if self.worst.as_ref().is_some_and(|worst| order.cmp(&hit, worst) != Ordering::Less) {
            return;
        }
        self.found.push(hit);
        if self.found.len() >= self.limit.saturating_mul(2).max(64) {
            self.prune();
        }
    }
}
