//! Alias changes: add, remove and remove-index actions, applied together
//! and persisted once, as `POST /_aliases` does.

use crate::error::EngineError;
use crate::index_name;
use crate::metadata::Metadata;
use crate::Engine;
use serde_json::{Map, Value};

/// One alias action, its indices already resolved.
#[derive(Debug, Clone, PartialEq)]
pub enum AliasAction {
    Add { indices: Vec<String>, alias: String, definition: Value },
    Remove { indices: Vec<String>, aliases: Vec<String>, must_exist: bool },
    RemoveIndex { indices: Vec<String> },
}

/// An alias definition as Elasticsearch keeps it: `routing` becomes
/// `index_routing` and `search_routing`; unknown fields are refused.
pub fn normalize_definition(alias: &str, def: &Value) -> Result<Value, EngineError> {
    let mut out = Map::new();
    let Some(map) = def.as_object() else {
        return Ok(Value::Object(out));
    };
    for (k, v) in map {
        match k.as_str() {
            "filter" | "is_write_index" | "is_hidden" | "index_routing" | "search_routing" => {
                let value = if k.ends_with("routing") { Value::String(crate::settings_text(v)) } else { v.clone() };
                out.insert(k.clone(), value);
            }
            "routing" => {
                let r = Value::String(crate::settings_text(v));
                out.entry("index_routing").or_insert_with(|| r.clone());
                out.entry("search_routing").or_insert(r);
            }
            other => {
                return Err(EngineError::IllegalArgument(format!(
                    "[alias] unknown field [{other}] for alias [{alias}]"
                )))
            }
        }
    }
    Ok(Value::Object(out))
}

/// Checks a new alias name: the index name rules, and no index (nor the
/// index being created, `creating`) may have that name.
pub fn check_name(meta: &Metadata, alias: &str, creating: Option<&str>) -> Result<(), EngineError> {
    index_name::validate(alias).map_err(|e| match e {
        EngineError::InvalidIndexName { reason, .. } => {
            EngineError::InvalidAliasName { name: alias.to_owned(), reason }
        }
        other => other,
    })?;
    if creating == Some(alias) || meta.indices.contains_key(alias) {
        return Err(EngineError::InvalidAliasName {
            name: alias.to_owned(),
            reason: "an index or data stream exists with the same name as the alias".into(),
        });
    }
    Ok(())
}

/// Applies one action. `Ok(Some(error))` is a failure of this action
/// alone (a `remove` without `must_exist: true` that found nothing), which
/// Elasticsearch reports in `action_results` while applying the others.
fn apply(meta: &mut Metadata, action: &AliasAction) -> Result<Option<EngineError>, EngineError> {
    match action {
        AliasAction::Add { indices, alias, definition } => {
            let alias = &crate::date_math_name::resolve_now(alias)?;
            check_name(meta, alias, None)?;
            let definition = normalize_definition(alias, definition)?;
            for index in indices {
                let target =
                    meta.indices.get_mut(index).ok_or_else(|| EngineError::IndexNotFound { name: index.clone() })?;
                target.aliases.insert(alias.clone(), definition.clone());
            }
        }
        AliasAction::Remove { indices, aliases, must_exist } => {
            let mut removed = false;
            for index in indices {
                let target =
                    meta.indices.get_mut(index).ok_or_else(|| EngineError::IndexNotFound { name: index.clone() })?;
                let before = target.aliases.len();
                target.aliases.retain(|name, _| !aliases.iter().any(|p| crate::resolve::wildcard_match(p, name)));
                removed |= target.aliases.len() != before;
            }
            if !removed {
                let missing = EngineError::AliasesNotFound { names: aliases.clone() };
                return if *must_exist { Err(missing) } else { Ok(Some(missing)) };
            }
        }
        AliasAction::RemoveIndex { indices } => {
            for index in indices {
                meta.indices.remove(index);
            }
        }
    }
    Ok(None)
}

