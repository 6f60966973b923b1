//! The `nested` query: a query on the documents of a nested field, joined
//! to the documents holding them (Lucene's block join).
//!
//! A document's nested documents are indexed just before it, in one block
//! (`indexed.rs`), so the document holding a nested one is the first
//! document after it at the parent's level: the root level (no `_nested`
//! value) or the enclosing nested field's. The join runs the child query
//! over a segment, gives each matching child to its parent and combines
//! the children's scores as `score_mode` says. The children of a hit, for
//! its `inner_hits`, are the documents of its block just before it.

use super::dsl::Nested;
use super::{Hit, InnerHitsResult};
use crate::error::EngineError;
use crate::indexed::NESTED_FIELD;
use crate::StoredDoc;
use serde_json::{Map, Value};
use tantivy::columnar::StrColumn;
use tantivy::query::{EnableScoring, Explanation, Query as TQuery, Scorer, Weight};
use tantivy::{DocAddress, DocId, DocSet, Score, SegmentReader, TERMINATED};

/// How the scores of a parent's matching children make its score.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScoreMode {
    Avg,
    Max,
    Min,
    Sum,
    /// Parents score 0.
    None,
}

impl ScoreMode {
    pub fn parse(name: &str) -> Option<ScoreMode> {
        Some(match name {
            "avg" => ScoreMode::Avg,
            "max" => ScoreMode::Max,
            "min" => ScoreMode::Min,
            "sum" | "total" => ScoreMode::Sum,
            "none" => ScoreMode::None,
            _ => return None,
        })
    }

    fn combine(self, scores: &[Score]) -> Score {
        match self {
            ScoreMode::Avg => scores.iter().sum::<Score>() / scores.len().max(1) as Score,
            ScoreMode::Max => scores.iter().copied().fold(Score::MIN, Score::max),
            ScoreMode::Min => scores.iter().copied().fold(Score::MAX, Score::min),
            ScoreMode::Sum => scores.iter().sum(),
            ScoreMode::None => 0.0,
        }
    }
}

/// A `nested` query's `inner_hits`: its name (the path unless named), its
/// page, and its other options as sent, which the answer's rendering reads
/// (`_source`, `version`, `docvalue_fields`, `highlight`...).
#[derive(Debug, Clone, PartialEq)]
pub struct InnerHits {
    pub name: String,
    pub from: usize,
    pub size: usize,
    /// `sort`: the order of the inner hits (by score when empty).
    pub sort: Vec<super::sort::SortKey>,
    pub options: Map<String, Value>,
}

/// The options `inner_hits` takes.
const INNER_HITS_OPTIONS: &[&str] = &[
    "name",
    "from",
    "size",
    "_source",
    "version",
    "seq_no_primary_term",
    "docvalue_fields",
    "fields",
    "stored_fields",
    "highlight",
    "track_scores",
    "ignore_unmapped",
    "sort",
    "explain",
];

impl InnerHits {
    /// Reads an `inner_hits` object of a nested query on `path`.
    pub fn parse(path: &str, v: &Value) -> Result<InnerHits, EngineError> {
        let Value::Object(options) = v else {
            return Err(EngineError::Parsing("[inner_hits] must be an object".into()));
        };
        if let Some(k) = options.keys().find(|k| !INNER_HITS_OPTIONS.contains(&k.as_str())) {
            return Err(EngineError::Unsupported(format!("the [{k}] option of [inner_hits]")));
        }
        let number = |k: &str, default: usize| match options.get(k) {
            None => Ok(default),
            Some(v) => v
                .as_u64()
                .map(|n| n as usize)
                .ok_or_else(|| EngineError::Parsing(format!("[inner_hits] [{k}] must be a positive number"))),
        };
        Ok(InnerHits {
            name: options.get("name").and_then(Value::as_str).unwrap_or(path).to_owned(),
            from: number("from", 0)?,
            size: number("size", 3)?,
            sort: options.get("sort").map(super::sort::parse).transpose()?.unwrap_or_default(),
            options: options.clone(),
        })
    }
}

