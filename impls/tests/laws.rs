//! The whole law catalogue on every reference CRDT, one `#[test]` per law and model:
//! `cargo test -p crdt-impls --test laws` lists `or_set::join_least`, `g_counter::delta_grouping`,
//! ... Every law must pass, none vacuous, at the default case count.

use crdt_impls::models::{
    FriendshipModel, GCounterModel, GSetModel, LwwElementSetModel, LwwRegisterModel, MapModel,
    MvRegisterModel, OrSetModel, PairModel, PnCounterModel,
};
use crdt_impls::{AddWins, RemoveWins};

crdt_laws::check_delta_crdt!(g_set, GSetModel::default());
crdt_laws::check_delta_crdt!(g_counter, GCounterModel::default());
crdt_laws::check_delta_crdt!(pn_counter, PnCounterModel::default());
crdt_laws::check_state_crdt!(lww_register, LwwRegisterModel::default());
crdt_laws::check_state_crdt!(lww_set_add_wins, LwwElementSetModel::<AddWins>::add_wins());
crdt_laws::check_state_crdt!(
    lww_set_remove_wins,
    LwwElementSetModel::<RemoveWins>::remove_wins()
);
crdt_laws::check_delta_crdt!(or_set, OrSetModel::default());
crdt_laws::check_state_crdt!(mv_register, MvRegisterModel::default());

// Combinators, on concrete instances.
crdt_laws::check_delta_crdt!(
    pair_of_g_counter_and_g_set,
    PairModel::<GCounterModel, GSetModel>::default()
);
crdt_laws::check_delta_crdt!(map_of_pn_counters, MapModel::<PnCounterModel>::default());
crdt_laws::check_delta_crdt!(map_of_or_sets, MapModel::<OrSetModel>::default());
crdt_laws::check_state_crdt!(friendship, FriendshipModel::default());
crdt_laws::check_state_crdt!(social_graph, MapModel::<FriendshipModel>::default());
crdt_laws::check_state_crdt!(
    pair_of_registers,
    PairModel::<LwwRegisterModel, MvRegisterModel>::default()
);
