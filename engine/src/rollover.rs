//! Rollover: when an alias's write index meets the request's conditions
//! (or always, without any), a new index takes over the alias for writes.
//! The new index is named by the request or by incrementing the old one's
//! trailing number (`logs-1` to `logs-000002`); it is created as any index
//! is, templates applied. Data streams are not built yet.

use crate::aliases::AliasAction;
use crate::error::EngineError;
use crate::Engine;
use serde_json::{Map, Value};
use std::collections::BTreeMap;

/// What a rollover did (or, in a dry run, would do).
#[derive(Debug, Clone, PartialEq)]
pub struct Rollover {
    pub old_index: String,
    pub new_index: String,
    pub rolled_over: bool,
    pub dry_run: bool,
    /// Each condition as Elasticsearch names it (`[max_docs: 1]`) and
    /// whether it was met.
    pub conditions: BTreeMap<String, bool>,
}

/// One condition of the request: what it measures, and its bound.
#[derive(Debug, Clone)]
struct Condition {
    /// `max_docs`, `min_age`, ...
    name: String,
    /// The bound as sent, for the answer.
    shown: String,
    bound: u64,
}

/// What the write index measures, against the conditions.
struct Measured {
    age_millis: u64,
    docs: u64,
    bytes: u64,
    largest_shard_bytes: u64,
    largest_shard_docs: u64,
}

impl Condition {
    fn parse(name: &str, value: &Value) -> Result<Condition, EngineError> {
        let shown = crate::settings_text(value);
        let bound = match name.trim_start_matches("max_").trim_start_matches("min_") {
            "age" => tensile_rest::TimeValue::parse(name, &shown)
                .map(|t| t.millis().max(0) as u64)
                .map_err(|e| EngineError::IllegalArgument(e.to_string()))?,
            "docs" | "primary_shard_docs" => shown.parse::<u64>().map_err(|_| {
                EngineError::IllegalArgument(format!("failed to parse [{name}] with value [{shown}] as a number"))
            })?,
            "size" | "primary_shard_size" => tensile_rest::ByteSize::parse(name, &shown)
                .map(|b| b.bytes().max(0) as u64)
                .map_err(|e| EngineError::IllegalArgument(e.to_string()))?,
            _ => return Err(EngineError::XContentParse(format!("[conditions] unknown field [{name}]"))),
        };
        Ok(Condition { name: name.to_owned(), shown, bound })
    }

    fn is_max(&self) -> bool {
        self.name.starts_with("max_")
    }

    fn met(&self, m: &Measured) -> bool {
        let value = match self.name.trim_start_matches("max_").trim_start_matches("min_") {
            "age" => m.age_millis,
            "docs" => m.docs,
            "size" => m.bytes,
            "primary_shard_size" => m.largest_shard_bytes,
            _ => m.largest_shard_docs,
        };
        value >= self.bound
    }
}

impl Engine {
    /// Rolls `target` (an alias) over to `new_index` (or the next name);
    /// `body` may hold `conditions`, `settings`, `mappings` and `aliases`.
    pub fn rollover(
        &self,
        target: &str,
        new_index: Option<&str>,
        body: &Value,
        dry_run: bool,
    ) -> Result<Rollover, EngineError> {
        let request = body.as_object().cloned().unwrap_or_default();
        if let Some(unknown) =
            request.keys().find(|k| !["conditions", "settings", "mappings", "aliases"].contains(&k.as_str()))
        {
            return Err(EngineError::XContentParse(format!("[rollover] unknown field [{unknown}]")));
        }
        let conditions = match request.get("conditions") {
            Some(Value::Object(c)) => c.iter().map(|(k, v)| Condition::parse(k, v)).collect::<Result<Vec<_>, _>>()?,
            Some(_) => return Err(EngineError::XContentParse("[rollover] conditions must be an object".into())),
            None => Vec::new(),
        };
        if !conditions.is_empty() && conditions.iter().all(|c| !c.is_max()) {
            return Err(EngineError::Validation(
                "Validation Failed: 1: at least one max_* rollover condition must be set when using min_* conditions;"
                    .into(),
            ));
        }
        let (old_index, explicit_write) = self.rollover_source(target)?;
        // A hidden alias stays hidden on both sides.
        let hidden = self.metadata().indices[&old_index].aliases[target].get("is_hidden").cloned();
        let new_index = match new_index {
            Some(name) => name.to_owned(),
            None => next_name(&old_index, self.metadata().indices[&old_index].setting("index.provided_name"))?,
        };
        let measured = self.measure(&old_index)?;
        let results: BTreeMap<String, bool> =
            conditions.iter().map(|c| (format!("[{}: {}]", c.name, c.shown), c.met(&measured))).collect();
        let (max, min): (Vec<&Condition>, Vec<&Condition>) = conditions.iter().partition(|c| c.is_max());
        let met = (max.is_empty() || max.iter().any(|c| c.met(&measured))) && min.iter().all(|c| c.met(&measured));
        let mut outcome = Rollover {
            old_index: old_index.clone(),
            new_index: new_index.clone(),
            rolled_over: false,
            dry_run,
            conditions: results,
        };
        if dry_run || !met {
            return Ok(outcome);
        }

        let mut create = Map::new();
        for key in ["settings", "mappings", "aliases"] {
            if let Some(v) = request.get(key) {
                create.insert(key.to_owned(), v.clone());
            }
        }
        self.create_index(&new_index, &Value::Object(create))?;
        let definition = |write: Option<bool>| {
            let mut d = Map::new();
            if let Some(write) = write {
                d.insert("is_write_index".into(), Value::Bool(write));
            }
            if let Some(hidden) = &hidden {
                d.insert("is_hidden".into(), hidden.clone());
            }
            Value::Object(d)
        };
        let actions = if explicit_write {
            vec![
                AliasAction::Add {
                    indices: vec![old_index.clone()],
                    alias: target.to_owned(),
                    definition: definition(Some(false)),
                },
                AliasAction::Add {
                    indices: vec![new_index.clone()],
                    alias: target.to_owned(),
                    definition: definition(Some(true)),
                },
            ]
        } else {
            vec![
                AliasAction::Add {
                    indices: vec![new_index.clone()],
                    alias: target.to_owned(),
                    definition: definition(None),
                },
                AliasAction::Remove {
                    indices: vec![old_index.clone()],
                    aliases: vec![target.to_owned()],
                    must_exist: true,
                },
            ]
        };
        // The alias moves, or the new index goes again: no half rollover.
        if let Err(e) = self.update_aliases(&actions) {
            let _ = self.delete_indices(std::slice::from_ref(&new_index));
            return Err(e);
        }
        outcome.rolled_over = true;
        Ok(outcome)
    }

