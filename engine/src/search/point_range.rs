//! Ranges over exact values read from the inverted index, as Lucene reads
//! a range from its points: the terms of one path between two bounds.
//!
//! tantivy indexes a JSON number under one of three types, as it
//! normalises it: integral values in `i64`'s range as `i64`, larger ones
//! as `u64`, the rest as `f64`. A numeric range is therefore up to three
//! ranges of terms, one per type ([`Point::term_ranges`]), each bounded on
//! both sides so that it never leaves its path and type.
//!
//! A field that has a column too is read either way, per segment
//! ([`IndexOrColumnRange`]), as Lucene's `IndexOrDocValuesQuery` picks
//! points or doc values: the range's terms are walked up to a limit; a few
//! are read from their postings, more from the column.

use std::ops::Bound;
use tantivy::postings::TermInfo;
use tantivy::query::{BitSetDocSet, ConstScorer, EmptyScorer, EnableScoring, Explanation, Query, Scorer, Weight};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::{BitSet, DocId, Score, SegmentReader, Term};

/// One bound of a range over exact values, typed as the field's values are.
#[derive(Debug, Clone, PartialEq)]
pub enum Point {
    Int(i64),
    Unsigned(u64),
    Float(f64),
    /// Keywords, and addresses (kept as fixed-width hex).
    Text(String),
}

/// How many terms a segment's range may walk before a field with a
/// column reads the column instead of the postings.
const POSTINGS_TERMS_LIMIT: usize = 64;

/// A range of serialized term values (path, type and value), both ends given.
type TermRange = (Bound<Vec<u8>>, Bound<Vec<u8>>);

/// The three types a JSON number is indexed under.
#[derive(Clone, Copy)]
enum NumberType {
    I64,
    U64,
    F64,
}

impl Point {
    /// The term of this value under `path` in `field`, typed as the
    /// column's range query reads it.
    pub fn column_term(&self, field: Field, path: &str) -> Term {
        let mut term = Term::from_field_json_path(field, path, true);
        match self {
            Point::Int(v) => term.append_type_and_fast_value(*v),
            // The column coerces: bounds of one type, f64 for unsigned longs.
            Point::Unsigned(v) => term.append_type_and_fast_value(*v as f64),
            Point::Float(v) => term.append_type_and_fast_value(*v),
            Point::Text(s) => term.append_type_and_str(s),
        }
        term
    }

    /// The ranges of terms of `path` in `field` that hold the values
    /// between `lower` and `upper`: one for text, up to three for numbers.
    pub fn term_ranges(field: Field, path: &str, lower: &Bound<Point>, upper: &Bound<Point>) -> Vec<TermRange> {
        let text = matches!(lower, Bound::Included(Point::Text(_)) | Bound::Excluded(Point::Text(_)))
            || matches!(upper, Bound::Included(Point::Text(_)) | Bound::Excluded(Point::Text(_)));
        if text {
            return text_range(field, path, lower, upper).into_iter().collect();
        }
        let (lower, upper) = (as_indexed(lower), as_indexed(upper));
        [NumberType::I64, NumberType::U64, NumberType::F64]
            .into_iter()
            .filter_map(|typ| number_range(field, path, typ, &lower, &upper))
            .collect()
    }
}

/// A float bound as tantivy normalises a float it indexes: integral values
/// up to `2^63` as `i64` (2^63 itself as `i64::MAX`), up to `2^64` as `u64`
/// (2^64 as `u64::MAX`), so that a bound and the value it equals compare
/// equal.
fn as_indexed(b: &Bound<Point>) -> Bound<Point> {
    let point = |p: &Point| match *p {
        Point::Float(x) if x.fract() == 0.0 && x >= i64::MIN as f64 && x <= i64::MAX as f64 => Point::Int(x as i64),
        Point::Float(x) if x.fract() == 0.0 && x >= 0.0 && x <= u64::MAX as f64 => Point::Unsigned(x as u64),
        ref other => other.clone(),
    };
    b.as_ref().map(point)
}

fn bytes(term: &Term) -> Vec<u8> {
    term.serialized_value_bytes().to_vec()
}

fn text_term(field: Field, path: &str, text: &str) -> Vec<u8> {
    let mut term = Term::from_field_json_path(field, path, true);
    term.append_type_and_str(text);
    bytes(&term)
}