/// Each matched nested document's values for the inner hits' sort keys:
/// its score, its position, or its field's value read from the columns.
fn inner_sort_values(
    mapper: &crate::mapper::Mapper,
    keys: &[super::sort::SortKey],
    segment: &SegmentReader,
    matched: &[(DocId, Score)],
) -> Result<std::collections::HashMap<DocId, Vec<super::sort::SortValue>>, EngineError> {
    use super::sort::{FieldColumns, Reading, SortBy, SortValue};
    let mut columns = Vec::with_capacity(keys.len());
    for key in keys {
        super::sort::check(mapper, key)?;
        columns.push(match &key.by {
            SortBy::Field(path) => Some(FieldColumns::open(segment, path, key.desc)?.reading(Reading::of(mapper, key))),
            SortBy::GeoDistance(geo) => {
                Some(FieldColumns::geo(segment, geo, key.desc)?.reading(Reading::of(mapper, key)))
            }
            _ => None,
        });
    }
    Ok(matched
        .iter()
        .map(|(doc, score)| {
            let values = keys
                .iter()
                .zip(&columns)
                .map(|(key, column)| match (&key.by, column) {
                    (_, Some(column)) => column.value(*doc),
                    (SortBy::Score, None) => SortValue::Double(f64::from(*score)),
                    _ => SortValue::Long(i64::from(*doc)),
                })
                .collect();
            (*doc, values)
        })
        .collect())
}

/// Whether a nested field's path lies strictly inside another's (`a.b` in `a`).
fn is_inside(path: &str, outer: &str) -> bool {
    path.len() > outer.len() && path.starts_with(outer) && path.as_bytes()[outer.len()] == b'.'
}

/// A segment's blocks, read from its `_nested` column: which nested field
/// each document belongs to.
#[derive(Clone)]
pub(crate) struct Blocks {
    /// `None` when the segment has no nested documents.
    column: Option<StrColumn>,
}

impl Blocks {
    pub(crate) fn of(reader: &SegmentReader) -> tantivy::Result<Blocks> {
        Ok(Blocks { column: reader.fast_fields().str(NESTED_FIELD)? })
    }

    /// The nested field of a document (`None` for a root document).
    pub(crate) fn path_of(&self, doc: DocId) -> Option<String> {
        let column = self.column.as_ref()?;
        let ord = column.term_ords(doc).next()?;
        let mut path = String::new();
        column.ord_to_str(ord, &mut path).ok()?;
        Some(path)
    }

    /// The `_nested` ordinal of a nested field in this segment (`None` when
    /// no document of the segment is of it).
    pub(crate) fn ord_of(&self, path: &str) -> Option<u64> {
        self.column.as_ref()?.dictionary().term_ord(path).ok().flatten()
    }

    /// The nested documents of the field of ordinal `ord` that a root
    /// document holds: those of its block, just before it, by ordinal
    /// (no text per document).
    pub(crate) fn children_of_root(&self, root: DocId, ord: u64) -> Vec<DocId> {
        let Some(column) = &self.column else { return Vec::new() };
        let mut children = Vec::new();
        let mut doc = root;
        while doc > 0 {
            doc -= 1;
            match column.term_ords(doc).next() {
                Some(o) if o == ord => children.push(doc),
                Some(_) => {}
                // The document before the block: another root.
                None => break,
            }
        }
        children
    }

    /// The nested documents of the field of ordinal `ord` that a nested
    /// document holds: those of its block, just before it.
    pub(crate) fn children_of(&self, holder: DocId, ord: u64) -> Vec<DocId> {
        let Some(column) = &self.column else { return Vec::new() };
        (self.start(holder)..holder).rev().filter(|doc| column.term_ords(*doc).next() == Some(ord)).collect()
    }

    /// Whether a document is of a level below `holder` (a nested field, or
    /// the root): one of the documents a document of that level holds.
    fn is_below(&self, doc: DocId, holder: Option<&str>) -> bool {
        match (self.path_of(doc), holder) {
            (Some(p), Some(h)) => is_inside(&p, h),
            (Some(_), None) => true,
            (None, _) => false,
        }
    }

