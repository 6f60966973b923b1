//! Index blocks (`index.blocks.*`): which operations an index refuses, as
//! Elasticsearch's cluster blocks do, and the add/remove block APIs.

use crate::error::EngineError;
use crate::metadata::IndexMetadata;
use crate::Engine;
use serde_json::Value;

/// What an operation does to an index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// Reading documents.
    Read,
    /// Writing documents.
    Write,
    /// Changing mappings or settings.
    Metadata,
}

/// One block: its setting, Elasticsearch's description of it, its status
/// and what it refuses.
struct Block {
    setting: &'static str,
    description: &'static str,
    status: u16,
    refuses: &'static [Access],
}

const BLOCKS: &[Block] = &[
    Block {
        setting: "index.blocks.read_only",
        description: "FORBIDDEN/5/index read-only (api)",
        status: 403,
        refuses: &[Access::Write, Access::Metadata],
    },
    Block {
        setting: "index.blocks.read",
        description: "FORBIDDEN/7/index read (api)",
        status: 403,
        refuses: &[Access::Read],
    },
    Block {
        setting: "index.blocks.write",
        description: "FORBIDDEN/8/index write (api)",
        status: 403,
        refuses: &[Access::Write],
    },
    Block {
        setting: "index.blocks.metadata",
        description: "FORBIDDEN/9/index metadata (api)",
        status: 403,
        refuses: &[Access::Metadata],
    },
    Block {
        setting: "index.blocks.read_only_allow_delete",
        description:
            "TOO_MANY_REQUESTS/12/disk usage exceeded flood-stage watermark, index has read-only-allow-delete block",
        status: 429,
        refuses: &[Access::Write],
    },
];

/// The setting of a block the add/remove block APIs name (`write`, `read_only`, ...).
pub fn block_setting(name: &str) -> Option<&'static str> {
    BLOCKS.iter().map(|b| b.setting).find(|s| s.strip_prefix("index.blocks.") == Some(name))
}

/// The error for the first block of `index` that refuses `access`.
pub fn check(index: &IndexMetadata, access: Access) -> Result<(), EngineError> {
    let blocking: Vec<&Block> =
        BLOCKS.iter().filter(|b| b.refuses.contains(&access) && index.setting(b.setting) == Some("true")).collect();
    let Some(first) = blocking.first() else {
        return Ok(());
    };
    let list: String = blocking.iter().map(|b| format!("{}, ", b.description)).collect();
    Err(EngineError::Blocked {
        reason: format!("index [{}] blocked by: [{}];", index.name, list.trim_end_matches(", ")),
        status: first.status,
    })
}

impl Engine {
    /// Refuses `access` to an index when one of its blocks says so.
    pub fn check_block(&self, index: &str, access: Access) -> Result<(), EngineError> {
        match self.metadata().indices.get(index) {
            Some(meta) => check(meta, access),
            None => Ok(()),
        }
    }

    /// Sets (`on`) or removes a block of the named (resolved) indices.
    pub fn set_block(&self, names: &[String], block: &str, on: bool) -> Result<(), EngineError> {
        let setting =
            block_setting(block).ok_or_else(|| EngineError::IllegalArgument(format!("unknown block [{block}]")))?;
        self.change_metadata(|meta| {
            for name in names {
                if let Some(index) = meta.indices.get_mut(name) {
                    if on {
                        index.settings.insert(setting.to_owned(), Value::from("true"));
                    } else {
                        index.settings.remove(setting);
                    }
                }
            }
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Conditions;
    use serde_json::json;

    #[test]
    fn blocks_refuse_what_they_name() {
        let dir = tempfile::tempdir().unwrap();
        let engine = Engine::open(dir.path()).unwrap();
        engine.create_index("b", &json!({})).unwrap();
        engine.set_block(&["b".into()], "write", true).unwrap();
        let err = engine.index_doc("b", "1", "{}".into(), None, &Conditions::default(), false).unwrap_err();
        assert_eq!(err.to_string(), "index [b] blocked by: [FORBIDDEN/8/index write (api)];");
        assert!(engine.get_doc("b", "1", None, true).unwrap().is_none(), "reads go on");
        engine.set_block(&["b".into()], "write", false).unwrap();
        engine.index_doc("b", "1", "{}".into(), None, &Conditions::default(), false).unwrap();
        engine.update_settings(&["b".into()], &json!({"index.blocks.read_only": true})).unwrap();
        assert!(engine.put_mapping(&["b".into()], &json!({"properties": {"x": {"type": "long"}}})).is_err());
        assert!(engine.delete_doc("b", "1", None, &Conditions::default(), false).is_err());
        engine.update_settings(&["b".into()], &json!({"index.blocks.read_only": false})).unwrap();
        engine.delete_doc("b", "1", None, &Conditions::default(), false).unwrap();
    }
}
