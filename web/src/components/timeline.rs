//! The timeline panel: the newest trace records, filtered by kind and text; a row's time
//! button moves the clock to that instant (back by replaying the session).

use std::ops::Range;
use std::rc::Rc;

use web_sys::{Element, HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::handle::PlaygroundHandle;
use crate::hooks::use_text;
use crate::i18n::Key;
use crate::timeline::{
    find_again, rows, since_start, RecordKind, TimelineFilter, TimelineRow, Viewport,
};
use kubeplay_core::sim::clock::Timestamp;

/// How many rows the timeline lists at most. Only those in view are in the page, so the list
/// can reach further back than the 200 it held when every row was: what a poll costs is
/// reading these rows from the trace (a `format!` each), not the page.
const ROWS_SHOWN: usize = 1000;

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
            <TimelineRows {shown} {is_live} {on_travel} filter={(*filter).clone()} />
        </section>
    }
}

/// What the rows need.
#[derive(Properties, PartialEq)]
struct TimelineRowsProps {
    /// The rows and the trace's length (the same `Rc` while neither changed).
    shown: Rc<(Vec<TimelineRow>, u64)>,
    /// Whether the trace is a live server's (times are wall-clock, not buttons).
    is_live: bool,
    /// Moves the simulation's clock to a row's time.
    on_travel: Callback<Timestamp>,
    /// The filter the rows passed (a held list is let go when it changes).
    filter: TimelineFilter,
}

/// A row's height in CSS pixels until one is measured: `.timeline-rows tr` is 2.35rem.
const ROW_HEIGHT_GUESS: f64 = 37.6;
/// The box's inner height until it is measured: `.timeline-rows` is at most 28rem.
const BOX_HEIGHT_GUESS: f64 = 448.0;
/// Rows put in the page above and below the box, so a short scroll finds them there.
const OVERSCAN: usize = 6;

/// The windowed list's own state: kept out of yew's state so that a scroll re-renders only
/// when the window moved, and a new list can move the scroll position in the same render.
struct Scroller {
    /// Where the box stands (from the last scroll event, or moved with the reader's rows).
    viewport: Viewport,
    /// The rows last rendered, to find the reader's row again in the next list.
    rows: Option<Rc<(Vec<TimelineRow>, u64)>>,
    /// Live: the reader's row fell out of the newer lists, so `rows` stays as it was (instead
    /// of the newest rows) until they scroll back to the top or change the filter.
    held: bool,
    /// The filter `rows` passed.
    filter: Option<TimelineFilter>,
    /// The window last rendered.
    window: Range<usize>,
    /// A `scrollTop` to give the box once this render is in the page.
    scroll_to: Option<f64>,
    /// Whether a row's height has been read from the page.
    row_measured: bool,
    /// Whether the box's height has been read at its full height.
    box_measured: bool,
}

