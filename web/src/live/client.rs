//! The live driver (wasm32 only): the browser's `fetch` against `kubeplay serve`, filling a
//! [`LiveState`].
//!
//! Every request carries `Authorization: Bearer TOKEN` and goes to the page's own origin
//! (`kubeplay serve` serves the page at `/` and the API next to it). [`LiveDriver::start`]
//! spawns one task per watched kind ([`super::WATCHED_KINDS`]: list, then watch from the
//! list's resourceVersion, reading the response body as a stream of lines; when a stream ends
//! it watches again from the last resourceVersion, on 410 Gone it lists again, on 401 it
//! stops) and one polling task (the other kinds' lists and the trace's next page every
//! [`super::POLL_INTERVAL_MS`]). A big cluster ([`super::MirrorMode::Summary`]) gets one
//! task for the summary stream (`/kubeplay/v1/summary`: list, then watch from its
//! resourceVersion, the same steps) and watches only [`super::SUMMARY_WATCHED_KINDS`]; the
//! inspector's object is then fetched on its own ([`inspect`]). Tasks never hold the state's `RefCell` borrow across an
//! await. [`LiveDriver::stop`] (also on drop) aborts every open request through one
//! `AbortController` and tells the tasks to end.

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use kubeplay_core::api::objects::Kind;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::{spawn_local, JsFuture};
use web_sys::{
    AbortController, AbortSignal, Headers, ReadableStreamDefaultReader, RequestInit, Response,
};

use super::lines::{LineBuffer, Taken};
use super::mirror::{
    events_path, list_path, next_step_after_status, object_path, watch_path, ListDecode,
    MirrorError, NextStep, WatchOutcome,
};
use super::slices::{take_slice, Slice};
use super::summary::{summary_watch_path, MirrorMode};
use super::token::{authorization, read_info_answer, ConnectError, LiveInfo, INFO_PATH};
use super::trace::TracePage;
use super::{
    exec_body, lists_every_polled_kind, ExecOutput, LiveHealth, LiveState, PolledListing,
    EXEC_PATH, POLLED_KINDS, POLL_INTERVAL_MS, SUMMARY_WATCHED_KINDS, WATCHED_KINDS,
};
use crate::inspector::ObjectRef;
use crate::page_clock::now_ms;

/// One list + watch stream the driver keeps: a kind's full objects, or the summary.
#[derive(Clone, Copy, Debug)]
enum Stream {
    /// Full objects of one kind.
    Kind(Kind),
    /// Node and pod summaries.
    Summary,
}

impl Stream {
    fn watch_path(self, state: &LiveState) -> String {
        match self {
            Stream::Kind(kind) => watch_path(kind, state.mirror.resource_version(kind)),
            Stream::Summary => summary_watch_path(state.summary.watch_from()),
        }
    }

    fn apply_line(self, state: &mut LiveState, line: &str) -> Result<WatchOutcome, MirrorError> {
        match self {
            Stream::Kind(kind) => state.mirror.apply_watch_line(kind, line),
            Stream::Summary => state.summary.apply_watch_line(line),
        }
    }
}

/// How long a task waits before trying again after a failure, in milliseconds.
const RETRY_MS: i32 = 2_000;

/// A running live connection; stopping it (or dropping it) ends every request.
pub struct LiveDriver {
    abort: Option<AbortController>,
    stopped: Rc<Cell<bool>>,
}

impl LiveDriver {
    /// Starts filling `state` from the server.
    pub fn start(state: &Rc<RefCell<LiveState>>) -> LiveDriver {
        let abort = AbortController::new().ok();
        let stopped = Rc::new(Cell::new(false));
        let signal = abort.as_ref().map(AbortController::signal);
        let streams: Vec<Stream> = match state.borrow().mode {
            MirrorMode::Full => WATCHED_KINDS.iter().map(|k| Stream::Kind(*k)).collect(),
            MirrorMode::Summary => std::iter::once(Stream::Summary)
                .chain(SUMMARY_WATCHED_KINDS.iter().map(|k| Stream::Kind(*k)))
                .collect(),
        };
        for stream in streams {
            spawn_local(mirror_stream(
                Rc::clone(state),
                stream,
                signal.clone(),
                Rc::clone(&stopped),
            ));
        }
        spawn_local(poll(Rc::clone(state), signal, Rc::clone(&stopped)));
        LiveDriver { abort, stopped }
    }

    /// Ends every request and task.
    pub fn stop(&self) {
        self.stopped.set(true);
        if let Some(abort) = &self.abort {
            abort.abort();
        }
    }
}