/// The range of a path's strings; `None` when a bound is no text (no
/// field has both kinds of values).
fn text_range(field: Field, path: &str, lower: &Bound<Point>, upper: &Bound<Point>) -> Option<TermRange> {
    let term = |p: &Point| match p {
        Point::Text(s) => Some(text_term(field, path, s)),
        _ => None,
    };
    let lower = match lower {
        Bound::Included(p) => Bound::Included(term(p)?),
        Bound::Excluded(p) => Bound::Excluded(term(p)?),
        Bound::Unbounded => Bound::Included(text_term(field, path, "")),
    };
    // Past every string of the path: UTF-8 never holds the byte 0xff.
    let upper = match upper {
        Bound::Included(p) => Bound::Included(term(p)?),
        Bound::Excluded(p) => Bound::Excluded(term(p)?),
        Bound::Unbounded => {
            let mut past = text_term(field, path, "");
            past.push(0xff);
            Bound::Excluded(past)
        }
    };
    Some((lower, upper))
}

/// Where a bound falls among the values of one number type.
enum Fit<T> {
    /// Every value of the type is on the bound's inner side.
    All,
    /// No value of the type is.
    None,
    Included(T),
    Excluded(T),
}

/// Which end of a range a bound is.
#[derive(Clone, Copy, PartialEq, Eq)]
enum End {
    Lower,
    Upper,
}

/// Where a bound falls among the integers of `[lo, hi]`, those tantivy
/// indexes under one integral type (`i64`'s whole range, or past it as
/// `u64`): the first (or last) integer it lets in, compared exactly.
fn integral_fit(b: &Bound<Point>, end: End, lo: i128, hi: i128) -> Fit<i128> {
    let (p, inclusive) = match b {
        Bound::Unbounded => return Fit::All,
        Bound::Included(p) => (p, true),
        Bound::Excluded(p) => (p, false),
    };
    // An excluded integer lets in the one past it.
    let step = match (inclusive, end) {
        (true, _) => 0,
        (false, End::Lower) => 1,
        (false, End::Upper) => -1,
    };
    let edge = match *p {
        Point::Int(v) => i128::from(v) + step,
        Point::Unsigned(v) => i128::from(v) + step,
        Point::Float(x) if x.is_nan() => return Fit::None,
        // Floats that far out saturate, which still orders them rightly.
        Point::Float(x) if x.fract() == 0.0 => (x as i128).saturating_add(step),
        Point::Float(x) if end == End::Lower => x.ceil() as i128,
        Point::Float(x) => x.floor() as i128,
        Point::Text(_) => return Fit::None,
    };
    match end {
        End::Lower if edge > hi => Fit::None,
        End::Lower if edge <= lo => Fit::All,
        End::Upper if edge < lo => Fit::None,
        End::Upper if edge >= hi => Fit::All,
        _ => Fit::Included(edge),
    }
}

/// A bound among `f64` values. Integers are compared as floats: the
/// values indexed as `f64` are fractional (so below 2^52) or beyond the
/// integral types, where no integer bound can round across one of them.
fn float_bound(b: &Bound<Point>) -> Fit<f64> {
    match b {
        Bound::Unbounded => Fit::All,
        Bound::Included(p) | Bound::Excluded(p) => {
            let x = match *p {
                Point::Int(v) => v as f64,
                Point::Unsigned(v) => v as f64,
                Point::Float(x) => x,
                Point::Text(_) => return Fit::None,
            };
            if matches!(b, Bound::Included(_)) {
                Fit::Included(x)
            } else {
                Fit::Excluded(x)
            }
        }
    }
}

