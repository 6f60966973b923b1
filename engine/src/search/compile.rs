//! A parsed query turned into a tantivy query over an index's mapping:
//! text analysed with the field's search analyzer into `_text` terms, exact
//! values typed into `_terms` terms, as `indexed.rs` indexed them.

use super::dsl::{minimum_should_match, Query};
use super::multi_term::Rewrite;
use super::point_range::{IndexOrColumnRange, Point};
use super::term_pattern::{Pattern, PatternQuery, ScoredPattern};
use crate::error::EngineError;
use crate::indexed::Fields;
use crate::mapper::date_math::Zone;
use crate::mapper::{FieldKind, FieldMapper, IndexValue, Mapper};
use serde_json::Value;
use std::ops::Bound;
use tantivy::query::{
    AllQuery, BooleanQuery, BoostQuery, ConstScoreQuery, DisjunctionMaxQuery, EmptyQuery, Occur, PhrasePrefixQuery,
    PhraseQuery, Query as TQuery, RangeQuery, TermQuery,
};
use tantivy::schema::{Field, IndexRecordOption};
use tantivy::Term;

pub(crate) type Compiled = Box<dyn TQuery>;

/// The index settings that bound a query.
#[derive(Debug, Clone, Copy)]
pub struct QueryLimits {
    /// `index.max_regex_length`.
    pub max_regex_length: usize,
    /// `index.max_terms_count`.
    pub max_terms_count: usize,
    /// `index.max_result_window`, which also bounds an `ids` query.
    pub max_result_window: usize,
    /// `search.allow_expensive_queries`: when off, the queries Elasticsearch
    /// counts as expensive are refused.
    pub allow_expensive: bool,
}

/// The refusal of an expensive query while `search.allow_expensive_queries`
/// is off, with a hint after it.
fn expensive(what: &str, hint: &str) -> EngineError {
    EngineError::QueryShard(format!(
        "{what} cannot be executed when 'search.allow_expensive_queries' is set to false.{hint}"
    ))
}

#[derive(Clone, Copy)]
pub struct Compiler<'a> {
    pub mapper: &'a Mapper,
    pub fields: &'a Fields,
    /// The index's bounds on what a query may ask.
    pub limits: QueryLimits,
    /// The index searched: what `_index` queries match against.
    pub index: &'a str,
    /// The nested field whose documents the query is on (`None`: the root
    /// documents), inside a `nested` query.
    pub scope: Option<&'a str>,
}

fn boosted(q: Compiled, boost: f32) -> Compiled {
    if boost == 1.0 {
        q
    } else {
        Box::new(BoostQuery::new(q, boost))
    }
}

/// How a word matches fuzzily: its allowed edits (`AUTO`, `0`..`2`), the
/// characters that may not change, whether a swap is one edit, and how its
/// expansions match and score.
struct Fuzziness<'a> {
    distance: &'a str,
    prefix_length: usize,
    transpositions: bool,
    rewrite: Rewrite,
}

/// A fuzzy query's rewrite: the one it names, else the closest
/// `max_expansions` terms, blended.
fn fuzzy_rewrite(named: Option<Rewrite>, max_expansions: usize) -> Rewrite {
    named.unwrap_or(Rewrite::TopTermsBlendedFreqs(max_expansions))
}

fn term_query(term: Term) -> Compiled {
    Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs))
}

/// Whether a field's terms score by BM25 (text and keywords) rather than
/// as constant-score points.
fn scored_terms(f: &FieldMapper) -> bool {
    f.kind.is_text()
        || matches!(
            f.kind,
            FieldKind::Keyword | FieldKind::Wildcard | FieldKind::ConstantKeyword | FieldKind::Flattened
        )
}

/// A sequence number a query names: a whole number (as Elasticsearch's
/// `long` parsing, a query-shard error otherwise).
fn seq_no_value(value: &Value) -> Result<i64, EngineError> {
    let text = crate::settings_text(value);
    value
        .as_i64()
        .or_else(|| text.parse().ok())
        .ok_or_else(|| EngineError::QueryShard(format!("failed to create query: For input string: \"{text}\"")))
}

fn json_term(field: Field, path: &str) -> Term {
    Term::from_field_json_path(field, path, true)
}

/// A number as tantivy's JSON indexing normalises it: integral values as i64.
fn append_number(term: &mut Term, v: f64) {
    if v.fract() == 0.0 && v >= i64::MIN as f64 && v <= i64::MAX as f64 {
        term.append_type_and_fast_value(v as i64);
    } else {
        term.append_type_and_fast_value(v);
    }
}