impl Drop for LiveDriver {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Asks the server who it is with `token`: its info, or why not.
pub async fn check_token(token: &str) -> Result<LiveInfo, ConnectError> {
    let (status, body) = fetch_text("GET", INFO_PATH, token, None, None).await;
    read_info_answer(status, &body)
}

/// Runs one kubectl line on the server.
pub async fn exec(token: &str, line: &str) -> Result<ExecOutput, String> {
    post_exec(token, &exec_body(line, None)).await
}

/// Runs one kubectl line on the server with `stdin` as its standard input (`-f -`): the
/// editor's apply.
pub async fn exec_with_stdin(token: &str, line: &str, stdin: &str) -> Result<ExecOutput, String> {
    post_exec(token, &exec_body(line, Some(stdin))).await
}

async fn post_exec(token: &str, body: &str) -> Result<ExecOutput, String> {
    let (status, text) = fetch_text("POST", EXEC_PATH, token, Some(body), None).await;
    match status {
        0 => Err(text),
        200..=299 => serde_json::from_str(&text).map_err(|error| error.to_string()),
        other => Err(format!("the server answered {other}: {}", text.trim())),
    }
}

/// Lists the polled kinds once now (after a terminal command, so its effect shows at once).
pub fn refresh(state: &Rc<RefCell<LiveState>>) {
    let state = Rc::clone(state);
    spawn_local(async move {
        list_polled(&state, None).await;
    });
}

/// Sends a request; None and the browser's error when no answer came.
async fn send(
    method: &str,
    path: &str,
    token: &str,
    body: Option<&str>,
    signal: Option<&AbortSignal>,
) -> Result<Response, String> {
    let window = web_sys::window().ok_or_else(|| "no window".to_string())?;
    let init = RequestInit::new();
    init.set_method(method);
    let headers = Headers::new().map_err(describe)?;
    headers
        .set("Authorization", &authorization(token))
        .map_err(describe)?;
    headers
        .set("Accept", "application/json")
        .map_err(describe)?;
    if let Some(body) = body {
        headers
            .set("Content-Type", "application/json")
            .map_err(describe)?;
        init.set_body(&JsValue::from_str(body));
    }
    init.set_headers(&headers);
    init.set_cache(web_sys::RequestCache::NoStore);
    init.set_signal(signal);
    let response = JsFuture::from(window.fetch_with_str_and_init(path, &init))
        .await
        .map_err(describe)?;
    response.dyn_into::<Response>().map_err(describe)
}

/// Sends a request and reads the whole answer: (status, body), or (0, the error).
async fn fetch_text(
    method: &str,
    path: &str,
    token: &str,
    body: Option<&str>,
    signal: Option<&AbortSignal>,
) -> (u16, String) {
    let response = match send(method, path, token, body, signal).await {
        Ok(response) => response,
        Err(error) => return (0, error),
    };
    let text = match response.text() {
        Ok(promise) => JsFuture::from(promise).await.map_err(describe),
        Err(error) => Err(describe(error)),
    };
    match text {
        Ok(text) => (response.status(), text.as_string().unwrap_or_default()),
        Err(error) => (0, error),
    }
}

/// Reads a streamed answer line by line until it ends, `on_line` says stop, or it fails.
///
/// Lines are applied in slices of [`super::slices::SLICE_MS`]: when a slice's time is
/// spent the reader yields to the event loop ([`yield_now`]) and goes on with the next
/// buffered line before it reads more. Without that, the chunks queued while the page was
/// busy all resolved their reads as microtasks of one task, thousands of lines in one go.
async fn read_lines(
    response: &Response,
    source: &str,
    mut on_line: impl FnMut(&str) -> bool,
) -> Result<(), String> {
    let Some(body) = response.body() else {
        return Ok(());
    };
    let reader: ReadableStreamDefaultReader = body
        .get_reader()
        .dyn_into()
        .map_err(|object: js_sys::Object| describe(object.into()))?;
    let mut buffer = LineBuffer::new();
    let mut slice = Slice::start(now_ms());
    loop {
        loop {
            match take_slice(&mut buffer, &mut slice, now_ms, &mut on_line) {
                Taken::Drained => break,
                Taken::Paused => next_slice(source, &mut slice).await,
                Taken::Stopped => {
                    note_slice(source, &slice);
                    // Cancelling only ends the download early; failing to is harmless.
                    let _ = reader.cancel();
                    return Ok(());
                }
            }
        }
        let asked = now_ms();
        let chunk = JsFuture::from(reader.read()).await.map_err(describe)?;
        let answered = now_ms();
        if answered - asked > NEW_TASK_WAIT_MS {
            // The read waited for the network: this is a new task (a queued chunk answers at
            // once, as a microtask of the same one).
            if slice.lines > 0 {
                note_task(source, asked - slice.started, slice.lines);
            }
            slice = Slice::start(answered);
        }
        let done = js_sys::Reflect::get(&chunk, &JsValue::from_str("done"))
            .map(|d| d.is_truthy())
            .unwrap_or(true);
        if done {
            note_slice(source, &slice);
            return Ok(());
        }
        if let Ok(value) = js_sys::Reflect::get(&chunk, &JsValue::from_str("value")) {
            if let Some(bytes) = value.dyn_ref::<js_sys::Uint8Array>() {
                bytes.copy_to(buffer.spare(bytes.length() as usize));
            }
        }
    }
}

/// Ends `slice` (counting it as one task of `source`), lets the event loop run and starts the
/// next slice.
async fn next_slice(source: &str, slice: &mut Slice) {
    note_slice(source, slice);
    yield_now().await;
    *slice = Slice::start(now_ms());
}

/// Counts `slice`, as it stands now, as one task of `source` ([`note_task`]).
fn note_slice(source: &str, slice: &Slice) {
    note_task(source, now_ms() - slice.started, slice.lines);
}

/// A read that took longer than this (ms) waited for the network, so what follows runs in a
/// new task (for the slices' clock and [`note_task`]).
const NEW_TASK_WAIT_MS: f64 = 1.0;

/// Lets the event loop run (rendering, input, the other streams) before going on:
/// `scheduler.yield()` where the browser has it (the continuation runs before other queued
/// tasks of the same priority), else a zero timeout.
async fn yield_now() {
    let global = js_sys::global();
    let scheduler = js_sys::Reflect::get(&global, &JsValue::from_str("scheduler")).ok();
    let promise = scheduler.as_ref().and_then(|scheduler| {
        let function = js_sys::Reflect::get(scheduler, &JsValue::from_str("yield")).ok()?;
        let function = function.dyn_ref::<js_sys::Function>()?;
        function
            .call0(scheduler)
            .ok()?
            .dyn_into::<js_sys::Promise>()
            .ok()
    });
    match promise {
        Some(promise) => {
            let _ = JsFuture::from(promise).await;
        }
        None => sleep(0).await,
    }
}

/// Counts one task's worth (`ms`, `lines` lines or records) of the driver's own work in `window.kubeplayLiveStats[source]`
/// (the live bench reads it): `tasks`, `over50` (tasks over 50 ms), `maxMs`, `totalMs`,
/// `lines` and `maxLines` (lines or records in one task). Kept in the page's JS object, so
/// the bench can start a window by replacing it.
fn note_task(source: &str, ms: f64, lines: usize) {
    let Some(window) = web_sys::window() else {
        return;
    };
    let key = JsValue::from_str("kubeplayLiveStats");
    let stats = match js_sys::Reflect::get(&window, &key) {
        Ok(stats) if stats.is_object() => stats,
        _ => {
            let stats: JsValue = js_sys::Object::new().into();
            let _ = js_sys::Reflect::set(&window, &key, &stats);
            stats
        }
    };
    let source_key = JsValue::from_str(source);
    let entry = match js_sys::Reflect::get(&stats, &source_key) {
        Ok(entry) if entry.is_object() => entry,
        _ => {
            let entry: JsValue = js_sys::Object::new().into();
            let _ = js_sys::Reflect::set(&stats, &source_key, &entry);
            entry
        }
    };
    let read = |field: &str| {
        js_sys::Reflect::get(&entry, &JsValue::from_str(field))
            .ok()
            .and_then(|v| v.as_f64())
            .unwrap_or(0.0)
    };
    let lines = lines as f64;
    let updates = [
        ("tasks", read("tasks") + 1.0),
        ("over50", read("over50") + f64::from(u8::from(ms > 50.0))),
        ("maxMs", read("maxMs").max(ms)),
        ("totalMs", read("totalMs") + ms),
        ("lines", read("lines") + lines),
        ("maxLines", read("maxLines").max(lines)),
    ];
    for (field, value) in updates {
        let _ = js_sys::Reflect::set(&entry, &JsValue::from_str(field), &JsValue::from_f64(value));
    }
}

/// Runs `work` (one synchronous piece of the driver's work: a list applied, a trace page
/// read) and counts it as one task of `source` ([`note_task`]).
fn timed<T>(source: &str, work: impl FnOnce() -> T) -> T {
    let started = now_ms();
    let out = work();
    note_task(source, now_ms() - started, 1);
    out
}

fn describe(error: JsValue) -> String {
    error
        .as_string()
        .or_else(|| {
            error
                .dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
        })
        .unwrap_or_else(|| format!("{error:?}"))
}

async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(window) = web_sys::window() {
            // Without a timer the task simply never wakes: there is no page to update.
            let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = JsFuture::from(promise).await;
}

fn set_health(state: &Rc<RefCell<LiveState>>, health: LiveHealth) {
    state.borrow_mut().set_health(health);
}

/// Lists then watches one stream, for as long as the driver runs. The summary is not listed:
/// its stream starts with the whole state ([`super::SummaryMirror::begin_initial_events`]),
/// applied in slices like every line, where a list's body was decoded in one task.
async fn mirror_stream(
    state: Rc<RefCell<LiveState>>,
    stream: Stream,
    signal: Option<AbortSignal>,
    stopped: Rc<Cell<bool>>,
) {
    let token = state.borrow().token.clone();
    'list: while !stopped.get() {
        match stream {
            Stream::Summary => state.borrow_mut().summary.begin_initial_events(),
            Stream::Kind(kind) => {
                if !list_once(&state, kind, &token, signal.as_ref(), &stopped).await {
                    if stopped.get() || state.borrow().health == LiveHealth::Refused {
                        return;
                    }
                    continue 'list;
                }
            }
        }
        if !watch_until_relist(&state, stream, &token, signal.as_ref(), &stopped).await {
            return;
        }
    }
}

