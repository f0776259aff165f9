//! The main area's placeholder until the simulated cluster view exists.

use crate::hooks::use_text;
use crate::i18n::Key;
use yew::prelude::*;

/// A card saying that the simulated cluster is coming.
#[function_component(ClusterPlaceholder)]
pub fn cluster_placeholder() -> Html {
    let text = use_text();
    html! {
        <section class="card cluster-placeholder">
            <h2>{ text(Key::ClusterHeading) }</h2>
            <p>{ text(Key::ClusterComingSoon) }</p>
        </section>
    }
}
