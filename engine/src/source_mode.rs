//! How an index keeps `_source`: the mapping's `_source.mode` (`stored`,
//! `synthetic`, `disabled`), the index setting `index.mapping.source.mode`
//! that wins over it, and `index.mode` (`logsdb` and `time_series` only
//! keep synthetic source; `time_series` routes by `index.routing_path`),
//! with Elasticsearch's checks at index creation and mapping updates.

use crate::error::EngineError;
use crate::settings::FlatSettings;
use serde_json::{Map, Value};

/// How Elasticsearch names the time series mode in its errors.
const TSDB_MODE: &str = "[index.mode=time_series]";

/// The index setting that overrides the mapping's `_source.mode`.
pub const SOURCE_MODE_SETTING: &str = "index.mapping.source.mode";

/// How `_source` is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SourceMode {
    /// Kept as sent.
    #[default]
    Stored,
    /// Rebuilt from the indexed values (`synthetic.rs`).
    Synthetic,
    /// Not kept.
    Disabled,
}

impl SourceMode {
    pub fn parse(text: &str) -> Option<SourceMode> {
        match text.to_ascii_lowercase().as_str() {
            "stored" => Some(SourceMode::Stored),
            "synthetic" => Some(SourceMode::Synthetic),
            "disabled" => Some(SourceMode::Disabled),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            SourceMode::Stored => "stored",
            SourceMode::Synthetic => "synthetic",
            SourceMode::Disabled => "disabled",
        }
    }
}

/// `index.mode`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IndexMode {
    Standard,
    TimeSeries,
    Logsdb,
    Lookup,
}

impl IndexMode {
    /// The mode of an index's settings (`standard` when unset).
    pub fn of(settings: &FlatSettings) -> Result<IndexMode, EngineError> {
        let Some(value) = settings.get("index.mode") else { return Ok(IndexMode::Standard) };
        let text = crate::settings_text(value);
        Ok(match text.to_ascii_lowercase().as_str() {
            "standard" => IndexMode::Standard,
            "time_series" => IndexMode::TimeSeries,
            "logsdb" => IndexMode::Logsdb,
            "lookup" => IndexMode::Lookup,
            // Behind a feature flag that release builds leave off.
            "columnar" | "logsdb_columnar" => {
                return Err(EngineError::IllegalArgument(format!(
                    "[{text}] index mode is only available in snapshot builds."
                )))
            }
            _ => {
                return Err(EngineError::IllegalArgument(format!(
                    "[{text}] is an invalid index mode, valid modes are: [standard,time_series,logsdb,lookup]"
                )))
            }
        })
    }

    /// Checks the settings each mode constrains, as Elasticsearch's
    /// `IndexMode.validateWithOtherSettings` does.
    fn check_settings(self, settings: &FlatSettings, mappings: &Value) -> Result<(), EngineError> {
        let set = |key: &str| settings.get(key).map(crate::settings_text);
        let routing_path_set = settings.get("index.routing_path").is_some_and(|v| match v {
            Value::Array(items) => !items.is_empty(),
            other => !crate::settings_text(other).is_empty(),
        });
        match self {
            IndexMode::TimeSeries => {
                let incompatible =
                    |key: &str| EngineError::IllegalArgument(format!("{TSDB_MODE} is incompatible with [{key}]"));
                if set("index.routing_partition_size").is_some_and(|v| v != "1") {
                    return Err(incompatible("index.routing_partition_size"));
                }
                for key in ["index.sort.field", "index.sort.order", "index.sort.mode", "index.sort.missing"] {
                    if settings.contains_key(key) {
                        return Err(incompatible(key));
                    }
                }
                if !routing_path_set && !has_dimension(mappings) {
                    return Err(EngineError::IllegalArgument(format!(
                        "{TSDB_MODE} requires a non-empty [index.routing_path]"
                    )));
                }
                let routing_required =
                    mappings.get("_routing").and_then(|r| r.get("required")).is_some_and(|v| v == true || v == "true");
                if routing_required {
                    return Err(EngineError::IllegalArgument(format!(
                        "routing is forbidden on CRUD operations that target indices in {TSDB_MODE}"
                    )));
                }
                Ok(())
            }
            IndexMode::Lookup => match set("index.number_of_shards") {
                Some(n) if n != "1" => Err(EngineError::IllegalArgument(format!(
                    "index with [lookup] mode must have [index.number_of_shards] set to 1 or unset; provided {n}"
                ))),
                _ => Ok(()),
            },
            IndexMode::Standard | IndexMode::Logsdb if routing_path_set => {
                Err(EngineError::IllegalArgument(format!("[index.routing_path] requires {TSDB_MODE}")))
            }
            _ => Ok(()),
        }
    }

