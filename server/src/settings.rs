//! Node settings, taken as Elasticsearch takes them: `config/tensile.yml`
//! (nested or dotted keys), then `-E key=value` from the command line.
//! An unknown key is an error, as in Elasticsearch.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use tensile_rest::ByteSize;

/// The name of the settings file inside the config folder.
pub const CONFIG_FILE: &str = "tensile.yml";

#[derive(Debug, Clone, PartialEq)]
pub struct Settings {
    /// `http.host`: the address to listen on.
    pub http_host: String,
    /// `http.port`; `0` picks a free port.
    pub http_port: u16,
    /// `http.max_content_length`: the largest request body accepted.
    pub max_content_length: ByteSize,
    /// `path.data`: where indices and node metadata live.
    pub path_data: PathBuf,
    /// `cluster.name`.
    pub cluster_name: String,
    /// `node.name`; the host name by default, as in Elasticsearch.
    pub node_name: String,
    /// `action.auto_create_index`: `true`, `false` or index patterns.
    pub auto_create_index: String,
    /// `action.destructive_requires_name`. Elasticsearch's default is
    /// `true`; Tensile's is `false`, the value Elasticsearch's own test
    /// clusters run with, so that clients and test suites may wipe with
    /// `DELETE /*`. A cluster setting of the same name overrides it.
    pub destructive_requires_name: String,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            http_host: "127.0.0.1".into(),
            http_port: 9200,
            max_content_length: ByteSize::from_bytes(100 << 20),
            path_data: PathBuf::from("data"),
            cluster_name: "elasticsearch".into(),
            node_name: default_node_name(),
            auto_create_index: "true".into(),
            destructive_requires_name: "false".into(),
        }
    }
}

#[derive(Debug, thiserror::Error, PartialEq)]
pub enum SettingsError {
    #[error("unknown setting [{0}] please check that any required plugins are installed, or check the breaking changes documentation for removed settings")]
    Unknown(String),
    #[error("failed to parse value [{value}] for setting [{key}]: {reason}")]
    Invalid { key: String, value: String, reason: String },
    #[error("setting [{0}] must be given as key=value")]
    NotKeyValue(String),
    #[error("cannot read {path}: {reason}")]
    File { path: PathBuf, reason: String },
}

impl Settings {
    /// Reads `config_dir/tensile.yml` when it exists, then applies `overrides`
    /// (`-E` pairs) over it.
    pub fn load(config_dir: &Path, overrides: &[String]) -> Result<Settings, SettingsError> {
        let mut pairs = Vec::new();
        let file = config_dir.join(CONFIG_FILE);
        if file.exists() {
            pairs.extend(read_yaml(&file)?);
        }
        for raw in overrides {
            let (k, v) = raw.split_once('=').ok_or_else(|| SettingsError::NotKeyValue(raw.clone()))?;
            pairs.push((k.trim().to_owned(), v.trim().to_owned()));
        }
        let mut settings = Settings::default();
        for (key, value) in pairs {
            settings.set(&key, &value)?;
        }
        Ok(settings)
    }

    /// Sets one setting from its text.
    pub fn set(&mut self, key: &str, value: &str) -> Result<(), SettingsError> {
        let invalid = |reason: String| SettingsError::Invalid { key: key.into(), value: value.into(), reason };
        match key {
            "http.host" => self.http_host = value.into(),
            "http.port" => self.http_port = value.parse().map_err(|_| invalid("not a port number".into()))?,
            "http.max_content_length" => {
                self.max_content_length = ByteSize::parse(key, value).map_err(|e| invalid(e.to_string()))?
            }
            "path.data" => self.path_data = PathBuf::from(value),
            "cluster.name" => self.cluster_name = value.into(),
            "node.name" => self.node_name = value.into(),
            "action.auto_create_index" => self.auto_create_index = value.into(),
            "action.destructive_requires_name" => self.destructive_requires_name = value.into(),
            _ => return Err(SettingsError::Unknown(key.into())),
        }
        Ok(())
    }
}

fn default_node_name() -> String {
    std::fs::read_to_string("/proc/sys/kernel/hostname")
        .ok()
        .or_else(|| std::env::var("HOSTNAME").ok())
        .map(|h| h.trim().to_owned())
        .filter(|h| !h.is_empty())
        .unwrap_or_else(|| "tensile".into())
}

/// The settings file as dotted key/value pairs.
fn read_yaml(path: &Path) -> Result<Vec<(String, String)>, SettingsError> {
    let text =
        std::fs::read_to_string(path).map_err(|e| SettingsError::File { path: path.into(), reason: e.to_string() })?;
    let value: serde_yaml::Value =
        serde_yaml::from_str(&text).map_err(|e| SettingsError::File { path: path.into(), reason: e.to_string() })?;
    let mut out = BTreeMap::new();
    flatten("", &value, &mut out);
    Ok(out.into_iter().collect())
}

fn flatten(prefix: &str, value: &serde_yaml::Value, out: &mut BTreeMap<String, String>) {
    use serde_yaml::Value as Y;
    match value {
        Y::Mapping(map) => {
            for (k, v) in map {
                let key = match k {
                    Y::String(s) => s.clone(),
                    other => serde_yaml::to_string(other).unwrap_or_default().trim().to_owned(),
                };
                let full = if prefix.is_empty() { key } else { format!("{prefix}.{key}") };
                flatten(&full, v, out);
            }
        }
        Y::String(s) => {
            out.insert(prefix.to_owned(), s.clone());
        }
        Y::Null => {}
        other => {
            out.insert(prefix.to_owned(), serde_yaml::to_string(other).unwrap_or_default().trim().to_owned());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn command_line_overrides_file() {
        let dir = std::env::temp_dir().join(format!("tensile-settings-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join(CONFIG_FILE), "http:\n  port: 9300\ncluster.name: from-file\nnode:\n  name: n1\n")
            .unwrap();
        let s = Settings::load(&dir, &["http.port=9201".into(), "path.data=/tmp/x".into()]).unwrap();
        assert_eq!(s.http_port, 9201);
        assert_eq!(s.cluster_name, "from-file");
        assert_eq!(s.node_name, "n1");
        assert_eq!(s.path_data, PathBuf::from("/tmp/x"));
        std::fs::remove_dir_all(dir).unwrap();
    }

    #[test]
    fn unknown_and_bad_settings_are_errors() {
        let mut s = Settings::default();
        assert_eq!(s.set("foo.bar", "1"), Err(SettingsError::Unknown("foo.bar".into())));
        assert!(matches!(s.set("http.port", "abc"), Err(SettingsError::Invalid { .. })));
        assert!(matches!(s.set("http.max_content_length", "12"), Err(SettingsError::Invalid { .. })));
        s.set("http.max_content_length", "1kb").unwrap();
        assert_eq!(s.max_content_length.bytes(), 1024);
    }
}
