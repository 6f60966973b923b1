//! The tantivy schema every shard shares, and how a parsed document becomes
//! a tantivy document.
//!
//! Mappings change while an index lives and tantivy schemas cannot, so
//! mapped fields live in JSON fields keyed by their full path:
//! - `_text`: analysed text. Analysis is Tensile's own ([`tensile_analysis`]);
//!   the tokens reach tantivy encoded in one string per field, which the
//!   `tensile_tokens` tokenizer decodes with their positions;
//! - `_terms`: exact values (keywords, numbers, dates, booleans, IPs, geo
//!   coordinates), indexed and columnar for sorting and aggregations;
//! - `_index_only`: the exact values of fields without doc values
//!   (`doc_values: false`), indexed alone: no column (see [`index_only`]);
//! - `_len`: the token count of each text field without a slot of its own, for
//!   its length norms (a slot keeps its own);
//! - `_exists`: the paths holding a value, for `exists` queries;
//! - `_ignored`: fields whose values were ignored, as Elasticsearch's `_ignored`.
//!
//! The objects of `nested` fields are documents of their own, indexed just
//! before the document holding them (Lucene's block order): `_nested` names
//! their nested field and `_root` the `_id` of the root document, so that
//! replacing or deleting it takes them too.

use crate::doc_object::{DocObject, Leaf};
use crate::error::EngineError;
use crate::mapper::{FieldKind, FieldMapper, IndexValue, Mapper, ParsedDoc};
use std::borrow::Cow;
use std::collections::BTreeMap;
use tantivy::schema::{
    Field, IndexRecordOption, JsonObjectOptions, NumericOptions, Schema, TextFieldIndexing, TextOptions, FAST, STORED,
    STRING,
};
use tantivy::tokenizer::{Token, TokenStream, Tokenizer};
use tantivy::{Index, TantivyDocument};

/// How many text fields of an index get a tantivy text field of their own
/// (`_t0`, `_t1`...), with the norms BM25 needs; the others share `_text`.
pub const TEXT_SLOTS: usize = 64;

/// The name the token-decoding tokenizer is registered under.
pub const TOKENS_TOKENIZER: &str = "tensile_tokens";

const TOKEN_SEP: char = '\u{0}';
const POSITION_SEP: char = '\u{1}';

#[derive(Debug, Clone, Copy)]
pub struct Fields {
    pub id: Field,
    pub source: Field,
    pub seq_no: Field,
    pub version: Field,
    pub routing: Field,
    pub text: Field,
    pub terms: Field,
    pub lengths: Field,
    pub exists: Field,
    pub ignored: Field,
    /// A nested document's nested field (root documents have none).
    pub nested: Field,
    /// A nested document's root document `_id`.
    pub root: Field,
    /// The text slots: each the analysed text of one text field.
    pub slots: [Field; TEXT_SLOTS],
    /// Exact values without a column (fields with `doc_values: false`).
    pub index_only: Field,
}

/// The name of the `_nested` field, for its column.
pub const NESTED_FIELD: &str = "_nested";

/// The schema of every shard.
pub fn schema() -> (Schema, Fields) {
    let mut b = Schema::builder();
    let text_indexing = TextFieldIndexing::default()
        .set_tokenizer(TOKENS_TOKENIZER)
        .set_index_option(IndexRecordOption::WithFreqsAndPositions);
    let terms_indexing =
        TextFieldIndexing::default().set_tokenizer("raw").set_index_option(IndexRecordOption::WithFreqs);
    let fields = Fields {
        id: b.add_text_field("_id", STRING | STORED),
        source: b.add_text_field("_source", STORED),
        // Read from their columns; sequence numbers are indexed too, as
        // Elasticsearch's points, for queries on `_seq_no` (never scored:
        // no norms).
        seq_no: b.add_u64_field("_seq_no", NumericOptions::default().set_indexed().set_fast()),
        version: b.add_u64_field("_version", FAST),
        routing: b.add_text_field("_routing", STRING | STORED),
        text: b.add_json_field(
            "_text",
            JsonObjectOptions::default().set_indexing_options(text_indexing).set_expand_dots_enabled(),
        ),
        terms: b.add_json_field(
            "_terms",
            JsonObjectOptions::default()
                .set_indexing_options(terms_indexing.clone())
                .set_fast("raw")
                .set_expand_dots_enabled(),
        ),
        lengths: b.add_json_field("_len", JsonObjectOptions::default().set_fast("raw").set_expand_dots_enabled()),
        exists: b.add_text_field("_exists", STRING),
        ignored: b.add_text_field("_ignored", STRING | STORED),
        nested: b.add_text_field(NESTED_FIELD, STRING | FAST),
        root: b.add_text_field("_root", STRING),
        slots: std::array::from_fn(|i| {
            let indexing = TextFieldIndexing::default()
                .set_tokenizer(TOKENS_TOKENIZER)
                .set_index_option(IndexRecordOption::WithFreqsAndPositions);
            b.add_text_field(&format!("_t{i}"), TextOptions::default().set_indexing_options(indexing))
        }),
        // Fields are only ever added last: a shard written before one
        // existed opens with it appended (see `schema_migration`).
        index_only: b.add_json_field(
            "_index_only",
            JsonObjectOptions::default().set_indexing_options(terms_indexing).set_expand_dots_enabled(),
        ),
    };
    (b.build(), fields)
}

