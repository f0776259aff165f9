//! `kubeplay`: the node host's command line.
//!
//! `kubeplay serve` chooses the data directory and the web UI's files, binds `--listen`, and
//! runs [`kubeplay::serve::serve`] until Ctrl-C or SIGTERM. Logs go to stderr through
//! `tracing`; `RUST_LOG` tunes them (default `info`, `RUST_LOG=kubeplay=debug` logs every
//! request). `kubeplay play` runs a simulated cluster in the process and reads kubectl and
//! `play` lines from stdin ([`kubeplay::play`]).

use anyhow::Context;
use clap::{Args, Parser, Subcommand};
use kubeplay::data_dir;
use kubeplay::serve::{self, ClusterConfig, ServeConfig, UiFiles};
use std::net::SocketAddr;
use std::path::PathBuf;
use tracing_subscriber::EnvFilter;

// mimalloc (v2: ~1.5 % less peak memory than v3 in `kubeplay sim`, the same CPU) instead of
// glibc malloc: see node-host/Cargo.toml and node-host/src/allocator.rs.
#[global_allocator]
static ALLOCATOR: kubeplay::allocator::Allocator = kubeplay::allocator::Allocator;

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
    /// Simulate a whole cluster in memory: N nodes, P pods through Deployments, until every
    /// pod runs (or nothing moves any more); print the figures.
    Sim(SimArgs),
    /// A simulated cluster in this process and its command line: kubectl and the playground's
    /// `play` commands, read from stdin (a prompt with history on a terminal, a script when
    /// piped). A script exits 1 if any line failed.
    Play(PlayArgs),
}

#[derive(Debug, Args)]
struct PlayArgs {
    /// How many simulated nodes [default: the lesson's, else 3].
    #[arg(long)]
    nodes: Option<usize>,
    /// The seed every random choice derives from: the same seed and lines print the same.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Run this lesson: its steps are printed, and each is done when the cluster reaches its
    /// goal (pods, deployments, services; `play lesson` shows the current step again).
    #[arg(long, value_name = "ID")]
    lesson: Option<String>,
    /// The language of the lesson's texts.
    #[arg(long, value_name = "LANG", default_value = "ko", value_parser = parse_lang)]
    lang: kubeplay_core::lesson::Lang,
}

/// `ko` or `en`.
fn parse_lang(text: &str) -> Result<kubeplay_core::lesson::Lang, String> {
    kubeplay_core::lesson::Lang::from_code(text)
        .ok_or_else(|| format!("{text:?} is not a lesson language (ko or en)"))
}