/// Lists `kind` once into the mirror: true when it was listed (its stream can be watched),
/// false after a failure (health set; a refusal sets `Refused`) or a stop.
async fn list_once(
    state: &Rc<RefCell<LiveState>>,
    kind: Kind,
    token: &str,
    signal: Option<&AbortSignal>,
    stopped: &Cell<bool>,
) -> bool {
    let (status, body) = fetch_text("GET", &list_path(kind), token, None, signal).await;
    if stopped.get() {
        return false;
    }
    match next_step_after_status(status) {
        NextStep::Stop => {
            state.borrow_mut().health = LiveHealth::Refused;
            state.borrow_mut().touch_now();
            return false;
        }
        NextStep::RetryLater | NextStep::Relist => {
            set_health(
                state,
                LiveHealth::Reconnecting(format!("{}: {status} {}", kind.plural(), body.trim())),
            );
            sleep(RETRY_MS).await;
            return false;
        }
        NextStep::Watch => {}
    }
    let listed = timed("list", || state.borrow_mut().mirror.apply_list(kind, &body));
    if let Err(error) = listed {
        set_health(state, LiveHealth::Reconnecting(error.to_string()));
        sleep(RETRY_MS).await;
        return false;
    }
    // The first list is what the learner waits for after Connect.
    state.borrow_mut().touch_now();
    set_health(state, LiveHealth::Connected);
    true
}

