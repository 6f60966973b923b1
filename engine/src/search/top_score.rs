//! The top hits of a shard by score alone, counted as far as the request
//! tracks them. Matches are visited one by one, scored and counted, until
//! one past the tracked number (`track_total_hits`, 10,000 by default);
//! then, for a query tantivy can prune (block-max WAND over its terms),
//! only the page matters: a second walk skips every block that cannot beat
//! the page's worst hit so far, as Lucene does past the tracked number.
//! Other queries go on one by one to their last match.

use std::cmp::{Ordering, Reverse};
use std::collections::BinaryHeap;
use tantivy::collector::{Collector, SegmentCollector};
use tantivy::query::{BooleanQuery, Occur, Query as TQuery, TermQuery, Weight};
use tantivy::{DocAddress, DocId, DocSet, Score, SegmentOrdinal, SegmentReader, Term, TERMINATED};

/// Collects a shard's best `limit` hits by score (ties to the lower
/// document) and counts its matches up to `count_up_to` (`None`: all).
pub(crate) struct TopByScore {
    pub limit: usize,
    pub count_up_to: Option<u64>,
    /// The terms of a query whose weight prunes by block-max scores (see
    /// [`pruning_terms`]): past the counted matches, a second walk may skip.
    pub pruning: Option<Vec<Term>>,
}

/// What a shard found: its counted matches (more than the tracked number
/// when it had more) and its best hits, best first.
#[derive(Default)]
pub(crate) struct ScoreFruit {
    pub count: u64,
    pub top: Vec<(Score, DocAddress)>,
}

impl TopByScore {
    /// How many matches a segment counts before it may skip: one past the
    /// tracked number, so that "more than tracked" shows in the total.
    fn counted(&self) -> u64 {
        self.count_up_to.map_or(u64::MAX, |n| n.saturating_add(1))
    }
}

impl Collector for TopByScore {
    type Fruit = ScoreFruit;
    type Child = SegmentTop;

    fn for_segment(&self, segment: SegmentOrdinal, _reader: &SegmentReader) -> tantivy::Result<SegmentTop> {
        Ok(SegmentTop { segment, count: 0, counted: self.counted(), best: Best::new(self.limit) })
    }

    fn requires_scoring(&self) -> bool {
        true
    }

    fn merge_fruits(&self, fruits: Vec<ScoreFruit>) -> tantivy::Result<ScoreFruit> {
        let mut count = 0;
        let mut top = Vec::new();
        for fruit in fruits {
            count += fruit.count;
            top.extend(fruit.top);
        }
        top.sort_by(|a, b| better(a.0, a.1, b.0, b.1));
        top.truncate(self.limit);
        Ok(ScoreFruit { count, top })
    }

    fn collect_segment(
        &self,
        weight: &dyn Weight,
        segment: SegmentOrdinal,
        reader: &SegmentReader,
    ) -> tantivy::Result<ScoreFruit> {
        let mut child = self.for_segment(segment, reader)?;
        let alive = reader.alive_bitset();
        let prunes = match &self.pruning {
            Some(terms) => worth_pruning(reader, terms)?,
            None => false,
        };
        if !prunes {
            // Every match, one by one.
            weight.for_each(reader, &mut |doc, score| {
                if alive.is_none_or(|a| a.is_alive(doc)) {
                    child.collect(doc, score);
                }
            })?;
            return Ok(child.harvest());
        }
        // One by one while counting.
        let mut scorer = weight.scorer(reader, 1.0)?;
        let mut doc = scorer.doc();
        while doc != TERMINATED && child.count < child.counted {
            if alive.is_none_or(|a| a.is_alive(doc)) {
                child.collect(doc, scorer.score());
            }
            doc = scorer.advance();
        }
        if doc == TERMINATED || self.limit == 0 {
            return Ok(child.harvest());
        }
        // Counted: the rest only for the page. The walk starts over, so
        // what was already seen is passed over.
        let seen = doc;
        weight.for_each_pruning(child.best.threshold(), reader, &mut |doc, score| {
            if doc >= seen && alive.is_none_or(|a| a.is_alive(doc)) {
                child.best.push(score, doc);
            }
            child.best.threshold()
        })?;
        Ok(child.harvest())
    }
}

