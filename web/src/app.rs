//! The root component: owns the [`AppState`] and the [`Playground`], drives the virtual clock,
//! saves the session, and lays out the page.
//!
//! Data flow: the playground lives once in an `Rc<RefCell<…>>`; views get a
//! [`PlaygroundHandle`] (the pointer and the version) and change it through the handle, which
//! calls back here: the app re-renders and saves the session in `localStorage`. A 50 ms
//! interval is the clock driver: it hands the wall-clock time since the last tick to
//! [`Playground::tick`], which advances the world by that times the speed. The language
//! switch dispatches [`Action::SetLanguage`]; the language flows down through a
//! [`ContextProvider`] and an effect mirrors it into the page's `lang` attribute.

use std::rc::Rc;

use crate::page_clock::now_ms;
use gloo_timers::callback::Interval;
use yew::prelude::*;

use crate::components::{
    CanvasBench, ClusterView, ControlPlaneMap, Controls, Editor, Footer, Header, InspectorPanel,
    Terminal, TimelinePanel, ViewPanels,
};
use crate::handle::{LiveHandle, PlaygroundHandle};
use crate::i18n::{Key, Language};
use crate::inspector::ObjectRef;
use crate::live::view::LiveSummary;
use crate::live::{LiveInfo, LiveState};
use crate::playground::{Playground, DEFAULT_NODES};
use crate::session::{Session, STORAGE_KEY};
use crate::state::{Action, AppState};
use crate::url_options::UrlOptions;

/// How often the clock driver ticks, in wall-clock milliseconds.
const TICK_MS: u32 = 50;

/// How often a running clock's position is saved, in wall-clock milliseconds.
const SAVE_EVERY_MS: f64 = 1_000.0;

/// Live mode while the page shows a `kubeplay serve`: its state and the driver filling it
/// (dropping the link stops the driver).
struct LiveLink {
    state: Rc<std::cell::RefCell<LiveState>>,
    #[cfg(target_arch = "wasm32")]
    _driver: crate::live::client::LiveDriver,
}

impl LiveLink {
    fn start(token: String, info: LiveInfo) -> LiveLink {
        let state = Rc::new(std::cell::RefCell::new(LiveState::new(
            token,
            info,
            wall_clock_now(),
        )));
        LiveLink {
            #[cfg(target_arch = "wasm32")]
            _driver: crate::live::client::LiveDriver::start(&state),
            state,
        }
    }
}

/// The wall-clock time, as the live server's cluster counts it.
fn wall_clock_now() -> kubeplay_core::sim::clock::Timestamp {
    // Date.now() is a whole number of milliseconds since 1970, well inside u64.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let ms = js_sys::Date::now().max(0.0) as u64;
    kubeplay_core::sim::clock::Timestamp::from_millis(ms)
}

