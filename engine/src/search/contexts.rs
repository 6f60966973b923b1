//! Search contexts kept under an id until their keep-alive passes: the
//! store scrolls and points in time share.

use crate::error::EngineError;
use std::collections::HashMap;
use std::sync::{Mutex, MutexGuard};
use std::time::Instant;

/// A context that lives until a moment.
pub(crate) trait Expiring {
    fn expires(&self) -> Instant;
}

/// Contexts by id; the expired ones are dropped whenever the store is opened.
pub(crate) struct Contexts<T>(Mutex<HashMap<String, T>>);

impl<T> Default for Contexts<T> {
    fn default() -> Self {
        Contexts(Mutex::new(HashMap::new()))
    }
}

impl<T: Expiring> Contexts<T> {
    pub(crate) fn lock(&self) -> MutexGuard<'_, HashMap<String, T>> {
        let mut map = self.0.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        map.retain(|_, c| c.expires() > now);
        map
    }
}

/// The error of an unknown or expired context.
pub(crate) fn missing(id: &str) -> EngineError {
    EngineError::SearchContextMissing(format!("No search context found for id [{id}]"))
}