/// Watches `stream` from where the mirror stands, again and again, until it must be listed
/// again (410 Gone, a relist asked for: true) or the server refused the token or the driver
/// stopped (false).
async fn watch_until_relist(
    state: &Rc<RefCell<LiveState>>,
    stream: Stream,
    token: &str,
    signal: Option<&AbortSignal>,
    stopped: &Cell<bool>,
) -> bool {
    while !stopped.get() {
        if matches!(stream, Stream::Summary) && state.borrow().summary.awaiting_initial_events() {
            // A stream that ended before its initial state did: the next one sends it
            // whole again.
            state.borrow_mut().summary.begin_initial_events();
        }
        let path = stream.watch_path(&state.borrow());
        let response = match send("GET", &path, token, None, signal).await {
            Ok(response) => response,
            Err(error) => {
                if stopped.get() {
                    return false;
                }
                set_health(state, LiveHealth::Reconnecting(error));
                sleep(RETRY_MS).await;
                continue;
            }
        };
        match next_step_after_status(response.status()) {
            NextStep::Watch => {}
            NextStep::Stop => {
                state.borrow_mut().health = LiveHealth::Refused;
                state.borrow_mut().touch_now();
                return false;
            }
            NextStep::Relist => return true,
            NextStep::RetryLater => {
                sleep(RETRY_MS).await;
                return true;
            }
        }
        let mut gone = false;
        let source = match stream {
            Stream::Summary => "summary",
            Stream::Kind(_) => "watch",
        };
        let read = read_lines(&response, source, |line| {
            if stopped.get() {
                return false;
            }
            let mut state = state.borrow_mut();
            let awaiting =
                matches!(stream, Stream::Summary) && state.summary.awaiting_initial_events();
            match stream.apply_line(&mut state, line) {
                Ok(WatchOutcome::Changed) => state.touch(),
                Ok(WatchOutcome::Unchanged) => {}
                Ok(WatchOutcome::Gone) => {
                    gone = true;
                    return false;
                }
                // One unreadable line is skipped; the next list repairs what it missed.
                Err(_) => {}
            }
            if awaiting && !state.summary.awaiting_initial_events() {
                // The whole state is in: what the learner waits for after Connect, as a
                // kind's first list (`list_once`).
                state.touch_now();
                state.set_health(LiveHealth::Connected);
            }
            true
        })
        .await;
        if stopped.get() {
            return false;
        }
        if gone {
            return true;
        }
        if let Err(error) = read {
            set_health(state, LiveHealth::Reconnecting(error));
            sleep(RETRY_MS).await;
        }
    }
    false
}

