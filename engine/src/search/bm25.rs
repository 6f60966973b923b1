//! Elasticsearch's BM25 for a term of a text field. Text fields share the
//! `_text` JSON field, and tantivy keeps no norms for JSON fields (every
//! document would count as one token long): this scores a term with the
//! statistics of its own field, as Lucene keeps them per field, and each
//! document's length read from `_len`, rounded as Lucene's norms are.
//!
//! `idf = ln(1 + (docCount - df + 0.5) / (df + 0.5))`, `docCount` being the
//! documents holding the field; a document scores
//! `boost * idf * (k1 + 1) * tf / (tf + k1 * (1 - b + b * dl / avgdl))`.

use super::sort::columns;
use crate::indexed::Fields;
use std::sync::Arc;
use tantivy::columnar::{Column, DynamicColumn};
use tantivy::fieldnorm::FieldNormReader;
use tantivy::postings::{Postings, SegmentPostings};
use tantivy::query::{EnableScoring, Explanation, Query as TQuery, Scorer, TermQuery, Weight};
use tantivy::schema::IndexRecordOption;
use tantivy::{DocId, DocSet, Score, Searcher, SegmentReader, Term, TERMINATED};

const K1: Score = 1.2;
const B: Score = 0.75;

/// A query over a text field's slot whose BM25 statistics are the
/// field's own, as Lucene counts them: the documents holding the field
/// (not every document) are `N` and share its tokens for the average
/// length. The slot's norms are tantivy's, so top hits keep block-max WAND.
#[derive(Debug)]
pub(crate) struct FieldStatsQuery {
    pub inner: Box<dyn TQuery>,
    pub path: String,
}

impl Clone for FieldStatsQuery {
    fn clone(&self) -> FieldStatsQuery {
        FieldStatsQuery { inner: self.inner.box_clone(), path: self.path.clone() }
    }
}

/// A search's statistics with one field's documents as the total.
struct FieldDocs<'s> {
    stats: &'s dyn tantivy::query::Bm25StatisticsProvider,
    docs: u64,
}

impl tantivy::query::Bm25StatisticsProvider for FieldDocs<'_> {
    fn total_num_tokens(&self, field: tantivy::schema::Field) -> tantivy::Result<u64> {
        self.stats.total_num_tokens(field)
    }

    fn total_num_docs(&self) -> tantivy::Result<u64> {
        Ok(self.docs)
    }

    fn doc_freq(&self, term: &Term) -> tantivy::Result<u64> {
        self.stats.doc_freq(term)
    }
}

impl TQuery for FieldStatsQuery {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        // The statistics the search scores with: the shard's own, or every
        // shard's (`dfs_query_then_fetch`).
        let EnableScoring::Enabled { searcher, statistics_provider } = scoring else {
            return self.inner.weight(scoring);
        };
        let fields: Fields = crate::indexed::fields();
        // Documents holding the field: those with its path in `_exists`.
        let docs = statistics_provider.doc_freq(&Term::from_field_text(fields.exists, &self.path))?.max(1);
        let stats = FieldDocs { stats: statistics_provider, docs };
        self.inner.weight(EnableScoring::enabled_from_statistics_provider(&stats, searcher))
    }

    fn query_terms<'a>(&'a self, visitor: &mut dyn FnMut(&'a Term, bool)) {
        self.inner.query_terms(visitor);
    }
}

/// A term of a text field at `path`, scored by the field's own statistics.
#[derive(Debug, Clone)]
pub(crate) struct TextTermQuery {
    pub term: Term,
    pub path: String,
    /// The term's document frequency when it is not its own (a fuzzy
    /// match's expansions share the largest of theirs).
    pub doc_freq: Option<u64>,
}

/// A field's statistics in one segment: the documents holding it and the
/// sum of their lengths (deleted documents included, as in Lucene).
#[derive(Clone, Copy, Default)]
struct FieldStats {
    docs: u64,
    tokens: u64,
}

/// The lengths of a field's values in a segment (JSON numbers are kept
/// as signed or unsigned integers).
#[derive(Clone)]
enum Lengths {
    Signed(Column<i64>),
    Unsigned(Column<u64>),
}

impl Lengths {
    fn of(segment: &SegmentReader, path: &str) -> Option<Lengths> {
        columns(segment, &format!("_len.{path}")).ok()?.into_iter().find_map(|c| match c {
            DynamicColumn::I64(c) => Some(Lengths::Signed(c)),
            DynamicColumn::U64(c) => Some(Lengths::Unsigned(c)),
            _ => None,
        })
    }

    fn get(&self, doc: DocId) -> Option<u64> {
        match self {
            Lengths::Signed(c) => c.first(doc).map(|n| n.max(0) as u64),
            Lengths::Unsigned(c) => c.first(doc),
        }
    }
}

/// A field's statistics in a segment, computed once.
fn segment_stats(segment: &SegmentReader, path: &str) -> FieldStats {
    let (docs, tokens) = super::segment_cache::cached(segment, &format!("lengths of {path}"), || {
        let (mut docs, mut tokens) = (0u64, 0u64);
        if let Some(column) = Lengths::of(segment, path) {
            for doc in 0..segment.max_doc() {
                if let Some(len) = column.get(doc) {
                    docs += 1;
                    tokens += len;
                }
            }
        }
        (docs as f64, tokens as f64)
    });
    FieldStats { docs: docs as u64, tokens: tokens as u64 }
}

