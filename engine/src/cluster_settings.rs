//! Cluster settings, as `PUT/GET _cluster/settings` change and show them.
//!
//! `KNOWN` is every cluster setting Tensile accepts, each with its type
//! (values are checked as Elasticsearch checks them) and its default
//! (`include_defaults` lists them). Persistent settings live in the
//! metadata, so they are written atomically and survive a restart;
//! transient ones live beside it in memory and are gone after a restart,
//! as in Elasticsearch. A setting's effective value is the transient one,
//! else the persistent one, else the node's (`tensile.yml` or `-E`), else
//! its default.
//!
//! Of these, Tensile acts on `action.destructive_requires_name`,
//! `action.auto_create_index`, `search.max_keep_alive`,
//! `search.default_keep_alive` and `search.allow_expensive_queries`; the
//! allocation, recovery, breaker and logger settings are accepted (a single
//! node has nothing to allocate or recover) and reported.

use crate::error::EngineError;
use crate::metadata::Metadata;
use crate::resolve::wildcard_match;
use crate::settings::FlatSettings;
use crate::Engine;
use serde_json::Value;
use tensile_rest::{ByteSize, TimeValue};

/// How a setting's value is read.
#[derive(Debug, Clone, Copy)]
enum Kind {
    Bool,
    /// A time value of at least zero.
    Time,
    /// A time value, `-1` for none.
    Timeout,
    Bytes,
    /// An integer of at least `min`.
    Int(i64),
    /// One of the values; the label names the setting in the error.
    Choice(&'static str, &'static [&'static str]),
    /// A percentage, a ratio or a byte size (disk watermarks, breakers).
    Text,
    AutoCreate,
    LogLevel,
}

/// A setting Tensile knows.
struct Known {
    key: &'static str,
    kind: Kind,
    default: &'static str,
}

const fn known(key: &'static str, kind: Kind, default: &'static str) -> Known {
    Known { key, kind, default }
}

const ALLOCATION: &[&str] = &["all", "primaries", "new_primaries", "none"];
const REBALANCE: &[&str] = &["all", "primaries", "replicas", "none"];

/// The settings Tensile knows, sorted by key.
const KNOWN: &[Known] = &[
    known("action.auto_create_index", Kind::AutoCreate, "true"),
    known("action.destructive_requires_name", Kind::Bool, "true"),
    known("cluster.max_shards_per_node", Kind::Int(1), "1000"),
    known("cluster.routing.allocation.allow_rebalance", Kind::Text, "indices_all_active"),
    known("cluster.routing.allocation.cluster_concurrent_rebalance", Kind::Int(-1), "2"),
    known("cluster.routing.allocation.disk.threshold_enabled", Kind::Bool, "true"),
    known("cluster.routing.allocation.disk.watermark.flood_stage", Kind::Text, "95%"),
    known("cluster.routing.allocation.disk.watermark.high", Kind::Text, "90%"),
    known("cluster.routing.allocation.disk.watermark.low", Kind::Text, "85%"),
    known("cluster.routing.allocation.enable", Kind::Choice("allocation.enable", ALLOCATION), "all"),
    known("cluster.routing.allocation.node_concurrent_recoveries", Kind::Int(0), "2"),
    known("cluster.routing.allocation.node_initial_primaries_recoveries", Kind::Int(0), "4"),
    known("cluster.routing.rebalance.enable", Kind::Choice("rebalance.enable", REBALANCE), "all"),
    known("indices.breaker.fielddata.limit", Kind::Text, "40%"),
    known("indices.breaker.request.limit", Kind::Text, "60%"),
    known("indices.breaker.total.limit", Kind::Text, "95%"),
    known("indices.recovery.max_bytes_per_sec", Kind::Bytes, "40mb"),
    known("indices.recovery.max_concurrent_file_chunks", Kind::Int(1), "2"),
    known("indices.recovery.max_concurrent_operations", Kind::Int(1), "1"),
    known("logger.level", Kind::LogLevel, "INFO"),
    known("search.allow_expensive_queries", Kind::Bool, "true"),
    known("search.default_keep_alive", Kind::Time, "5m"),
    known("search.default_search_timeout", Kind::Timeout, "-1"),
    known("search.low_level_cancellation", Kind::Bool, "true"),
    known("search.max_buckets", Kind::Int(0), "65536"),
    known("search.max_keep_alive", Kind::Time, "24h"),
    known("search.max_open_scroll_context", Kind::Int(0), "500"),
];

/// Setting groups with any key (Elasticsearch's affix settings), and the
/// type of their values.
const GROUPS: &[(&str, Kind)] = &[
    ("cluster.routing.allocation.exclude.", Kind::Text),
    ("cluster.routing.allocation.include.", Kind::Text),
    ("cluster.routing.allocation.require.", Kind::Text),
    ("logger.", Kind::LogLevel),
];

/// The setting Tensile's defaults and node settings are looked up by.
fn kind_of(key: &str) -> Option<Kind> {
    KNOWN
        .iter()
        .find(|k| k.key == key)
        .map(|k| k.kind)
        .or_else(|| GROUPS.iter().find(|(prefix, _)| key.starts_with(prefix) && key.len() > prefix.len()).map(|g| g.1))
}

/// The default of a known setting.
pub fn default_of(key: &str) -> Option<&'static str> {
    KNOWN.iter().find(|k| k.key == key).map(|k| k.default)
}

/// Which of the two kinds of cluster settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Persistent,
    Transient,
}