/// The fields of the schema (the same for every shard).
pub fn fields() -> Fields {
    static FIELDS: std::sync::LazyLock<Fields> = std::sync::LazyLock::new(|| schema().1);
    *FIELDS
}

/// Where a field's string terms are: the tantivy field, and the term all
/// of them start with there (a text field's slot holds its terms alone; a
/// JSON field holds them after their path, `\x00` and the string type).
pub fn term_location(mapper: &Mapper, field: &FieldMapper) -> (Field, tantivy::Term) {
    let fields = fields();
    if field.kind.is_text() {
        if let Some(slot) = mapper.text_slot(&field.path) {
            let slot = fields.slots[slot as usize];
            return (slot, tantivy::Term::from_field_text(slot, ""));
        }
    }
    let json = if field.kind.is_text() { fields.text } else { exact_field(mapper, field) };
    let mut prefix = tantivy::Term::from_field_json_path(json, &field.path, true);
    prefix.append_type_and_str("");
    (json, prefix)
}

/// The kinds of field whose values are single exact terms: keywords,
/// numbers, dates, booleans and addresses.
fn exact_kind(field: &FieldMapper) -> bool {
    field.kind.is_numeric()
        || field.kind.is_date()
        || matches!(field.kind, FieldKind::Keyword | FieldKind::Boolean | FieldKind::Ip)
}

/// Whether a field's values are indexed without a column, in
/// `_index_only`: an exact field with `doc_values: false` (Elasticsearch
/// keeps no doc values for it, and neither its disk usage nor a search
/// reading it may show any). Indices created before `_index_only` existed
/// keep such values in `_terms` (`Mapper::index_only_values` is false).
pub fn index_only(mapper: &Mapper, field: &FieldMapper) -> bool {
    mapper.index_only_values && !field.doc_values && field.index && exact_kind(field)
}

/// The tantivy field holding a field's exact values: `_index_only` or `_terms`.
pub fn exact_field(mapper: &Mapper, field: &FieldMapper) -> Field {
    if index_only(mapper, field) {
        fields().index_only
    } else {
        fields().terms
    }
}

/// Whether a field's values all go to its `_terms` column, which then
/// tells which documents hold it: such a field has no `_exists` posting
/// (a posting per field and document was a tenth of the bulk-indexing
/// CPU). Exact values only; text, geo points, ranges and rank features
/// keep theirs, and so do fields without a column.
pub fn in_column_alone(mapper: &Mapper, field: &FieldMapper) -> bool {
    exact_kind(field) && (field.index || field.doc_values) && !index_only(mapper, field)
}

/// The documents that hold a value of a field: from its column when
/// [`in_column_alone`], else from its `_exists` postings.
pub fn holding(mapper: &Mapper, field: &FieldMapper) -> Box<dyn tantivy::query::Query> {
    if in_column_alone(mapper, field) {
        return Box::new(tantivy::query::ExistsQuery::new(format!("_terms.{}", field.path), false));
    }
    let term = tantivy::Term::from_field_text(fields().exists, &field.path);
    Box::new(tantivy::query::TermQuery::new(term, IndexRecordOption::Basic))
}

/// Registers the tokenizers the schema names.
pub fn register_tokenizers(index: &Index) {
    index.tokenizers().register(TOKENS_TOKENIZER, DecodeTokens);
}