/// One segment's count and best hits.
pub(crate) struct SegmentTop {
    segment: SegmentOrdinal,
    count: u64,
    counted: u64,
    best: Best,
}

impl SegmentCollector for SegmentTop {
    type Fruit = ScoreFruit;

    fn collect(&mut self, doc: DocId, score: Score) {
        if self.count < self.counted {
            self.count += 1;
        }
        self.best.push(score, doc);
    }

    /// The segment's best, in no order: [`TopByScore::merge_fruits`] sorts.
    fn harvest(self) -> ScoreFruit {
        let segment = self.segment;
        let top = self.best.heap.into_iter().map(|Reverse(e)| (e.score, DocAddress::new(segment, e.doc))).collect();
        ScoreFruit { count: self.count, top }
    }
}

/// Best first: the higher score, then the lower address.
fn better(score_a: Score, a: DocAddress, score_b: Score, b: DocAddress) -> Ordering {
    score_b.partial_cmp(&score_a).unwrap_or(Ordering::Equal).then(a.cmp(&b))
}

/// A segment's best `limit` hits in a min-heap, so that the worst is at
/// hand: its score is the bound block-max WAND prunes by, always exact.
struct Best {
    limit: usize,
    heap: BinaryHeap<Reverse<Entry>>,
}

impl Best {
    fn new(limit: usize) -> Best {
        Best { limit, heap: BinaryHeap::with_capacity(limit.min(1 << 16) + 1) }
    }

    /// Keeps a hit if it beats the worst kept one. Documents come in
    /// ascending order, so an equal score loses: the lower document wins ties.
    fn push(&mut self, score: Score, doc: DocId) {
        if self.limit == 0 {
            return;
        }
        if self.heap.len() < self.limit {
            self.heap.push(Reverse(Entry { score, doc }));
        } else if let Some(mut worst) = self.heap.peek_mut() {
            if score > worst.0.score {
                *worst = Reverse(Entry { score, doc });
            }
        }
    }

    fn threshold(&self) -> Score {
        match self.heap.peek() {
            Some(worst) if self.heap.len() >= self.limit => worst.0.score,
            _ => Score::MIN,
        }
    }
}

/// A kept hit: greater when it scores higher, or ties with a lower document.
struct Entry {
    score: Score,
    doc: DocId,
}

