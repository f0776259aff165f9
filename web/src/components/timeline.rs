//! The timeline panel: the newest trace records, filtered by kind and text; a row's time
//! button moves the clock to that instant (back by replaying the session).

use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::handle::PlaygroundHandle;
use crate::hooks::use_text;
use crate::i18n::Key;
use crate::timeline::{rows, since_start, RecordKind, TimelineFilter, TimelineRow};
use kubeplay_core::sim::clock::Timestamp;

/// How many rows the timeline shows at most.
const ROWS_SHOWN: usize = 200;

/// What the timeline needs.
#[derive(Properties, PartialEq)]
pub struct TimelineProps {
    /// The playground.
    pub handle: PlaygroundHandle,
}

fn kind_key(kind: RecordKind) -> Key {
    match kind {
        RecordKind::All => Key::AllRecords,
        RecordKind::Requests => Key::ApiRequests,
        RecordKind::Commits => Key::StoreCommits,
        RecordKind::Watches => Key::WatchDeliveries,
        RecordKind::Notes => Key::ComponentNotes,
    }
}

/// What the rows were read from: the trace (which connection or playground, and how far it
/// had got) and the filter. The rows are read again only when it changes.
#[derive(Clone, Debug, PartialEq)]
struct RowsSource {
    /// The live state's or the playground's address (another connection or playground reads
    /// again even at the same trace length).
    owner: usize,
    /// Live: the records appended since the page went live; simulation: the playground's
    /// version (a reset or a travel back in time changes the trace without growing it).
    progress: u64,
    filter: TimelineFilter,
}

/// The trace as a filterable list.
#[function_component(TimelinePanel)]
pub fn timeline_panel(props: &TimelineProps) -> Html {
    let text = use_text();
    let filter = use_state(TimelineFilter::default);
    let handle = &props.handle;
    let live = handle.live.clone();
    let source = match &live {
        Some(live) => RowsSource {
            owner: std::rc::Rc::as_ptr(&live.state) as usize,
            progress: live.state.borrow().trace.len(),
            filter: (*filter).clone(),
        },
        None => RowsSource {
            owner: std::rc::Rc::as_ptr(&handle.playground) as usize,
            progress: handle.version,
            filter: (*filter).clone(),
        },
    };
    // Read only when the trace or the filter moved: a live page renders several times a
    // second, its trace changes once a second at most (LiveState polls it).
    let shown = {
        let handle = handle.clone();
        use_memo(source, move |source| match &handle.live {
            // Live: the server's trace; its time cannot be rewound (see the note below).
            Some(live) => {
                let state = live.state.borrow();
                (
                    rows(state.trace.records(), &source.filter, ROWS_SHOWN),
                    state.trace.len() + state.trace.dropped(),
                )
            }
            None => handle.read(|p| {
                let trace = p.world().trace();
                let records: Vec<_> = trace.records().collect();
                (
                    rows(records.into_iter(), &source.filter, ROWS_SHOWN),
                    trace.len(),
                )
            }),
        })
    };
    let total = shown.1;
    let is_live = live.is_some();
    // The rows' time buttons travel through the newest handle; the callback stays the same
    // one, so the rows render only when they changed.
    let latest = use_mut_ref(|| handle.clone());
    *latest.borrow_mut() = handle.clone();
    let on_travel = use_callback((), move |at: Timestamp, ()| {
        let handle = latest.borrow().clone();
        handle.update(|p| p.travel_to(at));
    });
    let on_kind = {
        let filter = filter.clone();
        Callback::from(move |event: Event| {
            let select: HtmlSelectElement = event.target_unchecked_into();
            let index = select.selected_index();
            let kind = usize::try_from(index)
                .ok()
                .and_then(|i| RecordKind::ALL.get(i).copied())
                .unwrap_or(RecordKind::All);
            filter.set(TimelineFilter {
                kind,
                text: filter.text.clone(),
            });
        })
    };
    let on_text = {
        let filter = filter.clone();
        Callback::from(move |event: InputEvent| {
            let input: HtmlInputElement = event.target_unchecked_into();
            filter.set(TimelineFilter {
                kind: filter.kind,
                text: input.value(),
            });
        })
    };
    let options = RecordKind::ALL.iter().map(|kind| {
        html! { <option selected={*kind == filter.kind}>{ text(kind_key(*kind)) }</option> }
    });
    html! {
        <section class="timeline card" aria-label={text(Key::TimelineHeading)}>
            <h2>{ text(Key::TimelineHeading) }<span class="muted">{ format!(" ({total})") }</span></h2>
            if is_live {
                <p class="muted live-note" id="timeline-live-note">{ text(Key::TimelineLiveNote) }</p>
            }
            <div class="filters">
                <select id="timeline-kind" onchange={on_kind} aria-label={text(Key::RecordKindFilter)}>{ for options }</select>
                <input id="timeline-text" type="search" value={filter.text.clone()} oninput={on_text}
                    placeholder={text(Key::FilterPlaceholder)} aria-label={text(Key::FilterPlaceholder)} />
            </div>
            <TimelineRows {shown} {is_live} {on_travel} />
        </section>
    }
}

/// What the rows need.
#[derive(Properties, PartialEq)]
struct TimelineRowsProps {
    /// The rows and the trace's length (the same `Rc` while neither changed).
    shown: std::rc::Rc<(Vec<TimelineRow>, u64)>,
    /// Whether the trace is a live server's (times are wall-clock, not buttons).
    is_live: bool,
    /// Moves the simulation's clock to a row's time.
    on_travel: Callback<Timestamp>,
}

/// The rows: renders only when they changed (not at every live render).
#[function_component(TimelineRows)]
fn timeline_rows(props: &TimelineRowsProps) -> Html {
    let text = use_text();
    let row_views = props.shown.0.iter().map(|row| {
        let at = row.at;
        let time = if props.is_live {
            html! { <span class="time" title={text(Key::TimelineLiveNote)}>{ crate::live::wall_clock(row.at) }</span> }
        } else {
            let go = props.on_travel.reform(move |_: MouseEvent| at);
            html! { <button type="button" class="link time" onclick={go} title={text(Key::GoToTime)}>{ since_start(row.at) }</button> }
        };
        html! {
            // Not keyed: while a big cluster churns, each trace page brings more new records
            // than the list shows, so keyed rows were all re-created once a second (the
            // live bench: 387,284 nodes added in 680 s); unkeyed, the same rows take the new
            // texts.
            <tr class={classes!("kind", kind_class(row.kind))}>
                <td>{ time }</td>
                <td class="who">{ row.component.clone() }</td>
                <td class="what">{ row.text.clone() }</td>
            </tr>
        }
    });
    html! {
        <div class="timeline-rows">
            <table><tbody>{ for row_views }</tbody></table>
        </div>
    }
}

fn kind_class(kind: RecordKind) -> &'static str {
    match kind {
        RecordKind::All => "all",
        RecordKind::Requests => "request",
        RecordKind::Commits => "commit",
        RecordKind::Watches => "watch",
        RecordKind::Notes => "note",
    }
}