/// What a shard indexes for a document besides its identity.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct IndexedDoc {
    /// The `_source` as stored (filtered, or `None` when disabled).
    pub stored_source: Option<String>,
    /// The values of stored fields the stored source leaves out, as JSON
    /// (`Mapper::kept_stored`).
    pub kept_stored: Option<String>,
    /// The mapped fields, built before the shard is locked: `_text`, the
    /// text slots, `_len`, `_terms`, `_exists` and `_ignored`.
    mapped: TantivyDocument,
    /// Its nested documents (nested field, fields), in block order.
    pub nested: Vec<(String, IndexedDoc)>,
}

impl IndexedDoc {
    /// A document with a stored source and no mapped fields.
    pub fn source_only(source: &str) -> IndexedDoc {
        IndexedDoc { stored_source: Some(source.to_owned()), ..IndexedDoc::default() }
    }

    /// The fields of a parsed document, text analysed; refused when its
    /// text has more tokens than the mapping's limit.
    pub fn new(parsed: &ParsedDoc, stored_source: Option<String>, mapper: &Mapper) -> Result<IndexedDoc, EngineError> {
        let mut tokens = 0;
        let mapped = mapped_fields(parsed, mapper, &mut tokens)?;
        let mut doc = IndexedDoc { stored_source, kept_stored: None, mapped, nested: Vec::new() };
        for nested in &parsed.nested {
            let mapped = mapped_fields(&nested.doc, mapper, &mut tokens)?;
            doc.nested.push((nested.path.clone(), IndexedDoc { mapped, ..IndexedDoc::default() }));
        }
        Ok(doc)
    }

    /// The tantivy document of its mapped fields, to which the shard adds
    /// the identity (`_id`, `_seq_no`...).
    pub fn into_tantivy(self) -> TantivyDocument {
        self.mapped
    }
}

/// One document's mapped fields (its nested ones apart), counting its
/// tokens into `total_tokens`.
fn mapped_fields(
    parsed: &ParsedDoc,
    mapper: &Mapper,
    total_tokens: &mut usize,
) -> Result<TantivyDocument, EngineError> {
    let fields = fields();
    let (max_tokens, slots) = (mapper.limits.total_tokens, &mapper.text_slots);
    let mut terms = DocObject::default();
    let mut index_only = DocObject::default();
    let mut exists: Vec<&str> = Vec::new();
    // Each text field's analyzer, values, and whether its terms are fielddata.
    let mut texts: BTreeMap<&str, (&tensile_analysis::Analyzer, Vec<&str>, bool)> = BTreeMap::new();
    for (field, value) in &parsed.values {
        let path = field.path.as_str();
        let term = match value {
            IndexValue::Text(t) => {
                if field.text_by_doc_values() {
                    terms.push(path, Leaf::Str(Cow::Borrowed(t)));
                }
                // Indexed even with `index: false`: Elasticsearch still
                // answers queries on such fields from their doc values.
                if let Some(analyzer) = field.analyzer.as_deref() {
                    texts.entry(path).or_insert_with(|| (analyzer, Vec::new(), field.fielddata)).1.push(t);
                }
                exists.push(path);
                continue;
            }
            IndexValue::Ignored => continue,
            IndexValue::SourceOnly => {
                exists.push(path);
                continue;
            }
            IndexValue::Keyword(k) => Leaf::Str(Cow::Borrowed(k)),
            IndexValue::Long(v) | IndexValue::Date(v) => Leaf::I64(*v),
            IndexValue::Unsigned(v) => Leaf::U64(*v),
            IndexValue::Double(v) => Leaf::F64(*v),
            IndexValue::Bool(v) => Leaf::Bool(*v),
            IndexValue::Ip(bits) => Leaf::Str(Cow::Owned(format!("{bits:032x}"))),
            // One order-preserving string per range, which range queries read.
            IndexValue::Range(bounds) => Leaf::Str(Cow::Owned(bounds.encode())),
            IndexValue::Geo { lat, lon } => {
                terms.push(format!("{path}.lat"), Leaf::F64(*lat));
                terms.push(format!("{path}.lon"), Leaf::F64(*lon));
                exists.push(path);
                continue;
            }
        };
        if !in_column_alone(mapper, field) {
            exists.push(path);
        }
        if self::index_only(mapper, field) {
            index_only.push(path, term);
        } else if field.index || field.doc_values || field.kind == FieldKind::ConstantKeyword {
            terms.push(path, term);
        }
    }
    let mut doc = TantivyDocument::default();
    let mut text = DocObject::default();
    let mut lengths = DocObject::default();
    for (path, (analyzer, values, fielddata)) in texts {
        let mut encoded = String::with_capacity(values.iter().map(|v| v.len() + 8).sum());
        let mut column = Vec::new();
        let count = analyzer.each_term(values.iter().copied(), |term, position| {
            push_token(&mut encoded, term, position);
            if fielddata {
                column.push(Leaf::Str(Cow::Owned(term.to_owned())));
            }
        });
        *total_tokens += count;
        if *total_tokens > max_tokens {
            return Err(EngineError::DocumentParsing {
                reason: format!("The number of tokens in the document has exceeded the allowed maximum of [{max_tokens}]. This limit can be set by changing the [index.mapping.total_tokens_per_document.limit] index level setting."),
                cause: None,
            });
        }
        match slots.get(path) {
            // A slot keeps its own norms: no length to record.
            Some(slot) => doc.add_text(fields.slots[*slot as usize], encoded),
            None => {
                lengths.push(path, Leaf::U64(count as u64));
                text.push(path, Leaf::Str(Cow::Owned(encoded)));
            }
        }
        // Fielddata: the terms as a column, as uninverted field data would hold them.
        terms.extend(path, column);
    }
    for (field, object) in
        [(fields.text, &text), (fields.lengths, &lengths), (fields.terms, &terms), (fields.index_only, &index_only)]
    {
        if !object.is_empty() {
            doc.add_field_value(field, object.view());
        }
    }
    exists.extend(parsed.objects.iter().map(String::as_str));
    exists.sort_unstable();
    exists.dedup();
    for path in exists {
        doc.add_text(fields.exists, path);
    }
    let mut ignored: Vec<&str> = parsed.ignored.iter().map(String::as_str).collect();
    ignored.sort_unstable();
    ignored.dedup();
    for path in ignored {
        doc.add_text(fields.ignored, path);
    }
    Ok(doc)
}

