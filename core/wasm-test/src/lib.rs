//! Runs the core's plain `#[test]` functions on wasm32 as well.
//!
//! `cargo test --target wasm32-unknown-unknown` builds libtest's harness, which
//! `wasm-bindgen-test-runner` cannot run: it only runs functions marked
//! `#[wasm_bindgen_test]`. Marking every test twice would clutter the whole crate, so the
//! core's crate root, only when it builds its tests for wasm32, does
//!
//! ```ignore
//! #[cfg(all(test, target_arch = "wasm32"))]
//! #[macro_use]
//! extern crate kubeplay_wasm_test;
//! ```
//!
//! which puts this crate's [`macro@test`] attribute in the crate-wide `macro_use` prelude.
//! Name resolution looks there before the standard library's prelude, so every `#[test]`
//! in the crate — including those that `proptest!` writes — becomes
//! `#[wasm_bindgen_test::wasm_bindgen_test]`, which keeps `#[should_panic]` and `#[ignore]`.
//! Native builds never see this crate: they keep libtest's own `#[test]`.

use proc_macro::TokenStream;

/// Marks a test function as a wasm-bindgen test (see the crate docs for why it is named
/// `test`). Takes no arguments, like libtest's attribute.
#[proc_macro_attribute]
pub fn test(attribute: TokenStream, item: TokenStream) -> TokenStream {
    if !attribute.is_empty() {
        return "::core::compile_error!(\"#[test] takes no arguments\");"
            .parse()
            .unwrap_or_default();
    }
    let mut marked: TokenStream = "#[::wasm_bindgen_test::wasm_bindgen_test]"
        .parse()
        .unwrap_or_default();
    marked.extend(item);
    marked
}
