//! The body of `_mget`, read as Elasticsearch's `MultiGetRequest` reads it:
//! `docs` (objects naming `_index`, `_id`, `routing`, `version`,
//! `version_type`, `stored_fields`, `_source`) or `ids` (over the path's
//! index), then validated: no documents, or an item without index or id,
//! is an `action_request_validation_exception` listing every problem.

use serde_json::Value;
use tensile_rest::EsError;

/// One document to get, as requested.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Item {
    pub index: Option<String>,
    pub id: Option<String>,
    pub routing: Option<String>,
    pub version: Option<i64>,
    pub stored_fields: Option<Vec<String>>,
    /// `_source` as given: a flag, a field list or `{includes, excludes}`.
    pub source: Option<Value>,
}

/// A JSON value as text: strings bare, others as JSON.
fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn unknown_field(name: &str) -> EsError {
    EsError::parse(format!("failed to parse multi get request. unknown field [{name}]"))
}

fn parsing(reason: String) -> EsError {
    EsError::new(400, "parsing_exception", reason)
}

fn item(doc: &Value) -> Result<Item, EsError> {
    let Value::Object(fields) = doc else {
        return Err(parsing("docs array element should include an object".into()));
    };
    let mut item = Item::default();
    for (name, value) in fields {
        match (name.as_str(), value) {
            ("_source", v) => item.source = Some(v.clone()),
            ("stored_fields", v) => item.stored_fields = Some(crate::documents::names_of(v)),
            ("fields", _) => {
                return Err(parsing("Unsupported field [fields] used, expected [stored_fields] instead".into()))
            }
            (_, Value::Array(_) | Value::Object(_)) => return Err(unknown_field(name)),
            ("_index", v) => item.index = Some(text(v)),
            ("_id", v) => item.id = Some(text(v)),
            ("routing", v) => item.routing = Some(text(v)),
            ("version", v) => {
                item.version = Some(text(v).parse().map_err(|_| {
                    EsError::illegal_argument(format!("failed to parse [version] with value [{}]", text(v)))
                })?)
            }
            ("version_type", _) => {}
            _ => return Err(unknown_field(name)),
        }
    }
    Ok(item)
}

/// Reads the request body into items, over the path's `index`.
pub fn parse(body: &Value, index: Option<&str>) -> Result<Vec<Item>, EsError> {
    let Value::Object(top) = body else {
        return Err(parsing("unexpected token, expected [START_OBJECT]".into()));
    };
    let mut items = Vec::new();
    for (name, value) in top {
        let Value::Array(list) = value else {
            return Err(parsing(format!(
                "unexpected token [{}], expected [FIELD_NAME] or [START_ARRAY]",
                token(value)
            )));
        };
        match name.as_str() {
            "docs" => {
                for doc in list {
                    items.push(item(doc)?);
                }
            }
            "ids" => {
                for id in list {
                    if id.is_array() || id.is_object() {
                        return Err(EsError::illegal_argument("ids array element should only contain ids"));
                    }
                    items.push(Item { id: Some(text(id)), ..Item::default() });
                }
            }
            other => {
                return Err(parsing(format!(
                    "unknown parameter [{other}] in request body or parameter is of the wrong type[START_ARRAY] "
                )))
            }
        }
    }
    for item in &mut items {
        if item.index.is_none() {
            item.index = index.map(str::to_owned);
        }
    }
    validate(&items)?;
    Ok(items)
}

fn token(value: &Value) -> &'static str {
    match value {
        Value::Object(_) => "START_OBJECT",
        Value::String(_) => "VALUE_STRING",
        Value::Number(_) => "VALUE_NUMBER",
        Value::Bool(_) => "VALUE_BOOLEAN",
        Value::Null => "VALUE_NULL",
        Value::Array(_) => "START_ARRAY",
    }
}

/// Elasticsearch's `MultiGetRequest.validate`: every problem, numbered.
fn validate(items: &[Item]) -> Result<(), EsError> {
    let mut problems = Vec::new();
    if items.is_empty() {
        problems.push("no documents to get".to_owned());
    }
    for (i, item) in items.iter().enumerate() {
        if item.index.is_none() {
            problems.push(format!("index is missing for doc {i}"));
        }
        if item.id.is_none() {
            problems.push(format!("id is missing for doc {i}"));
        }
    }
    if problems.is_empty() {
        return Ok(());
    }
    let listed: String = problems.iter().enumerate().map(|(n, p)| format!("{}: {p};", n + 1)).collect();
    Err(EsError::new(400, "action_request_validation_exception", format!("Validation Failed: {listed}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn reason(e: EsError) -> String {
        e.to_json(false)["error"]["reason"].as_str().unwrap_or_default().to_owned()
    }

    #[test]
    fn docs_and_ids() {
        let items = parse(&json!({"docs": [{"_index": "a", "_id": 1, "routing": "r", "version": 2}]}), None).unwrap();
        assert_eq!(
            items,
            [Item {
                index: Some("a".into()),
                id: Some("1".into()),
                routing: Some("r".into()),
                version: Some(2),
                ..Item::default()
            }]
        );
        let items = parse(&json!({"ids": ["1", 2]}), Some("b")).unwrap();
        assert_eq!(items[1].index.as_deref(), Some("b"));
        assert_eq!(items[1].id.as_deref(), Some("2"));
        let items = parse(&json!({"docs": [{"_id": 1, "stored_fields": "a,b"}]}), Some("b")).unwrap();
        assert_eq!(items[0].stored_fields, Some(vec!["a".to_owned(), "b".to_owned()]));
    }

    #[test]
    fn validation_lists_every_problem() {
        for empty in [json!({}), json!({"docs": []}), json!({"ids": []})] {
            assert_eq!(reason(parse(&empty, Some("i")).unwrap_err()), "Validation Failed: 1: no documents to get;");
        }
        let err = parse(&json!({"docs": [{"_index": "a"}, {"_id": "1"}]}), None).unwrap_err();
        assert_eq!(reason(err), "Validation Failed: 1: id is missing for doc 0;2: index is missing for doc 1;");
    }

    #[test]
    fn underscored_routing_and_version_are_unknown() {
        for field in ["_routing", "_version"] {
            let err = parse(&json!({"docs": [{"_index": "a", "_id": "1", field: 1}]}), None).unwrap_err();
            assert_eq!(err.status, 400);
            assert_eq!(reason(err), format!("failed to parse multi get request. unknown field [{field}]"));
        }
    }
}