/// Which view asked for an object fetched on demand ([`fetch_on_demand`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum OnDemand {
    /// The inspector: the object and its Events.
    Inspector,
    /// The scheduler-explain view: the pod (its scheduler annotations and conditions).
    Explain,
}

/// Fetches the inspected object on its own, with its Events (summary mode, where neither
/// is mirrored), and records the summary resourceVersion it was fetched at. A 404 removes
/// it (the inspector then says it is gone).
pub fn inspect(state: &Rc<RefCell<LiveState>>, target: ObjectRef) {
    fetch_on_demand(state, target, OnDemand::Inspector);
}

/// Fetches one object on its own for the view `purpose` (summary mode): the object (and,
/// for the inspector, its Events) goes into the mirror, and the summary resourceVersion it
/// was fetched at into the view's record, so the view knows it arrived and when to fetch
/// again. A 404 removes it (the view then says it is gone).
pub fn fetch_on_demand(state: &Rc<RefCell<LiveState>>, target: ObjectRef, purpose: OnDemand) {
    let state = Rc::clone(state);
    spawn_local(async move {
        let (token, version) = {
            let state = state.borrow();
            (state.token.clone(), state.summary_version_of(&target))
        };
        let path = object_path(target.kind, &target.namespace, &target.name);
        let (status, body) = fetch_text("GET", &path, &token, None, None).await;
        let events = match purpose {
            OnDemand::Inspector => {
                let events_path = events_path(target.kind, &target.namespace, &target.name);
                Some(fetch_text("GET", &events_path, &token, None, None).await)
            }
            OnDemand::Explain => None,
        };
        let mut state = state.borrow_mut();
        match status {
            200 => {
                // An unreadable answer leaves the last one shown.
                let _ = state.mirror.apply_object(target.kind, &body);
            }
            404 => state
                .mirror
                .remove(target.kind, &target.namespace, &target.name),
            _ => {}
        }
        if let Some((200, events)) = events {
            let _ = state.mirror.apply_list(Kind::Event, &events);
        }
        match purpose {
            OnDemand::Inspector => state.inspected = Some((target, version)),
            OnDemand::Explain => state.explained = Some((target, version)),
        }
        state.touch_now();
    });
}

/// Reads the EndpointSlices of the Service `namespace/name` into the mirror (replacing the
/// ones read before) for the traffic view, and records whose they are.
pub fn fetch_endpoint_slices(state: &Rc<RefCell<LiveState>>, namespace: String, name: String) {
    let state = Rc::clone(state);
    spawn_local(async move {
        let token = state.borrow().token.clone();
        let path = crate::traffic::endpoint_slices_path(&namespace, &name);
        let (status, body) = fetch_text("GET", &path, &token, None, None).await;
        let mut state = state.borrow_mut();
        if status == 200 && state.mirror.apply_list(Kind::EndpointSlice, &body).is_ok() {
            state.sliced = Some((namespace, name));
            state.touch_now();
        }
    });
}

