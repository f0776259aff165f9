//! The tabbed views under the cluster: scheduler explain, traffic, images.
//!
//! A WAI-ARIA tab list: the chosen tab is the only one in the Tab order; ←/→ move between
//! tabs (wrapping), Home/End jump to the first/last, and the panel follows the focus. Only
//! the chosen panel is rendered, so the others read nothing from the world.

use wasm_bindgen::JsCast;
use yew::prelude::*;

use super::images::ImagesPanel;
use super::scheduler_explain::SchedulerExplainPanel;
use super::traffic::{LiveTrafficPanel, TrafficPanel};
use crate::handle::PlaygroundHandle;
use crate::hooks::use_text;
use crate::i18n::Key;
use crate::inspector::ObjectRef;

/// One of the tabbed views.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum PanelTab {
    /// Per-node filter verdicts and scores for one pod.
    Scheduler,
    /// Requests to a Service, per pod.
    Traffic,
    /// Each node's image cache and pulls.
    Images,
}

impl PanelTab {
    /// The tabs in the order shown.
    pub const ALL: [PanelTab; 3] = [PanelTab::Scheduler, PanelTab::Traffic, PanelTab::Images];

    /// The tab button's element id (the e2e test clicks it).
    pub fn id(self) -> &'static str {
        match self {
            PanelTab::Scheduler => "tab-scheduler",
            PanelTab::Traffic => "tab-traffic",
            PanelTab::Images => "tab-images",
        }
    }

    /// The panel's element id.
    pub fn panel_id(self) -> &'static str {
        match self {
            PanelTab::Scheduler => "panel-scheduler",
            PanelTab::Traffic => "panel-traffic",
            PanelTab::Images => "panel-images",
        }
    }

    fn label(self) -> Key {
        match self {
            PanelTab::Scheduler => Key::TabScheduler,
            PanelTab::Traffic => Key::TabTraffic,
            PanelTab::Images => Key::TabImages,
        }
    }

    fn index(self) -> usize {
        PanelTab::ALL.iter().position(|t| *t == self).unwrap_or(0)
    }

    /// The tab a key press moves to (`ArrowRight`, `ArrowLeft`, `Home`, `End`); None for
    /// other keys.
    pub fn after_key(self, key: &str) -> Option<PanelTab> {
        let count = PanelTab::ALL.len();
        let index = match key {
            "ArrowRight" => (self.index() + 1) % count,
            "ArrowLeft" => (self.index() + count - 1) % count,
            "Home" => 0,
            "End" => count - 1,
            _ => return None,
        };
        PanelTab::ALL.get(index).copied()
    }
}

/// What the tabbed views need.
#[derive(Properties, PartialEq)]
pub struct ViewPanelsProps {
    /// The playground.
    pub handle: PlaygroundHandle,
    /// The object picked in the cluster view (a pod is explained first).
    pub selected: Option<ObjectRef>,
}

fn focus(id: &str) {
    let element = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id(id))
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok());
    if let Some(element) = element {
        // A tab that cannot take focus only loses the keyboard's place.
        let _ = element.focus();
    }
}

/// The tab list and the chosen view.
#[function_component(ViewPanels)]
pub fn view_panels(props: &ViewPanelsProps) -> Html {
    let text = use_text();
    let tab = use_state(|| PanelTab::Scheduler);
    let on_key = {
        let tab = tab.clone();
        Callback::from(move |event: KeyboardEvent| {
            if let Some(next) = tab.after_key(&event.key()) {
                event.prevent_default();
                tab.set(next);
                focus(next.id());
            }
        })
    };
    let buttons = PanelTab::ALL.iter().map(|&each| {
        let chosen = *tab == each;
        let onclick = {
            let tab = tab.clone();
            Callback::from(move |_| tab.set(each))
        };
        html! {
            <button type="button" role="tab" id={each.id()} class={classes!("tab", chosen.then_some("selected"))}
                aria-selected={if chosen { "true" } else { "false" }} aria-controls={each.panel_id()}
                tabindex={if chosen { "0" } else { "-1" }} {onclick}>
                { text(each.label()) }
            </button>
        }
    });
    let body = match *tab {
        PanelTab::Scheduler => html! {
            <SchedulerExplainPanel handle={props.handle.clone()} selected={props.selected.clone()} />
        },
        // Traffic is sent by the in-page simulation (World::send_traffic): live, the view
        // shows a Service's endpoints instead.
        PanelTab::Traffic if props.handle.is_live() => html! {
            <LiveTrafficPanel handle={props.handle.clone()} />
        },
        PanelTab::Traffic => html! { <TrafficPanel handle={props.handle.clone()} /> },
        PanelTab::Images => html! {
            <ImagesPanel handle={props.handle.clone()} selected={props.selected.clone()} />
        },
    };
    html! {
        <section class="card view-panels" aria-label={text(Key::PanelsLabel)}>
            <div class="tabs" role="tablist" aria-label={text(Key::PanelsLabel)} onkeydown={on_key}>
                { for buttons }
            </div>
            <div class="tab-panel" role="tabpanel" id={tab.panel_id()} aria-labelledby={tab.id()}>
                { body }
            </div>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arrow_keys_move_between_tabs_and_wrap_home_and_end_jump() {
        let cases = [
            (PanelTab::Scheduler, "ArrowRight", Some(PanelTab::Traffic)),
            (PanelTab::Images, "ArrowRight", Some(PanelTab::Scheduler)),
            (PanelTab::Scheduler, "ArrowLeft", Some(PanelTab::Images)),
            (PanelTab::Traffic, "ArrowLeft", Some(PanelTab::Scheduler)),
            (PanelTab::Images, "Home", Some(PanelTab::Scheduler)),
            (PanelTab::Scheduler, "End", Some(PanelTab::Images)),
            (PanelTab::Traffic, "Enter", None),
        ];
        for (from, key, to) in cases {
            assert_eq!(from.after_key(key), to, "{from:?} {key}");
        }
    }

    #[test]
    fn every_tab_has_its_own_ids() {
        let mut ids: Vec<_> = PanelTab::ALL
            .iter()
            .flat_map(|t| [t.id(), t.panel_id()])
            .collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), 2 * PanelTab::ALL.len());
    }
}
