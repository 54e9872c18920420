//! `check --adapter '<command>'`: a CRDT in another process as a catalogue entry, and the
//! models `serve` offers over the protocol.

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Result, bail};
use crdt_harness::adapter::{AdapterModel, AdapterSync, Vocabulary, serve, serve_snapshots};
use crdt_harness::protocol::StateProtocol;
use crdt_impls::broken::{LoweringPnCounter, RemoveWinsSoldAsAddWins};
use crdt_impls::fugue::FugueListModel;
use crdt_impls::models::{OrSetModel, PnCounterModel};
use crdt_laws::Flavour;
use serde_json::json;

use crate::catalogue::{self, Describe, Entry};

/// The most shrinking steps for one failed law of an adapter: a candidate that crashes the
/// adapter costs a process start, so the laws' usual bound would take hours.
pub(crate) const LAW_SHRINK_STEPS: u32 = 64;

/// The catalogue entry of the adapter `command`, after its handshake.
pub(crate) fn entry(command: &str, timeout: Duration) -> Result<Arc<dyn Entry>> {
    let model = AdapterModel::start(command, timeout)?;
    let hello = model.hello().clone();
    let start = match hello.flavour {
        Flavour::Sync => "AdapterSync",
        _ => "AdapterModel",
    };
    let about = Describe::new(
        &hello.name,
        &format!("an adapter process: {command}"),
        &format!("crdt_harness::adapter::{start}::start({command:?}, ..)"),
    );
    Ok(Arc::from(match hello.flavour {
        Flavour::StateBased => catalogue::state(about, model),
        Flavour::DeltaState => catalogue::delta(about, model),
        Flavour::Sync => catalogue::sync(about, AdapterSync::new(model)?),
        _ => catalogue::op(about, model),
    }))
}

/// The models `serve` offers: a name, what it is.
pub(crate) const SERVED: [(&str, &str); 5] = [
    ("or-set", "the reference OR-Set (add-wins), state-based"),
    ("pn-counter", "the reference PN-Counter, state-based"),
    (
        "fugue-text",
        "the reference Fugue list as a text, state-based, with snapshots",
    ),
    (
        "broken/remove-wins-sold-as-add-wins",
        "the gallery's two-phase set declared add-wins, state-based",
    ),
    (
        "broken/pn-counter-lowering-decrement",
        "the gallery's PN-Counter whose decrement lowers a slot, state-based",
    ),
];

/// Serves a built-in model over the adapter protocol on stdin and stdout.
pub(crate) fn serve_builtin(name: &str) -> Result<()> {
    let vocabulary = |v: serde_json::Value| Vocabulary::parse(&v).map_err(anyhow::Error::msg);
    match name {
        "or-set" => {
            let model = OrSetModel::default();
            let v = vocabulary(
                json!({"kind": "set", "wins": "add", "domain": model.domain, "add_weight": 2}),
            )?;
            serve(&StateProtocol(&model), &v)?;
        }
        "pn-counter" => {
            let model = PnCounterModel::default();
            let v = vocabulary(
                json!({"kind": "counter", "decrements": true, "max": model.max_amount}),
            )?;
            serve(&StateProtocol(&model), &v)?;
        }
        "fugue-text" => {
            let v = vocabulary(json!({"kind": "text", "interleaving": "backward",
                "spec": "fugue", "letters": 26}))?;
            serve_snapshots(&StateProtocol(&FugueListModel::default()), &v)?;
        }
        "broken/remove-wins-sold-as-add-wins" => {
            let v =
                vocabulary(json!({"kind": "set", "wins": "add", "domain": 3, "add_weight": 1}))?;
            serve(&StateProtocol(&RemoveWinsSoldAsAddWins), &v)?;
        }
        "broken/pn-counter-lowering-decrement" => {
            let v = vocabulary(json!({"kind": "counter", "decrements": true, "max": 3}))?;
            serve(&StateProtocol(&LoweringPnCounter), &v)?;
        }
        other => {
            let names: Vec<&str> = SERVED.iter().map(|(n, _)| *n).collect();
            bail!("no served model {other:?}; these are: {}", names.join(", "))
        }
    }
    Ok(())
}