/// The rows: renders only when they changed (not at every live render), and puts in the page
/// only those the box shows (see [`Viewport`]).
#[function_component(TimelineRows)]
fn timeline_rows(props: &TimelineRowsProps) -> Html {
    let text = use_text();
    let node = use_node_ref();
    let redraw = use_force_update();
    let scroller = use_mut_ref(|| Scroller {
        viewport: Viewport {
            scroll_top: 0.0,
            box_height: BOX_HEIGHT_GUESS,
            row_height: ROW_HEIGHT_GUESS,
        },
        rows: None,
        held: false,
        filter: None,
        window: 0..0,
        scroll_to: None,
        row_measured: false,
        box_measured: false,
    });
    let (shown, window, row_height, held, box_height) = {
        let mut scroller = scroller.borrow_mut();
        let latest = &props.shown;
        let same_filter = scroller.filter.as_ref() == Some(&props.filter);
        scroller.filter = Some(props.filter.clone());
        if scroller.held && !(props.is_live && same_filter) {
            scroller.held = false;
        }
        let moved = scroller
            .rows
            .as_ref()
            .is_none_or(|rows| !Rc::ptr_eq(rows, latest));
        if moved && !scroller.held {
            match scroller.rows.clone() {
                Some(old) if !keep_in_place(&mut scroller, &old.0, &latest.0) => {
                    // Live, the reader's row is gone from the newest rows (more came in
                    // than the list holds): keep the rows they read, the heading's count
                    // still grows. A new filter or a travel in time shows the new list.
                    if props.is_live && same_filter {
                        scroller.held = true;
                    } else {
                        scroller.rows = Some(latest.clone());
                    }
                }
                _ => scroller.rows = Some(latest.clone()),
            }
        }
        let shown = scroller.rows.clone().unwrap_or_else(|| latest.clone());
        let window = scroller.viewport.window(OVERSCAN, shown.0.len());
        scroller.window = window.clone();
        (
            shown,
            window,
            scroller.viewport.row_height,
            scroller.held,
            scroller.viewport.box_height,
        )
    };
    let count = shown.0.len();
    // Rows enough to fill the box: the box gets its full height as a fixed one and is
    // contained (`.timeline-rows.full`), so the rows' layout, redone at each live trace poll,
    // stays inside it instead of reaching up through the page.
    let fills_box = count as f64 * row_height >= box_height;
    // After the render: move the box where the reader's rows went, and read the row's and
    // the box's heights once (the guesses hold until then).
    {
        let scroller = scroller.clone();
        let node = node.clone();
        let redraw = redraw.clone();
        use_effect(move || {
            let Some(element) = node.cast::<Element>() else {
                return;
            };
            let mut scroller = scroller.borrow_mut();
            if let Some(top) = scroller.scroll_to.take() {
                element.set_scroll_top(top.round() as i32);
            }
            if scroller.row_measured && scroller.box_measured {
                return;
            }
            let rendered = scroller.window.len();
            if !scroller.row_measured && rendered > 0 {
                if let Ok(Some(table)) = element.query_selector("table") {
                    let height = table.get_bounding_client_rect().height() / rendered as f64;
                    if height > 0.0 {
                        scroller.viewport.row_height = height;
                        scroller.row_measured = true;
                    }
                }
            }
            if !scroller.box_measured && element.scroll_height() > element.client_height() {
                scroller.viewport.box_height = f64::from(element.client_height());
                scroller.box_measured = true;
            }
            let count = scroller.rows.as_ref().map_or(0, |rows| rows.0.len());
            if scroller.viewport.window(OVERSCAN, count) != scroller.window {
                drop(scroller);
                redraw.force_update();
            }
        });
    }
    // A scroll renders again only when it moved the window (or, back at the top, lets a held
    // list go).
    let onscroll = {
        let scroller = scroller.clone();
        Callback::from(move |event: Event| {
            let Some(element) = event.target_dyn_into::<Element>() else {
                return;
            };
            let mut scroller = scroller.borrow_mut();
            scroller.viewport.scroll_top = f64::from(element.scroll_top());
            if element.scroll_height() > element.client_height() {
                scroller.viewport.box_height = f64::from(element.client_height());
            }
            let count = scroller.rows.as_ref().map_or(0, |rows| rows.0.len());
            let release = scroller.held && scroller.viewport.scroll_top < 1.0;
            if release {
                scroller.held = false;
            }
            if release || scroller.viewport.window(OVERSCAN, count) != scroller.window {
                drop(scroller);
                redraw.force_update();
            }
        })
    };
    let row_views = shown.0.get(window.clone()).unwrap_or_default().iter().map(|row| {
        let at = row.at;
        let time = if props.is_live {
            html! { <span class="time" title={text(Key::TimelineLiveNote)}>{ crate::live::wall_clock(row.at) }</span> }
        } else {
            let go = props.on_travel.reform(move |_: MouseEvent| at);
            html! { <button type="button" class="link time" onclick={go} title={text(Key::GoToTime)}>{ since_start(row.at) }</button> }
        };
        html! {
            // Not keyed: the window's rows take the texts of the rows now at their place
            // (keyed rows were all re-created at each live trace poll). Two lines each at
            // most; the whole text in the title.
            <tr class={classes!("kind", kind_class(row.kind))}>
                <td>{ time }</td>
                <td class="who" title={row.component.clone()}>{ row.component.clone() }</td>
                <td class="what" title={row.text.clone()}><div class="what-text">{ row.text.clone() }</div></td>
            </tr>
        }
    });
    // The sizer is as tall as every row together (the scrollbar's length); the window's rows
    // sit at their place in it.
    let full = format!("height: {}px", count as f64 * row_height);
    let offset = format!(
        "transform: translateY({}px)",
        window.start as f64 * row_height
    );
    html! {
        <>
            // Said while the list is held, so a reader does not take it for a stopped server.
            if held {
                <p class="muted timeline-held" id="timeline-held" role="status">{ text(Key::TimelineHeld) }</p>
            }
            <div class={classes!("timeline-rows", fills_box.then_some("full"))} ref={node} {onscroll}>
                <div class="timeline-sizer" style={full}>
                    <table style={offset}>
                        <colgroup><col class="time" /><col class="who" /><col class="what" /></colgroup>
                        <tbody>{ for row_views }</tbody>
                    </table>
                </div>
            </div>
        </>
    }
}