#[derive(Debug, Args)]
struct SimArgs {
    /// How many simulated nodes.
    #[arg(long, default_value_t = 3)]
    nodes: usize,
    /// How many pods to ask for (through Deployments of up to 500 replicas).
    #[arg(long, default_value_t = 30)]
    pods: usize,
    /// The seed every random choice derives from: the same seed gives the same trace hash.
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Each node's pod limit (the kubelet's maxPods).
    #[arg(long, default_value_t = 110)]
    max_pods: u32,
    /// Give up after this many virtual seconds.
    #[arg(long, default_value_t = 3600)]
    max_virtual_seconds: u64,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    json: bool,
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

    /// Folder for the node host's state (created if missing, private to its owner): the
    /// cluster's objects (store/, every write saved before it is answered, so a restart on
    /// the same folder brings the cluster back), the CA, token and kubeconfig.
    /// [default: $XDG_DATA_HOME/kubeplay, else ~/.local/share/kubeplay]
    #[arg(long, value_name = "DIR", env = "KUBEPLAY_DATA_DIR")]
    data_dir: Option<PathBuf>,

    /// Serve the web playground from this folder (a `cargo xtask dist` output).
    /// [default: the source tree's dist/ if this binary was built there, else the copy
    /// embedded in the binary]
    #[arg(long, value_name = "DIR", env = "KUBEPLAY_UI_DIR")]
    ui_dir: Option<PathBuf>,

    /// How many simulated nodes (node-1 … node-N) run the cluster's pods: the core's kubelet
    /// with a simulated container runtime, on the wall clock. One node, like kind or
    /// minikube; 0 leaves every pod Pending.
    #[arg(
        long,
        value_name = "N",
        env = "KUBEPLAY_SIM_NODES",
        default_value_t = 1
    )]
    sim_nodes: usize,

    /// Speed factor for the simulated nodes' image pulls and sandbox and container starts:
    /// 1 takes realistic times (nginx runs about 3 s after its pod is created), 10 is ten
    /// times faster.
    #[arg(long, value_name = "F", env = "KUBEPLAY_SIM_SPEED", default_value_t = 1.0,
          value_parser = parse_speed)]
    sim_speed: f64,

    /// How many of the latest trace records (API requests, store commits, watch deliveries,
    /// scheduling and kubelet steps) the server keeps for the web page's live mode, which
    /// reads them at /kubeplay/v1/trace with the admin token. Memory stays bounded: older
    /// records are dropped. 0 keeps none and turns the trace endpoint off.
    #[arg(
        long,
        value_name = "N",
        env = "KUBEPLAY_TRACE_KEEP",
        default_value_t = kubeplay::serve::cluster::DEFAULT_TRACE_KEEP
    )]
    trace_keep: usize,

    /// The cluster CIDR cut into one /24 podCIDR per simulated node (kube-controller-manager's
    /// flag of the same name), /8 to /24. A node beyond its room gets no podCIDR (event
    /// CIDRNotAvailable) and its pods stay ContainerCreating.
    /// [default: 10.244.0.0/16, widened to fit --sim-nodes beyond 256 (up to 10.128.0.0/9)]
    #[arg(long, value_name = "CIDR", env = "KUBEPLAY_CLUSTER_CIDR",
          value_parser = kubeplay::serve::cluster::parse_cluster_cidr)]
    cluster_cidr: Option<kubeplay_core::network::cidr::Ipv4Cidr>,

    /// The kube-scheduler-simulator annotations the scheduler writes on each pod (per node
    /// and plugin: filter results, scores), which the web page's Scheduler explain view
    /// shows. Each listed node costs ~440 bytes per pod on disk and in memory. auto: every
    /// node of a cluster of up to 20, else 20 (the chosen node, one per distinct filter
    /// failure, the best scores; the rest counted); on: up to 100; off: none; or a number of
    /// nodes.
    #[arg(long, value_name = "auto|on|off|N", env = "KUBEPLAY_SCHEDULER_ANNOTATIONS",
          default_value = "auto",
          value_parser = kubeplay::serve::cluster::parse_scheduler_annotations)]
    scheduler_annotations: kubeplay::serve::cluster::SchedulerAnnotations,

    /// How long the API server keeps an Event after its last write, as kube-apiserver's flag
    /// of the same name: a Go duration (`1h`, `30m`, `24h`); 0 keeps Events for good.
    #[arg(long, value_name = "DURATION", env = "KUBEPLAY_EVENT_TTL", default_value = "1h0m0s",
          value_parser = kubeplay::serve::cluster::parse_event_ttl)]
    event_ttl: std::time::Duration,
}

/// A positive, finite speed factor.
fn parse_speed(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(speed) if speed.is_finite() && speed > 0.0 => Ok(speed),
        _ => Err(format!(
            "{text:?} is not a positive number (try 1, 2.5 or 10)"
        )),
    }
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
        Command::Sim(args) => run_sim(args),
        Command::Play(args) => run_play(args),
    }
}