/// Tokens as one string, as [`push_token`] writes them.
#[cfg(test)]
fn encode(tokens: &[tensile_analysis::Token]) -> String {
    let mut out = String::new();
    for t in tokens {
        push_token(&mut out, &t.term, t.position);
    }
    out
}

/// Appends one token to an encoded string, the form in which tokens reach
/// tantivy: `position \1 term`, tokens separated by `\0` (separators
/// inside a term are dropped).
fn push_token(out: &mut String, term: &str, position: u32) {
    if !out.is_empty() {
        out.push(TOKEN_SEP);
    }
    push_number(out, position);
    out.push(POSITION_SEP);
    if term.contains([TOKEN_SEP, POSITION_SEP]) {
        out.extend(term.chars().filter(|c| *c != TOKEN_SEP && *c != POSITION_SEP));
    } else {
        out.push_str(term);
    }
}

/// A number's decimal digits, without a `String` of its own.
fn push_number(out: &mut String, mut n: u32) {
    let mut digits = [0u8; 10];
    let mut at = digits.len();
    loop {
        at -= 1;
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out.push_str(std::str::from_utf8(&digits[at..]).expect("ASCII digits"));
}

/// The tokenizer that reads tokens back as [`push_token`] wrote them.
#[derive(Clone)]
struct DecodeTokens;

struct DecodedStream<'a> {
    /// What is left to read, at a token's start.
    rest: &'a str,
    token: Token,
}

impl Tokenizer for DecodeTokens {
    type TokenStream<'a> = DecodedStream<'a>;

    fn token_stream<'a>(&'a mut self, text: &'a str) -> DecodedStream<'a> {
        DecodedStream { rest: text, token: Token::default() }
    }
}