    /// Whether the mode keeps synthetic source only.
    fn synthetic_only(self) -> bool {
        matches!(self, IndexMode::TimeSeries | IndexMode::Logsdb)
    }

    /// The error for a mapping asking another source mode.
    fn synthetic_only_error(self) -> EngineError {
        let cause = match self {
            IndexMode::TimeSeries => "time series indices only support synthetic source".to_owned(),
            _ => "Indices with with index mode [logsdb] only support synthetic source".to_owned(),
        };
        EngineError::mapper_parsing(format!("Failed to parse mapping: {cause}"))
    }
}

/// The `mode` a mapping's `_source` names, checked as Elasticsearch's
/// `_source` mapper builds it.
fn mapping_mode(mappings: &Value) -> Result<Option<SourceMode>, EngineError> {
    let Some(source) = mappings.get("_source").and_then(Value::as_object) else { return Ok(None) };
    let Some(mode) = source.get("mode") else { return Ok(None) };
    let text = crate::settings_text(mode);
    let parsed = SourceMode::parse(&text).ok_or_else(|| {
        // Java's `Enum.valueOf` refusing the name.
        let cause =
            format!("No enum constant org.elasticsearch.index.mapper.SourceFieldMapper.Mode.{}", text.to_uppercase());
        EngineError::MapperParsing { reason: format!("Failed to parse mapping: {cause}"), cause: Some(cause) }
    })?;
    if source.contains_key("enabled") {
        return Err(EngineError::mapper_parsing(
            "Failed to parse mapping: Cannot set both [mode] and [enabled] parameters",
        ));
    }
    Ok(Some(parsed))
}

/// Whether a mapping's `_source` filters what is stored.
fn filters(mappings: &Value) -> bool {
    let source = mappings.get("_source");
    ["includes", "excludes"]
        .iter()
        .any(|k| source.and_then(|s| s.get(*k)).and_then(Value::as_array).is_some_and(|a| !a.is_empty()))
}

/// Synthetic source cannot filter what is stored: there is nothing stored.
fn check_filters(mode: SourceMode, mappings: &Value) -> Result<(), EngineError> {
    if mode == SourceMode::Synthetic && filters(mappings) {
        let cause = "filtering the stored _source is incompatible with synthetic source".to_owned();
        return Err(EngineError::MapperParsing {
            reason: format!("Failed to parse mapping: {cause}"),
            cause: Some(cause),
        });
    }
    Ok(())
}

/// The `index.mapping.source.mode` setting, checked.
fn setting_mode(settings: &FlatSettings) -> Result<Option<SourceMode>, EngineError> {
    let Some(value) = settings.get(SOURCE_MODE_SETTING) else { return Ok(None) };
    let text = crate::settings_text(value);
    SourceMode::parse(&text).map(Some).ok_or_else(|| {
        EngineError::IllegalArgument(format!(
            "Unknown value [{text}] for setting [{SOURCE_MODE_SETTING}] - accepted values are [disabled, stored, synthetic]"
        ))
    })
}