/// The range of terms of one number type, `None` when it holds none of
/// the values between the bounds.
fn number_range(
    field: Field,
    path: &str,
    typ: NumberType,
    lower: &Bound<Point>,
    upper: &Bound<Point>,
) -> Option<TermRange> {
    fn term<T: tantivy::fastfield::FastValue>(field: Field, path: &str, v: T) -> Vec<u8> {
        let mut term = Term::from_field_json_path(field, path, true);
        term.append_type_and_fast_value(v);
        bytes(&term)
    }
    fn bound<T: tantivy::fastfield::FastValue>(
        field: Field,
        path: &str,
        fit: Fit<T>,
        all: T,
    ) -> Option<Bound<Vec<u8>>> {
        match fit {
            Fit::None => None,
            Fit::All => Some(Bound::Included(term(field, path, all))),
            Fit::Included(v) => Some(Bound::Included(term(field, path, v))),
            Fit::Excluded(v) => Some(Bound::Excluded(term(field, path, v))),
        }
    }
    // An integral fit, within the type's range, as the type's values.
    fn narrowed<T: TryFrom<i128>>(fit: Fit<i128>) -> Fit<T> {
        match fit {
            Fit::Included(v) => T::try_from(v).map_or(Fit::None, Fit::Included),
            Fit::Excluded(v) => T::try_from(v).map_or(Fit::None, Fit::Excluded),
            Fit::All => Fit::All,
            Fit::None => Fit::None,
        }
    }
    let (i64_lo, i64_hi) = (i128::from(i64::MIN), i128::from(i64::MAX));
    let (u64_lo, u64_hi) = (i128::from(i64::MAX) + 1, i128::from(u64::MAX));
    Some(match typ {
        NumberType::I64 => (
            bound(field, path, narrowed(integral_fit(lower, End::Lower, i64_lo, i64_hi)), i64::MIN)?,
            bound(field, path, narrowed(integral_fit(upper, End::Upper, i64_lo, i64_hi)), i64::MAX)?,
        ),
        NumberType::U64 => (
            bound(field, path, narrowed(integral_fit(lower, End::Lower, u64_lo, u64_hi)), i64::MAX as u64 + 1)?,
            bound(field, path, narrowed(integral_fit(upper, End::Upper, u64_lo, u64_hi)), u64::MAX)?,
        ),
        NumberType::F64 => (
            bound(field, path, float_bound(lower), f64::NEG_INFINITY)?,
            bound(field, path, float_bound(upper), f64::INFINITY)?,
        ),
    })
}

/// A range read from the inverted index, or from the column when the
/// field has one and the range spans many terms.
#[derive(Clone)]
pub struct IndexOrColumnRange {
    field: Field,
    ranges: Vec<TermRange>,
    /// The same range over the field's column, if it has one.
    column: Option<tantivy::query::RangeQuery>,
    /// The column's name (`_terms.path`), to tell whether a segment has it.
    column_name: String,
    /// A field indexed only since some version (`_seq_no`): a segment
    /// holding documents written before, alone or merged with later ones,
    /// has fewer terms than column values (each value unique), and is read
    /// from its column.
    indexed_since: bool,
}

impl std::fmt::Debug for IndexOrColumnRange {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let name = if self.column.is_some() { "IndexOrDocValuesQuery" } else { "PointRangeQuery" };
        f.debug_struct(name).field("ranges", &self.ranges.len()).finish()
    }
}

impl IndexOrColumnRange {
    /// The values of `path` (in the JSON `field`) between the bounds; with
    /// `column`, the same range over the field's column.
    pub fn new(
        field: Field,
        path: &str,
        lower: &Bound<Point>,
        upper: &Bound<Point>,
        column: Option<tantivy::query::RangeQuery>,
    ) -> IndexOrColumnRange {
        IndexOrColumnRange {
            field,
            ranges: Point::term_ranges(field, path, lower, upper),
            column,
            column_name: format!("_terms.{path}"),
            indexed_since: false,
        }
    }

    /// The sequence numbers between two bounds: `_seq_no` is a plain
    /// number field, indexed and columnar.
    pub fn seq_no(field: Field, lower: Bound<u64>, upper: Bound<u64>) -> IndexOrColumnRange {
        let term = |v: u64| Term::from_field_u64(field, v);
        // Both ends given, for the column's range as for the terms'.
        let given = |b: Bound<u64>, all: u64| match b {
            Bound::Unbounded => Bound::Included(term(all)),
            b => b.map(term),
        };
        let (lower, upper) = (given(lower, 0), given(upper, u64::MAX));
        let value = |b: &Bound<Term>| b.as_ref().map(bytes);
        IndexOrColumnRange {
            field,
            ranges: vec![(value(&lower), value(&upper))],
            column: Some(tantivy::query::RangeQuery::new(lower, upper)),
            column_name: "_seq_no".into(),
            indexed_since: true,
        }
    }
}