impl Scope {
    fn as_str(self) -> &'static str {
        match self {
            Scope::Persistent => "persistent",
            Scope::Transient => "transient",
        }
    }
}

fn illegal(message: String) -> EngineError {
    EngineError::IllegalArgument(message)
}

/// Checks a value against its setting's type, as Elasticsearch words it.
fn check_value(key: &str, kind: Kind, value: &Value) -> Result<(), EngineError> {
    let text = crate::settings_text(value);
    let param = |e: tensile_rest::ParamError| illegal(e.to_string());
    match kind {
        Kind::Bool if text != "true" && text != "false" => {
            Err(illegal(format!("Failed to parse value [{text}] as only [true] or [false] are allowed.")))
        }
        Kind::Time => match TimeValue::parse(key, &text).map_err(param)? {
            t if t.nanos() < 0 => {
                Err(illegal(format!("failed to parse value [{text}] for setting [{key}], must be >= [0ms]")))
            }
            _ => Ok(()),
        },
        Kind::Timeout => TimeValue::parse(key, &text).map(drop).map_err(param),
        Kind::Bytes => ByteSize::parse(key, &text).map(drop).map_err(param),
        Kind::Int(min) => match text.parse::<i64>() {
            Err(_) => Err(illegal(format!("Failed to parse value [{text}] for setting [{key}]"))),
            Ok(n) if n < min => {
                Err(illegal(format!("Failed to parse value [{text}] for setting [{key}] must be >= {min}")))
            }
            Ok(_) => Ok(()),
        },
        Kind::Choice(label, values) if !values.contains(&text.to_ascii_lowercase().as_str()) => {
            Err(illegal(format!("Illegal {label} value [{}]", text.to_ascii_uppercase())))
        }
        Kind::AutoCreate => crate::auto_create::AutoCreate::parse(&text).map(drop).map_err(illegal),
        Kind::LogLevel => {
            const LEVELS: &[&str] = &["OFF", "FATAL", "ERROR", "WARN", "INFO", "DEBUG", "TRACE", "ALL"];
            if LEVELS.contains(&text.to_ascii_uppercase().as_str()) {
                Ok(())
            } else {
                Err(illegal(format!("Unknown level constant [{}].", text.to_ascii_uppercase())))
            }
        }
        _ => Ok(()),
    }
}