/// Reads one node's image cache and pulls from the server (`/kubeplay/v1/images`) for the
/// images view of a big cluster. An answer that cannot be read leaves the last one shown.
pub fn fetch_node_images(state: &Rc<RefCell<LiveState>>, node: String) {
    let state = Rc::clone(state);
    spawn_local(async move {
        let token = state.borrow().token.clone();
        let path = crate::images::node_images_path(&node);
        let (status, body) = fetch_text("GET", &path, &token, None, None).await;
        if status != 200 {
            return;
        }
        if let Ok(images) = crate::images::read_node_images_answer(&body) {
            let mut state = state.borrow_mut();
            state.node_images = Some(images);
            state.touch_now();
        }
    });
}

/// Lists every polled kind once.
async fn list_polled(state: &Rc<RefCell<LiveState>>, signal: Option<&AbortSignal>) {
    list_kinds(state, &POLLED_KINDS, signal).await;
}

/// Lists each of `kinds` once.
async fn list_kinds(state: &Rc<RefCell<LiveState>>, kinds: &[Kind], signal: Option<&AbortSignal>) {
    let token = state.borrow().token.clone();
    for &kind in kinds {
        let (status, body) = fetch_text("GET", &list_path(kind), &token, None, signal).await;
        if status != 200 {
            continue;
        }
        // Decoded in slices (a churning cluster's big Endpoints took 48 ms in one task), then
        // taken at once; nothing else is waited for meanwhile.
        let mut slice = Slice::start(now_ms());
        let Ok(mut list) = ListDecode::read(kind, &body) else {
            continue;
        };
        let decoded = loop {
            match list.decode_some(|| slice.done_one(now_ms)) {
                Ok(true) => break true,
                Ok(false) => next_slice("polledList", &mut slice).await,
                Err(_) => break false,
            }
        };
        note_slice("polledList", &slice);
        if decoded {
            let mut state = state.borrow_mut();
            if state.mirror.finish_list(list) {
                state.touch();
            }
        }
    }
}

/// Reads the trace's next page again and again, and lists again the polled kinds its new
/// records committed (all of them first, and every [`super::FULL_RELIST_ROUNDS`] rounds in case the
/// trace missed something: a server with its trace off; and soon after records were
/// dropped: [`lists_every_polled_kind`]); on a big cluster each kind at most every
/// [`super::SUMMARY_RELIST_ROUNDS`] polls ([`PolledListing`]).
async fn poll(state: Rc<RefCell<LiveState>>, signal: Option<AbortSignal>, stopped: Rc<Cell<bool>>) {
    let token = state.borrow().token.clone();
    let mut round: u32 = 0;
    // Whether records were left out since the polled kinds were last all listed, and when
    // that was (a round number).
    let (mut missed, mut last_full) = (false, 0_u32);
    let mut listing = PolledListing::default();
    while !stopped.get() {
        let path = state.borrow().trace.next_path();
        let (status, body) = fetch_text("GET", &path, &token, None, signal.as_ref()).await;
        if stopped.get() {
            return;
        }
        // The page's records are decoded in slices (yielding between them), then appended
        // at once: nothing else writes the trace meanwhile.
        let page = if status == 200 {
            let mut slice = Slice::start(now_ms());
            let read = TracePage::read(&body);
            let mut page = read.ok();
            if let Some(page) = page.as_mut() {
                while !page.decode_some(|| slice.done_one(now_ms)) {
                    next_slice("trace", &mut slice).await;
                    if stopped.get() {
                        return;
                    }
                }
            }
            note_slice("trace", &slice);
            page
        } else {
            None
        };
        let changed = match page {
            Some(page) => {
                let mut state = state.borrow_mut();
                let dropped_before = state.trace.dropped();
                let appended = state.trace.append(page);
                // Records left out (a busy server, see LIVE_TRACE_PAGE) may have committed
                // any polled kind: they are all listed again, but at most every
                // MISSED_RELIST_ROUNDS polls (a cluster that busy leaves records out at every
                // poll); the kinds the records read committed are listed at once.
                missed |= state.trace.dropped() > dropped_before;
                if appended > 0 {
                    state.touch();
                }
                state.trace.kinds_committed_in_last(appended, &POLLED_KINDS)
            }
            None => POLLED_KINDS.to_vec(),
        };
        let all = lists_every_polled_kind(round, changed.len(), missed, last_full);
        if all {
            (missed, last_full) = (false, round);
        }
        let mode = state.borrow().mode;
        let due = listing.due(mode, round, &changed, all);
        if !due.is_empty() {
            list_kinds(&state, &due, signal.as_ref()).await;
        }
        round = round.wrapping_add(1);
        sleep(i32::try_from(POLL_INTERVAL_MS).unwrap_or(1_000)).await;
    }
}