    /// The write index of the alias a rollover names, and whether the
    /// alias marks it with `is_write_index: true`.
    fn rollover_source(&self, target: &str) -> Result<(String, bool), EngineError> {
        let meta = self.metadata();
        if meta.indices.contains_key(target) {
            return Err(EngineError::IllegalArgument(
                "rollover target is a [concrete index] but one of [alias,data_stream] was expected".into(),
            ));
        }
        let indices = meta.alias_indices(target);
        if indices.is_empty() {
            return Err(EngineError::IllegalArgument(format!("rollover target [{target}] does not exist")));
        }
        let marked = |i: &&str| meta.indices[*i].aliases[target].get("is_write_index").and_then(Value::as_bool);
        match indices.iter().find(|i| marked(i) == Some(true)) {
            Some(write) => Ok(((*write).to_owned(), true)),
            None if indices.len() == 1 && marked(&indices[0]) != Some(false) => Ok((indices[0].to_owned(), false)),
            None => {
                Err(EngineError::IllegalArgument(format!("rollover target [{target}] does not point to a write index")))
            }
        }
    }

    fn measure(&self, index: &str) -> Result<Measured, EngineError> {
        let created = self.metadata().indices[index]
            .setting("index.creation_date")
            .and_then(|d| d.parse::<u64>().ok())
            .unwrap_or_default();
        let now = crate::clock::now_millis();
        let shards = self.shard_stats(index)?;
        Ok(Measured {
            age_millis: now.saturating_sub(created),
            docs: shards.iter().map(|s| s.docs).sum(),
            bytes: shards.iter().map(|s| s.store_bytes).sum(),
            largest_shard_bytes: shards.iter().map(|s| s.store_bytes).max().unwrap_or_default(),
            largest_shard_docs: shards.iter().map(|s| s.docs).max().unwrap_or_default(),
        })
    }
}

/// The name after `old`: its trailing number plus one, six digits wide.
/// An index created with date math in its name (`<logs-{now/d}-1>`) gets
/// the date math evaluated again.
fn next_name(old: &str, provided: Option<&str>) -> Result<String, EngineError> {
    let increment = |name: &str, suffix: &str| -> Option<String> {
        let body = name.strip_suffix(suffix)?;
        let dash = body.rfind('-')?;
        let digits = &body[dash + 1..];
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        let n: u64 = digits.parse().ok()?;
        Some(format!("{}-{:06}{suffix}", &body[..dash], n.checked_add(1)?))
    };
    if let Some(provided) = provided.filter(|p| p.starts_with('<') && p.ends_with('>')) {
        if let Some(next) = increment(provided, ">") {
            return crate::date_math_name::resolve_now(&next);
        }
    }
    increment(old, "")
        .ok_or_else(|| EngineError::IllegalArgument(format!("index name [{old}] does not match pattern '^.*-\\d+$'")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_names_count_on() {
        assert_eq!(next_name("logs-1", None).unwrap(), "logs-000002");
        assert_eq!(next_name("logs-000009", None).unwrap(), "logs-000010");
        assert_eq!(next_name("a-b-1000000", None).unwrap(), "a-b-1000001");
        assert!(next_name("logs", None).is_err());
        assert!(next_name("logs-", None).is_err());
        let dated = next_name("logs-2026.11.29-1", Some("<logs-{now/d}-1>")).unwrap();
        assert!(dated.starts_with("logs-") && dated.ends_with("-000002"), "{dated}");
    }
}