/// The source mode an index keeps: `index.mode`'s if it only allows
/// synthetic source, else the setting's, else the mapping's (`enabled:
/// false` is `disabled`), else `stored`.
pub fn effective(settings: &FlatSettings, mappings: &Value) -> SourceMode {
    if IndexMode::of(settings).is_ok_and(IndexMode::synthetic_only) {
        return SourceMode::Synthetic;
    }
    if let Ok(Some(mode)) = setting_mode(settings) {
        return mode;
    }
    if let Ok(Some(mode)) = mapping_mode(mappings) {
        return mode;
    }
    let disabled = mappings
        .get("_source")
        .and_then(|s| s.get("enabled"))
        .is_some_and(|v| v == &Value::Bool(false) || v == "false");
    if disabled {
        SourceMode::Disabled
    } else {
        SourceMode::Stored
    }
}

/// Checks an index's settings and mapping at creation (a synthetic
/// source cannot filter), and rewrites the mapping's `_source.mode` as
/// Elasticsearch reports it: the setting's mode over the mapping's, and
/// `synthetic` for modes that only keep it.
pub fn at_creation(settings: &FlatSettings, mappings: &mut Value) -> Result<(), EngineError> {
    let index_mode = IndexMode::of(settings)?;
    let setting = setting_mode(settings)?;
    let mapped = mapping_mode(mappings)?;
    index_mode.check_settings(settings, mappings)?;
    check_filters(effective(settings, mappings), mappings)?;
    if index_mode.synthetic_only() {
        if mapped.is_some_and(|m| m != SourceMode::Synthetic) {
            return Err(index_mode.synthetic_only_error());
        }
        if mapped.is_some() || setting.is_some() {
            set_mapping_mode(mappings, SourceMode::Synthetic);
        }
        return Ok(());
    }
    if let (Some(setting), Some(_)) = (setting, mapped) {
        set_mapping_mode(mappings, setting);
    }
    Ok(())
}

fn set_mapping_mode(mappings: &mut Value, mode: SourceMode) {
    if !mappings.is_object() {
        *mappings = Value::Object(Map::new());
    }
    let Value::Object(root) = mappings else { return };
    let source = root.entry("_source").or_insert_with(|| Value::Object(Map::new()));
    if let Value::Object(source) = source {
        source.insert("mode".into(), Value::from(mode.as_str()));
    }
}

/// Whether a mapping has a `time_series_dimension` field.
fn has_dimension(mapping: &Value) -> bool {
    let Some(Value::Object(props)) = mapping.get("properties") else { return false };
    props.values().any(|def| {
        def.get("time_series_dimension").is_some_and(|v| v == &Value::Bool(true) || v == "true") || has_dimension(def)
    })
}