    /// The first document of the block a document closes: it holds the
    /// documents from there up to itself.
    pub(crate) fn start(&self, holder: DocId) -> DocId {
        let path = self.path_of(holder);
        let mut first = holder;
        while first > 0 && self.is_below(first - 1, path.as_deref()) {
            first -= 1;
        }
        first
    }

    /// Where a nested document sits in its root document's source: each
    /// nested field from the outermost down, with the document's offset
    /// among the objects of that field in the object holding it.
    pub(crate) fn identity(&self, doc: DocId, max_doc: DocId) -> Vec<(String, usize)> {
        let mut chain = Vec::new();
        let mut at = doc;
        while let Some(path) = self.path_of(at) {
            // The holder: the first document after it of a level above it.
            let above = |d: &DocId| match self.path_of(*d) {
                None => true,
                Some(p) => is_inside(&path, &p),
            };
            let Some(holder) = (at + 1..max_doc).find(above) else { break };
            let offset = (self.start(holder)..at).filter(|d| self.path_of(*d).as_deref() == Some(&path)).count();
            chain.push((path, offset));
            at = holder;
        }
        chain.reverse();
        chain
    }
}

/// The documents of one level of a segment: the root documents, or the
/// nested documents of one nested field.
struct Level {
    blocks: Blocks,
    /// The level's `_nested` value, as the column's term ordinal (`None`
    /// for the root level; `Some(None)` when no document has it).
    ord: Option<Option<u64>>,
}

impl Level {
    /// The level of `path` (`None`: the root) in a segment.
    fn of(reader: &SegmentReader, path: Option<&str>) -> tantivy::Result<Level> {
        let blocks = Blocks::of(reader)?;
        let ord = match (path, &blocks.column) {
            (None, _) => None,
            (Some(p), Some(c)) => Some(c.dictionary().term_ord(p)?),
            (Some(_), None) => Some(None),
        };
        Ok(Level { blocks, ord })
    }

    /// Whether a document is of this level.
    fn holds(&self, doc: DocId) -> bool {
        let ord = self.blocks.column.as_ref().and_then(|c| c.term_ords(doc).next());
        match self.ord {
            None => ord.is_none(),
            Some(level) => ord.is_some() && ord == level,
        }
    }
}

/// The block join: parents (of the level `parent`) of the documents the
/// child query matches.
#[derive(Debug)]
pub(crate) struct NestedQuery {
    /// The query on the nested documents, limited to the nested field's.
    pub child: Box<dyn TQuery>,
    /// The level of the parents: the enclosing nested field, or the root.
    pub parent: Option<String>,
    pub score_mode: ScoreMode,
}

impl Clone for NestedQuery {
    fn clone(&self) -> NestedQuery {
        NestedQuery { child: self.child.box_clone(), parent: self.parent.clone(), score_mode: self.score_mode }
    }
}

impl TQuery for NestedQuery {
    fn weight(&self, scoring: EnableScoring<'_>) -> tantivy::Result<Box<dyn Weight>> {
        Ok(Box::new(NestedWeight {
            child: self.child.weight(scoring)?,
            parent: self.parent.clone(),
            score_mode: self.score_mode,
        }))
    }
}

struct NestedWeight {
    child: Box<dyn Weight>,
    parent: Option<String>,
    score_mode: ScoreMode,
}

impl Weight for NestedWeight {
    fn scorer(&self, reader: &SegmentReader, boost: Score) -> tantivy::Result<Box<dyn Scorer>> {
        let level = Level::of(reader, self.parent.as_deref())?;
        let mut joined: Vec<(DocId, Score)> = Vec::new();
        if level.blocks.column.is_some() {
            let mut child = self.child.scorer(reader, 1.0)?;
            let alive = reader.alive_bitset();
            let mut parent = TERMINATED;
            let mut scores: Vec<Score> = Vec::new();
            let mut flush = |parent: DocId, scores: &mut Vec<Score>| {
                if parent != TERMINATED && !scores.is_empty() {
                    joined.push((parent, self.score_mode.combine(scores) * boost));
                }
                scores.clear();
            };
            let max_doc = reader.max_doc();
            let mut doc = child.doc();
            while doc != TERMINATED {
                if alive.is_none_or(|a| a.is_alive(doc)) {
                    if parent == TERMINATED || doc >= parent {
                        flush(parent, &mut scores);
                        parent = (doc + 1..max_doc).find(|d| level.holds(*d)).unwrap_or(TERMINATED);
                    }
                    if parent == TERMINATED {
                        break;
                    }
                    scores.push(child.score());
                }
                doc = child.advance();
            }
            flush(parent, &mut scores);
        }
        Ok(Box::new(super::listed::Listed::new(joined)))
    }