/// A new list came in: when the reader has scrolled away from the newest rows, the row at the
/// top of their box keeps its place on the screen (newer rows came in above it, or a travel
/// back in time dropped rows above it). At the top, the newest rows show, as before. False
/// when the reader's row is not in the new list.
fn keep_in_place(scroller: &mut Scroller, old: &[TimelineRow], new: &[TimelineRow]) -> bool {
    let viewport = scroller.viewport;
    if viewport.scroll_top < 1.0 || old.is_empty() {
        return true;
    }
    let first = viewport.first_visible(old.len()).min(old.len() - 1);
    let Some(again) = find_again(old, first, new) else {
        return false;
    };
    if again == first {
        return true;
    }
    let within =
        (viewport.scroll_top - first as f64 * viewport.row_height).clamp(0.0, viewport.row_height);
    let top = again as f64 * viewport.row_height + within;
    scroller.viewport.scroll_top = top;
    scroller.scroll_to = Some(top);
    true
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

/// The windowed rows in a real page (headless Chromium, `cargo xtask wasm-test`): how many
/// rows are in the DOM, and which, before and after a scroll and when newer rows come in.
#[cfg(all(test, target_arch = "wasm32"))]
mod dom_tests {
    use super::*;
    use kubeplay_core::sim::clock::SIM_EPOCH;
    use wasm_bindgen_test::wasm_bindgen_test;

    use crate::components::dom_test_support::settle;

    /// `count` rows, newest first, numbered from `count - 1 + offset` down to `offset`.
    fn numbered(count: u64, offset: u64) -> Rc<(Vec<TimelineRow>, u64)> {
        let rows = (offset..offset + count)
            .rev()
            .map(|n| TimelineRow {
                at: Timestamp::from_millis(SIM_EPOCH.as_millis() + n),
                kind: RecordKind::Notes,
                component: "test".to_string(),
                text: format!("row {n}"),
            })
            .collect();
        Rc::new((rows, count + offset))
    }

    fn props(shown: Rc<(Vec<TimelineRow>, u64)>, is_live: bool) -> TimelineRowsProps {
        TimelineRowsProps {
            shown,
            is_live,
            on_travel: Callback::noop(),
            filter: TimelineFilter::default(),
        }
    }

    /// The `td.what` texts of the rows in the DOM.
    fn rendered(root: &Element) -> Vec<String> {
        let cells = root
            .query_selector_all(".timeline-rows td.what")
            .expect("a selector");
        (0..cells.length())
            .filter_map(|i| cells.item(i))
            .filter_map(|cell| cell.text_content())
            .collect()
    }

    /// A page with the box's CSS (the test page has no style sheet) and a mount point.
    fn mount_point() -> (web_sys::Document, Element) {
        let document = web_sys::window()
            .and_then(|window| window.document())
            .expect("a document");
        let style = document.create_element("style").expect("a style element");
        style.set_text_content(Some(
            ".timeline-rows { max-height: 352px; overflow: auto; overflow-anchor: none; font-size: 12px; }
             .timeline-rows table { border-collapse: collapse; width: 100%; table-layout: fixed; }
             .timeline-rows tr { height: 20px; }
             .timeline-rows td { padding: 0; line-height: 16px; white-space: nowrap; overflow: hidden; }",
        ));
        let body = document.body().expect("a body");
        body.append_child(&style).expect("style added");
        let root = document.create_element("div").expect("a div");
        body.append_child(&root).expect("root added");
        (document, root)
    }

    #[wasm_bindgen_test]
    async fn only_the_rows_in_view_are_in_the_page_and_a_scroll_brings_the_next_ones() {
        let (_document, root) = mount_point();
        let mut app = yew::Renderer::<TimelineRows>::with_root_and_props(
            root.clone(),
            props(numbered(1000, 0), true),
        )
        .render();
        settle().await;
        settle().await;
        let shown = rendered(&root);
        // 352 px of 20 px rows: 18 rows in view, 6 more below; the sizer is 1,000 rows tall.
        assert_eq!(shown.len(), 18 + OVERSCAN, "{shown:?}");
        assert_eq!(shown.first().map(String::as_str), Some("row 999"));
        let scroller = root
            .query_selector(".timeline-rows")
            .ok()
            .flatten()
            .expect("the box");
        assert_eq!(scroller.scroll_height(), 20_000);
        // Rows enough to fill the box: it is marked full (a fixed, contained box).
        assert!(scroller
            .class_name()
            .split_whitespace()
            .any(|c| c == "full"));
        // Scrolled to row 500: rows 494..524 (6 above, 18 in view, 6 below).
        scroller.set_scroll_top(500 * 20);
        settle().await;
        let shown = rendered(&root);
        assert_eq!(shown.len(), OVERSCAN + 18 + OVERSCAN, "{shown:?}");
        assert_eq!(shown.first().map(String::as_str), Some("row 505")); // index 494
                                                                        // 50 newer rows: the reader's rows stay where they are on the screen.
        let newer = numbered(1000, 50);
        app.update(props(newer, true));
        settle().await;
        assert_eq!(scroller.scroll_top(), 550 * 20);
        assert_eq!(rendered(&root), shown);
        app.destroy();
    }

    #[wasm_bindgen_test]
    async fn a_list_shorter_than_the_box_leaves_it_free_to_shrink() {
        let (_document, root) = mount_point();
        let app = yew::Renderer::<TimelineRows>::with_root_and_props(
            root.clone(),
            props(numbered(3, 0), true),
        )
        .render();
        settle().await;
        let scroller = root
            .query_selector(".timeline-rows")
            .ok()
            .flatten()
            .expect("the box");
        assert_eq!(rendered(&root).len(), 3);
        assert!(!scroller
            .class_name()
            .split_whitespace()
            .any(|c| c == "full"));
        app.destroy();
    }

    #[wasm_bindgen_test]
    async fn at_the_top_newer_rows_show_on_top_and_a_lost_reader_keeps_the_old_rows_while_live() {
        let (_document, root) = mount_point();
        let mut app = yew::Renderer::<TimelineRows>::with_root_and_props(
            root.clone(),
            props(numbered(100, 0), true),
        )
        .render();
        settle().await;
        app.update(props(numbered(100, 10), true));
        settle().await;
        assert_eq!(rendered(&root).first().map(String::as_str), Some("row 109"));
        let scroller = root
            .query_selector(".timeline-rows")
            .ok()
            .flatten()
            .expect("the box");
        scroller.set_scroll_top(30 * 20);
        settle().await;
        let read = rendered(&root);
        let held_note = || {
            root.query_selector("#timeline-held")
                .ok()
                .flatten()
                .is_some()
        };
        assert!(!held_note(), "no note before the list is held");
        // More newer rows than the list holds: the reader's row is gone from the new list, so
        // live the list stays as it was until they scroll back to the top, and says so.
        app.update(props(numbered(100, 500), true));
        settle().await;
        assert_eq!(rendered(&root), read);
        assert!(held_note(), "the held list says it is held");
        scroller.set_scroll_top(0);
        settle().await;
        assert_eq!(rendered(&root).first().map(String::as_str), Some("row 599"));
        assert!(!held_note(), "the note goes with the hold");
        app.destroy();
    }
}