/// The whole playground page.
#[function_component(App)]
pub fn app() -> Html {
    let state = use_reducer(|| AppState {
        language: browser_language(),
    });
    let language = state.language;
    let playground = use_mut_ref(load_playground);
    let force_update = use_force_update();
    let selected = use_state(|| None::<ObjectRef>);
    let live = use_mut_ref(|| None::<LiveLink>);
    let text = text_for(language);

    use_effect_with(language, |language| set_document_language(*language));
    // The page's first render, in ms since navigation, for the browser test's measurement.
    use_effect_with((), |()| {
        set_window_number("kubeplayFirstRenderMs", now_ms())
    });

    let changed = {
        let playground = Rc::clone(&playground);
        let force_update = force_update.clone();
        Callback::from(move |()| {
            save_session(&playground.borrow());
            force_update.force_update();
        })
    };

    {
        let playground = Rc::clone(&playground);
        let force_update = force_update.clone();
        let live = Rc::clone(&live);
        use_effect_with((), move |()| {
            let mut last = now_ms();
            let mut last_save = last;
            // The live state last rendered (its address), its version then and when.
            let mut live_seen: (*const std::cell::RefCell<LiveState>, u64, f64) =
                (std::ptr::null(), u64::MAX, 0.0);
            let interval = Interval::new(TICK_MS, move || {
                let now = now_ms();
                // Live: the simulation waits (its session stays as it was); the page re-renders
                // when the driver changed something (a big cluster's own changes at most every
                // SUMMARY_RENDER_GAP_MS: LiveState::render_due), and every second for the ages.
                let live_state = live.borrow().as_ref().map(|link| Rc::clone(&link.state));
                if let Some(state) = live_state {
                    last = now;
                    // A cluster that grew past the summary cutover: connect again, mirroring
                    // summaries (the full mirror would keep every pod).
                    let outgrown = {
                        let state = state.borrow();
                        state.outgrown().then(|| {
                            let mut info = state.info.clone();
                            info.pods = state.mirror.count(kubeplay_core::api::objects::Kind::Pod);
                            info.nodes = state.node_names();
                            (state.token.clone(), info)
                        })
                    };
                    if let Some((token, info)) = outgrown {
                        *live.borrow_mut() = Some(LiveLink::start(token, info));
                        force_update.force_update();
                        return;
                    }
                    if !std::ptr::eq(live_seen.0, Rc::as_ptr(&state)) {
                        // Another connection: its versions count from 0 again.
                        live_seen = (Rc::as_ptr(&state), u64::MAX, 0.0);
                    }
                    let (due, version) = {
                        let mut state = state.borrow_mut();
                        state.now = wall_clock_now();
                        (
                            state.render_due((live_seen.1, live_seen.2), now),
                            state.version(),
                        )
                    };
                    if due {
                        live_seen = (live_seen.0, version, now);
                        force_update.force_update();
                    }
                    return;
                }
                let moved = playground.borrow_mut().tick(now - last);
                last = now;
                if moved {
                    if now - last_save >= SAVE_EVERY_MS {
                        save_session(&playground.borrow());
                        last_save = now;
                    }
                    force_update.force_update();
                }
            });
            move || drop(interval)
        });
    }

    let handle = PlaygroundHandle {
        version: playground.borrow().version(),
        playground: Rc::clone(&playground),
        changed,
        live: live.borrow().as_ref().map(|link| LiveHandle {
            version: link.state.borrow().version(),
            state: Rc::clone(&link.state),
        }),
    };
    let live_summary = live.borrow().as_ref().map(|link| {
        let state = link.state.borrow();
        LiveSummary {
            version: state.info.version.clone(),
            nodes: state.node_count(),
            health: state.health.clone(),
        }
    });
    let is_live = live_summary.is_some();
    let on_live_connected = {
        let live = Rc::clone(&live);
        let selected = selected.clone();
        let force_update = force_update.clone();
        Callback::from(move |(token, info): (String, LiveInfo)| {
            selected.set(None);
            *live.borrow_mut() = Some(LiveLink::start(token, info));
            force_update.force_update();
        })
    };
    let on_live_leave = {
        let live = Rc::clone(&live);
        let selected = selected.clone();
        let force_update = force_update.clone();
        Callback::from(move |()| {
            selected.set(None);
            // Dropping the link stops its driver: every request to the server ends.
            live.borrow_mut().take();
            force_update.force_update();
        })
    };
    let on_language_change = {
        let state = state.dispatcher();
        Callback::from(move |language| state.dispatch(Action::SetLanguage(language)))
    };
    let on_select = {
        let selected = selected.clone();
        Callback::from(move |target: ObjectRef| selected.set(Some(target)))
    };
    let on_close = {
        let selected = selected.clone();
        Callback::from(move |()| selected.set(None))
    };
    let on_reset = {
        let handle = handle.clone();
        let selected = selected.clone();
        Callback::from(move |()| {
            selected.set(None);
            handle.update(|p| p.reset(new_seed()));
        })
    };

    if let Some(bench) = url_options().canvas_bench {
        return html! {
            <CanvasBench nodes={bench.nodes} pods={bench.pods} frames={bench.frames} />
        };
    }

    html! {
        <ContextProvider<Language> context={language}>
            <div class="app">
                <Header {on_language_change} live={live_summary} {on_live_connected} {on_live_leave} />
                <main class="main">
                    <div class="left">
                        if is_live {
                            <section class="controls card live-note" id="live-controls-note">
                                <p class="muted">{ text(Key::ControlsLiveNote) }</p>
                            </section>
                        } else {
                            <Controls handle={handle.clone()} {on_reset} />
                        }
                        <ClusterView handle={handle.clone()} on_select={on_select.clone()} selected={(*selected).clone()} />
                        if let Some(target) = (*selected).clone() {
                            <InspectorPanel handle={handle.clone()} {target} {on_select} {on_close} />
                        }
                        <ViewPanels handle={handle.clone()} selected={(*selected).clone()} />
                        <ControlPlaneMap handle={handle.clone()} />
                    </div>
                    <div class="right">
                        <Terminal handle={handle.clone()} />
                        <Editor handle={handle.clone()} />
                        <TimelinePanel handle={handle} />
                    </div>
                </main>
                <Footer />
            </div>
        </ContextProvider<Language>>
    }
}