impl Query for IndexOrColumnRange {
    fn weight(&self, enable_scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        let column = self.column.as_ref().map(|q| q.weight(enable_scoring)).transpose()?;
        Ok(Box::new(RangeWeight {
            field: self.field,
            ranges: self.ranges.clone(),
            column,
            column_name: self.column_name.clone(),
            indexed_since: self.indexed_since,
        }))
    }
}

struct RangeWeight {
    field: Field,
    ranges: Vec<TermRange>,
    column: Option<Box<dyn Weight>>,
    column_name: String,
    indexed_since: bool,
}

impl RangeWeight {
    /// Whether some of the segment's documents have no terms (see
    /// `IndexOrColumnRange::indexed_since`).
    fn partly_indexed(&self, reader: &SegmentReader) -> tantivy::Result<bool> {
        if !self.indexed_since {
            return Ok(false);
        }
        let terms = reader.inverted_index(self.field)?.terms().num_terms() as u64;
        let values = reader.fast_fields().u64(&self.column_name).map_or(0, |c| u64::from(c.values.num_vals()));
        Ok(terms < values)
    }

    /// The segment's terms in the ranges, or `None` past `limit` of them.
    fn terms(&self, reader: &SegmentReader, limit: Option<usize>) -> tantivy::Result<Option<Vec<TermInfo>>> {
        let inverted = reader.inverted_index(self.field)?;
        let mut infos = Vec::new();
        for (lower, upper) in &self.ranges {
            let mut builder = inverted.terms().range();
            builder = match lower {
                Bound::Included(t) => builder.ge(t),
                Bound::Excluded(t) => builder.gt(t),
                Bound::Unbounded => builder,
            };
            builder = match upper {
                Bound::Included(t) => builder.le(t),
                Bound::Excluded(t) => builder.lt(t),
                Bound::Unbounded => builder,
            };
            let mut stream = builder.into_stream()?;
            while stream.advance() {
                if limit.is_some_and(|limit| infos.len() >= limit) {
                    return Ok(None);
                }
                infos.push(stream.value().clone());
            }
        }
        Ok(Some(infos))
    }
}

impl Weight for RangeWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        if let Some(column) = &self.column {
            // A segment where no document holds the field has no column for it.
            if reader.fast_fields().dynamic_column_handles(&self.column_name)?.is_empty() {
                return Ok(Box::new(EmptyScorer));
            }
            let walked =
                if self.partly_indexed(reader)? { None } else { self.terms(reader, Some(POSTINGS_TERMS_LIMIT))? };
            let Some(infos) = walked else {
                return column.scorer(reader, boost);
            };
            return postings(reader, self.field, &infos, boost);
        }
        let infos = self.terms(reader, None)?.unwrap_or_default();
        postings(reader, self.field, &infos, boost)
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        let mut scorer = self.scorer(reader, 1.0)?;
        if scorer.seek(doc) != doc {
            return Err(tantivy::TantivyError::InvalidArgument(format!("Document #({doc}) does not match")));
        }
        Ok(Explanation::new("range", 1.0))
    }
}

