//! The page's monotonic clock, `performance.now()` in ms.
//!
//! Live mode reads it between every few stream lines (`live::slices`) and the canvas around
//! every frame: looking up `window` and `window.performance` on each read cost ~6 µs a read
//! in the live bench's profile (296 ms in a 460 s churn window at 1,000 × 30,000), so the
//! `Performance` object is looked up once and kept.

use std::cell::OnceCell;

thread_local! {
    /// `window.performance`, looked up at the first read (None: no window, or a browser
    /// without it).
    static PERFORMANCE: OnceCell<Option<web_sys::Performance>> = const { OnceCell::new() };
}

/// Milliseconds since the page started (`performance.now()`); `Date.now()` where the browser
/// has no `performance`.
pub fn now_ms() -> f64 {
    PERFORMANCE.with(|cell| {
        match cell.get_or_init(|| web_sys::window().and_then(|window| window.performance())) {
            Some(performance) => performance.now(),
            None => js_sys::Date::now(),
        }
    })
}
