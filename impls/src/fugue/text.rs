//! [`Text`]: a [`List`] of `char`s with a `String`-like API ([`FugueText`], [`FugueMaxText`]).

use std::fmt::{self, Write as _};

use crdt_laws::ReplicaId;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::error::Error;
use super::list::{Elements, List};
use super::message::Message;
use super::order::{Fugue, FugueMax, SiblingOrder};
use super::values::{CompactChars, Values};

/// Collaborative plain text: a [`List`] of `char`s with positions counted in `char`s (Unicode
/// scalar values, not bytes), generic over the sibling rule `O`; use it through the aliases
/// [`FugueText`] and [`FugueMaxText`].
///
/// The semantics, conflict rule and metadata cost are those of [`List`], except that the
/// `char`s take one byte each when ASCII ([`CompactChars`]) instead of four.
///
/// ```
/// use crdt_impls::fugue::FugueText;
/// use crdt_laws::ReplicaId;
///
/// let mut alice = FugueText::new(ReplicaId::new(0));
/// let hello = alice.insert_str(0, "Hello world");
/// let mut bob = FugueText::new(ReplicaId::new(1));
/// bob.integrate(&hello)?;
///
/// // Concurrently: Alice capitalises the W, Bob adds an exclamation mark.
/// let a1 = alice.delete(6, 1);
/// let a2 = alice.insert_str(6, "W");
/// let b1 = bob.insert_str(11, "!");
/// for message in [&b1] {
///     alice.integrate(message)?;
/// }
/// for message in [&a1, &a2] {
///     bob.integrate(message)?;
/// }
/// assert_eq!(alice.to_string(), "Hello World!");
/// assert_eq!(alice, bob);
/// # Ok::<(), crdt_impls::fugue::Error>(())
/// ```
pub struct Text<O> {
    list: List<char, O, CompactChars>,
}

/// Collaborative text with the Fugue sibling rule: see [`Text`].
pub type FugueText = Text<Fugue>;

/// Collaborative text with the FugueMax sibling rule: see [`Text`].
pub type FugueMaxText = Text<FugueMax>;

impl<O: SiblingOrder> Text<O> {
    /// An empty text at replica `replica`.
    #[must_use]
    pub fn new(replica: ReplicaId) -> Self {
        Self {
            list: List::new(replica),
        }
    }

    /// The replica that owns this text.
    #[must_use]
    pub fn replica(&self) -> ReplicaId {
        self.list.replica()
    }

    /// The length in `char`s.
    #[must_use]
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// True when the text is empty.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// The `char`s of the text, in order.
    #[must_use]
    pub fn chars(&self) -> Elements<'_, CompactChars> {
        self.list.elements()
    }

    /// Inserts `text` before the `char` at index `at`, and returns the message for the other
    /// replicas.
    ///
    /// # Panics
    /// If `at > len()`.
    pub fn insert_str(&mut self, at: usize, text: &str) -> Message<char> {
        self.list.insert_many(at, text.chars())
    }

    /// Deletes `len` `char`s from index `at` on, and returns the message for the other
    /// replicas.
    ///
    /// # Panics
    /// If `at + len > len()`.
    pub fn delete(&mut self, at: usize, len: usize) -> Message<char> {
        self.list.delete_range(at, len)
    }

    /// Applies a message from any replica. See [`List::integrate`].
    ///
    /// # Errors
    /// As for [`List::integrate`].
    pub fn integrate(&mut self, message: &Message<char>) -> Result<(), Error> {
        self.list.integrate(message)
    }

    /// Merges another replica's state into this one. See [`List::merge`].
    pub fn merge(&mut self, other: &Self) {
        self.list.merge(&other.list);
    }

    /// The underlying list.
    #[must_use]
    pub fn as_list(&self) -> &List<char, O, CompactChars> {
        &self.list
    }

    /// An estimate of the memory this text holds, in bytes. See [`List::memory_usage`].
    #[must_use]
    pub fn memory_usage(&self) -> usize {
        self.list.memory_usage()
    }
}

impl<O: SiblingOrder> From<List<char, O>> for Text<O> {
    /// The same state, its `char`s stored compactly.
    fn from(list: List<char, O>) -> Self {
        let list = list.with_values(|chars| {
            let mut compact = CompactChars::default();
            compact.extend_from_slice(chars);
            compact
        });
        Self { list }
    }
}

impl<O: SiblingOrder> From<Text<O>> for List<char, O> {
    /// The same state, its `char`s in `Vec`s.
    fn from(text: Text<O>) -> Self {
        text.list
            .with_values(|chars| chars.range(0, chars.len()).collect())
    }
}

impl<O: SiblingOrder> fmt::Display for Text<O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut buffer = String::with_capacity(256);
        for c in self.chars() {
            buffer.push(c);
            if buffer.len() >= 252 {
                f.write_str(&buffer)?;
                buffer.clear();
            }
        }
        f.write_str(&buffer)
    }
}

impl<O: SiblingOrder> fmt::Debug for Text<O> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("FugueText(")?;
        fmt::Debug::fmt(&self.list, f)?;
        f.write_char(')')
    }
}

impl<O> Clone for Text<O> {
    fn clone(&self) -> Self {
        Self {
            list: self.list.clone(),
        }
    }
}

impl<O> PartialEq for Text<O> {
    fn eq(&self, other: &Self) -> bool {
        self.list == other.list
    }
}

impl<O> Eq for Text<O> {}

impl<O> Serialize for Text<O> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.list.serialize(serializer)
    }
}

impl<'de, O: SiblingOrder> Deserialize<'de> for Text<O> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        List::deserialize(deserializer).map(|list| Self { list })
    }
}