/// The documents of the terms' postings, scored `boost`.
fn postings(
    reader: &SegmentReader,
    field: Field,
    infos: &[TermInfo],
    boost: Score,
) -> tantivy::Result<Box<dyn Scorer>> {
    if infos.is_empty() {
        return Ok(Box::new(EmptyScorer));
    }
    let inverted = reader.inverted_index(field)?;
    let mut docs = BitSet::with_max_value(reader.max_doc());
    for info in infos {
        let mut block = inverted.read_block_postings_from_terminfo(info, IndexRecordOption::Basic)?;
        while !block.docs().is_empty() {
            for doc in block.docs() {
                docs.insert(*doc);
            }
            block.advance();
        }
    }
    Ok(Box::new(ConstScorer::new(BitSetDocSet::from(docs), boost)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// A number as tantivy's JSON indexing normalises it, as a point.
    fn normalised(x: f64) -> Option<Point> {
        if !x.is_finite() {
            return None;
        }
        Some(match as_indexed(&Bound::Included(Point::Float(x))) {
            Bound::Included(p) => p,
            _ => unreachable!(),
        })
    }

    /// Exact numeric order of two points (text apart).
    fn cmp(a: &Point, b: &Point) -> std::cmp::Ordering {
        fn wide(p: &Point) -> Result<i128, f64> {
            match *p {
                Point::Int(v) => Ok(v as i128),
                Point::Unsigned(v) => Ok(v as i128),
                Point::Float(x) if x.fract() == 0.0 && x.abs() < 1e38 => Ok(x as i128),
                Point::Float(x) => Err(x),
                Point::Text(_) => unreachable!(),
            }
        }
        match (wide(a), wide(b)) {
            (Ok(x), Ok(y)) => x.cmp(&y),
            (Err(x), Err(y)) => x.partial_cmp(&y).unwrap(),
            // A fraction or a huge float never equals an integer in i128's range.
            (Ok(x), Err(y)) => {
                if (x as f64) < y || ((x as f64) == y && (x as f64) as i128 > x) {
                    std::cmp::Ordering::Less
                } else {
                    std::cmp::Ordering::Greater
                }
            }
            (Err(_), Ok(_)) => cmp(b, a).reverse(),
        }
    }

    fn within(v: &Point, lower: &Bound<Point>, upper: &Bound<Point>) -> bool {
        use std::cmp::Ordering::*;
        let above = match lower {
            Bound::Included(l) => cmp(v, l) != Less,
            Bound::Excluded(l) => cmp(v, l) == Greater,
            Bound::Unbounded => true,
        };
        let below = match upper {
            Bound::Included(u) => cmp(v, u) != Greater,
            Bound::Excluded(u) => cmp(v, u) == Less,
            Bound::Unbounded => true,
        };
        above && below
    }

    fn in_ranges(key: &[u8], ranges: &[TermRange]) -> bool {
        ranges.iter().any(|(l, u)| {
            let above = match l {
                Bound::Included(l) => key >= l.as_slice(),
                Bound::Excluded(l) => key > l.as_slice(),
                Bound::Unbounded => true,
            };
            let below = match u {
                Bound::Included(u) => key <= u.as_slice(),
                Bound::Excluded(u) => key < u.as_slice(),
                Bound::Unbounded => true,
            };
            above && below
        })
    }

    fn indexed_key(field: Field, v: &Point) -> Vec<u8> {
        let mut term = Term::from_field_json_path(field, "a", true);
        match *v {
            Point::Int(x) => term.append_type_and_fast_value(x),
            Point::Unsigned(x) => term.append_type_and_fast_value(x),
            Point::Float(x) => term.append_type_and_fast_value(x),
            Point::Text(ref s) => term.append_type_and_str(s),
        }
        bytes(&term)
    }

    fn number() -> impl Strategy<Value = f64> {
        prop_oneof![
            (-1000i64..1000).prop_map(|v| v as f64),
            (-1000i64..1000).prop_map(|v| v as f64 / 4.0),
            any::<i64>().prop_map(|v| v as f64),
            any::<u64>().prop_map(|v| v as f64),
            any::<f64>().prop_filter("finite", |x| x.is_finite()),
        ]
    }

    fn bound() -> impl Strategy<Value = Bound<Point>> {
        let point = prop_oneof![
            any::<i64>().prop_map(Point::Int),
            (-1000i64..1000).prop_map(Point::Int),
            any::<u64>().prop_map(Point::Unsigned),
            number().prop_map(Point::Float),
        ];
        prop_oneof![point.clone().prop_map(Bound::Included), point.prop_map(Bound::Excluded), Just(Bound::Unbounded),]
    }

    proptest! {
        /// A value's indexed term is in the ranges exactly when the value
        /// is between the bounds, whatever types the value and bounds have.
        #[test]
        fn a_term_is_in_the_ranges_when_its_value_is_between_the_bounds(
            x in number(), lower in bound(), upper in bound()
        ) {
            let field = Field::from_field_id(0);
            let Some(v) = normalised(x) else { return Ok(()) };
            let ranges = Point::term_ranges(field, "a", &lower, &upper);
            // Bounds compare as tantivy holds the values they equal.
            let within = within(&v, &as_indexed(&lower), &as_indexed(&upper));
            prop_assert_eq!(in_ranges(&indexed_key(field, &v), &ranges), within, "{:?}", v);
        }

        /// Ranges never reach another path's terms, nor another type's.
        #[test]
        fn ranges_stay_within_their_path(lower in bound(), upper in bound(), x in number()) {
            let field = Field::from_field_id(0);
            let ranges = Point::term_ranges(field, "a", &lower, &upper);
            let mut other = Term::from_field_json_path(field, "b", true);
            other.append_type_and_fast_value(x);
            prop_assert!(!in_ranges(&bytes(&other), &ranges));
            let mut text = Term::from_field_json_path(field, "a", true);
            text.append_type_and_str("x");
            prop_assert!(!in_ranges(&bytes(&text), &ranges));
        }
    }

    /// A segment merged from documents written before a field was indexed
    /// and after has terms for the later ones only: ranges read its column.
    #[test]
    fn a_partly_indexed_segment_is_read_from_its_column() {
        use tantivy::schema::{NumericOptions, Schema};
        use tantivy::{doc, Index, IndexWriter};
        let schema = |indexed: bool| {
            let mut b = Schema::builder();
            let options = NumericOptions::default().set_fast();
            b.add_u64_field("_seq_no", if indexed { options.set_indexed() } else { options });
            b.build()
        };
        let dir = tantivy::directory::RamDirectory::create();
        let old = schema(false);
        let field = old.get_field("_seq_no").unwrap();
        let index = Index::create(dir.clone(), old, Default::default()).unwrap();
        let mut writer: IndexWriter = index.writer_with_num_threads(1, 15_000_000).unwrap();
        (0..10u64).for_each(|n| drop(writer.add_document(doc!(field => n))));
        writer.commit().unwrap();
        drop(writer);
        crate::schema_migration::migrate(&dir, &schema(true)).unwrap();
        let index = Index::open_or_create(dir, schema(true)).unwrap();
        let mut writer: IndexWriter = index.writer_with_num_threads(1, 15_000_000).unwrap();
        (10..20u64).for_each(|n| drop(writer.add_document(doc!(field => n))));
        writer.commit().unwrap();
        let segments = index.searchable_segment_ids().unwrap();
        writer.merge(&segments).wait().unwrap();
        writer.wait_merging_threads().unwrap();
        let searcher = index.reader().unwrap().searcher();
        assert_eq!(searcher.segment_readers().len(), 1);
        let count = |lower: u64, upper: u64| {
            let q = IndexOrColumnRange::seq_no(field, Bound::Included(lower), Bound::Included(upper));
            searcher.search(&q, &tantivy::collector::Count).unwrap()
        };
        assert_eq!(count(3, 3), 1, "written before the field was indexed");
        assert_eq!(count(5, 14), 10);
        assert_eq!(count(12, 12), 1);
    }

    #[test]
    fn a_float_bound_meets_the_value_tantivy_holds_for_it() {
        let field = Field::from_field_id(0);
        // 2^63 is indexed as i64::MAX: a bound of 2^63 takes it in.
        let two_63 = 9_223_372_036_854_775_808.0;
        let stored = indexed_key(field, &Point::Int(i64::MAX));
        assert!(in_ranges(
            &stored,
            &Point::term_ranges(field, "a", &Bound::Included(Point::Float(two_63)), &Bound::Unbounded)
        ));
        assert!(!in_ranges(
            &stored,
            &Point::term_ranges(field, "a", &Bound::Unbounded, &Bound::Excluded(Point::Float(two_63)))
        ));
    }

    #[test]
    fn text_ranges_cover_the_path_when_unbounded() {
        let field = Field::from_field_id(0);
        let ranges = Point::term_ranges(field, "a", &Bound::Unbounded, &Bound::Excluded(Point::Text("m".into())));
        let key = |s: &str| indexed_key(field, &Point::Text(s.into()));
        assert!(in_ranges(&key(""), &ranges) && in_ranges(&key("lzz"), &ranges));
        assert!(!in_ranges(&key("m"), &ranges));
        let above = Point::term_ranges(field, "a", &Bound::Excluded(Point::Text("m".into())), &Bound::Unbounded);
        assert!(in_ranges(&key("\u{10ffff}"), &above) && !in_ranges(&key("m"), &above));
    }
}
