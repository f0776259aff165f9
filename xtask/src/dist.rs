//! Builds the web playground into `dist/` (work in progress).

use anyhow::Result;

/// Builds the web app (wasm + JS glue + static files) into `dist/`.
pub fn build() -> Result<()> {
    Ok(())
}