impl PartialEq for Entry {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Entry {}

impl PartialOrd for Entry {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Entry {
    fn cmp(&self, other: &Self) -> Ordering {
        self.score.partial_cmp(&other.score).unwrap_or(Ordering::Equal).then_with(|| other.doc.cmp(&self.doc))
    }
}

/// The terms of a compiled query whose tantivy weight skips blocks by
/// their best scores (block-max WAND): a term, or a boolean query of terms
/// all `should` (with at most one required) or all `must`. Any other
/// weight would visit every match again (`None`).
pub(crate) fn pruning_terms(query: &dyn TQuery) -> Option<Vec<Term>> {
    if let Some(stats) = query.downcast_ref::<super::bm25::FieldStatsQuery>() {
        return pruning_terms(&*stats.inner);
    }
    let prunes = match query.downcast_ref::<BooleanQuery>() {
        Some(boolean) => {
            let clauses = boolean.clauses();
            let all = |occur: Occur| clauses.iter().all(|(o, _)| *o == occur);
            !clauses.is_empty()
                && boolean.get_minimum_number_should_match() <= 1
                && (all(Occur::Should) || all(Occur::Must))
                && clauses.iter().all(|(_, q)| lone_term(&**q))
        }
        None => lone_term(query),
    };
    prunes.then(|| {
        let mut terms = Vec::new();
        query.query_terms(&mut |term, _| terms.push(term.clone()));
        terms
    })
}

/// Whether pruning may pay in a segment: block-max WAND skips a document
/// when a rarer term it lacks could have made the page, so it needs terms
/// of unlike frequencies; where every term is about as common as the
/// others, it would visit every match, at a higher cost each than a walk.
fn worth_pruning(reader: &SegmentReader, terms: &[Term]) -> tantivy::Result<bool> {
    let mut frequencies = Vec::with_capacity(terms.len());
    for term in terms {
        frequencies.push(reader.inverted_index(term.field())?.doc_freq(term)?);
    }
    let rarest = frequencies.iter().copied().min().unwrap_or(0);
    let commonest = frequencies.iter().copied().max().unwrap_or(0);
    Ok(terms.len() == 1 || commonest >= 2 * rarest.max(1))
}

/// A term query, or one scored by its text field's own statistics: tantivy
/// counts its matches without visiting them (its document frequency).
pub(crate) fn lone_term(query: &dyn TQuery) -> bool {
    query.downcast_ref::<TermQuery>().is_some()
        || query.downcast_ref::<super::bm25::FieldStatsQuery>().is_some_and(|q| lone_term(&*q.inner))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use tantivy::collector::{Count, TopDocs};
    use tantivy::schema::{IndexRecordOption, Schema, TEXT};
    use tantivy::{doc, Index};

    const WORDS: [&str; 4] = ["red", "green", "blue", "grey"];

    proptest! {
        /// The page is tantivy's exhaustive top-k, whatever was skipped,
        /// and the count is exact up to one past the tracked number.
        #[test]
        fn pruned_page_and_count_match_an_exhaustive_pass(
            // "green" (1) far more common than "red" (0), so that pruning pays.
            docs in proptest::collection::vec(
                proptest::collection::vec(prop_oneof![3 => Just(1usize), 1 => 0usize..4], 0..6),
                1..300,
            ),
            deleted in proptest::collection::vec(any::<bool>(), 300),
            limit in 0usize..12,
            tracked in proptest::option::of(0u64..200),
            walk_on in any::<bool>(),
        ) {
            let mut schema = Schema::builder();
            let body = schema.add_text_field("body", TEXT);
            let id = schema.add_u64_field("id", tantivy::schema::INDEXED);
            let index = Index::create_in_ram(schema.build());
            let mut writer = index.writer_with_num_threads(1, 15_000_000).unwrap();
            for (n, words) in docs.iter().enumerate() {
                let text: Vec<&str> = words.iter().map(|w| WORDS[*w]).collect();
                writer.add_document(doc!(body => text.join(" "), id => n as u64)).unwrap();
            }
            writer.commit().unwrap();
            for (n, _) in docs.iter().enumerate().filter(|(n, _)| deleted[*n]) {
                writer.delete_term(Term::from_field_u64(id, n as u64));
            }
            writer.commit().unwrap();
            let searcher = index.reader().unwrap().searcher();
            let term = |w: &str| -> Box<dyn TQuery> {
                Box::new(TermQuery::new(Term::from_field_text(body, w), IndexRecordOption::WithFreqs))
            };
            let query = BooleanQuery::new(vec![(Occur::Should, term("red")), (Occur::Should, term("green"))]);
            // Pruned past the count, or walked to the end one by one.
            let pruning = pruning_terms(&query).filter(|_| !walk_on);

            let fruit = searcher.search(&query, &TopByScore { limit, count_up_to: tracked, pruning }).unwrap();
            let exact = searcher.search(&query, &Count).unwrap() as u64;
            prop_assert_eq!(fruit.count, tracked.map_or(exact, |n| exact.min(n + 1)));
            if limit > 0 {
                let expected = searcher.search(&query, &TopDocs::with_limit(limit).order_by_score()).unwrap();
                prop_assert_eq!(fruit.top, expected);
            } else {
                prop_assert!(fruit.top.is_empty());
            }
        }
    }
}
