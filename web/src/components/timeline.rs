//! The timeline panel: the newest trace records, filtered by kind and text; a row's time
//! button moves the clock to that instant (back by replaying the session).

use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::handle::PlaygroundHandle;
use crate::hooks::use_text;
use crate::i18n::Key;
use crate::timeline::{rows, since_start, RecordKind, TimelineFilter};

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

/// The trace as a filterable list.
#[function_component(TimelinePanel)]
pub fn timeline_panel(props: &TimelineProps) -> Html {
    let text = use_text();
    let filter = use_state(TimelineFilter::default);
    let handle = &props.handle;
    let live = handle.live.clone();
    let (shown, total) = match &live {
        // Live: the server's trace; its time cannot be rewound (see the note below).
        Some(live) => {
            let state = live.state.borrow();
            (
                rows(state.trace.records(), &filter, ROWS_SHOWN),
                state.trace.len() + state.trace.dropped(),
            )
        }
        None => handle.read(|p| {
            let records: Vec<_> = p.world().trace().records().collect();
            (
                rows(records.into_iter(), &filter, ROWS_SHOWN),
                p.world().trace().len(),
            )
        }),
    };
    let is_live = live.is_some();
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
    let row_views = shown.into_iter().map(|row| {
        let handle = handle.clone();
        let at = row.at;
        let go = Callback::from(move |_| handle.update(|p| p.travel_to(at)));
        let time = if is_live {
            html! { <span class="time" title={text(Key::TimelineLiveNote)}>{ crate::live::wall_clock(row.at) }</span> }
        } else {
            html! { <button type="button" class="link time" onclick={go} title={text(Key::GoToTime)}>{ since_start(row.at) }</button> }
        };
        html! {
            <tr class={classes!("kind", kind_class(row.kind))}>
                <td>{ time }</td>
                <td class="who">{ row.component }</td>
                <td class="what">{ row.text }</td>
            </tr>
        }
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
            <div class="timeline-rows">
                <table><tbody>{ for row_views }</tbody></table>
            </div>
        </section>
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
