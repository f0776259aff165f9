//! `kubeplay`: the node host's command line.
//!
//! `kubeplay serve` chooses the data directory and the web UI's files, binds `--listen`, and
//! runs [`kubeplay::serve::serve`] until Ctrl-C or SIGTERM. Logs go to stderr through
//! `tracing`; `RUST_LOG` tunes them (default `info`, `RUST_LOG=kubeplay=debug` logs every
//! request).

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use kubeplay::data_dir;
use kubeplay::serve::{self, ServeConfig, UiFiles};
use std::net::SocketAddr;
use std::path::PathBuf;
use tracing_subscriber::EnvFilter;

/// kubeplay: a Kubernetes learning playground. The node host serves the web playground and
/// the Kubernetes API on this machine.
#[derive(Debug, Parser)]
#[command(name = "kubeplay", version, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the Kubernetes API and the web playground over HTTPS (kubeconfig in the data dir).
    Serve(ServeArgs),
}

#[derive(Debug, Args)]
struct ServeArgs {
    /// Address and port to listen on. The default answers this machine only; use
    /// 0.0.0.0:6443 to let other machines connect.
    #[arg(
        long,
        value_name = "ADDR:PORT",
        env = "KUBEPLAY_LISTEN",
        default_value = "127.0.0.1:6443"
    )]
    listen: SocketAddr,

    /// Folder for the node host's state (created if missing, private to its owner).
    /// [default: $XDG_DATA_HOME/kubeplay, else ~/.local/share/kubeplay]
    #[arg(long, value_name = "DIR", env = "KUBEPLAY_DATA_DIR")]
    data_dir: Option<PathBuf>,

    /// Serve the web playground from this folder (a `cargo xtask dist` output).
    /// [default: the source tree's dist/ if this binary was built there, else the copy
    /// embedded in the binary]
    #[arg(long, value_name = "DIR", env = "KUBEPLAY_UI_DIR")]
    ui_dir: Option<PathBuf>,
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new("info")),
        )
        .with_target(false)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    match cli.command {
        Command::Serve(args) => run_serve(args),
    }
}

fn run_serve(args: ServeArgs) -> anyhow::Result<()> {
    let data_dir = match args.data_dir {
        Some(dir) => dir,
        None => data_dir::default_data_dir_from_env()?,
    };
    data_dir::prepare(&data_dir)?;
    let ui = UiFiles::locate(args.ui_dir.as_deref())?;

    let runtime = tokio::runtime::Runtime::new().context("could not start the tokio runtime")?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .with_context(|| {
                format!(
                    "could not listen on {}; is another kubeplay running? choose another port with --listen",
                    args.listen
                )
            })?;
        let address = listener.local_addr().context("could not read the bound address")?;
        tracing::info!(data_dir = %data_dir.display(), "data directory");
        if matches!(ui, UiFiles::NotBuilt) {
            tracing::warn!("web UI from {ui}");
        } else {
            tracing::info!("web UI from {ui}");
        }
        tracing::info!(
            "kubeplay is serving on {}/ (Ctrl-C stops it); try: KUBECONFIG={} kubectl get nodes",
            kubeplay::serve::security::server_url(address),
            data_dir.join(kubeplay::serve::security::KUBECONFIG_FILE).display()
        );
        let config = ServeConfig {
            ui,
            data_dir: data_dir.clone(),
        };
        serve::serve(listener, config, shutdown_signal())
            .await
            .context("the HTTPS server failed")?;
        tracing::info!("kubeplay stopped");
        Ok(())
    })
}

/// Completes on Ctrl-C (SIGINT) or SIGTERM (what systemd and `docker stop` send).
async fn shutdown_signal() {
    let interrupt = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        use tokio::signal::unix::{signal, SignalKind};
        match signal(SignalKind::terminate()) {
            Ok(mut terminate) => {
                terminate.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
    tracing::info!("shutting down: finishing open requests");
}