impl Compiler<'_> {
    /// The mapped field a query names, following aliases.
    fn field(&self, name: &str) -> Option<&FieldMapper> {
        self.mapper.resolved(name)
    }

    /// The field a query names: a mapped one (following aliases), or a key
    /// of a `flattened` field (`labels.host`), whose values are keywords
    /// indexed under that path.
    fn query_field(&self, name: &str) -> Option<std::borrow::Cow<'_, FieldMapper>> {
        if let Some(f) = self.field(name) {
            return Some(std::borrow::Cow::Borrowed(f));
        }
        let f = self.mapper.flattened_holding(name)?;
        let keyed = FieldMapper { path: name.to_owned(), multi_fields: Vec::new(), ..f.clone() };
        Some(std::borrow::Cow::Owned(keyed))
    }

    /// The term of an exact value of a field (in `_terms`, or `_index_only`); `None` when the value
    /// cannot be one of the field's (the query then matches nothing).
    fn exact_term(&self, field: &FieldMapper, value: &Value) -> Option<Term> {
        let parsed = field.parse_value(&field.query_value(value)).ok()??;
        let mut term = json_term(crate::indexed::exact_field(self.mapper, field), &field.path);
        match parsed {
            IndexValue::Keyword(k) => term.append_type_and_str(&k),
            IndexValue::Long(v) | IndexValue::Date(v) => term.append_type_and_fast_value(v),
            IndexValue::Unsigned(v) => match i64::try_from(v) {
                Ok(i) => term.append_type_and_fast_value(i),
                Err(_) => term.append_type_and_fast_value(v),
            },
            IndexValue::Double(v) => append_number(&mut term, v),
            IndexValue::Bool(b) => term.append_type_and_fast_value(b),
            IndexValue::Ip(bits) => term.append_type_and_str(&format!("{bits:032x}")),
            IndexValue::Text(t) => return Some(self.text_term(field, &t)),
            // Range fields are queried by `range_field` instead.
            IndexValue::Geo { .. } | IndexValue::Ignored | IndexValue::SourceOnly | IndexValue::Range(_) => {
                return None
            }
        }
        Some(term)
    }

    /// A value's term, or the error a value the field cannot take is.
    fn strict_term(&self, field: &FieldMapper, value: &Value) -> Result<Option<Term>, EngineError> {
        if let Err(reason) = field.parse_value(&field.query_value(value)) {
            let reason = if reason.is_empty() {
                format!("For input string: \"{}\"", crate::settings_text(value))
            } else {
                reason
            };
            return Err(EngineError::QueryShard(format!("failed to create query: {reason}")));
        }
        Ok(self.exact_term(field, value))
    }

    /// The analysed words of a text for a text field (its search analyzer,
    /// or a named one), with their positions.
    fn words(
        &self,
        field: &FieldMapper,
        analyzer: Option<&str>,
        text: &str,
    ) -> Result<Vec<(u32, String)>, EngineError> {
        let analyzer = match analyzer {
            Some(name) => self
                .mapper
                .analyzers
                .analyzer(name)
                .map_err(|_| EngineError::QueryShard(format!("[match] analyzer [{name}] not found")))?,
            None => field.search_analyzer.clone().unwrap_or_else(|| self.mapper.analyzers.default_search_analyzer()),
        };
        Ok(analyzer.analyze(text).into_iter().map(|t| (t.position, t.term)).collect())
    }

    /// A scored query on a text field's term, with the field's own BM25
    /// statistics: tantivy's own over the field's text slot, or Tensile's
    /// over the shared `_text` field.
    fn text_term_query(&self, field: &FieldMapper, term: Term) -> Compiled {
        super::multi_term::TermScoring::of(self.mapper, field).query(term)
    }

    /// A query on a text field's slot, scored with the field's own statistics.
    fn field_scored(&self, field: &FieldMapper, query: Compiled) -> Compiled {
        match self.mapper.text_slot(&field.path) {
            Some(_) => Box::new(super::bm25::FieldStatsQuery { inner: query, path: field.path.clone() }),
            None => query,
        }
    }

    /// The tantivy field a text field's terms are in, and the bytes they
    /// start with there (its path, in the shared `_text` field).
    pub(crate) fn text_location(&self, field: &FieldMapper) -> (Field, Term) {
        crate::indexed::term_location(self.mapper, field)
    }

    /// A text field's term for an analysed word.
    fn text_term(&self, field: &FieldMapper, word: &str) -> Term {
        let (_, mut term) = self.text_location(field);
        term.append_bytes(word.as_bytes());
        term
    }

    /// The terms of a field starting with `word`.
    fn prefix_of(&self, field: &FieldMapper, word: &str) -> Result<Compiled, EngineError> {
        // Part of a phrase prefix or fuzzy match: not an expensive query of its own.
        let prefix = tensile_regexp::Regex::prefix(word);
        let pattern = Pattern {
            regex: &prefix,
            case_insensitive: false,
            max_states: tensile_regexp::DEFAULT_MAX_STATES,
            rewrite: Rewrite::ConstantScore,
        };
        self.matching_terms(&field.path, &pattern, 1.0, "prefix")
    }

    /// The terms within the edit distance `fuzziness` allows of `word`, the
    /// first `prefix_length` characters exact; under a constant-score
    /// rewrite, every expansion scores one.
    fn fuzzy(&self, field: &FieldMapper, term: Term, word: &str, options: &Fuzziness) -> Result<Compiled, EngineError> {
        let fuzzy = self.fuzzy_expansions(field, term, word, options)?;
        Ok(match options.rewrite {
            Rewrite::ConstantScore => Box::new(ConstScoreQuery::new(fuzzy, 1.0)),
            _ => fuzzy,
        })
    }

    /// [`Compiler::fuzzy`] before a constant-score rewrite's one score.
    fn fuzzy_expansions(
        &self,
        field: &FieldMapper,
        term: Term,
        word: &str,
        options: &Fuzziness,
    ) -> Result<Compiled, EngineError> {
        if !self.limits.allow_expensive {
            return Err(expensive("[fuzzy] queries", ""));
        }
        let distance = super::dsl::edit_distance_for(options.distance, word.chars().count())?;
        let scoring = super::multi_term::TermScoring::of(self.mapper, field);
        if distance == 0 {
            return Ok(scoring.query(term));
        }
        // The field's term for the empty word, and the word as indexed (a
        // keyword's normalised) after it.
        let (_, base) = crate::indexed::term_location(self.mapper, field);
        let indexed = term.serialized_value_bytes().strip_prefix(base.serialized_value_bytes());
        let text = indexed.and_then(|b| std::str::from_utf8(b).ok()).unwrap_or(word).to_owned();
        Ok(Box::new(super::fuzzy_scored::ScoredFuzzy {
            base,
            word: text,
            distance,
            transpositions: options.transpositions,
            prefix_length: options.prefix_length,
            scoring,
            rewrite: options.rewrite,
        }))
    }

    /// A query on a metadata field that every document has or that names
    /// documents by id: `term`, `terms` or `match` on `_id` (an `ids`
    /// query), `exists` on `_id`, `_index`, `_seq_no`, `_version` (every
    /// document); `term`, `terms` and `range` on `_seq_no`; `term`, `terms`
    /// and `exists` on `_ignored`, `exists` on `_routing`; `exists` on
    /// `_source` is refused as Elasticsearch does.
    fn on_id(&self, q: &Query) -> Result<Option<Compiled>, EngineError> {
        let ids = |values: Vec<String>| self.compile(&Query::Ids { values });
        Ok(Some(match q {
            Query::Term { field, value, .. } if field == "_id" => ids(vec![crate::settings_text(value)])?,
            Query::Terms { field, values, .. } if field == "_id" => {
                ids(values.iter().map(crate::settings_text).collect())?
            }
            Query::Match { field, text, .. } if field == "_id" => ids(vec![text.clone()])?,
            Query::Term { field, value, boost } if field == "_seq_no" => {
                let v = seq_no_value(value)?;
                boosted(self.seq_no_range(Bound::Included(v), Bound::Included(v)), *boost)
            }
            Query::Terms { field, values, boost, .. } if field == "_seq_no" => {
                let each = values
                    .iter()
                    .map(|value| {
                        let v = seq_no_value(value)?;
                        Ok((Occur::Should, self.seq_no_range(Bound::Included(v), Bound::Included(v))))
                    })
                    .collect::<Result<Vec<_>, EngineError>>()?;
                boosted(Box::new(ConstScoreQuery::new(Box::new(BooleanQuery::new(each)), 1.0)), *boost)
            }
            Query::Range { field, gt, gte, lt, lte, boost, .. } if field == "_seq_no" => {
                let bound = |included: &Option<Value>, excluded: &Option<Value>| -> Result<Bound<i64>, EngineError> {
                    Ok(match (included, excluded) {
                        (Some(v), _) => Bound::Included(seq_no_value(v)?),
                        (None, Some(v)) => Bound::Excluded(seq_no_value(v)?),
                        (None, None) => Bound::Unbounded,
                    })
                };
                boosted(self.seq_no_range(bound(gte, gt)?, bound(lte, lt)?), *boost)
            }
            Query::Exists { field }
                if ["_id", "_index", "_seq_no", "_version", "_primary_term"].contains(&field.as_str()) =>
            {
                Box::new(ConstScoreQuery::new(Box::new(AllQuery), 1.0))
            }
            // Fields whose values were ignored: their names are `_ignored`'s terms.
            Query::Term { field, value, .. } if field == "_ignored" => {
                term_query(Term::from_field_text(self.fields.ignored, &crate::settings_text(value)))
            }
            Query::Terms { field, values, .. } if field == "_ignored" => Box::new(ConstScoreQuery::new(
                Box::new(BooleanQuery::new(
                    values
                        .iter()
                        .map(|v| {
                            (
                                Occur::Should,
                                term_query(Term::from_field_text(self.fields.ignored, &crate::settings_text(v))),
                            )
                        })
                        .collect(),
                )),
                1.0,
            )),
            // Documents with any term in a metadata field of their own.
            Query::Exists { field } if field == "_ignored" || field == "_routing" => {
                let indexed = if field == "_ignored" { self.fields.ignored } else { self.fields.routing };
                let any = tantivy::query::RegexQuery::from_pattern(".+", indexed)
                    .map_err(|e| EngineError::Corrupt { path: field.into(), reason: e.to_string() })?;
                Box::new(ConstScoreQuery::new(Box::new(any), 1.0))
            }
            Query::Exists { field } if field == "_source" => {
                return Err(EngineError::QueryShard("the [_source] field cannot be queried".into()))
            }
            _ => return Ok(None),
        }))
    }

    /// Whether a query on the `_index` field matches this index (`None`
    /// for a query on any other field).
    fn on_index_name(&self, q: &Query) -> Option<(bool, f32)> {
        let name = |v: &Value| crate::settings_text(v) == self.index;
        match q {
            Query::Term { field, value, boost } if field == "_index" => Some((name(value), *boost)),
            Query::Terms { field, values, boost, .. } if field == "_index" => Some((values.iter().any(name), *boost)),
            Query::Match { field, text, boost, .. } | Query::MatchPhrase { field, text, boost, .. }
                if field == "_index" =>
            {
                Some((text == self.index, *boost))
            }
            Query::Pattern { field, regex, case_insensitive, max_states, boost, .. } if field == "_index" => {
                let dfa = regex.compile(*case_insensitive, *max_states).ok()?;
                Some((dfa.matches(self.index), *boost))
            }
            _ => None,
        }
    }

    /// A search's query: on the root documents alone when the index has
    /// nested ones.
    pub fn compile_top(&self, q: &Query) -> Result<Compiled, EngineError> {
        let compiled = self.compile(q)?;
        if !self.mapper.has_nested() {
            return Ok(compiled);
        }
        let mut clauses = vec![(Occur::Must, compiled)];
        for path in self.mapper.nested_paths() {
            clauses.push((Occur::MustNot, term_query(Term::from_field_text(self.fields.nested, path))));
        }
        Ok(Box::new(BooleanQuery::new(clauses)))
    }

    /// A `more_like_this` query: the liked texts' terms in each field, as
    /// candidates the searcher's frequencies choose from.
    fn more_like_this(&self, m: &super::more_like_this::MoreLikeThis) -> Result<Compiled, EngineError> {
        use super::more_like_this::Like;
        let mut fields: Vec<&FieldMapper> = if m.fields.is_empty() {
            self.mapper
                .fields
                .values()
                .map(|f| &**f)
                .filter(|f| f.kind.is_text() || f.kind == FieldKind::Keyword)
                .collect()
        } else {
            let mut named = Vec::new();
            for pattern in &m.fields {
                for (path, f) in &self.mapper.fields {
                    if !crate::resolve::wildcard_match(pattern, path) {
                        continue;
                    }
                    if f.kind.is_text() || f.kind == FieldKind::Keyword {
                        named.push(&**f);
                    } else if m.fail_on_unsupported_field && !pattern.contains('*') {
                        return Err(EngineError::IllegalArgument(format!(
                            "more_like_this only supports text/keyword fields: [{path}]"
                        )));
                    }
                }
            }
            named
        };
        fields.sort_by(|a, b| a.path.cmp(&b.path));
        fields.dedup_by(|a, b| a.path == b.path);
        // Each field's terms in some texts, with their frequencies.
        let terms_of = |likes: &[Like]| -> Result<std::collections::HashMap<Term, (u64, Option<String>)>, EngineError> {
            let mut out = std::collections::HashMap::new();
            for f in &fields {
                let texts: Vec<String> = likes
                    .iter()
                    .flat_map(|like| match like {
                        Like::Text(t) => vec![t.clone()],
                        Like::Source { source, .. } => {
                            let path = super::fields::source_path(self.mapper, f);
                            crate::source_filter::values_at(source, path).iter().map(crate::settings_text).collect()
                        }
                        Like::Document { .. } => Vec::new(),
                    })
                    .collect();
                for text in texts {
                    let words: Vec<String> = if f.kind.is_text() {
                        self.words(f, m.analyzer.as_deref(), &text)?.into_iter().map(|(_, w)| w).collect()
                    } else {
                        vec![text]
                    };
                    for word in words.into_iter().filter(|w| m.keeps(w)) {
                        let term = if f.kind.is_text() {
                            Some(self.text_term(f, &word))
                        } else {
                            self.exact_term(f, &Value::String(word))
                        };
                        if let Some(term) = term {
                            let path = f.kind.is_text().then(|| f.path.clone());
                            out.entry(term).or_insert((0, path)).0 += 1;
                        }
                    }
                }
            }
            Ok(out)
        };
        let unliked = terms_of(&m.unlike)?;
        let mut candidates: Vec<(Term, u64, Option<String>)> = terms_of(&m.like)?
            .into_iter()
            .filter(|(t, _)| !unliked.contains_key(t))
            .map(|(t, (tf, path))| (t, tf, path))
            .collect();
        candidates.sort_by(|a, b| a.0.cmp(&b.0));
        let query: Compiled = Box::new(super::more_like_this::MoreLikeThisQuery {
            candidates,
            min_term_freq: m.min_term_freq,
            min_doc_freq: m.min_doc_freq,
            max_doc_freq: m.max_doc_freq,
            max_query_terms: m.max_query_terms,
            minimum_should_match: m.minimum_should_match.clone(),
            boost_terms: m.boost_terms,
        });
        let liked = m.liked_ids();
        let query = if m.include || liked.is_empty() {
            query
        } else {
            let ids = self.compile(&Query::Ids { values: liked })?;
            Box::new(BooleanQuery::new(vec![(Occur::Must, query), (Occur::MustNot, ids)]))
        };
        Ok(boosted(query, m.boost))
    }

    /// A `nested` query: its query on the documents of its nested field,
    /// joined to the documents holding them.
    fn nested(&self, n: &super::dsl::Nested) -> Result<Compiled, EngineError> {
        if !self.limits.allow_expensive {
            return Err(expensive("[joining] queries", ""));
        }
        let Some(child) = self.nested_child(n)? else { return Ok(Box::new(EmptyQuery)) };
        let joined =
            super::nested::NestedQuery { child, parent: self.scope.map(str::to_owned), score_mode: n.score_mode };
        Ok(boosted(Box::new(joined), n.boost))
    }

    /// A `nested` query's query on the documents of its nested field
    /// alone; `None` when the field is unmapped and that is to be ignored.
    pub(crate) fn nested_child(&self, n: &super::dsl::Nested) -> Result<Option<Compiled>, EngineError> {
        if !self.mapper.is_nested(&n.path) {
            if n.ignore_unmapped {
                return Ok(None);
            }
            return Err(EngineError::QueryShard(format!(
                "[nested] failed to find nested object under path [{}]",
                n.path
            )));
        }
        let inner = Compiler { scope: Some(&n.path), ..*self }.compile(&n.query)?;
        let of_path = Term::from_field_text(self.fields.nested, &n.path);
        Ok(Some(Box::new(BooleanQuery::new(vec![
            (Occur::Must, inner),
            (Occur::Must, Box::new(ConstScoreQuery::new(term_query(of_path), 0.0))),
        ]))))
    }

    /// An `intervals` rule resolved on a text field: its texts analysed,
    /// its patterns left to expand per segment.
    fn interval_source(
        &self,
        f: &FieldMapper,
        rule: &super::intervals::Rule,
    ) -> Result<super::intervals::Source, EngineError> {
        use super::intervals::{Rule, Source};
        let filter = |filter: &Option<Box<super::intervals::Filter>>| -> Result<_, EngineError> {
            filter.as_ref().map(|fl| Ok((fl.kind, self.interval_source(f, &fl.rule)?))).transpose()
        };
        let all = |rules: &[Rule]| rules.iter().map(|r| self.interval_source(f, r)).collect::<Result<Vec<_>, _>>();
        Ok(match rule {
            Rule::Match { query, max_gaps, ordered, analyzer, filter: fl } => {
                let terms =
                    self.words(f, analyzer.as_deref(), query)?.iter().map(|(_, w)| self.text_term(f, w)).collect();
                Source::of_terms(terms, *ordered, *max_gaps).filtered(filter(fl)?)
            }
            Rule::Expand { kind, matcher } => {
                let (_, path) = self.text_location(f);
                Source::Expand { kind, path, matcher: matcher.clone() }
            }
            Rule::AllOf { rules, max_gaps, ordered, filter: fl } => {
                let sources = all(rules)?;
                let combined = if *ordered {
                    Source::Ordered { sources, max_gaps: *max_gaps }
                } else {
                    Source::Unordered { sources, max_gaps: *max_gaps }
                };
                combined.filtered(filter(fl)?)
            }
            Rule::AnyOf { rules, filter: fl } => Source::Or(all(rules)?).filtered(filter(fl)?),
            Rule::Term(text) => Source::Terms(vec![self.text_term(f, text)]),
            Rule::First { rule, end } => Source::First { source: Box::new(self.interval_source(f, rule)?), end: *end },
            Rule::Related { rule, filter: fl } => {
                let related = (fl.kind, self.interval_source(f, &fl.rule)?);
                self.interval_source(f, rule)?.filtered(Some(related))
            }
            Rule::Masked { field, rule } => match self.field(field) {
                Some(own) if own.kind.is_text() => self.interval_source(own, rule)?,
                Some(own) => {
                    return Err(EngineError::IllegalArgument(format!(
                        "Can only use span queries on text fields - not on [{field}] which is of type [{}]",
                        own.type_name
                    )))
                }
                None => Source::Nothing,
            },
        })
    }

    pub fn compile(&self, q: &Query) -> Result<Compiled, EngineError> {
        if let Some(q) = self.on_id(q)? {
            return Ok(q);
        }
        if let Some((matches, boost)) = self.on_index_name(q) {
            return Ok(if matches {
                Box::new(ConstScoreQuery::new(Box::new(AllQuery), boost))
            } else {
                Box::new(EmptyQuery)
            });
        }
        // A field pattern (`*`, `title.*`): the best of the fields it names.
        if let Query::Match { field, .. }
        | Query::MatchPhrase { field, .. }
        | Query::Fuzzy { field, .. }
        | Query::Pattern { field, .. } = q
        {
            if field.contains('*') {
                return Ok(Box::new(DisjunctionMaxQuery::new(self.expanded(q)?)));
            }
        }
        Ok(match q {
            // A constant score rather than a bare `AllQuery`: tantivy drops
            // an `AllQuery` beside other required clauses, and its score with it.
            Query::MatchAll { boost } => Box::new(ConstScoreQuery::new(Box::new(AllQuery), *boost)),
            Query::Named { query, .. } => self.compile(query)?,
            Query::Nested(n) => self.nested(n)?,
            Query::MoreLikeThis(m) => self.more_like_this(m)?,
            Query::RankFeature { field, function, boost } => {
                // The field, or the `rank_features` field holding it as a feature.
                let mapped = self.mapper.fields.get(field).cloned().or_else(|| {
                    let (parent, _) = field.rsplit_once('.')?;
                    self.mapper.fields.get(parent).filter(|f| f.kind == FieldKind::RankFeatures).cloned()
                });
                let Some(f) = mapped else { return Ok(Box::new(EmptyQuery)) };
                if !matches!(f.kind, FieldKind::RankFeature | FieldKind::RankFeatures) {
                    return Err(EngineError::IllegalArgument(format!(
                        "[rank_feature] query only works on [rank_feature] fields and features of [rank_features] fields, not [{}]",
                        f.type_name
                    )));
                }
                if !f.positive_impact && matches!(function, super::rank_feature::RankFunction::Log { .. }) {
                    return Err(EngineError::IllegalArgument(format!(
                        "Cannot use the [log] function with a field that has a negative score impact as it would trigger negative scores, field [{field}]"
                    )));
                }
                let query = super::rank_feature::RankFeatureQuery {
                    exists: Term::from_field_text(self.fields.exists, field),
                    column: format!("_terms.{field}"),
                    function: *function,
                    positive: f.positive_impact,
                };
                boosted(Box::new(query), *boost)
            }
            Query::TermsSet { field, terms, minimum, boost } => {
                let Some(f) = self.query_field(field) else { return Ok(Box::new(EmptyQuery)) };
                let f: &FieldMapper = &f;
                if let super::dsl::TermsMinimum::Field(minimum_field) = minimum {
                    let Some(m) = self.field(minimum_field) else {
                        return Err(EngineError::QueryShard(format!(
                            "failed to find minimum_should_match field [{minimum_field}]"
                        )));
                    };
                    m.field_data()?;
                }
                let mut queries: Vec<Compiled> = Vec::with_capacity(terms.len());
                for value in terms {
                    if let Some(t) = self.strict_term(f, value)? {
                        queries.push(if f.kind.is_text() { self.text_term_query(f, t) } else { term_query(t) });
                    }
                }
                let q: Compiled = match minimum {
                    super::dsl::TermsMinimum::Field(minimum_field) => {
                        let column = format!("_terms.{minimum_field}");
                        Box::new(super::terms_set::TermsSetQuery { terms: queries, column })
                    }
                    // As many of the terms as a `bool` query's `minimum_should_match` says (one at least).
                    super::dsl::TermsMinimum::Count(spec) => {
                        let required = minimum_should_match(spec, terms.len()).max(1);
                        let clauses = queries.into_iter().map(|q| (Occur::Should, q)).collect();
                        Box::new(BooleanQuery::with_minimum_required_clauses(clauses, required))
                    }
                };
                boosted(q, *boost)
            }
            Query::Intervals { field, rule, boost } => {
                let Some(f) = self.query_field(field) else { return Ok(Box::new(EmptyQuery)) };
                let f: &FieldMapper = &f;
                if !f.kind.is_text() {
                    return Err(EngineError::IllegalArgument(format!(
                        "Can only use interval queries on text fields - not on [{field}] which is of type [{}]",
                        f.type_name
                    )));
                }
                let source = self.interval_source(f, rule)?;
                Box::new(super::intervals::IntervalsQuery { source, boost: *boost })
            }
            // Read before compiling (`Engine::with_lookups`); unread, it matches nothing.
            Query::TermsLookup { .. } => Box::new(EmptyQuery),
            Query::MatchNone => Box::new(EmptyQuery),
            Query::Term { field, value, boost } => {
                let Some(f) = self.query_field(field) else { return Ok(Box::new(EmptyQuery)) };
                let f: &FieldMapper = &f;
                // A term on a range field: the ranges holding that point.
                if let FieldKind::Range(kind) = f.kind {
                    let date = |v: &Value, up: bool| self.date_bound(f, &crate::settings_text(v), &Zone::UTC, up);
                    let date = |v: &Value, up: bool| date(v, up).map_err(|e| e.to_string());
                    let point = crate::mapper::range::point(kind, value, &date)
                        .map_err(|e| EngineError::QueryShard(format!("failed to create query: {e}")))?;
                    return Ok(self.range_field_query(f, kind, point, Default::default(), *boost));
                }
                let Some(term) = self.strict_term(f, value)? else { return Ok(Box::new(EmptyQuery)) };
                if f.kind.is_text() {
                    boosted(self.text_term_query(f, term), *boost)
                } else if scored_terms(f) {
                    boosted(term_query(term), *boost)
                } else {
                    // Numbers, dates, booleans and IPs match as points in Lucene: a constant score.
                    Box::new(ConstScoreQuery::new(term_query(term), *boost))
                }
            }
            Query::Terms { field, values, .. } if values.len() > self.limits.max_terms_count => {
                return Err(EngineError::IllegalArgument(format!(
                    "The number of terms [{}] used in the Terms Query request has exceeded the allowed maximum of [{}]. This maximum can be set by changing the [index.max_terms_count] index level setting.",
                    values.len(),
                    self.limits.max_terms_count
                )));
            }
            Query::Terms { field, values, boost, bitmap } => {
                let Some(f) = self.query_field(field) else { return Ok(Box::new(EmptyQuery)) };
                let f: &FieldMapper = &f;
                if *bitmap && !(f.index && f.kind.is_integer()) {
                    return Err(EngineError::QueryShard(format!(
                        "[terms] query with a bitmap [format] needs an indexed integer field, [{field}] is {}",
                        if f.index { format!("of type [{}]", f.type_name) } else { "not indexed".to_owned() }
                    )));
                }
                let terms: Vec<(Occur, Compiled)> = values
                    .iter()
                    .filter_map(|v| self.exact_term(f, v))
                    .map(|t| (Occur::Should, term_query(t)))
                    .collect();
                Box::new(ConstScoreQuery::new(Box::new(BooleanQuery::new(terms)), *boost))
            }
            Query::Match {
                field,
                text,
                and,
                minimum_should_match: msm,
                boost,
                analyzer,
                zero_terms_all,
                fuzziness,
                prefix_length,
                transpositions,
                fuzzy_rewrite: named_rewrite,
                max_expansions,
                bool_prefix,
                lenient,
            } => {
                let Some(f) = self.query_field(field) else { return Ok(Box::new(EmptyQuery)) };
                let f: &FieldMapper = &f;
                let words: Vec<String> = if f.kind.is_text() {
                    self.words(f, analyzer.as_deref(), text)?.into_iter().map(|(_, w)| w).collect()
                } else {
                    vec![text.clone()]
                };
                let occur = if *and { Occur::Must } else { Occur::Should };
                let last = words.len().saturating_sub(1);
                let mut clauses: Vec<(Occur, Compiled)> = Vec::new();
                for (i, word) in words.iter().enumerate() {
                    let term = if f.kind.is_text() {
                        Some(self.text_term(f, word))
                    } else if *lenient {
                        self.exact_term(f, &Value::String(word.clone()))
                    } else {
                        self.strict_term(f, &Value::String(word.clone()))?
                    };
                    let Some(term) = term else { continue };
                    let stringy = f.kind.is_text() || f.kind == FieldKind::Keyword;
                    let q = match fuzziness {
                        _ if *bool_prefix && i == last && stringy => self.prefix_of(f, word)?,
                        Some(fz) if stringy => {
                            let options = Fuzziness {
                                distance: fz,
                                prefix_length: *prefix_length,
                                transpositions: *transpositions,
                                rewrite: fuzzy_rewrite(*named_rewrite, *max_expansions),
                            };
                            self.fuzzy(f, term, word, &options)?
                        }
                        _ if f.kind.is_text() => self.text_term_query(f, term),
                        _ if scored_terms(f) => term_query(term),
                        // Numbers, dates, booleans and IPs match as points in Lucene: a constant score.
                        _ => Box::new(ConstScoreQuery::new(term_query(term), 1.0)),
                    };
                    clauses.push((occur, q));
                }
                let n = clauses.len();
                let q: Compiled = match (n, msm) {
                    (0, _) if *zero_terms_all => Box::new(AllQuery),
                    (0, _) => Box::new(EmptyQuery),
                    (1, None) => clauses.remove(0).1,
                    (_, Some(spec)) if !*and => Box::new(BooleanQuery::with_minimum_required_clauses(
                        clauses,
                        minimum_should_match(spec, n).max(1),
                    )),
                    _ => Box::new(BooleanQuery::new(clauses)),
                };
                boosted(q, *boost)
            }
            Query::MatchPhrase { field, text, slop, boost, prefix, max_expansions, analyzer } => {
                let Some(f) = self.query_field(field) else { return Ok(Box::new(EmptyQuery)) };
                let f: &FieldMapper = &f;
                if !f.kind.is_text() {
                    let term = self.exact_term(f, &Value::String(text.clone()));
                    return Ok(boosted(term.map_or_else(|| Box::new(EmptyQuery) as Compiled, term_query), *boost));
                }
                let words = self.words(f, analyzer.as_deref(), text)?;
                let first = words.first().map_or(0, |(p, _)| *p);
                let terms: Vec<(usize, Term)> =
                    words.iter().map(|(p, w)| ((p - first) as usize, self.text_term(f, w))).collect();
                let q: Compiled = match (terms.len(), prefix) {
                    (0, _) => Box::new(EmptyQuery),
                    (1, true) => self.prefix_of(f, &words[0].1)?,
                    (1, false) => self.text_term_query(f, terms.into_iter().next().expect("one term").1),
                    (_, true) => {
                        let mut phrase = PhrasePrefixQuery::new_with_offset(terms);
                        phrase.set_max_expansions(u32::try_from(*max_expansions).unwrap_or(u32::MAX));
                        self.field_scored(f, Box::new(phrase))
                    }
                    (_, false) => self.field_scored(f, Box::new(PhraseQuery::new_with_offset_and_slop(terms, *slop))),
                };
                boosted(q, *boost)
            }
            Query::Fuzzy { field, value, fuzziness, prefix_length, transpositions, max_expansions, rewrite, boost } => {
                let Some(f) = self.field(field) else { return Ok(Box::new(EmptyQuery)) };
                let term = if f.kind.is_text() {
                    Some(self.text_term(f, value))
                } else if f.kind == FieldKind::Keyword {
                    self.exact_term(f, &Value::String(value.clone()))
                } else {
                    return Err(EngineError::QueryShard(format!(
                        "Can only use fuzzy queries on keyword and text fields - not on [{}] which is of type [{}]",
                        f.path, f.type_name
                    )));
                };
                let Some(term) = term else { return Ok(Box::new(EmptyQuery)) };
                let fuzzy = Fuzziness {
                    distance: fuzziness,
                    prefix_length: *prefix_length,
                    transpositions: *transpositions,
                    rewrite: fuzzy_rewrite(*rewrite, *max_expansions),
                };
                boosted(self.fuzzy(f, term, value, &fuzzy)?, *boost)
            }
            Query::Range { field, gt, gte, lt, lte, format, time_zone, lenient_zone, relation, boost } => {
                let on_dates = self
                    .field(field)
                    .is_some_and(|f| matches!(f.kind, FieldKind::Date | FieldKind::DateNanos | FieldKind::Range(_)));
                let zone = time_zone.as_deref().filter(|_| on_dates || !*lenient_zone);
                self.range(field, [gt, gte, lt, lte], format, zone, *relation, *boost)?
            }
            Query::Exists { field } => match self.field(field) {
                Some(f) => crate::indexed::holding(self.mapper, f),
                // Objects (and names the mapping does not know) by their paths.
                None => term_query(Term::from_field_text(self.fields.exists, field)),
            },
            Query::Ids { values } if values.len() > self.limits.max_result_window => {
                return Err(EngineError::QueryShard(format!(
                    "failed to create query: Too many ids specified, allowed max result window is [{}]",
                    self.limits.max_result_window
                )));
            }
            Query::Ids { values } => {
                let ids = values
                    .iter()
                    .map(|id| (Occur::Should, term_query(Term::from_field_text(self.fields.id, id))))
                    .collect();
                Box::new(ConstScoreQuery::new(Box::new(BooleanQuery::new(ids)), 1.0))
            }
            Query::Bool { must, should, must_not, filter, minimum_should_match: msm, boost } => {
                let mut clauses: Vec<(Occur, Compiled)> = Vec::new();
                for q in must {
                    clauses.push((Occur::Must, self.compile(q)?));
                }
                for q in filter {
                    clauses.push((Occur::Must, Box::new(ConstScoreQuery::new(self.compile(q)?, 0.0))));
                }
                for q in must_not {
                    clauses.push((Occur::MustNot, self.compile(q)?));
                }
                let required = must.len() + filter.len();
                let mut optional = Vec::new();
                for q in should {
                    optional.extend(self.expanded(q)?.into_iter().map(|c| (Occur::Should, c)));
                }
                let n = optional.len();
                let min = match msm {
                    Some(spec) => minimum_should_match(spec, n),
                    None if required == 0 && n > 0 => 1,
                    None => 0,
                };
                if min > 0 && n > 0 {
                    clauses.push((Occur::Must, Box::new(BooleanQuery::with_minimum_required_clauses(optional, min))));
                } else {
                    clauses.extend(optional);
                }
                if clauses.iter().all(|(o, _)| *o == Occur::MustNot) {
                    // A purely negative query matches everything else, as in Elasticsearch.
                    clauses.push((Occur::Must, Box::new(ConstScoreQuery::new(Box::new(AllQuery), 0.0))));
                }
                boosted(Box::new(BooleanQuery::new(clauses)), *boost)
            }
            Query::ConstantScore { filter, boost } => Box::new(ConstScoreQuery::new(self.compile(filter)?, *boost)),
            Query::DisMax { queries, tie_breaker, boost } => {
                let mut disjuncts = Vec::new();
                for q in queries {
                    disjuncts.extend(self.expanded(q)?);
                }
                boosted(Box::new(DisjunctionMaxQuery::with_tie_breaker(disjuncts, *tie_breaker)), *boost)
            }
            Query::Pattern { field, regex, case_insensitive, max_states, rewrite, boost, kind } => {
                let pattern =
                    Pattern { regex, case_insensitive: *case_insensitive, max_states: *max_states, rewrite: *rewrite };
                self.pattern(field, &pattern, *boost, kind)?
            }
            Query::FunctionScore(fs) => Box::new(self.function_score(fs)?),
            Query::DistanceFeature { field, origin, pivot, boost } => {
                let Some(f) = self.field(field) else { return Ok(Box::new(EmptyQuery)) };
                let bad = |what: &str, v: &Value| {
                    super::dsl::parsing(format!(
                        "[distance_feature] failed to parse [{what}] [{}]",
                        crate::settings_text(v)
                    ))
                };
                let (column, lon_column, origin, pivot) = match f.kind {
                    FieldKind::GeoPoint => {
                        let point = crate::mapper::field::geo_point(origin).map_err(|_| bad("origin", origin))?;
                        let meters = crate::mapper::geo::parse_distance(&crate::settings_text(pivot)).ok_or_else(|| bad("pivot", pivot))?;
                        (format!("_terms.{}.lat", f.path), Some(format!("_terms.{}.lon", f.path)), point, meters)
                    }
                    FieldKind::Date | FieldKind::DateNanos => {
                        let Ok(Some(IndexValue::Date(at))) = f.parse_value(origin) else { return Err(bad("origin", origin)) };
                        let span = tensile_rest::TimeValue::parse("pivot", &crate::settings_text(pivot)).map_err(|_| bad("pivot", pivot))?;
                        let span = if f.kind == FieldKind::DateNanos { span.nanos() } else { span.millis() };
                        (format!("_terms.{}", f.path), None, (at as f64, 0.0), span as f64)
                    }
                    _ => {
                        return Err(EngineError::QueryShard(format!(
                            "Illegal data type of [{}]! [distance_feature] query can only be run on a date, date_nanos or geo_point field type!",
                            f.type_name
                        )))
                    }
                };
                let function = super::function_score::Compiled {
                    filter: None,
                    weight: 1.0,
                    kind: super::function_score::CompiledKind::Saturation { column, lon_column, origin, pivot },
                };
                Box::new(super::function_score::FunctionScoreQuery {
                    inner: self.compile(&Query::Exists { field: f.path.clone() })?,
                    functions: vec![function],
                    score_mode: super::function_score::Combine::Multiply,
                    boost_mode: super::function_score::Combine::Replace,
                    max_boost: f64::from(f32::MAX),
                    min_score: None,
                    boost: *boost,
                })
            }
            Query::AcrossFields {
                fields,
                text,
                and,
                minimum_should_match: msm,
                zero_terms_all,
                tie_breaker,
                text_only,
                boost,
            } => {
                // The fields (patterns expanded), each with its boost.
                let mut targets: Vec<(&FieldMapper, f32)> = Vec::new();
                for (pattern, field_boost) in fields {
                    let mut names: Vec<&String> =
                        self.mapper.fields.keys().filter(|p| crate::resolve::wildcard_match(pattern, p)).collect();
                    names.sort();
                    for name in names {
                        let f = &self.mapper.fields[name.as_str()];
                        if f.kind.is_text() {
                            targets.push((f, *field_boost));
                        } else if *text_only && !pattern.contains('*') {
                            return Err(EngineError::IllegalArgument(format!(
                                "Field [{}] of type [{}] does not support [combined_fields] queries",
                                f.path, f.type_name
                            )));
                        }
                    }
                }
                let Some((first, _)) = targets.first() else { return Ok(Box::new(EmptyQuery)) };
                let words = self.words(first, None, text)?;
                let occur = if *and { Occur::Must } else { Occur::Should };
                let mut clauses: Vec<(Occur, Compiled)> = Vec::new();
                for (_, word) in &words {
                    let per_field: Vec<Compiled> = targets
                        .iter()
                        .map(|(f, b)| boosted(self.text_term_query(f, self.text_term(f, word)), *b))
                        .collect();
                    let blended: Compiled = match tie_breaker {
                        Some(t) => Box::new(DisjunctionMaxQuery::with_tie_breaker(per_field, *t)),
                        None => {
                            Box::new(BooleanQuery::new(per_field.into_iter().map(|q| (Occur::Should, q)).collect()))
                        }
                    };
                    clauses.push((occur, blended));
                }
                let n = clauses.len();
                let q: Compiled = match (n, msm) {
                    (0, _) if *zero_terms_all => Box::new(AllQuery),
                    (0, _) => Box::new(EmptyQuery),
                    (_, Some(spec)) if !*and => Box::new(BooleanQuery::with_minimum_required_clauses(
                        clauses,
                        minimum_should_match(spec, n).max(1),
                    )),
                    _ => Box::new(BooleanQuery::new(clauses)),
                };
                boosted(q, *boost)
            }
            Query::GeoBox { field, top, bottom, left, right, ignore_unmapped, boost } => {
                let Some(f) = self.geo_field(field, *ignore_unmapped)? else { return Ok(Box::new(EmptyQuery)) };
                Box::new(ConstScoreQuery::new(self.geo_box(&f.path, *top, *bottom, *left, *right), *boost))
            }
            Query::GeoDistance { field, lat, lon, meters, ignore_unmapped, boost } => {
                let Some(f) = self.geo_field(field, *ignore_unmapped)? else { return Ok(Box::new(EmptyQuery)) };
                // The box around the circle narrows the candidates; each is then measured.
                let angle = meters / crate::mapper::geo::EARTH_RADIUS_M;
                let dlat = angle.to_degrees();
                // The circle's widest longitude: asin(sin r / cos lat), all of them past a pole.
                let ratio = angle.sin() / lat.to_radians().cos().abs().max(1e-12);
                let dlon = if angle >= std::f64::consts::FRAC_PI_2 || ratio >= 1.0 {
                    180.0
                } else {
                    ratio.asin().to_degrees()
                };
                let (top, bottom) = ((lat + dlat).min(90.0), (lat - dlat).max(-90.0));
                let (left, right) = if dlon >= 180.0 || top >= 90.0 || bottom <= -90.0 {
                    (-180.0, 180.0)
                } else {
                    let wrap = |x: f64| {
                        if x < -180.0 {
                            x + 360.0
                        } else if x > 180.0 {
                            x - 360.0
                        } else {
                            x
                        }
                    };
                    (wrap(lon - dlon), wrap(lon + dlon))
                };
                let within = super::geo_query::WithinDistance {
                    lat_column: format!("_terms.{}.lat", f.path),
                    lon_column: format!("_terms.{}.lon", f.path),
                    lat: *lat,
                    lon: *lon,
                    meters: *meters,
                };
                let square = ConstScoreQuery::new(self.geo_box(&f.path, top, bottom, left, right), *boost);
                Box::new(super::filtered::FilteredQuery::new(Box::new(square), within))
            }
        })
    }

    /// A `function_score` ready to run: each function's filter compiled and
    /// its field's column named, a decay's origin, scale and offset read in
    /// the field's unit (milliseconds for dates).
    fn function_score(
        &self,
        fs: &super::function_score::FunctionScore,
    ) -> Result<super::function_score::FunctionScoreQuery, EngineError> {
        use super::function_score::{CompiledKind, Function};
        let mut functions = Vec::new();
        for f in &fs.functions {
            let kind = match &f.function {
                Function::Weight => CompiledKind::Weight,
                Function::Random { seed, field } => {
                    CompiledKind::Random { seed: *seed, column: field.as_ref().map(|f| format!("_terms.{f}")) }
                }
                Function::FieldValueFactor { field, factor, modifier, missing } => {
                    if let Some(m) = self.field(field) {
                        if !m.kind.is_numeric() && m.kind != FieldKind::Boolean {
                            return Err(EngineError::QueryShard(format!(
                                "field [{}] of type [{}] is not supported for [field_value_factor]",
                                m.path, m.type_name
                            )));
                        }
                        m.field_data()?;
                    }
                    CompiledKind::Factor {
                        column: format!("_terms.{field}"),
                        factor: *factor,
                        modifier: *modifier,
                        missing: *missing,
                    }
                }
                Function::Decay { shape, field, origin, scale, offset, decay, mode } => {
                    self.decay_function(*shape, field, origin.as_ref(), scale, offset.as_ref(), *decay, *mode)?
                }
            };
            functions.push(super::function_score::Compiled {
                filter: f.filter.as_ref().map(|q| self.compile(q)).transpose()?,
                weight: f.weight,
                kind,
            });
        }
        Ok(super::function_score::FunctionScoreQuery {
            inner: self.compile(&fs.query)?,
            functions,
            score_mode: fs.score_mode,
            boost_mode: fs.boost_mode,
            max_boost: fs.max_boost,
            min_score: fs.min_score,
            boost: fs.boost,
        })
    }

    /// A decay function (`gauss`, `exp`, `linear`) on a number, a date or
    /// a point: its origin, scale and offset read as the field reads them.
    #[allow(clippy::too_many_arguments)]
    fn decay_function(
        &self,
        shape: super::function_score::Decay,
        field: &str,
        origin: Option<&Value>,
        scale: &Value,
        offset: Option<&Value>,
        decay: f64,
        mode: super::function_score::DistanceMode,
    ) -> Result<super::function_score::CompiledKind, EngineError> {
        use super::function_score::CompiledKind;
        let Some(m) = self.field(field) else {
            return Err(EngineError::QueryShard(format!("unknown field [{field}]")));
        };
        if m.kind.is_numeric() || m.kind.is_date() || m.kind == FieldKind::GeoPoint {
            m.field_data()?;
        }
        if m.kind == FieldKind::GeoPoint {
            // Distances in metres from the origin point.
            let distance = |v: &Value, what: &str| -> Result<f64, EngineError> {
                crate::mapper::geo::distance_value(v).ok_or_else(|| {
                    super::dsl::parsing(format!("failed to parse [{what}] [{}] as a distance", crate::settings_text(v)))
                })
            };
            let origin = origin.ok_or_else(|| super::dsl::parsing("[origin] is required for a geo decay"))?;
            let point = crate::mapper::field::geo_point(origin)
                .map_err(|e| super::dsl::parsing(format!("failed to parse [origin]: {e}")))?;
            return Ok(CompiledKind::Decay {
                shape,
                column: format!("_terms.{}.lat", m.path),
                lon_column: Some(format!("_terms.{}.lon", m.path)),
                origin: point,
                scale: distance(scale, "scale")?,
                offset: offset.map(|o| distance(o, "offset")).transpose()?.unwrap_or(0.0),
                decay,
                mode,
            });
        }
        let is_date = matches!(m.kind, FieldKind::Date | FieldKind::DateNanos);
        if !is_date && !m.kind.is_numeric() {
            return Err(EngineError::IllegalArgument(format!(
                "field [{field}] is of type [{}], but only numeric types are supported.",
                m.type_name
            )));
        }
        let amount = |v: &Value, what: &str| -> Result<f64, EngineError> {
            if is_date {
                if let Some(n) = v.as_f64() {
                    return Ok(n);
                }
                let text = crate::settings_text(v);
                let t = tensile_rest::TimeValue::parse(what, &text)
                    .map_err(|_| super::dsl::parsing(format!("failed to parse [{what}] [{text}]")))?;
                Ok(t.millis() as f64)
            } else {
                v.as_f64()
                    .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
                    .ok_or_else(|| super::dsl::parsing(format!("[{what}] must be a number")))
            }
        };
        let origin = match origin {
            Some(v) if is_date && v.as_str().is_some_and(|s| s != "now") => match m.parse_value(v) {
                Ok(Some(IndexValue::Date(ms))) => ms as f64,
                _ => {
                    return Err(super::dsl::parsing(format!("failed to parse [origin] [{}]", crate::settings_text(v))))
                }
            },
            Some(v) if !(is_date && v.as_str() == Some("now")) => amount(v, "origin")?,
            _ if is_date => crate::clock::now_millis() as f64,
            _ => return Err(super::dsl::parsing("[origin] is required for a numeric decay")),
        };
        Ok(CompiledKind::Decay {
            shape,
            column: format!("_terms.{}", m.path),
            lon_column: None,
            origin: (origin, 0.0),
            scale: amount(scale, "scale")?,
            offset: offset.map(|o| amount(o, "offset")).transpose()?.unwrap_or(0.0),
            decay,
            mode,
        })
    }

    /// The `geo_point` field a geo query names (`None` when unmapped and
    /// `ignore_unmapped`; an error when unmapped otherwise, as in Elasticsearch).
    fn geo_field(&self, name: &str, ignore_unmapped: bool) -> Result<Option<&FieldMapper>, EngineError> {
        match self.field(name) {
            None if ignore_unmapped => Ok(None),
            None => Err(EngineError::QueryShard(format!("failed to find geo field [{name}]"))),
            Some(f) if f.kind == FieldKind::GeoPoint => Ok(Some(f)),
            Some(f) => Err(EngineError::QueryShard(format!(
                "field [{}] is of type [{}], but only geo_point fields are supported",
                f.path, f.type_name
            ))),
        }
    }

    /// Points of a `geo_point` field within a box: a range on the latitudes
    /// and one on the longitudes (two, across the antimeridian).
    fn geo_box(&self, path: &str, top: f64, bottom: f64, left: f64, right: f64) -> Compiled {
        let range = |axis: &str, low: f64, high: f64| -> Compiled {
            let bound = |v: f64| {
                let mut term = json_term(self.fields.terms, &format!("{path}.{axis}"));
                term.append_type_and_fast_value(v);
                Bound::Included(term)
            };
            Box::new(RangeQuery::new(bound(low), bound(high)))
        };
        let lon: Compiled = if left <= right {
            range("lon", left, right)
        } else {
            Box::new(BooleanQuery::new(vec![
                (Occur::Should, range("lon", left, 180.0)),
                (Occur::Should, range("lon", -180.0, right)),
            ]))
        };
        Box::new(BooleanQuery::new(vec![(Occur::Must, range("lat", bottom, top)), (Occur::Must, lon)]))
    }

    /// A per-field query whose field name is a wildcard, once per mapped
    /// field it matches (text and keyword fields); any other query as is.
    fn expanded(&self, q: &Query) -> Result<Vec<Compiled>, EngineError> {
        let field = match q {
            Query::Match { field, .. }
            | Query::MatchPhrase { field, .. }
            | Query::Fuzzy { field, .. }
            | Query::Pattern { field, .. }
                if field.contains('*') =>
            {
                field
            }
            other => return Ok(vec![self.compile(other)?]),
        };
        let mut names: Vec<&String> = self
            .mapper
            .fields
            .iter()
            .filter(|(path, f)| {
                crate::resolve::wildcard_match(field, path)
                    && (f.kind.is_text()
                        || matches!(f.kind, FieldKind::Keyword | FieldKind::Flattened | FieldKind::Wildcard))
            })
            .map(|(path, _)| path)
            .collect();
        names.sort();
        names
            .into_iter()
            .map(|name| {
                let one = q.on_field(name);
                self.compile(&one)
            })
            .collect()
    }

    /// The terms of a field matching a pattern, at constant score
    /// (Elasticsearch's default rewrite).
    fn pattern(&self, name: &str, pattern: &Pattern<'_>, boost: f32, kind: &str) -> Result<Compiled, EngineError> {
        if !self.limits.allow_expensive && kind != "term" && self.query_field(name).is_some() {
            let hint = if kind == "prefix" {
                " For optimised prefix queries on text fields please enable [index_prefixes]."
            } else {
                ""
            };
            return Err(expensive(&format!("[{kind}] queries"), hint));
        }
        self.matching_terms(name, pattern, boost, kind)
    }

    /// [`Compiler::pattern`] without the expensive-queries check, for the
    /// patterns other queries are made of.
    fn matching_terms(
        &self,
        name: &str,
        pattern: &Pattern<'_>,
        boost: f32,
        kind: &str,
    ) -> Result<Compiled, EngineError> {
        let Some(field) = self.query_field(name) else { return Ok(Box::new(EmptyQuery)) };
        let field: &FieldMapper = &field;
        let length = pattern.regex.as_str().chars().count();
        if kind == "regexp" && length > self.limits.max_regex_length {
            return Err(EngineError::IllegalArgument(format!(
                "The length of regex [{length}] used in the Regexp Query request has exceeded the allowed maximum of [{}]. This maximum can be set by changing the [index.max_regex_length] index level setting.",
                self.limits.max_regex_length
            )));
        }
        let (json_field, ok) = match field.kind {
            // Whole values, as their doc values hold them.
            _ if field.text_by_doc_values() => (self.fields.terms, true),
            k if k.is_text() => (self.fields.text, true),
            FieldKind::Keyword | FieldKind::Wildcard | FieldKind::ConstantKeyword | FieldKind::Flattened => {
                (crate::indexed::exact_field(self.mapper, field), true)
            }
            _ => (self.fields.terms, false),
        };
        if !ok {
            return Err(EngineError::QueryShard(format!(
                "Can only use {kind} queries on keyword and text fields - not on [{}] which is of type [{}]",
                field.path, field.type_name
            )));
        }
        let dfa = super::term_pattern::automaton(pattern.regex, pattern.case_insensitive, pattern.max_states)?;
        // A text slot holds the field's terms alone; in a JSON field they
        // follow their path and the string type code.
        let base = match self.mapper.text_slot(&field.path) {
            Some(slot) if json_field == self.fields.text => Term::from_field_text(self.fields.slots[slot as usize], ""),
            _ => {
                let mut prefix = Term::from_field_json_path(json_field, &field.path, true);
                prefix.append_type_and_str("");
                prefix
            }
        };
        if pattern.rewrite == Rewrite::ConstantScore {
            let query = PatternQuery::new(base.field(), base.serialized_value_bytes(), dfa);
            return Ok(Box::new(ConstScoreQuery::new(Box::new(query), boost)));
        }
        // Whole values of a text field without an index score as exact values.
        let scoring = match field.text_by_doc_values() {
            true => super::multi_term::TermScoring::Exact,
            false => super::multi_term::TermScoring::of(self.mapper, field),
        };
        Ok(boosted(Box::new(ScoredPattern::new(base, dfa, pattern.rewrite, scoring)), boost))
    }

    /// A date bound given as text: a date in the field's format, or date
    /// math; in epoch millis (nanos for `date_nanos`).
    fn date_bound(&self, field: &FieldMapper, text: &str, zone: &Zone, round_up: bool) -> Result<i64, EngineError> {
        use crate::mapper::date::{DateFormat, Reading};
        let default_format = DateFormat::default_format();
        let format = field.format.as_ref().unwrap_or(&default_format);
        let failed = |why: String| {
            super::dsl::parsing(format!("failed to parse date field [{text}] with format [{}]: {why}", format.as_str()))
        };
        let nanos = field.kind == FieldKind::DateNanos;
        let now = crate::clock::now_millis() as i64;
        if crate::mapper::date_math::is_math(text) {
            let millis = zone
                .resolve(now, |offset| crate::mapper::date_math::evaluate(text, now, offset, format, round_up))
                .map_err(failed)?;
            // A rounding up ends on the unit's last millisecond, to its last nanosecond.
            let rounded_up = round_up && text.contains('/');
            return Ok(if nanos {
                millis.saturating_mul(1_000_000) + if rounded_up { 999_999 } else { 0 }
            } else {
                millis
            });
        }
        let read = |offset: i64| format.parse_with(text, Reading { round_up, offset: offset / 1000 }).ok_or(());
        // The offset is the one in force at the instant read (found from its millis).
        let mut offset = zone.offset_at(now);
        if let Ok(instant) = read(offset) {
            offset = zone.offset_at(instant.millis());
        }
        let instant = read(offset).map_err(|()| failed("the text is no date of the format".into()))?;
        if nanos {
            instant.epoch_nanos().ok_or_else(|| failed("out of the range of date_nanos".into()))
        } else {
            Ok(instant.millis())
        }
    }

    /// A range over a text field's indexed terms, its bounds taken as they
    /// are (not analysed), as Lucene's term range on a text field.
    fn text_range(&self, field: &FieldMapper, bounds: [&Option<Value>; 4], boost: f32) -> Compiled {
        let term = |v: &Option<Value>| v.as_ref().map(|v| self.text_term(field, &crate::settings_text(v)));
        let [gt, gte, lt, lte] = bounds;
        // Unbounded: from the field's first term to past its last (the
        // shared `_text` field holds other paths' terms around it).
        let (_, first) = self.text_location(field);
        let mut past = first.clone();
        past.append_bytes(&[0xff]);
        let lower = match (term(gte), term(gt)) {
            (Some(t), _) => Bound::Included(t),
            (None, Some(t)) => Bound::Excluded(t),
            (None, None) => Bound::Included(first),
        };
        let upper = match (term(lte), term(lt)) {
            (Some(t), _) => Bound::Included(t),
            (None, Some(t)) => Bound::Excluded(t),
            (None, None) => Bound::Excluded(past),
        };
        Box::new(ConstScoreQuery::new(Box::new(RangeQuery::new(lower, upper)), boost))
    }

    /// A query on a range field's ranges (`field` with the query's
    /// `format`, `offset` its time zone's): they must relate to the query's
    /// bounds (`relation`); date bounds read as the `range` query reads them
    /// (date math, upper bounds rounded up).
    fn range_field(
        &self,
        field: &FieldMapper,
        kind: crate::mapper::range::RangeKind,
        bounds: [&Option<Value>; 4],
        zone: &Zone,
        relation: crate::mapper::range::Relation,
        boost: f32,
    ) -> Result<Compiled, EngineError> {
        let [gt, gte, lt, lte] = bounds;
        let mut object = serde_json::Map::new();
        for (name, value, round_up) in [("gt", gt, true), ("gte", gte, false), ("lt", lt, false), ("lte", lte, true)] {
            let Some(value) = value else { continue };
            // Dates given as text are read here (date math included), as millis.
            let value = match value {
                Value::String(text) if kind == crate::mapper::range::RangeKind::Date => {
                    Value::from(self.date_bound(field, text, zone, round_up)?)
                }
                other => other.clone(),
            };
            object.insert(name.to_owned(), value);
        }
        let millis = |v: &Value, _: bool| v.as_i64().ok_or_else(|| format!("failed to parse date field [{v}]"));
        let query_bounds = crate::mapper::range::parse(kind, &Value::Object(object), &millis)
            .map_err(|e| EngineError::QueryShard(format!("failed to create query: {e}")))?;
        Ok(self.range_field_query(field, kind, query_bounds, relation, boost))
    }

    fn range_field_query(
        &self,
        field: &FieldMapper,
        kind: crate::mapper::range::RangeKind,
        bounds: crate::mapper::range::Bounds,
        relation: crate::mapper::range::Relation,
        boost: f32,
    ) -> Compiled {
        let holding = crate::indexed::holding(self.mapper, field);
        let relates =
            super::range_field::RangeRelates { column: format!("_terms.{}", field.path), kind, bounds, relation };
        Box::new(super::filtered::FilteredQuery::new(Box::new(ConstScoreQuery::new(holding, boost)), relates))
    }

    fn range(
        &self,
        name: &str,
        bounds: [&Option<Value>; 4],
        format: &Option<String>,
        time_zone: Option<&str>,
        relation: crate::mapper::range::Relation,
        boost: f32,
    ) -> Result<Compiled, EngineError> {
        let Some(field) = self.query_field(name) else { return Ok(Box::new(EmptyQuery)) };
        let field: &FieldMapper = &field;
        if !self.limits.allow_expensive && (field.kind.is_text() || field.kind == FieldKind::Keyword) {
            return Err(expensive("[range] queries on [text] or [keyword] fields", ""));
        }
        if field.kind.is_text() && !field.text_by_doc_values() {
            return Ok(self.text_range(field, bounds, boost));
        }
        let mut field = field.clone();
        if let Some(f) = format {
            field.format = Some(crate::mapper::date::DateFormat::parse(f).map_err(|e| super::dsl::parsing(e.0))?);
        }
        let is_date = matches!(field.kind, FieldKind::Date | FieldKind::DateNanos);
        let range_kind = match field.kind {
            FieldKind::Range(kind) => Some(kind),
            _ => None,
        };
        let zone = match time_zone {
            Some(_) if !is_date && range_kind.is_none() => {
                return Err(EngineError::QueryShard(format!(
                    "[range] time_zone can not be applied to non date field [{name}]"
                )))
            }
            Some(zone) => Zone::parse(zone)
                .ok_or_else(|| EngineError::IllegalArgument(format!("Unknown time-zone ID: {zone}")))?,
            None => Zone::UTC,
        };
        if let Some(kind) = range_kind {
            return self.range_field(&field, kind, bounds, &zone, relation, boost);
        }
        // `gt` and `lte` read a date's missing parts, and round, upwards.
        let point = |v: &Option<Value>, round_up: bool| -> Result<Option<Point>, EngineError> {
            let Some(v) = v else { return Ok(None) };
            // A number is a date's text when its format takes no epoch, and
            // rounds as text does.
            let no_epoch = |n: &serde_json::Number| {
                let format = field.format.as_ref();
                format.is_some_and(|f| f.epoch_number(n.as_f64().unwrap_or(f64::NAN)).is_none())
            };
            let number_text = v.as_number().filter(|n| is_date && no_epoch(n)).map(ToString::to_string);
            if let Some(text) = v.as_str().filter(|_| is_date).or(number_text.as_deref()) {
                return Ok(Some(Point::Int(self.date_bound(&field, text, &zone, round_up)?)));
            }
            // A bound beyond a float's range still bounds.
            if let Some(x) = v
                .as_f64()
                .filter(|x| matches!(field.kind, FieldKind::Float | FieldKind::HalfFloat) && (*x as f32).is_infinite())
            {
                return Ok(Some(Point::Float(x)));
            }
            let parsed = field.parse_value(&field.query_value(v)).map_err(|reason| {
                super::dsl::parsing(format!(
                    "failed to parse [{}] for field [{}]: {reason}",
                    crate::settings_text(v),
                    field.path
                ))
            })?;
            Ok(Some(match parsed {
                Some(IndexValue::Long(x) | IndexValue::Date(x)) => Point::Int(x),
                Some(IndexValue::Double(x)) => Point::Float(x),
                // Addresses are kept as fixed-width hex: their order is the text's.
                Some(IndexValue::Ip(bits)) => Point::Text(format!("{bits:032x}")),
                Some(IndexValue::Unsigned(x)) => Point::Unsigned(x),
                Some(IndexValue::Keyword(k)) => Point::Text(k),
                _ => {
                    return Err(EngineError::Unsupported(format!(
                        "the [range] query on field [{}] of type [{}]",
                        field.path, field.type_name
                    )))
                }
            }))
        };
        let [gt, gte, lt, lte] = bounds;
        let lower = match (point(gte, false)?, point(gt, true)?) {
            (Some(p), _) => Bound::Included(p),
            (None, Some(p)) => Bound::Excluded(p),
            (None, None) => Bound::Unbounded,
        };
        let upper = match (point(lte, true)?, point(lt, false)?) {
            (Some(p), _) => Bound::Included(p),
            (None, Some(p)) => Bound::Excluded(p),
            (None, None) => Bound::Unbounded,
        };
        if matches!((&lower, &upper), (Bound::Unbounded, Bound::Unbounded)) {
            return Ok(Box::new(ConstScoreQuery::new(crate::indexed::holding(self.mapper, &field), boost)));
        }
        let ranged: Compiled = match range_source(self.mapper, &field) {
            RangeSource::Column => Box::new(self.column_range(&field, &lower, &upper)),
            RangeSource::Index => {
                let at = crate::indexed::exact_field(self.mapper, &field);
                Box::new(IndexOrColumnRange::new(at, &field.path, &lower, &upper, None))
            }
            RangeSource::IndexOrColumn => {
                let column = Some(self.column_range(&field, &lower, &upper));
                Box::new(IndexOrColumnRange::new(self.fields.terms, &field.path, &lower, &upper, column))
            }
        };
        Ok(Box::new(ConstScoreQuery::new(ranged, boost)))
    }

    /// The documents whose sequence number is within the bounds (none
    /// below zero).
    fn seq_no_range(&self, lower: Bound<i64>, upper: Bound<i64>) -> Compiled {
        let lower = match lower {
            Bound::Included(v) | Bound::Excluded(v) if v < 0 => Bound::Unbounded,
            b => b.map(|v| v as u64),
        };
        let upper = match upper {
            Bound::Included(v) if v < 0 => return Box::new(EmptyQuery),
            Bound::Excluded(v) if v <= 0 => return Box::new(EmptyQuery),
            b => b.map(|v| v as u64),
        };
        Box::new(ConstScoreQuery::new(Box::new(IndexOrColumnRange::seq_no(self.fields.seq_no, lower, upper)), 1.0))
    }

    /// A range over a field's column (`_terms`).
    fn column_range(&self, field: &FieldMapper, lower: &Bound<Point>, upper: &Bound<Point>) -> RangeQuery {
        let term = |p: &Point| p.column_term(self.fields.terms, &field.path);
        RangeQuery::new(lower.as_ref().map(term), upper.as_ref().map(term))
    }
}

/// What a range on an exact field reads, as Elasticsearch's do: a field
/// with points and doc values either (numbers, dates, addresses: Lucene's
/// `IndexOrDocValuesQuery`), an indexed keyword its terms, a field without
/// an index its column, one without doc values its index.
pub(crate) enum RangeSource {
    Index,
    Column,
    IndexOrColumn,
}

pub(crate) fn range_source(mapper: &crate::mapper::Mapper, field: &FieldMapper) -> RangeSource {
    if !field.index {
        RangeSource::Column
    } else if crate::indexed::index_only(mapper, field) || field.kind == FieldKind::Keyword {
        RangeSource::Index
    } else {
        RangeSource::IndexOrColumn
    }
}