/// Runs `kubeplay play`: a prompt on a terminal, a script when piped; exits with the
/// session's code (1 when a script line failed, 2 for an unknown lesson).
fn run_play(args: PlayArgs) -> anyhow::Result<()> {
    use kubeplay::play::{run_interactive, run_script, start, PlayOptions};
    use std::io::IsTerminal;

    let options = PlayOptions {
        nodes: args.nodes,
        seed: args.seed,
        lesson: args.lesson,
        lang: args.lang,
    };
    let mut session = match start(&options) {
        Ok(session) => session,
        Err(error) => {
            eprintln!("error: {error}");
            std::process::exit(error.exit_code());
        }
    };
    let code = if std::io::stdin().is_terminal() {
        run_interactive(&mut session, &options)?
    } else {
        run_script(
            &mut session,
            std::io::stdin().lock(),
            &mut std::io::stdout().lock(),
            &mut std::io::stderr().lock(),
        )
        .context("could not read the script or print its output")?
    };
    if code != 0 {
        std::process::exit(code);
    }
    Ok(())
}

/// The clock `kubeplay sim` lends the simulated world to time its scheduler: nanoseconds
/// since the first call.
#[allow(clippy::disallowed_types, clippy::disallowed_methods)] // the host measures wall time
fn monotonic_nanos() -> u64 {
    static START: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    let elapsed = START.get_or_init(std::time::Instant::now).elapsed();
    u64::try_from(elapsed.as_nanos()).unwrap_or(u64::MAX)
}

/// Runs `kubeplay sim`: the core's deterministic run plus the wall-clock figures.
#[allow(clippy::disallowed_types, clippy::disallowed_methods)] // the host measures wall time
fn run_sim(args: SimArgs) -> anyhow::Result<()> {
    use kubeplay_core::sim::run::{run_keeping_world, SimRunConfig};
    use std::io::{IsTerminal, Write};

    let mut config = SimRunConfig::command_line(
        args.nodes,
        args.pods,
        args.seed,
        args.max_pods,
        std::time::Duration::from_secs(args.max_virtual_seconds),
    );
    config.stopwatch = Some(monotonic_nanos);
    kubeplay::allocator::keep_freed_memory();
    let show_progress = std::io::stderr().is_terminal();
    let started = std::time::Instant::now();
    let (report, world) = run_keeping_world(&config, |summary| {
        if show_progress {
            let width = 30;
            let done = (summary.running_ready * width)
                .checked_div(args.pods)
                .unwrap_or(width)
                .min(width);
            let _ = write!(
                std::io::stderr(),
                "\r[{}{}] {}/{} running, {} scheduled",
                "#".repeat(done),
                " ".repeat(width - done),
                summary.running_ready,
                args.pods,
                summary.scheduled
            );
        }
    });
    let wall_seconds = started.elapsed().as_secs_f64();
    let scheduler_seconds = world.scheduler_wall_seconds();
    // The process exits right after the report: freeing the world (millions of small
    // allocations, 14 % of a 3,000-pod run) would only delay the exit, and the OS takes the
    // memory back at once.
    std::mem::forget(world);
    if show_progress {
        eprintln!();
    }
    let per_second = |seconds: f64| {
        if seconds > 0.0 {
            report.pods_scheduled as f64 / seconds
        } else {
            0.0
        }
    };
    let scheduler_pods_per_second = per_second(scheduler_seconds);
    let pods_per_second = per_second(wall_seconds);
    let mut value = serde_json::to_value(&report).context("could not encode the report")?;
    if let Some(map) = value.as_object_mut() {
        map.insert("wall_seconds".into(), serde_json::json!(wall_seconds));
        map.insert(
            "scheduler_seconds".into(),
            serde_json::json!(scheduler_seconds),
        );
        map.insert(
            "scheduler_pods_per_second".into(),
            serde_json::json!(scheduler_pods_per_second),
        );
        map.insert("pods_per_second".into(), serde_json::json!(pods_per_second));
    }
    if args.json {
        println!("{value}");
    } else {
        println!("nodes                      {}", report.nodes);
        println!("pods requested             {}", report.pods_requested);
        println!("pods scheduled             {}", report.pods_scheduled);
        println!("pods running               {}", report.pods_running);
        println!("pods pending               {}", report.pods_pending);
        println!("virtual seconds            {:.1}", report.virtual_seconds);
        println!("wall seconds               {wall_seconds:.2}");
        println!(
            "scheduled pods per second  {scheduler_pods_per_second:.0} (the scheduler's {scheduler_seconds:.2} s of wall clock)"
        );
        println!("pods per second            {pods_per_second:.0} (wall clock, whole run)");
        println!("trace hash                 {}", report.trace_hash);
    }
    if !report.all_running {
        eprintln!(
            "not every pod is running: {} of {} ({} pending); the cluster may be too small (try more --nodes or a higher --max-pods)",
            report.pods_running, report.pods_requested, report.pods_pending
        );
    }
    Ok(())
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
        tracing::info!(data_dir = %data_dir.display(), "data directory");
        tracing::info!(
            nodes = args.sim_nodes,
            speed = args.sim_speed,
            "simulated nodes"
        );
        let listening = listener
            .local_addr()
            .context("could not read the address kubeplay listens on")?;
        let api_server_endpoint = serve::advertise::advertise_endpoint(listening);
        match api_server_endpoint.address {
            Some(address) => tracing::info!(
                %address,
                port = api_server_endpoint.port,
                "advertised as the kubernetes Service's endpoint"
            ),
            None => tracing::warn!(
                %listening,
                "no address to advertise (listening on loopback or every address, and no \
                 default route): the kubernetes Service has no endpoints"
            ),
        }
        let cluster = ClusterConfig {
            sim_nodes: args.sim_nodes,
            sim_speed: args.sim_speed,
            trace_keep: args.trace_keep,
            cluster_cidr: args.cluster_cidr,
            scheduler_annotations: args.scheduler_annotations,
            api_server_endpoint,
            event_ttl: args.event_ttl,
        };
        log_pod_cidr_plan(&cluster);
        tracing::info!(
            setting = %args.scheduler_annotations,
            max_nodes_per_pod = args.scheduler_annotations.max_nodes(),
            "scheduler-simulator annotations"
        );
        if matches!(ui, UiFiles::NotBuilt) {
            tracing::warn!("web UI from {ui}");
        } else {
            tracing::info!("web UI from {ui}");
        }
        let config = ServeConfig {
            ui,
            data_dir: data_dir.clone(),
            cluster,
        };
        serve::serve(listener, config, shutdown_signal())
            .await
            .context("kubeplay serve stopped")?;
        tracing::info!("kubeplay stopped");
        Ok(())
    })
}