    fn explain(&self, reader: &SegmentReader, doc: DocId) -> tantivy::Result<Explanation> {
        super::listed::explain_by_scorer(self, reader, doc, "Score based on the matching nested documents")
    }
}

/// The root document of a hit, as its nested documents show it.
pub(crate) struct Root {
    doc: StoredDoc,
    source: Option<Value>,
    /// The stored fields its source leaves out.
    kept: Option<Value>,
}

impl Root {
    pub(crate) fn of(doc: &StoredDoc) -> Root {
        let source = doc.source.as_deref().and_then(|s| serde_json::from_str(s).ok());
        Root { doc: StoredDoc { ignored: Vec::new(), ..doc.clone() }, source, kept: doc.kept() }
    }

    /// A nested document's object [`placed`], with the stored fields the
    /// source leaves out laid over it: what highlighting reads.
    fn placed_view(&self, identity: &[(String, usize)]) -> Option<Value> {
        let source = self.source.as_ref().and_then(|s| placed(s, identity));
        let kept = self.kept.as_ref().and_then(|k| placed(k, identity));
        crate::shard::with_kept(source, kept)
    }
}

/// The object of a nested document in (a filtered copy of) its root
/// document's source: `identity` names each nested field relative to the
/// one before, with the document's offset among its objects.
pub fn extract(source: &Value, identity: &[(String, usize)]) -> Option<Value> {
    let mut at = source;
    for (field, offset) in identity {
        at = *super::fields::objects_at(at, field).get(*offset)?;
    }
    Some(at.clone())
}

/// The object of a nested document alone, put back at its full path, so
/// that the mapping's full paths find its fields (highlighting, `fields`,
/// source filtering).
pub fn placed(source: &Value, identity: &[(String, usize)]) -> Option<Value> {
    let path: Vec<&str> = identity.iter().map(|(field, _)| field.as_str()).collect();
    Some(at_path(&path.join("."), extract(source, identity)?))
}

/// The object of a [`placed`] source (filtered or not) taken out again;
/// an empty object when filtering left nothing of it.
pub fn unplaced(placed: Value, identity: &[(String, usize)]) -> Value {
    let mut at = placed;
    for (field, _) in identity {
        at = match at {
            Value::Object(mut map) => map.remove(field).unwrap_or_default(),
            _ => Value::Null,
        };
    }
    if at.is_object() {
        at
    } else {
        Value::Object(Map::new())
    }
}

fn at_path(path: &str, value: Value) -> Value {
    path.rsplit('.').fold(value, |inner, part| {
        let mut object = Map::new();
        object.insert(part.to_owned(), inner);
        Value::Object(object)
    })
}