/// Checks a mapping update's `_source` against the current mapping: a
/// mode set before cannot become `stored`, and synthetic source cannot
/// filter.
pub fn check_update(existing: &Value, update: &Value, settings: &FlatSettings) -> Result<(), EngineError> {
    let Some(to) = mapping_mode(update)? else {
        return check_filters(effective(settings, existing), update);
    };
    if let Some(from) = mapping_mode(existing)? {
        if from != to && to == SourceMode::Stored {
            return Err(EngineError::IllegalArgument(format!(
                "Mapper for [_source] conflicts with existing mapper:\n\tCannot update parameter [mode] from [{}] to [{}]",
                from.as_str(),
                to.as_str()
            )));
        }
    }
    check_filters(to, update)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn settings(pairs: &[(&str, Value)]) -> FlatSettings {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), v.clone())).collect()
    }

    #[test]
    fn the_setting_wins_over_the_mapping() {
        let s = settings(&[(SOURCE_MODE_SETTING, json!("disabled"))]);
        let mut m = json!({"_source": {"mode": "synthetic"}});
        at_creation(&s, &mut m).unwrap();
        assert_eq!(m, json!({"_source": {"mode": "disabled"}}));
        assert_eq!(effective(&s, &m), SourceMode::Disabled);
        let mut empty = json!({});
        at_creation(&s, &mut empty).unwrap();
        assert_eq!(empty, json!({}));
        assert_eq!(effective(&s, &empty), SourceMode::Disabled);
    }

    #[test]
    fn logsdb_and_time_series_keep_synthetic_source_only() {
        let logs = settings(&[("index.mode", json!("logsdb"))]);
        let err = at_creation(&logs, &mut json!({"_source": {"mode": "stored"}})).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Failed to parse mapping: Indices with with index mode [logsdb] only support synthetic source"
        );
        let tsdb = settings(&[
            ("index.mode", json!("time_series")),
            ("index.routing_path", json!(["k"])),
            (SOURCE_MODE_SETTING, json!("stored")),
        ]);
        let mut m = json!({});
        at_creation(&tsdb, &mut m).unwrap();
        assert_eq!(m["_source"]["mode"], "synthetic");
        assert_eq!(effective(&tsdb, &m), SourceMode::Synthetic);
        let no_path = settings(&[("index.mode", json!("time_series"))]);
        assert!(at_creation(&no_path, &mut json!({})).is_err());
        assert!(at_creation(
            &no_path,
            &mut json!({"properties": {"k": {"type": "keyword", "time_series_dimension": true}}})
        )
        .is_ok());
        let sorted = settings(&[
            ("index.mode", json!("time_series")),
            ("index.routing_path", json!(["k"])),
            ("index.sort.field", json!("k")),
        ]);
        let err = at_creation(&sorted, &mut json!({})).unwrap_err().to_string();
        assert_eq!(err, "[index.mode=time_series] is incompatible with [index.sort.field]");
        let path_alone = settings(&[("index.routing_path", json!(["k"]))]);
        let err = at_creation(&path_alone, &mut json!({})).unwrap_err().to_string();
        assert_eq!(err, "[index.routing_path] requires [index.mode=time_series]");
    }

    #[test]
    fn lookup_indices_have_one_shard_and_modes_are_checked() {
        let two = settings(&[("index.mode", json!("lookup")), ("index.number_of_shards", json!("2"))]);
        let err = at_creation(&two, &mut json!({})).unwrap_err().to_string();
        assert_eq!(err, "index with [lookup] mode must have [index.number_of_shards] set to 1 or unset; provided 2");
        let one = settings(&[("index.mode", json!("lookup")), ("index.number_of_shards", json!("1"))]);
        at_creation(&one, &mut json!({})).unwrap();
        let err = at_creation(&settings(&[("index.mode", json!("nope"))]), &mut json!({})).unwrap_err().to_string();
        assert_eq!(err, "[nope] is an invalid index mode, valid modes are: [standard,time_series,logsdb,lookup]");
    }

    #[test]
    fn synthetic_source_cannot_be_turned_off() {
        let none = FlatSettings::new();
        let synthetic = json!({"_source": {"mode": "synthetic"}});
        let err = check_update(&synthetic, &json!({"_source": {"mode": "stored"}}), &none).unwrap_err().to_string();
        assert!(err.ends_with("Cannot update parameter [mode] from [synthetic] to [stored]"), "{err}");
        check_update(&json!({"_source": {"mode": "stored"}}), &synthetic, &none).unwrap();
        check_update(&synthetic, &json!({"_source": {"mode": "disabled"}}), &none).unwrap();
        let err = check_update(&synthetic, &json!({"_source": {"excludes": ["a"]}}), &none).unwrap_err().to_string();
        assert_eq!(err, "Failed to parse mapping: filtering the stored _source is incompatible with synthetic source");
        let err = mapping_mode(&json!({"_source": {"mode": "nope"}})).unwrap_err().to_string();
        assert_eq!(
            err,
            "Failed to parse mapping: No enum constant org.elasticsearch.index.mapper.SourceFieldMapper.Mode.NOPE"
        );
    }
}