/// Says which cluster CIDR the nodes' podCIDRs come from, why when it is not the default,
/// and how many nodes it has no room for.
fn log_pod_cidr_plan(cluster: &ClusterConfig) {
    let plan = cluster.pod_cidr_plan();
    let cidr = plan.cluster_cidr.to_string();
    if plan.widened {
        tracing::info!(
            cluster_cidr = %cidr,
            node_podcidrs = plan.capacity,
            "cluster CIDR widened from the default 10.244.0.0/16 (256 nodes) to hold {} \
             simulated nodes; set --cluster-cidr to choose another",
            cluster.sim_nodes
        );
    } else {
        tracing::info!(cluster_cidr = %cidr, node_podcidrs = plan.capacity, "cluster CIDR");
    }
    if plan.nodes_without_room > 0 {
        let first = plan.capacity + 1;
        let advice = if plan.explicit {
            "give a wider --cluster-cidr (each bit less in its prefix doubles the room)"
        } else {
            "the default does not grow beyond 10.128.0.0/9; give a wider --cluster-cidr"
        };
        tracing::warn!(
            cluster_cidr = %cidr,
            "the cluster CIDR holds {} node podCIDRs of /24 but --sim-nodes asks for {}: \
             node-{first} and later get no podCIDR (event CIDRNotAvailable) and their pods stay \
             ContainerCreating; {advice}",
            plan.capacity,
            cluster.sim_nodes
        );
    }
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