/// The `inner_hits` of a `nested` query for the document at `holder` (a
/// hit, or a nested document of one): the nested documents of its block
/// the query's inner query matches, best first, paged.
pub(crate) fn inner_hits(
    engine: &crate::Engine,
    index: &str,
    at: &super::Searched,
    holder: DocAddress,
    root: &Root,
    n: &Nested,
) -> Result<InnerHitsResult, EngineError> {
    let spec = n.inner_hits.as_ref().expect("a nested query with inner hits");
    let window = engine.index_setting(index, "index.max_inner_result_window").unwrap_or(100);
    if spec.from + spec.size > window {
        return Err(EngineError::IllegalArgument(format!(
            "Inner result window is too large, the inner hit definition's [{}]'s from + size must be less than or equal to: [{window}] but was [{}]. This limit can be set by changing the [index.max_inner_result_window] index level setting.",
            spec.name,
            spec.from + spec.size
        )));
    }
    let mut result = InnerHitsResult {
        name: spec.name.clone(),
        options: spec.options.clone(),
        total: 0,
        max_score: None,
        hits: Vec::new(),
    };
    let mapper = at.shards.mapper();
    let fields = crate::indexed::fields();
    let Some(child) = engine.compiler(index, &mapper, &fields).nested_child(n)? else { return Ok(result) };
    let failed = |e: tantivy::TantivyError| EngineError::Corrupt {
        path: index.into(),
        reason: format!("reading nested documents failed: {e}"),
    };
    let segment = at.searcher.segment_reader(holder.segment_ord);
    let blocks = Blocks::of(segment).map_err(failed)?;
    let start = blocks.start(holder.doc_id);
    let weight = child.weight(EnableScoring::enabled_from_searcher(&at.searcher)).map_err(failed)?;
    let mut scorer = weight.scorer(segment, 1.0).map_err(failed)?;
    let alive = segment.alive_bitset();
    let mut matched: Vec<(DocId, Score)> = Vec::new();
    let mut doc = if scorer.doc() < start { scorer.seek(start) } else { scorer.doc() };
    while doc < holder.doc_id {
        if alive.is_none_or(|a| a.is_alive(doc)) {
            matched.push((doc, scorer.score()));
        }
        doc = scorer.advance();
    }
    result.total = matched.len() as u64;
    result.max_score = matched.iter().map(|(_, s)| *s).reduce(f32::max);
    // By score (ties in document order), or by the inner hits' own sort.
    let mut sort_values: std::collections::HashMap<DocId, Vec<super::sort::SortValue>> = Default::default();
    if spec.sort.is_empty() {
        matched.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    } else {
        let values = inner_sort_values(&mapper, &spec.sort, segment, &matched)?;
        matched.sort_by(|a, b| {
            let (va, vb) = (&values[&a.0], &values[&b.0]);
            let by_keys = spec.sort.iter().zip(va.iter().zip(vb)).map(|(key, (x, y))| super::sort::compare(key, x, y));
            by_keys.fold(std::cmp::Ordering::Equal, std::cmp::Ordering::then).then(a.0.cmp(&b.0))
        });
        sort_values = values;
    }
    let highlight = spec.options.get("highlight").map(super::highlight::parse).transpose()?;
    let explain = spec.options.get("explain").is_some_and(|v| v == true || v == "true");
    let deeper = super::dsl::with_inner_hits(&n.query);
    for (doc, score) in matched.into_iter().skip(spec.from).take(spec.size) {
        let mut relative = Vec::new();
        let mut prefix = String::new();
        for (path, offset) in blocks.identity(doc, segment.max_doc()) {
            let name = path.strip_prefix(&prefix).map_or(path.as_str(), |p| p.trim_start_matches('.'));
            relative.push((name.to_owned(), offset));
            prefix = path;
        }
        let mut marked = Map::new();
        if let Some((h, placed)) = highlight.as_ref().zip(root.placed_view(&relative)) {
            let limits = super::highlight_limits(engine, index);
            marked = super::highlight::highlight(h, &n.query, &mapper, &placed, &limits, (index, doc))?;
        }
        let mut hit = Hit {
            index: index.to_owned(),
            score,
            // The root's source: the answer filters it, then takes the object out.
            doc: root.doc.clone(),
            sort: sort_values.remove(&doc).unwrap_or_default(),
            highlight: marked,
            group: None,
            matched_queries: Vec::new(),
            // How the inner query scores the nested document.
            explanation: explain.then(|| {
                let address = DocAddress { segment_ord: holder.segment_ord, doc_id: doc };
                super::explanation(child.as_ref(), &at.searcher, address, score)
            }),
            shard: at.shard,
            nested: relative,
            inner_hits: Vec::new(),
            // Read from the nested object's source.
            doc_values: None,
            column_fields: None,
        };
        let address = DocAddress { segment_ord: holder.segment_ord, doc_id: doc };
        for m in &deeper {
            hit.inner_hits.push(inner_hits(engine, index, at, address, root, m)?);
        }
        result.hits.push(hit);
    }
    Ok(result)
}