/// Applies one scope's changes to its settings, as Elasticsearch's
/// `AbstractScopedSettings.updateDynamicSettings` does: a `null` resets a
/// known setting, a `null` on a name ending in `*` resets every setting it
/// matches; anything else must be a known setting with a valid value.
/// Returns the values set (the resets are not listed).
fn apply(scope: Scope, changes: &FlatSettings, target: &mut FlatSettings) -> Result<FlatSettings, EngineError> {
    let mut updates = FlatSettings::new();
    let mut resets = Vec::new();
    for (key, value) in changes {
        match (value.is_null(), kind_of(key)) {
            (true, _) if key.ends_with('*') => resets.push(key.as_str()),
            (_, None) => return Err(illegal(format!("{} setting [{key}], not recognized", scope.as_str()))),
            (true, Some(_)) => resets.push(key.as_str()),
            (false, Some(kind)) => {
                check_value(key, kind, value)?;
                updates.insert(key.clone(), value.clone());
            }
        }
    }
    target.retain(|key, _| !resets.iter().any(|pattern| wildcard_match(pattern, key)));
    target.extend(updates.clone());
    Ok(updates)
}

/// What `PUT _cluster/settings` set, per scope.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Updated {
    pub persistent: FlatSettings,
    pub transient: FlatSettings,
}

impl Engine {
    /// Changes cluster settings (each scope's settings flat, `null` to
    /// reset), all or nothing.
    pub fn put_cluster_settings(
        &self,
        persistent: &FlatSettings,
        transient: &FlatSettings,
    ) -> Result<Updated, EngineError> {
        self.change_metadata(|meta| {
            let persistent = apply(Scope::Persistent, persistent, &mut meta.persistent_settings)?;
            let transient = apply(Scope::Transient, transient, &mut meta.transient_settings)?;
            check_keep_alives(&|key| self.effective_setting(meta, key))?;
            Ok(Updated { persistent, transient })
        })
    }

    /// The effective value of a cluster setting, as text.
    pub fn cluster_setting(&self, key: &str) -> String {
        self.effective_setting(&self.metadata(), key)
    }

    fn effective_setting(&self, meta: &Metadata, key: &str) -> String {
        meta.transient_settings
            .get(key)
            .or_else(|| meta.persistent_settings.get(key))
            .or_else(|| self.node_settings.get(key))
            .map(crate::settings_text)
            .or_else(|| default_of(key).map(str::to_owned))
            .unwrap_or_default()
    }

    /// Every known setting with its default, the node's value where the
    /// node sets one, as `include_defaults` lists them.
    pub fn cluster_defaults(&self) -> FlatSettings {
        let mut out: FlatSettings = KNOWN.iter().map(|k| (k.key.to_owned(), Value::from(k.default))).collect();
        out.extend(self.node_settings.clone());
        out
    }

    /// The persistent and transient cluster settings.
    pub fn cluster_settings(&self) -> (FlatSettings, FlatSettings) {
        let meta = self.metadata();
        (meta.persistent_settings.clone(), meta.transient_settings.clone())
    }

    /// Refuses a destructive operation on wildcard expressions or `_all`
    /// when `action.destructive_requires_name` is set, as Elasticsearch's
    /// `DestructiveOperations` does.
    pub fn check_destructive(&self, expressions: &[String]) -> Result<(), EngineError> {
        if !self.cluster_bool_setting("action.destructive_requires_name") {
            return Ok(());
        }
        let wildcard = |e: &String| e == "_all" || e.contains('*');
        if expressions.is_empty() || expressions.iter().any(wildcard) {
            return Err(illegal("Wildcard expressions or all indices are not allowed".into()));
        }
        Ok(())
    }

    /// A time-valued cluster setting.
    pub fn cluster_time_setting(&self, key: &str) -> TimeValue {
        TimeValue::parse(key, &self.cluster_setting(key)).unwrap_or(TimeValue::MINUS_ONE)
    }

    /// A boolean cluster setting.
    pub fn cluster_bool_setting(&self, key: &str) -> bool {
        self.cluster_setting(key) == "true"
    }
}

/// The default keep-alive may not exceed the largest one.
fn check_keep_alives(setting: &dyn Fn(&str) -> String) -> Result<(), EngineError> {
    let time = |key: &str| TimeValue::parse(key, &setting(key)).unwrap_or(TimeValue::MINUS_ONE);
    let (default, max) = (time("search.default_keep_alive"), time("search.max_keep_alive"));
    if default.nanos() > max.nanos() {
        return Err(illegal(format!(
            "Default keep alive setting for request [search.default_keep_alive] should be smaller than max keep alive [search.max_keep_alive], was ({default} > {max})"
        )));
    }
    Ok(())
}