/// The text lookup for `language` (the app renders above its own language context).
fn text_for(language: Language) -> impl Fn(Key) -> &'static str {
    move |key| crate::i18n::text(key, language)
}

/// The saved session's cluster, or a fresh one with a new seed. `?nodes=N` asks for a
/// cluster of N nodes: a saved session of another size is then not restored.
fn load_playground() -> Playground {
    let options = url_options();
    if options.canvas_bench.is_some() {
        // The benchmark page draws a made-up cluster; the world only has to exist.
        return Playground::new(1, 1);
    }
    let wanted_nodes = options.nodes;
    let saved = local_storage()
        .and_then(|storage| storage.get_item(STORAGE_KEY).ok().flatten())
        .and_then(|text| Session::from_json(&text))
        .filter(|session| wanted_nodes.is_none_or(|nodes| session.nodes == nodes));
    match saved {
        Some(session) => Playground::restore(session),
        None => Playground::new(new_seed(), wanted_nodes.unwrap_or(DEFAULT_NODES)),
    }
}

/// The options of the page address (`?nodes=5000`, `?bench=canvas`).
fn url_options() -> UrlOptions {
    web_sys::window()
        .and_then(|window| window.location().search().ok())
        .map(|query| UrlOptions::parse(&query))
        .unwrap_or_default()
}

/// Sets `window[name]` to a number (measurements the browser test reads).
fn set_window_number(name: &str, value: f64) {
    if let Some(window) = web_sys::window() {
        // Failing only loses a measurement.
        let _ = js_sys::Reflect::set(
            &window,
            &wasm_bindgen::JsValue::from_str(name),
            &wasm_bindgen::JsValue::from_f64(value),
        );
    }
}

fn save_session(playground: &Playground) {
    if let Some(storage) = local_storage() {
        // A full or disabled storage only loses the saved copy; the page keeps working.
        let _ = storage.set_item(STORAGE_KEY, &playground.session().to_json());
    }
}

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// A seed for a new cluster: the browser's random numbers are fine here (the seed is then
/// recorded, so the run is reproducible).
fn new_seed() -> u64 {
    // Math.random() × 2^32 fits a u32 exactly.
    #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
    let seed = (js_sys::Math::random() * 4_294_967_296.0) as u64;
    seed
}

/// The language the browser asks for (`navigator.language`); English when it says nothing.
fn browser_language() -> Language {
    web_sys::window()
        .and_then(|window| window.navigator().language())
        .map(|tag| Language::from_browser_tag(&tag))
        .unwrap_or(Language::English)
}

/// Sets `<html lang=…>`, so the browser picks Korean fonts and screen readers the right voice.
fn set_document_language(language: Language) {
    let root = web_sys::window()
        .and_then(|window| window.document())
        .and_then(|document| document.document_element());
    if let Some(root) = root {
        // Failing to set an attribute only loses a hint; the page still works.
        let _ = root.set_attribute("lang", language.tag());
    }
}