impl TokenStream for DecodedStream<'_> {
    /// Reads `position \1 term` up to the next `\0`. Both separators are
    /// ASCII, so byte searches find them and cut only at character bounds.
    fn advance(&mut self) -> bool {
        while !self.rest.is_empty() {
            let bytes = self.rest.as_bytes();
            let end = bytes.iter().position(|b| *b == TOKEN_SEP as u8).unwrap_or(bytes.len());
            let part = &self.rest[..end];
            self.rest = self.rest.get(end + 1..).unwrap_or("");
            let Some(sep) = part.bytes().position(|b| b == POSITION_SEP as u8) else { continue };
            let position = part[..sep]
                .bytes()
                .try_fold(0u32, |n, b| {
                    b.is_ascii_digit().then(|| n.checked_mul(10)?.checked_add(u32::from(b - b'0')))?
                })
                .unwrap_or(0);
            self.token.text.clear();
            self.token.text.push_str(&part[sep + 1..]);
            self.token.position = position as usize;
            self.token.position_length = 1;
            return true;
        }
        false
    }

    fn token(&self) -> &Token {
        &self.token
    }

    fn token_mut(&mut self) -> &mut Token {
        &mut self.token
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tantivy::tokenizer::TextAnalyzer;

    /// Tokens encoded, then read back by the decoding tokenizer.
    fn round_trip(tokens: &[tensile_analysis::Token]) -> Vec<(String, usize)> {
        let encoded = encode(tokens);
        let mut decoder = TextAnalyzer::from(DecodeTokens);
        let mut stream = decoder.token_stream(&encoded);
        let mut got = Vec::new();
        while stream.advance() {
            got.push((stream.token().text.clone(), stream.token().position));
        }
        got
    }

    #[test]
    fn tokens_survive_the_encoding() {
        let analyzer = tensile_analysis::Analyzers::default().analyzer("stop").unwrap();
        let tokens = analyzer.analyze_values(["the quick fox", "a dog"]);
        let want: Vec<(String, usize)> = tokens.iter().map(|t| (t.term.clone(), t.position as usize)).collect();
        assert_eq!(round_trip(&tokens), want);
    }

    proptest::proptest! {
        /// Any terms (separators removed) at any positions read back as written.
        #[test]
        fn encoded_tokens_decode_as_written(
            tokens in proptest::collection::vec(("(\\PC|\\x00|\\x01){0,12}", proptest::num::u32::ANY), 0..20),
        ) {
            let tokens: Vec<tensile_analysis::Token> = tokens
                .into_iter()
                .map(|(term, position)| tensile_analysis::Token { term, start: 0, end: 0, position, kind: "word" })
                .collect();
            let got = round_trip(&tokens);
            let want: Vec<(String, usize)> = tokens
                .iter()
                .map(|t| (t.term.replace([TOKEN_SEP, POSITION_SEP], ""), t.position as usize))
                .collect();
            proptest::prop_assert_eq!(got, want);
        }
    }

    #[test]
    fn positions_are_written_in_decimal() {
        for n in [0, 7, 10, 12345, u32::MAX] {
            let mut out = String::new();
            push_number(&mut out, n);
            assert_eq!(out, n.to_string());
        }
    }

    #[test]
    fn values_without_doc_values_go_to_index_only_unless_the_index_predates_it() {
        let meta = |index_only_values: bool| crate::metadata::IndexMetadata {
            name: "i".into(),
            uuid: "u".into(),
            state: crate::metadata::IndexState::Open,
            settings: Default::default(),
            mappings: serde_json::json!({"properties": {
                "n": {"type": "long", "doc_values": false},
                "k": {"type": "keyword", "doc_values": false},
                "t": {"type": "text"},
                "g": {"type": "geo_point", "doc_values": false},
                "m": {"type": "long"},
                "off": {"type": "long", "index": false, "doc_values": false}
            }}),
            aliases: Default::default(),
            text_slots: Default::default(),
            index_only_values,
        };
        let mapper = Mapper::for_index(&meta(true)).unwrap();
        let at = |path: &str| exact_field(&mapper, &mapper.fields[path]);
        assert_eq!((at("n"), at("k")), (fields().index_only, fields().index_only));
        assert_eq!((at("m"), at("g"), at("off")), (fields().terms, fields().terms, fields().terms));
        assert!(!in_column_alone(&mapper, &mapper.fields["n"]) && in_column_alone(&mapper, &mapper.fields["m"]));

        // An index written before `_index_only` keeps them in `_terms`.
        let older = Mapper::for_index(&meta(false)).unwrap();
        assert_eq!(exact_field(&older, &older.fields["n"]), fields().terms);
        assert!(in_column_alone(&older, &older.fields["n"]));
        // And its metadata, written without the flag, reads as such.
        let stored: crate::metadata::IndexMetadata =
            serde_json::from_value(serde_json::to_value(meta(false)).unwrap()).unwrap();
        assert!(!stored.index_only_values);
    }
}