impl Engine {
    /// Applies the actions together and persists the metadata once:
    /// `remove_index` actions first (so an alias may take a removed index's
    /// name), then the others in order. An action that fails on its own
    /// gets its error in the answer, one entry per action; any other
    /// failure, or every action failing, changes nothing. Removed indices
    /// are deleted with their data.
    pub fn update_aliases(&self, actions: &[AliasAction]) -> Result<Vec<Option<EngineError>>, EngineError> {
        let removes_index = |a: &&AliasAction| matches!(a, AliasAction::RemoveIndex { .. });
        let (removed, outcomes) = self.change_metadata(|meta| {
            let mut removed = Vec::new();
            for action in actions.iter().filter(removes_index) {
                let AliasAction::RemoveIndex { indices } = action else { continue };
                removed.extend(indices.iter().filter_map(|name| meta.indices.remove(name)));
            }
            let mut outcomes = Vec::with_capacity(actions.len());
            for action in actions {
                outcomes.push(if removes_index(&action) { None } else { apply(meta, action)? });
            }
            if !outcomes.is_empty() && outcomes.iter().all(Option::is_some) {
                return Err(outcomes.swap_remove(0).expect("every action failed"));
            }
            Ok((removed, outcomes))
        })?;
        self.drop_removed(removed);
        Ok(outcomes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn add_remove_and_atomicity() {
        let dir = tempfile::tempdir().unwrap();
        let engine = Engine::open(dir.path()).unwrap();
        engine.create_index("a", &json!({})).unwrap();
        engine.create_index("b", &json!({})).unwrap();
        let add = AliasAction::Add {
            indices: vec!["a".into(), "b".into()],
            alias: "both".into(),
            definition: json!({"routing": "1"}),
        };
        engine.update_aliases(&[add]).unwrap();
        assert_eq!(
            engine.metadata().indices["a"].aliases["both"],
            json!({"index_routing": "1", "search_routing": "1"})
        );

        // One bad action leaves everything as it was.
        let add_c = AliasAction::Add { indices: vec!["a".into()], alias: "c".into(), definition: json!({}) };
        let bad = AliasAction::Add { indices: vec!["a".into()], alias: "b".into(), definition: json!({}) };
        assert!(engine.update_aliases(&[add_c, bad]).is_err());
        assert!(!engine.metadata().indices["a"].aliases.contains_key("c"));

        let remove = AliasAction::Remove { indices: vec!["a".into()], aliases: vec!["bo*".into()], must_exist: true };
        engine.update_aliases(std::slice::from_ref(&remove)).unwrap();
        assert!(matches!(engine.update_aliases(&[remove]), Err(EngineError::AliasesNotFound { .. })));
        // Without must_exist, a remove that finds nothing fails alone...
        let add_c = AliasAction::Add { indices: vec!["a".into()], alias: "c".into(), definition: json!({}) };
        let lenient = AliasAction::Remove { indices: vec!["a".into()], aliases: vec!["bo*".into()], must_exist: false };
        let outcomes = engine.update_aliases(&[add_c, lenient.clone()]).unwrap();
        assert!(outcomes[0].is_none() && matches!(outcomes[1], Some(EngineError::AliasesNotFound { .. })));
        assert!(engine.metadata().indices["a"].aliases.contains_key("c"));
        // ...unless it is all there is.
        assert!(matches!(engine.update_aliases(&[lenient]), Err(EngineError::AliasesNotFound { .. })));
        drop(engine);
        let engine = Engine::open(dir.path()).unwrap();
        assert!(engine.metadata().indices["b"].aliases.contains_key("both"));
        assert!(!engine.metadata().indices["a"].aliases.contains_key("both"));
    }

    #[test]
    fn an_alias_may_take_the_name_of_an_index_removed_with_it() {
        let dir = tempfile::tempdir().unwrap();
        let engine = Engine::open(dir.path()).unwrap();
        engine.create_index("test", &json!({})).unwrap();
        engine.create_index("test_2", &json!({})).unwrap();
        let add = AliasAction::Add { indices: vec!["test_2".into()], alias: "test".into(), definition: json!({}) };
        let remove = AliasAction::RemoveIndex { indices: vec!["test".into()] };
        engine.update_aliases(&[add, remove]).unwrap();
        let meta = engine.metadata();
        assert!(!meta.indices.contains_key("test"));
        assert!(meta.indices["test_2"].aliases.contains_key("test"));
    }
}