/// Reads one scope of a `PUT _cluster/settings` body (nested or dotted
/// keys) into flat settings.
pub fn read(scope: Scope, body: &Value) -> Result<FlatSettings, EngineError> {
    let mut out = FlatSettings::new();
    match body {
        Value::Null => {}
        Value::Object(_) => crate::settings::flatten("", body, &mut out),
        other => return Err(illegal(format!("[{}] must be an object, got [{other}]", scope.as_str()))),
    }
    Ok(out)
}

/// Checks node settings given for cluster settings (`-E
/// action.auto_create_index=...`).
pub fn check_node_settings(settings: &FlatSettings) -> Result<(), EngineError> {
    for (key, value) in settings {
        let kind = kind_of(key).ok_or_else(|| illegal(format!("unknown setting [{key}]")))?;
        check_value(key, kind, value)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn flat(v: Value) -> FlatSettings {
        let mut out = FlatSettings::new();
        crate::settings::flatten("", &v, &mut out);
        out
    }

    #[test]
    fn unknown_settings_and_bad_values_are_refused() {
        let mut target = FlatSettings::new();
        let err = apply(Scope::Persistent, &flat(json!({"x.y": 1})), &mut target).unwrap_err();
        assert_eq!(err.to_string(), "persistent setting [x.y], not recognized");
        let err = apply(Scope::Transient, &flat(json!({"x.y": null})), &mut target).unwrap_err();
        assert_eq!(err.to_string(), "transient setting [x.y], not recognized");
        let err = apply(Scope::Persistent, &flat(json!({"search.max_keep_alive": "soon"})), &mut target).unwrap_err();
        assert!(err.to_string().contains("as a time value"), "{err}");
        let err = apply(Scope::Persistent, &flat(json!({"action.destructive_requires_name": "yes"})), &mut target)
            .unwrap_err();
        assert_eq!(err.to_string(), "Failed to parse value [yes] as only [true] or [false] are allowed.");
        let err = apply(Scope::Persistent, &flat(json!({"logger.org.foo": "loud"})), &mut target).unwrap_err();
        assert_eq!(err.to_string(), "Unknown level constant [LOUD].");
        assert!(target.is_empty());
    }

    #[test]
    fn nulls_and_wildcards_reset() {
        let mut target = FlatSettings::new();
        let set = apply(
            Scope::Persistent,
            &flat(json!({"indices": {"recovery": {"max_bytes_per_sec": "20mb", "max_concurrent_file_chunks": 3}}, "search.max_buckets": 10})),
            &mut target,
        )
        .unwrap();
        assert_eq!(set.len(), 3);
        assert_eq!(target["indices.recovery.max_concurrent_file_chunks"], json!("3"));
        let set = apply(Scope::Persistent, &flat(json!({"indices.recovery.*": null})), &mut target).unwrap();
        assert!(set.is_empty());
        assert_eq!(target.keys().collect::<Vec<_>>(), vec!["search.max_buckets"]);
        apply(Scope::Persistent, &flat(json!({"search.max_buckets": null})), &mut target).unwrap();
        assert!(target.is_empty());
    }

    #[test]
    fn default_keep_alive_may_not_exceed_the_max() {
        let settings = |d: &'static str, m: &'static str| {
            move |k: &str| if k == "search.default_keep_alive" { d.to_owned() } else { m.to_owned() }
        };
        assert!(check_keep_alives(&settings("1m", "1m")).is_ok());
        let err = check_keep_alives(&settings("5m", "1m")).unwrap_err().to_string();
        assert!(err.ends_with("was (5m > 1m)"), "{err}");
    }

    #[test]
    fn the_table_is_sorted_and_its_defaults_valid() {
        assert!(KNOWN.windows(2).all(|w| w[0].key < w[1].key));
        for k in KNOWN {
            check_value(k.key, k.kind, &Value::from(k.default)).unwrap();
        }
    }
}
