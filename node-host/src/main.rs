//! `kubeplay`: the node host (work in progress).

fn main() -> anyhow::Result<()> {
    Ok(())
}