/// A field's statistics over a searcher's segments.
fn field_stats(searcher: &Searcher, path: &str) -> FieldStats {
    searcher
        .segment_readers()
        .iter()
        .map(|s| segment_stats(s, path))
        .fold(FieldStats::default(), |a, b| FieldStats { docs: a.docs + b.docs, tokens: a.tokens + b.tokens })
}

impl TQuery for TextTermQuery {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let Some(searcher) = scoring.searcher().filter(|_| scoring.is_scoring_enabled()) else {
            return TermQuery::new(self.term.clone(), IndexRecordOption::WithFreqs).weight(scoring);
        };
        // The shard's statistics, and the term's frequency among them.
        let stats = field_stats(searcher, &self.path);
        let df = match self.doc_freq {
            Some(df) => df,
            None => searcher.doc_freq(&self.term)?,
        };
        let doc_count = stats.docs.max(df);
        let idf = (1.0 + (doc_count as f64 - df as f64 + 0.5) / (df as f64 + 0.5)).ln() as Score;
        let average = if stats.docs == 0 { 1.0 } else { stats.tokens as Score / stats.docs as Score };
        // `k1 * (1 - b + b * dl / avgdl)` for each rounded length, as Lucene caches it.
        let mut norms = [0.0; 256];
        for (id, norm) in norms.iter_mut().enumerate() {
            let dl = FieldNormReader::id_to_fieldnorm(id as u8) as Score;
            *norm = K1 * (1.0 - B + B * dl / average);
        }
        Ok(Box::new(TextTermWeight {
            query: self.clone(),
            weight: idf * (1.0 + K1),
            idf,
            average,
            df,
            doc_count,
            norms: Arc::new(norms),
        }))
    }
}

struct TextTermWeight {
    query: TextTermQuery,
    /// `idf * (k1 + 1)`.
    weight: Score,
    idf: Score,
    average: Score,
    df: u64,
    doc_count: u64,
    norms: Arc<[Score; 256]>,
}

impl TextTermWeight {
    fn text_scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Option<TextTermScorer>> {
        let fields: Fields = crate::indexed::fields();
        let index = reader.inverted_index(fields.text)?;
        let Some(postings) = index.read_postings(&self.query.term, IndexRecordOption::WithFreqs)? else {
            return Ok(None);
        };
        Ok(Some(TextTermScorer {
            postings,
            lengths: Lengths::of(reader, &self.query.path),
            weight: self.weight * boost,
            norms: self.norms.clone(),
        }))
    }
}

impl Weight for TextTermWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        Ok(match self.text_scorer(reader, boost)? {
            Some(scorer) => Box::new(scorer),
            None => Box::new(tantivy::query::EmptyScorer),
        })
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let not_found = || tantivy::TantivyError::InvalidArgument(format!("document #{doc} does not match"));
        let mut scorer = self.text_scorer(reader, 1.0)?.ok_or_else(not_found)?;
        if scorer.doc() > doc || scorer.seek(doc) != doc {
            return Err(not_found());
        }
        let tf = scorer.postings.term_freq() as Score;
        let dl = scorer.length(doc);
        let mut explanation = Explanation::new("score, computed as boost * idf * tf from:", scorer.score());
        // As Elasticsearch shows it: `k1 + 1` counts in the boost.
        explanation.add_const("boost", 1.0 + K1);
        let mut idf = Explanation::new("idf, computed as log(1 + (N - n + 0.5) / (n + 0.5)) from:", self.idf);
        idf.add_const("n, number of documents containing term", self.df as Score);
        idf.add_const("N, total number of documents with field", self.doc_count as Score);
        explanation.add_detail(idf);
        let mut tf_part = Explanation::new(
            "tf, computed as freq / (freq + k1 * (1 - b + b * dl / avgdl)) from:",
            tf / (tf + self.norms[FieldNormReader::fieldnorm_to_id(dl) as usize]),
        );
        tf_part.add_const("freq, occurrences of term within document", tf);
        tf_part.add_const("k1, term saturation parameter", K1);
        tf_part.add_const("b, length normalization parameter", B);
        tf_part.add_const(
            "dl, length of field",
            FieldNormReader::id_to_fieldnorm(FieldNormReader::fieldnorm_to_id(dl)) as Score,
        );
        tf_part.add_const("avgdl, average length of field", self.average);
        explanation.add_detail(tf_part);
        Ok(explanation)
    }
}

struct TextTermScorer {
    postings: SegmentPostings,
    lengths: Option<Lengths>,
    /// `boost * idf * (k1 + 1)`.
    weight: Score,
    norms: Arc<[Score; 256]>,
}

impl TextTermScorer {
    fn length(&self, doc: DocId) -> u32 {
        self.lengths.as_ref().and_then(|c| c.get(doc)).map_or(1, |n| n.min(u64::from(u32::MAX)) as u32)
    }
}

impl DocSet for TextTermScorer {
    fn advance(&mut self) -> DocId {
        self.postings.advance()
    }

    fn seek(&mut self, target: DocId) -> DocId {
        self.postings.seek(target)
    }

    fn doc(&self) -> DocId {
        self.postings.doc()
    }

    fn size_hint(&self) -> u32 {
        self.postings.size_hint()
    }
}

impl Scorer for TextTermScorer {
    fn score(&mut self) -> Score {
        let doc = self.postings.doc();
        if doc == TERMINATED {
            return 0.0;
        }
        let tf = self.postings.term_freq() as Score;
        let norm = self.norms[FieldNormReader::fieldnorm_to_id(self.length(doc)) as usize];
        self.weight * tf / (tf + norm)
    }
}
