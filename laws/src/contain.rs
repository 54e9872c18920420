//! Containment: a model that panics is a finding, not a crash.
//!
//! [`catch_panic`] runs a closure, catches a panic, and returns its message and location
//! without printing it (other threads' panics still reach the previous panic hook).
//!
//! ```
//! use crdt_laws::contain::catch_panic;
//! let caught = catch_panic(|| -> u32 { panic!("merge exploded") }).unwrap_err();
//! assert_eq!(caught.message, "merge exploded");
//! assert_eq!(catch_panic(|| 7).unwrap(), 7);
//! ```

use std::cell::{Cell, RefCell};
use std::fmt::{self, Display};
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

use serde::{Deserialize, Serialize};

/// A caught panic.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Panic {
    /// The panic's message.
    pub message: String,
    /// Where it panicked, `file:line:column`, when known.
    pub location: Option<String>,
}

impl Display for Panic {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.location {
            Some(at) => write!(f, "panicked at {at}: {}", self.message),
            None => write!(f, "panicked: {}", self.message),
        }
    }
}

thread_local! {
    static QUIET: Cell<bool> = const { Cell::new(false) };
    static LAST: RefCell<Option<Panic>> = const { RefCell::new(None) };
}

fn payload_text(payload: &(dyn std::any::Any + Send)) -> String {
    if let Some(s) = payload.downcast_ref::<&str>() {
        (*s).to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic with a non-string payload".to_string()
    }
}

fn install_hook() {
    static INSTALL: Once = Once::new();
    INSTALL.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if QUIET.with(Cell::get) {
                let caught = Panic {
                    message: payload_text(info.payload()),
                    location: info.location().map(ToString::to_string),
                };
                LAST.with(|last| *last.borrow_mut() = Some(caught));
            } else {
                previous(info);
            }
        }));
    });
}

/// Runs `f`, returning its result or the panic it raised, quietly.
///
/// # Errors
/// The [`Panic`] when `f` panics.
pub fn catch_panic<T>(f: impl FnOnce() -> T) -> Result<T, Panic> {
    install_hook();
    let was_quiet = QUIET.with(|q| q.replace(true));
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    QUIET.with(|q| q.set(was_quiet));
    result.map_err(|payload| {
        LAST.with(|last| last.borrow_mut().take())
            .unwrap_or_else(|| Panic {
                message: payload_text(payload.as_ref()),
                location: None,
            })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_catches_restore_quietness() {
        let outer = catch_panic(|| {
            let inner = catch_panic(|| panic!("inner"));
            assert_eq!(inner.unwrap_err().message, "inner");
            panic!("outer {}", 2);
        });
        let caught = outer.unwrap_err();
        assert_eq!(caught.message, "outer 2");
        assert!(caught.location.unwrap().contains("contain.rs"));
        assert!(!QUIET.with(Cell::get));
    }
}
