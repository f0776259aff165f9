//! The web playground's end-to-end test in real headless Chromium.
//!
//! 1. Serves `dist/` (built by `cargo xtask dist`) from a tiny static file server on an
//!    ephemeral port of 127.0.0.1, in a thread of this process.
//! 2. Starts Debian's `chromedriver` on another ephemeral loopback port and opens a session
//!    with Debian's `/usr/bin/chromium`: headless, no sandbox, no GPU, no background
//!    networking, no component updates, no sync, a fresh `--user-data-dir`.
//! 3. Drives the page through the W3C WebDriver protocol (JSON over HTTP, spoken here over a
//!    plain `TcpStream`: the handful of commands needed do not justify an async client):
//!    types `kubectl create deployment web --image=nginx --replicas=3` in the terminal (or
//!    presses the sample button while the core's kubectl has no `create`), runs the clock
//!    until three pods run on nodes, steps the clock back and forth, opens a pod's YAML,
//!    completes a command and pod names with Tab, writes a Deployment with an empty image in
//!    the YAML editor (the error is marked at its line), fixes and applies it and waits for its
//!    pods, switches to Korean, reloads and checks the session came back.
//! 4. Saves screenshots into `docs/screenshots/` (the README shows them).
//! 5. In Chromium, live mode: starts this workspace's `kubeplay serve --sim-nodes 2` on a free
//!    loopback port with a temporary data directory, opens its page, checks a wrong token is
//!    refused with nothing live shown, enters the data directory's token, runs
//!    `kubectl create deployment web --image=nginx --replicas=2` in the terminal (on the
//!    server), waits for the two pods in the cluster view, opens one in the inspector (its
//!    owner chain Deployment → ReplicaSet → Pod), applies a Service from the YAML editor on the
//!    server (its answer under the editor), applies a Deployment with a negative replica count
//!    with Ctrl+Enter (the refusal marked at its line), fixes it and sees its pod run. Then a
//!    `--sim-nodes 200` server, mirrored as summaries: its nodes on the canvas from the summary
//!    stream's initial events, and a Deployment's three pods arriving through the stream.
//!
//! With `KUBEPLAY_LIVE_BENCH=NODESxPODS` set (e.g. `1000x30000`) the run is instead the live
//! mode benchmark at scale ([`live_scale_bench`], Chromium only; BENCHMARKS.md "Live mode at
//! scale"): a release `kubeplay serve --sim-nodes NODES` gets PODS pods in Deployments of
//! 1,000, then the page goes live and the time to the first full canvas and the frame times
//! while pods change are printed. A benchmark, not a test: it asserts only that it finishes.
//! With `KUBEPLAY_LIVE_BENCH_ATTACH=PORT@DATA_DIR` as well it attaches to a `kubeplay serve`
//! already running on 127.0.0.1:PORT with that data directory (its token and kubeconfig)
//! instead of starting one, creates only the Deployments `bench-N` it does not have yet, and
//! leaves the server running: the server half takes many minutes at scale, the page's half
//! can then be measured again and again.
//!
//! The same scenario then runs in Debian's Firefox ESR through geckodriver (setup installs
//! firefox-esr with apt and builds geckodriver with `cargo install`); its screenshots go to a
//! temporary folder. When a browser or its driver is missing (setup could not install them)
//! that browser's run prints why and is skipped; every other failure fails the test.

// xtask is a host tool: the workspace's bans on sockets, threads and clocks are for the core.
#![allow(clippy::disallowed_methods, clippy::disallowed_types)]

use anyhow::{bail, Context, Result};
use base64::Engine;
use serde_json::{json, Value};
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::util;

/// Debian's Chromium.
const CHROMIUM: &str = "/usr/bin/chromium";
/// Debian's chromedriver (package chromium-driver).
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";
/// The key WebDriver element references are stored under.
const ELEMENT_KEY: &str = "element-6066-11e4-a52e-4f735466cecf";
/// WebDriver's Enter key.
const ENTER: &str = "\u{e007}";
/// How long any one condition may take to become true.
const WAIT: Duration = Duration::from_secs(30);

/// Firefox ESR from Debian (package firefox-esr).
const FIREFOX: &str = "/usr/bin/firefox-esr";

/// A browser the test runs in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Browser {
    /// Debian's Chromium through chromedriver.
    Chromium,
    /// Debian's Firefox ESR through geckodriver (built from crates.io by setup).
    Firefox,
}

impl Browser {
    fn name(self) -> &'static str {
        match self {
            Browser::Chromium => "Chromium",
            Browser::Firefox => "Firefox",
        }
    }

    /// The browser binary and its WebDriver server, or why they are missing.
    fn programs(self) -> std::result::Result<(PathBuf, PathBuf), String> {
        let (browser, driver) = match self {
            Browser::Chromium => (PathBuf::from(CHROMIUM), Some(PathBuf::from(CHROMEDRIVER))),
            Browser::Firefox => (PathBuf::from(FIREFOX), geckodriver()),
        };
        if !browser.is_file() {
            return Err(format!("{} is missing", browser.display()));
        }
        match driver {
            Some(driver) if driver.is_file() => Ok((browser, driver)),
            Some(driver) => Err(format!("{} is missing", driver.display())),
            None => Err("geckodriver is not on PATH nor in ~/.cargo/bin".to_string()),
        }
    }
}

/// geckodriver on PATH or where `cargo install` puts it.
fn geckodriver() -> Option<PathBuf> {
    let on_path = std::env::var_os("PATH")
        .map(|path| std::env::split_paths(&path).collect::<Vec<_>>())
        .unwrap_or_default();
    let cargo_home = std::env::var_os("CARGO_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cargo")));
    on_path
        .into_iter()
        .chain(cargo_home.map(|home| home.join("bin")))
        .map(|dir| dir.join("geckodriver"))
        .find(|candidate| candidate.is_file())
}

/// Runs the end-to-end test (needs `dist/` built first) in Chromium, then in Firefox. A
/// browser that setup could not install is skipped with the reason.
pub fn run() -> Result<()> {
    let root = util::workspace_root();
    let dist = root.join("dist");
    if !dist.join("index.html").is_file() || !dist.join("kubeplay_web_bg.wasm").is_file() {
        bail!("dist/ has no built playground; run `cargo xtask dist` first");
    }
    if let Ok(size) = std::env::var("KUBEPLAY_LIVE_BENCH") {
        return live_bench_in_chromium(&size);
    }
    let server = StaticServer::start(dist)?;
    for browser in [Browser::Chromium, Browser::Firefox] {
        let (binary, driver) = match browser.programs() {
            Ok(programs) => programs,
            Err(why) => {
                println!(
                    "browser test in {} SKIPPED: {why} (setup installs them; it could not here)",
                    browser.name()
                );
                continue;
            }
        };
        println!("  in {}", browser.name());
        // Chromium's screenshots are the README's; Firefox's go to a temporary folder.
        let screenshots = match browser {
            Browser::Chromium => root.join("docs").join("screenshots"),
            Browser::Firefox => std::env::temp_dir().join("kubeplay-firefox-screenshots"),
        };
        let driver = Driver::start(browser, &driver)?;
        let profile = std::env::temp_dir().join(format!(
            "kubeplay-{}-{}",
            browser.name().to_lowercase(),
            std::process::id()
        ));
        let _ = std::fs::remove_dir_all(&profile);
        let result = (|| {
            let session = driver.new_session(&binary, &profile)?;
            let outcome = scenario(&session, &server.url(), &screenshots)
                .and_then(|()| big_cluster_scenario(&session, &server.url(), &screenshots))
                .and_then(|()| match browser {
                    // Live mode against a real `kubeplay serve` (once, in Chromium).
                    Browser::Chromium => live_scenario(&session, &screenshots)
                        .and_then(|()| live_summary_scenario(&session)),
                    Browser::Firefox => Ok(()),
                });
            session.close();
            outcome
        })();
        let _ = std::fs::remove_dir_all(&profile);
        result.with_context(|| format!("the browser test failed in {}", browser.name()))?;
    }
    Ok(())
}

/// The learner's path through the page.
fn scenario(session: &Session, url: &str, screenshots: &Path) -> Result<()> {
    std::fs::create_dir_all(screenshots)
        .with_context(|| format!("could not create {}", screenshots.display()))?;
    session.navigate(url)?;
    session.wait_for(
        "the terminal",
        "!!document.querySelector('#terminal-input')",
    )?;
    // Start in English whatever the browser's language.
    session.click(".language[lang=en]")?;

    println!("  the terminal runs kubectl get nodes");
    session.type_into("#terminal-input", &format!("kubectl get nodes{ENTER}"))?;
    session.wait_for(
        "three nodes listed",
        "document.querySelector('#scrollback').textContent.includes('node-3')",
    )?;

    println!("  kubectl create deployment web --image=nginx --replicas=3");
    session.type_into(
        "#terminal-input",
        &format!("kubectl create deployment web --image=nginx --replicas=3{ENTER}"),
    )?;
    let created = session.wait_for_value(
        "kubectl to answer",
        "(() => { const t = document.querySelector('#scrollback').textContent; \
           if (t.includes('deployment.apps/web created')) return 'created'; \
           if (t.includes('unknown command')) return 'unknown'; return null; })()",
    )?;
    if created.as_str() == Some("unknown") {
        println!(
            "  NOTE: the core's kubectl has no `create` yet; using the sample button (the same Deployment)"
        );
        session.click("#sample-deployment")?;
    }
    session.select_speed("8")?;
    session.click("#play")?;
    session.wait_for(
        "three running pods on nodes",
        "document.querySelectorAll('.node-card .pod-chip.running').length === 3",
    )?;
    session.click("#play")?;
    session.screenshot(&screenshots.join("cluster-en.png"))?;

    println!("  the clock steps back and forth");
    let clock_before = session.value("document.querySelector('#clock').textContent")?;
    session.click("#back")?;
    let clock_back = session.value("document.querySelector('#clock').textContent")?;
    if clock_back == clock_before {
        bail!("the clock did not move back from {clock_before}");
    }
    session.click("#forward")?;
    session.wait_for(
        "three running pods again after going forward",
        "document.querySelectorAll('.node-card .pod-chip.running').length === 3",
    )?;
    session.click("#step")?;
    session.screenshot(&screenshots.join("timeline-en.png"))?;

    println!("  the control-plane map shows the requests, commits and watch deliveries");
    session.wait_for(
        "activity on the map's API-server → etcd arrow",
        "Number(document.querySelector('#control-plane-map [data-edge=\"ApiServer-Etcd\"]')?.dataset.total) > 0",
    )?;
    session.wait_for(
        "watch deliveries to a kubelet on the map",
        "Number(document.querySelector('#control-plane-map [data-edge=\"ApiServer-Kubelet(Shown(0))\"]')?.dataset.total) > 0          || Number(document.querySelector('#control-plane-map [data-edge=\"ApiServer-Kubelet(Shown(1))\"]')?.dataset.total) > 0          || Number(document.querySelector('#control-plane-map [data-edge=\"ApiServer-Kubelet(Shown(2))\"]')?.dataset.total) > 0",
    )?;
    session.element_screenshot(
        ".control-plane-map",
        &screenshots.join("control-plane-map-en.png"),
    )?;

    println!("  a pod's YAML in the inspector");
    session.click(".node-card .pod-chip")?;
    session.wait_for(
        "the pod's YAML",
        "(document.querySelector('#inspector-yaml')||{textContent:''}).textContent.includes('kind: Pod')",
    )?;
    session.wait_for(
        "the owner chain Deployment → ReplicaSet → Pod",
        "document.querySelector('#inspector .owner-chain').textContent.includes('Deployment/web')",
    )?;
    session.screenshot(&screenshots.join("inspector-en.png"))?;

    completion_and_editor(session, screenshots)?;

    println!("  switching to Korean");
    session.click(".language[lang=ko]")?;
    session.wait_for(
        "Korean labels",
        "document.documentElement.lang === 'ko' && document.body.textContent.includes('클러스터')",
    )?;
    session.screenshot(&screenshots.join("cluster-ko.png"))?;

    println!("  the session comes back after a reload");
    session.navigate(url)?;
    session.wait_for(
        "three running web pods (and the editor's two api pods) after the reload",
        "(() => { const names = [...document.querySelectorAll('.node-card .pod-chip.running')].map(c => c.dataset.name); \
           return names.filter(n => n.startsWith('web-')).length === 3 \
             && names.filter(n => n.startsWith('api-')).length === 2; })()",
    )?;

    views(session, screenshots)
}

/// WebDriver's → key.
const ARROW_RIGHT: &str = "\u{e014}";

/// The tabbed views under the cluster: scheduler explain (a scheduled pod, then one no node
/// can take), traffic to a NodePort, and the nodes' image caches; runs last, because it
/// cordons the nodes.
fn views(session: &Session, screenshots: &Path) -> Result<()> {
    println!("  scheduler explain: filter verdicts and scores of a web pod");
    session.click("#tab-scheduler")?;
    session.wait_for(
        "a node chosen with a final score",
        "!!document.querySelector('#scheduler-explain .explain-node.chosen .final-score')",
    )?;
    session.wait_for(
        "three nodes explained",
        "document.querySelectorAll('#scheduler-explain .explain-node').length === 3",
    )?;
    session.value("document.querySelector('.view-panels').scrollIntoView()")?;
    session.screenshot(&screenshots.join("scheduler-explain-en.png"))?;

    println!("  scheduler explain: a pod no node can take shows FailedScheduling");
    for node in ["node-1", "node-2", "node-3"] {
        session.type_into("#terminal-input", &format!("kubectl cordon {node}{ENTER}"))?;
    }
    session.type_into(
        "#terminal-input",
        &format!("kubectl run lonely --image=nginx{ENTER}"),
    )?;
    session.click("#step")?;
    session.wait_for(
        "the FailedScheduling message of the pending pod",
        "(document.querySelector('#failed-scheduling-message')||{textContent:''}).textContent\
           .startsWith('0/3 nodes are available: 3 node(s) were unschedulable.')",
    )?;
    session.wait_for(
        "every node filtered out by NodeUnschedulable",
        "document.querySelectorAll('#scheduler-explain .explain-node.filtered').length === 3",
    )?;
    session.value("document.querySelector('.view-panels').scrollIntoView()")?;
    session.screenshot(&screenshots.join("scheduler-pending-en.png"))?;

    println!("  traffic: 100 requests from outside to the web Service's NodePort");
    session.type_into(
        "#terminal-input",
        &format!("kubectl expose deployment web --port=80 --type=NodePort{ENTER}"),
    )?;
    session.click("#step")?;
    session.click("#tab-traffic")?;
    session.wait_for(
        "the web Service to send to",
        "!!document.querySelector('#traffic-service option[value=\"default/web\"]')",
    )?;
    session.click("#traffic-send")?;
    session.wait_for(
        "100 requests answered by the three pods",
        "(document.querySelector('#traffic-sent')||{textContent:''}).textContent === '100' \
           && document.querySelectorAll('#traffic-chart .bar-pod').length === 3",
    )?;
    session.value("document.querySelector('.view-panels').scrollIntoView()")?;
    session.screenshot(&screenshots.join("traffic-en.png"))?;

    println!("  images: → on the tabs moves to the nodes' image caches");
    session.type_into("#tab-traffic", ARROW_RIGHT)?;
    session.wait_for(
        "the images tab focused and shown",
        "document.activeElement && document.activeElement.id === 'tab-images' \
           && !!document.querySelector('#panel-images')",
    )?;
    session.wait_for(
        "nginx cached on a node with its pull time",
        "[...document.querySelectorAll('#images .image-node')].some(n => \
           n.textContent.includes('docker.io/library/nginx:latest') && !!n.querySelector('.pull-bar'))",
    )?;
    session.value("document.querySelector('.view-panels').scrollIntoView()")?;
    session.screenshot(&screenshots.join("images-en.png"))?;
    Ok(())
}

/// Ctrl+Enter, then every modifier released (WebDriver's Control, Enter and Null keys).
const CTRL_ENTER: &str = "\u{e009}\u{e007}\u{e000}";

/// WebDriver's Tab key.
const TAB: &str = "\u{e004}";

/// Sets the YAML editor's text as a paste would (one `input` event).
fn set_editor_text(session: &Session, text: &str) -> Result<()> {
    let literal = serde_json::to_string(text)?;
    session
        .value(&format!(
            "(() => {{ const a = document.querySelector('#editor-text'); a.value = {literal}; \
               a.dispatchEvent(new InputEvent('input', {{ bubbles: true }})); return true; }})()"
        ))
        .map(drop)
}

/// Tab completion in the terminal, then the YAML editor: a field error marked at its line,
/// fixed, applied, and its pods running.
fn completion_and_editor(session: &Session, screenshots: &Path) -> Result<()> {
    println!("  Tab completes kubectl words and pod names");
    session.type_into("#terminal-input", &format!("kubectl ge{TAB}"))?;
    session.wait_for(
        "`kubectl ge` completed to `kubectl get `",
        "document.querySelector('#terminal-input').value === 'kubectl get '",
    )?;
    session.type_into("#terminal-input", &format!("po web-{TAB}"))?;
    session.wait_for(
        "the pods' common prefix completed",
        "/^kubectl get po web-[a-z0-9]+-$/.test(document.querySelector('#terminal-input').value)",
    )?;
    session.type_into("#terminal-input", TAB)?;
    session.wait_for(
        "a second Tab listing the three pods",
        "document.querySelectorAll('#completions .candidate').length === 3",
    )?;
    session.screenshot(&screenshots.join("completion-en.png"))?;
    session.type_into("#terminal-input", ENTER)?;

    println!("  play wait: the core's playground command in the terminal");
    session.type_into("#terminal-input", &format!("play wait{ENTER}"))?;
    session.wait_for(
        "`play wait` to print that the cluster settled",
        "[...document.querySelectorAll('#scrollback .line.stdout')].some(l => l.textContent.startsWith('cluster settled after '))",
    )?;

    println!("  the YAML editor marks a field error at its line, then applies");
    session.click("#editor-template-deployment")?;
    session.value("document.querySelector('.editor').scrollIntoView() || true")?;
    let broken = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  replicas: 2\n  selector:\n    matchLabels:\n      app: api\n  template:\n    metadata:\n      labels:\n        app: api\n    spec:\n      containers:\n      - name: api\n        image: \"\"\n";
    set_editor_text(session, broken)?;
    session.wait_for(
        "the empty image marked on line 17",
        "!!document.querySelector('.gutter-line.bad[data-line=\"17\"]') && \
         document.querySelector('.editor-problems').textContent.includes('spec.template.spec.containers[0].image: Required value')",
    )?;
    session.screenshot(&screenshots.join("editor-error-en.png"))?;
    let fixed = broken.replace("image: \"\"", "image: nginx");
    set_editor_text(session, &fixed)?;
    // One real keystroke at the end (a newline) goes through the same debounced check.
    session.type_into("#editor-text", ENTER)?;
    session.wait_for(
        "the fixed manifest passing the check",
        "(document.querySelector('#editor-status .clean')||{textContent:''}).textContent.includes('1')",
    )?;
    session.click("#editor-apply")?;
    session.wait_for(
        "kubectl apply's answer in the terminal",
        "document.querySelector('#scrollback').textContent.includes('deployment.apps/api created')",
    )?;
    session.click("#play")?;
    session.wait_for(
        "the two api pods running",
        "[...document.querySelectorAll('.node-card .pod-chip.running')].filter(c => c.textContent.includes('api-')).length === 2",
    )?;
    session.click("#play")?;
    session.value("document.querySelector('.editor').scrollIntoView() || true")?;
    session.screenshot(&screenshots.join("editor-en.png"))?;
    session.value("window.scrollTo(0, 0) || true")?;
    Ok(())
}

/// Big clusters: a real 300-node cluster switches the cluster view to the canvas, a click on
/// a tile inspects its node; then the canvas alone draws a made-up 5,000 × 150,000 cluster.
/// Prints the page's first-render time and the canvas frame times (BENCHMARKS.md, web).
fn big_cluster_scenario(session: &Session, url: &str, screenshots: &Path) -> Result<()> {
    let first_render = session.wait_for_value(
        "the first render time",
        "window.kubeplayFirstRenderMs || null",
    )?;
    println!("  measured: first render of the page (3 nodes, restored session) {first_render} ms after navigation");

    for nodes in [300, 5_000] {
        println!("  a {nodes}-node cluster draws its nodes on a canvas");
        session.navigate(&format!("{url}?nodes={nodes}"))?;
        let canvas_shown =
            format!("document.querySelector('#cluster-canvas')?.dataset.nodes === '{nodes}'");
        if nodes > 300 {
            // The simulated World of that size may take longer to build in wasm than any
            // wait here: measure it when it comes, report when it does not.
            if session
                .try_wait(&canvas_shown, Duration::from_secs(120))?
                .is_none()
            {
                println!("  measured: {nodes} real nodes did not render within 120 s (the World's build in wasm)");
                continue;
            }
        } else {
            session.wait_for("the cluster canvas", &canvas_shown)?;
        }
        let first_render = session.value("window.kubeplayFirstRenderMs")?;
        let frame = session.value("JSON.stringify(window.kubeplayCanvasStats)")?;
        println!("  measured: {nodes} real nodes: first render {first_render} ms after navigation, canvas frames {frame}");
        if nodes == 300 {
            // A click on the first tile (the element's centre may fall in a gap between tiles).
            session.value(
                "(() => { const c = document.querySelector('#cluster-canvas'); \
                   const r = c.getBoundingClientRect(); \
                   c.dispatchEvent(new MouseEvent('click', { clientX: r.left + 5, clientY: r.top + 5, bubbles: true })); \
                   return true; })()",
            )?;
            session.wait_for(
                "node-1 in the inspector after clicking its tile",
                "(document.querySelector('#inspector-yaml')||{textContent:''}).textContent.includes('kind: Node') \
                 && document.querySelector('#inspector-yaml').textContent.includes('name: node-1')",
            )?;
            session.element_screenshot(".cluster", &screenshots.join("cluster-canvas-300.png"))?;
        }
    }

    println!("  the canvas alone: 5,000 nodes × 150,000 pods, 60 frames");
    session.navigate(&format!(
        "{url}?bench=canvas&nodes=5000&pods=150000&frames=60"
    ))?;
    session.wait_for(
        "the canvas benchmark",
        "window.kubeplayCanvasBenchDone === true",
    )?;
    let stats = session.value(
        "JSON.stringify({first: window.kubeplayFirstRenderMs, wall: window.kubeplayCanvasBenchWallMs,            frames: window.kubeplayCanvasStats.frames, meanMs: window.kubeplayCanvasStats.totalMs / window.kubeplayCanvasStats.frames,            maxMs: window.kubeplayCanvasStats.maxMs})",
    )?;
    println!("  measured: canvas 5,000 × 150,000 {stats}");
    session.screenshot(&screenshots.join("cluster-canvas-5000.png"))?;
    Ok(())
}

/// A `kubeplay serve` of this workspace on a free loopback port with a temporary data
/// directory, killed (and its directory removed) when dropped; or one already running that
/// the bench attached to (left as it is).
struct LiveServer {
    /// The server this run started (None: attached to a running one).
    child: Option<Child>,
    /// The server's process id (its memory is read from `/proc`).
    pid: u32,
    port: u16,
    data_dir: PathBuf,
}

impl Drop for LiveServer {
    fn drop(&mut self) {
        if let Some(child) = self.child.as_mut() {
            let _ = child.kill();
            let _ = child.wait();
            let _ = std::fs::remove_dir_all(&self.data_dir);
        }
    }
}

impl LiveServer {
    /// Builds the node host, starts `kubeplay serve --sim-nodes 2` serving `dist/`, and waits
    /// until it accepts connections and has written its token.
    fn start() -> Result<LiveServer> {
        LiveServer::start_with(false, &["--sim-nodes", "2", "--sim-speed", "10"])
    }

    /// Builds the node host (`release`: optimized), starts `kubeplay serve ARGS` serving
    /// `dist/`, and waits until it accepts connections and has written its token.
    fn start_with(release: bool, args: &[&str]) -> Result<LiveServer> {
        if release {
            util::cargo(&["build", "--release", "--package", "kubeplay"])?;
        } else {
            util::cargo(&["build", "--package", "kubeplay"])?;
        }
        let root = util::workspace_root();
        let target = std::env::var_os("CARGO_TARGET_DIR")
            .map(PathBuf::from)
            .unwrap_or_else(|| root.join("target"));
        let binary = target
            .join(if release { "release" } else { "debug" })
            .join("kubeplay");
        let port = {
            let probe = TcpListener::bind("127.0.0.1:0")?;
            probe.local_addr()?.port()
        };
        let data_dir =
            std::env::temp_dir().join(format!("kubeplay-live-e2e-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&data_dir);
        let log = std::fs::File::create(
            std::env::temp_dir().join(format!("kubeplay-live-e2e-{}.log", std::process::id())),
        )?;
        let child = Command::new(&binary)
            .arg("serve")
            .arg(format!("--listen=127.0.0.1:{port}"))
            .arg("--data-dir")
            .arg(&data_dir)
            .arg("--ui-dir")
            .arg(root.join("dist"))
            .args(args)
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .with_context(|| format!("could not start {}", binary.display()))?;
        let server = LiveServer {
            pid: child.id(),
            child: Some(child),
            port,
            data_dir,
        };
        let started = Instant::now();
        while TcpStream::connect(("127.0.0.1", port)).is_err() || server.token().is_err() {
            if started.elapsed() > WAIT {
                bail!("kubeplay serve did not start on port {port}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        Ok(server)
    }

    /// Attaches to a `kubeplay serve` running on 127.0.0.1:`port` with `data_dir` (its token
    /// and kubeconfig), which this run neither stops nor cleans up.
    fn attach(port: u16, data_dir: PathBuf) -> Result<LiveServer> {
        let pid = std::fs::read_dir("/proc")?
            .filter_map(|entry| entry.ok()?.file_name().to_str()?.parse::<u32>().ok())
            .find(|pid| {
                std::fs::read(format!("/proc/{pid}/cmdline")).is_ok_and(|cmdline| {
                    let cmdline = String::from_utf8_lossy(&cmdline);
                    cmdline.contains("serve") && cmdline.contains(&format!("127.0.0.1:{port}"))
                })
            })
            .unwrap_or(0);
        let server = LiveServer {
            child: None,
            pid,
            port,
            data_dir,
        };
        server
            .token()
            .context("the attached server's data directory has no token")?;
        Ok(server)
    }

    /// The admin token the server wrote into its data directory.
    fn token(&self) -> Result<String> {
        let token = std::fs::read_to_string(self.data_dir.join("token"))?;
        let token = token.trim();
        if token.is_empty() {
            bail!("the token file is empty");
        }
        Ok(token.to_string())
    }

    fn url(&self) -> String {
        format!("https://127.0.0.1:{}/", self.port)
    }

    /// Runs the real kubectl against the server; fails unless it succeeds.
    fn kubectl(&self, args: &[&str]) -> Result<String> {
        let output = Command::new("kubectl")
            .arg("--kubeconfig")
            .arg(self.data_dir.join("kubeconfig"))
            .args(args)
            .output()
            .context("could not run kubectl")?;
        if !output.status.success() {
            bail!(
                "kubectl {} failed: {}",
                args.join(" "),
                String::from_utf8_lossy(&output.stderr)
            );
        }
        Ok(String::from_utf8_lossy(&output.stdout).into_owned())
    }

    /// The summary's pod count and how many of them run on a node (`curl` over TLS).
    fn pod_counts(&self) -> Result<(usize, usize)> {
        let output = Command::new("curl")
            .args(["-sk", "--max-time", "120", "-H"])
            .arg(format!("Authorization: Bearer {}", self.token()?))
            .arg(format!("{}kubeplay/v1/summary", self.url()))
            .output()
            .context("could not run curl")?;
        let summary: Value = serde_json::from_slice(&output.stdout)
            .with_context(|| "the summary is not JSON".to_string())?;
        let pods = summary["pods"].as_array().cloned().unwrap_or_default();
        let running = pods
            .iter()
            .filter(|p| p["status"] == "Running" && p["nodeName"].is_string())
            .count();
        Ok((pods.len(), running))
    }

    /// The server's resident memory in MB (Linux `/proc`).
    fn rss_mb(&self) -> u64 {
        std::fs::read_to_string(format!("/proc/{}/status", self.pid))
            .ok()
            .and_then(|status| {
                status
                    .lines()
                    .find(|l| l.starts_with("VmRSS:"))
                    .and_then(|l| l.split_whitespace().nth(1))
                    .and_then(|kb| kb.parse::<u64>().ok())
            })
            .map_or(0, |kb| kb / 1024)
    }
}

/// Opens Chromium and runs [`live_scale_bench`] for `size` (`NODESxPODS`).
fn live_bench_in_chromium(size: &str) -> Result<()> {
    let Some((nodes, pods)) = size
        .split_once('x')
        .and_then(|(n, p)| Some((n.parse::<usize>().ok()?, p.parse::<usize>().ok()?)))
    else {
        bail!("KUBEPLAY_LIVE_BENCH must be NODESxPODS, like 1000x30000 (got {size:?})");
    };
    let (binary, driver) = Browser::Chromium.programs().map_err(anyhow::Error::msg)?;
    let driver = Driver::start(Browser::Chromium, &driver)?;
    let profile = std::env::temp_dir().join(format!("kubeplay-bench-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&profile);
    let result = (|| {
        let session = driver.new_session(&binary, &profile)?;
        let outcome = live_scale_bench(&session, nodes, pods);
        session.close();
        outcome
    })();
    let _ = std::fs::remove_dir_all(&profile);
    result
}

/// Live mode at scale: a release `kubeplay serve --sim-nodes NODES` runs PODS pods (in
/// Deployments of 1,000 replicas, created with the real kubectl), then the page connects
/// and mirrors summaries. Prints: how long the server took to run every pod and its memory;
/// from the click on Connect to the first canvas showing every pod; then, while a sixth of
/// the Deployments have their pods deleted and replaced, the canvas's own frame times (read +
/// rasterize + put, `window.kubeplayCanvasStats`) and the gaps between animation frames
/// (what the user sees: a gap over 50 ms is a visible stall), the main thread's long tasks
/// (over 50 ms each, Chromium's `longtask` entries: how much of the 30 s the page was busy),
/// and the page's JS heap.
fn live_scale_bench(session: &Session, nodes: usize, pods: usize) -> Result<()> {
    const PER_DEPLOYMENT: usize = 1_000;
    let nodes_arg = nodes.to_string();
    println!("  live mode at scale: kubeplay serve --sim-nodes {nodes} (release), {pods} pods");
    let server = match std::env::var("KUBEPLAY_LIVE_BENCH_ATTACH") {
        Ok(attach) => {
            let Some((port, data_dir)) = attach
                .split_once('@')
                .and_then(|(port, dir)| Some((port.parse::<u16>().ok()?, PathBuf::from(dir))))
            else {
                bail!("KUBEPLAY_LIVE_BENCH_ATTACH must be PORT@DATA_DIR (got {attach:?})");
            };
            println!("  (attached to the kubeplay serve on port {port})");
            LiveServer::attach(port, data_dir)?
        }
        Err(_) => LiveServer::start_with(true, &["--sim-nodes", &nodes_arg, "--sim-speed", "10"])?,
    };
    let started = Instant::now();
    let deployments = pods.div_ceil(PER_DEPLOYMENT);
    let existing = server.kubectl(&["get", "deployments", "-o", "name"])?;
    for index in 0..deployments {
        if existing
            .lines()
            .any(|line| line == format!("deployment.apps/bench-{index}"))
        {
            continue;
        }
        let replicas = (pods - index * PER_DEPLOYMENT)
            .min(PER_DEPLOYMENT)
            .to_string();
        server.kubectl(&[
            "create",
            "deployment",
            &format!("bench-{index}"),
            "--image=nginx",
            "--replicas",
            &replicas,
        ])?;
    }
    if !server
        .kubectl(&["get", "services", "-o", "name"])?
        .lines()
        .any(|line| line == "service/bench-0")
    {
        server.kubectl(&["expose", "deployment", "bench-0", "--port=80"])?;
    }
    let (mut last_running, mut steady_since) = (0, Instant::now());
    let running = loop {
        // A busy server may not answer the summary within curl's limit: ask again later.
        let (total, running) = match server.pod_counts() {
            Ok(counts) => counts,
            Err(error) => {
                println!("  (no pod counts yet: {error:#})");
                (0, 0)
            }
        };
        if running >= pods {
            break running;
        }
        // Pods that cannot start (e.g. on nodes past the cluster CIDR's 256 podCIDRs, which
        // get none: FailedCreatePodSandBox) would keep the bench waiting forever: go on once
        // every pod exists and the running count has not moved for a minute.
        if total >= pods && running > 0 && running == last_running {
            if steady_since.elapsed() > Duration::from_secs(60) {
                println!("  ({running} of {total} pods run; the others cannot start)");
                break running;
            }
        } else {
            last_running = running;
            steady_since = Instant::now();
        }
        if started.elapsed() > Duration::from_secs(3_600) {
            bail!("only {running} of {total} pods ran within an hour");
        }
        std::thread::sleep(Duration::from_secs(5));
    };
    println!(
        "  measured: the server ran {running} of {pods} pods on {nodes} nodes in {:.0} s (polled every 5 s), RSS {} MB",
        started.elapsed().as_secs_f64(),
        server.rss_mb()
    );

    open_live_form(session, &server)?;
    // The page notes the moment every pod is on the canvas (checked every 20 ms).
    session.value(&format!(
        "(() => {{ window.kubeplayLiveClick = performance.now(); window.kubeplayFullCanvasMs = null; \
           window.kubeplayFirstCanvasMs = null; \
           const id = setInterval(() => {{ const c = document.querySelector('#cluster-canvas'); \
             if (c && window.kubeplayFirstCanvasMs === null && Number(c.dataset.pods) > 0) {{ window.kubeplayFirstCanvasMs = performance.now() - window.kubeplayLiveClick; }} \
             if (c && c.dataset.pods === '{pods}') {{ window.kubeplayFullCanvasMs = performance.now() - window.kubeplayLiveClick; clearInterval(id); }} }}, 20); \
           return true; }})()"
    ))?;
    session.click("#live-connect")?;
    let Some(full) = session.try_wait("window.kubeplayFullCanvasMs", Duration::from_secs(600))?
    else {
        let shown = session.value("document.querySelector('#cluster-canvas')?.dataset.pods")?;
        bail!("the canvas never showed all {pods} pods within 10 minutes (it shows {shown})");
    };
    let heap = session.value(
        "performance.memory ? Math.round(performance.memory.usedJSHeapSize / 1048576) : null",
    )?;
    let first = session.value("window.kubeplayFirstCanvasMs")?;
    println!(
        "  measured: click on Connect → first canvas with pods: {first} ms, with all {pods} pods: {full} ms; JS heap {heap} MB"
    );
    // The driver's own tasks from Connect to here (the summary list is applied in one).
    println!(
        "  measured: the live driver's own tasks while connecting: {}",
        session.value("JSON.stringify(window.kubeplayLiveStats || null)")?
    );
    session.screenshot(&std::env::temp_dir().join(format!("kubeplay-live-{nodes}x{pods}.png")))?;

    // Pods change: every pod of a sixth of the Deployments is deleted and replaced.
    session.value(
        "(() => { window.kubeplayCanvasStats = undefined; window.kubeplayGaps = []; \
           let last = performance.now(); \
           const tick = (t) => { window.kubeplayGaps.push(t - last); last = t; \
             if (!window.kubeplayGapsDone) requestAnimationFrame(tick); }; \
           window.kubeplayGapsDone = false; requestAnimationFrame(tick); \
           window.kubeplayLongTasks = []; window.kubeplayLiveStats = {}; \
           try { new PerformanceObserver((list) => list.getEntries().forEach((e) => window.kubeplayLongTasks.push(e.duration))) \
             .observe({ entryTypes: ['longtask'] }); } catch (e) { window.kubeplayLongTasks = null; } \
           window.kubeplayLongFrames = []; \
           try { new PerformanceObserver((list) => list.getEntries().forEach((e) => { if (e.duration > 50) \
             window.kubeplayLongFrames.push({ start: e.startTime, duration: e.duration, blocking: e.blockingDuration, \
               render: e.renderStart, style: e.styleAndLayoutStart, \
               scripts: e.scripts.map((s) => ({ start: s.startTime, duration: s.duration, invoker: s.invoker, \
                 forced: s.forcedStyleAndLayoutDuration })) }); })) \
             .observe({ type: 'long-animation-frame' }); } catch (e) { window.kubeplayLongFrames = null; } \
           return true; })()",
    )?;
    // The DOM changes of the same window, counted by where they happen: each mutation
    // record (children added or removed, an attribute set, a text changed) goes to the
    // nearest element with an id and the changed element's tag and first class, so the
    // summary says which parts of the page each render rewrites (what Chromium then
    // restyles, lays out and paints).
    session.value(MUTATION_COUNTER_START)?;
    // A CPU profile of the same window (V8's sampling profiler through CDP), saved for
    // DevTools and summarised below.
    // Chromium's own counters of the main thread's work (style, layout, script, tasks) over
    // the same window: what a JS profile shows only as "(program)".
    let _ = session.cdp("Performance.enable", &json!({}));
    let metrics_before = session.cdp("Performance.getMetrics", &json!({})).ok();
    let profiling = session.start_profile(500);
    if let Err(error) = &profiling {
        println!("  (no CPU profile: {error:#})");
    }
    // The page's clock when the profile started, to find the samples of each long frame
    // (within the few ms one script round trip takes).
    let profile_started_at = session.value("performance.now()")?.as_f64();
    // Deleting the pods makes the ReplicaSets replace them (create, schedule, start). This
    // was chosen over `kubectl rollout restart` while the scale-down ranking
    // (`compare_for_deletion`) was not a total order and the sort panicked at this size; that
    // is fixed (session 8), and the bench keeps deleting so its figures stay comparable.
    let restarted = deployments.div_ceil(6);
    for index in 0..restarted {
        server.kubectl(&[
            "delete",
            "pods",
            "-l",
            &format!("app=bench-{index}"),
            "--wait=false",
        ])?;
    }
    std::thread::sleep(Duration::from_secs(30));
    let stats = session.value(
        "(() => { window.kubeplayGapsDone = true; const g = window.kubeplayGaps.slice(1).sort((a, b) => a - b); \
           const at = (q) => g.length ? Math.round(g[Math.min(g.length - 1, Math.floor(q * g.length))]) : null; \
           const s = window.kubeplayCanvasStats || { frames: 0, totalMs: 0, maxMs: 0 }; \
           return JSON.stringify({ canvasFrames: s.frames, canvasMeanMs: s.frames ? Math.round(s.totalMs / s.frames) : null, \
             canvasMaxMs: Math.round(s.maxMs), animationFrames: g.length, gapP50Ms: at(0.5), gapP95Ms: at(0.95), \
             gapMaxMs: g.length ? Math.round(g[g.length - 1]) : null, stallsOver50Ms: g.filter(x => x > 50).length, \
             longTasks: window.kubeplayLongTasks ? window.kubeplayLongTasks.length : null, \
             longTaskMs: window.kubeplayLongTasks ? Math.round(window.kubeplayLongTasks.reduce((a, b) => a + b, 0)) : null, \
             longTaskMaxMs: window.kubeplayLongTasks ? Math.round(Math.max(0, ...window.kubeplayLongTasks)) : null, \
             heapMB: performance.memory ? Math.round(performance.memory.usedJSHeapSize / 1048576) : null, \
             podsShown: document.querySelector('#cluster-canvas')?.dataset.pods }); })()",
    )?;
    println!(
        "  measured: while {restarted} Deployments' pods ({}) are deleted and replaced, then 30 s: {stats}; server RSS {} MB",
        restarted * PER_DEPLOYMENT,
        server.rss_mb()
    );
    // The live driver's own tasks in that window, by source (web/src/live/client.rs
    // `note_task`): how many, how many over 50 ms, the longest, lines or records per task.
    println!(
        "  measured: the live driver's own tasks in that window: {}",
        session.value("JSON.stringify(window.kubeplayLiveStats || null)")?
    );
    println!(
        "  measured: DOM mutations in that window: {}",
        mutation_summary(&session.value(MUTATION_COUNTER_STOP)?, 30)
    );
    if let (Some(before), Ok(after)) = (
        metrics_before,
        session.cdp("Performance.getMetrics", &json!({})),
    ) {
        println!(
            "  measured: the main thread in that window (Chromium's Performance metrics): {}",
            metrics_delta(&before, &after)
        );
    }
    let long_frames = session.value("JSON.stringify(window.kubeplayLongFrames)")?;
    let long_frames: Vec<LongFrame> = long_frames
        .as_str()
        .and_then(|text| serde_json::from_str(text).ok())
        .unwrap_or_default();
    println!(
        "  measured: animation frames over 50 ms in that window (long-animation-frame): {}",
        long_frames_summary(&long_frames, 12)
    );
    if profiling.is_ok() {
        let profile = session.stop_profile()?;
        let saved = std::env::temp_dir().join(format!("kubeplay-live-{nodes}x{pods}.cpuprofile"));
        std::fs::write(&saved, profile.to_string())?;
        println!(
            "  measured: CPU profile of that window (saved as {}):\n{}",
            saved.display(),
            profile_summary(&profile, 25, None)
        );
        if let (Some(started_at), false) = (profile_started_at, long_frames.is_empty()) {
            let inside = |ms: f64| {
                long_frames
                    .iter()
                    .any(|frame| ms >= frame.start && ms <= frame.start + frame.duration)
            };
            println!(
                "  measured: CPU profile samples inside those long frames:\n{}",
                profile_summary(&profile, 25, Some((started_at, &inside)))
            );
        }
    }

    // The tabbed views on summaries: each reads what it shows from the server on demand.
    let timed = |what: &str, click: &str, done: &str| -> Result<()> {
        let started = Instant::now();
        session.click(click)?;
        session.wait_for(what, done)?;
        println!(
            "  measured: {what}: {} ms from the click",
            started.elapsed().as_millis()
        );
        Ok(())
    };
    timed(
        "scheduler explain of the first listed pod, fetched on demand",
        "#tab-scheduler",
        "!!document.querySelector('#explain-summary-note') \
         && !!document.querySelector('#scheduler-explain .explain-summary, #scheduler-explain .failed-scheduling')",
    )?;
    timed(
        "one node's image cache and pulls",
        "#tab-images",
        "!!document.querySelector('#images-summary-note') && !!document.querySelector('#images .image-node')",
    )?;
    timed(
        "the Service bench-0's endpoints",
        "#tab-traffic",
        "Number((document.querySelector('#service-endpoints')||{dataset:{}}).dataset.ready) > 0",
    )?;
    let ready = session.value("document.querySelector('#service-endpoints').dataset.ready")?;
    println!("  (bench-0 has {ready} ready endpoints shown)");

    // What the page costs once the churn is over, and how much of it is its CSS animations
    // (the control-plane map's busy arrows flow without end): 10 s as it is, then 10 s with
    // every animation paused by an injected style (removed again afterwards).
    let quiet = |what: &str| -> Result<()> {
        let before = session.cdp("Performance.getMetrics", &json!({}))?;
        std::thread::sleep(Duration::from_secs(10));
        let after = session.cdp("Performance.getMetrics", &json!({}))?;
        println!(
            "  measured: 10 s after the churn, {what}: {}",
            metrics_delta(&before, &after)
        );
        Ok(())
    };
    let busy = session.value("document.querySelectorAll('.edge.busy').length")?;
    quiet(&format!("as it is ({busy} busy arrows)"))?;
    session.value(
        "(() => { const s = document.createElement('style'); s.id = 'bench-no-animation'; \
           s.textContent = '*, *::before, *::after { animation-play-state: paused !important; }'; \
           document.head.appendChild(s); return true; })()",
    )?;
    quiet("every CSS animation paused")?;
    session.value("document.querySelector('#bench-no-animation')?.remove() || true")?;
    session.screenshot(
        &std::env::temp_dir().join(format!("kubeplay-live-{nodes}x{pods}-traffic.png")),
    )?;
    Ok(())
}

/// Starts counting the page's DOM mutations (`window.kubeplayMutations`: per place, the
/// records of each kind, the nodes added and removed) until [`MUTATION_COUNTER_STOP`].
const MUTATION_COUNTER_START: &str = "(() => { \
    const counts = new Map(); window.kubeplayMutations = counts; window.kubeplayMutationsSince = performance.now(); \
    const place = (node) => { const el = node.nodeType === 1 ? node : node.parentElement; if (!el) return '?'; \
      const owner = el.closest('[id]'); \
      const cls = typeof el.className === 'string' ? el.className.split(' ')[0] : (el.className && el.className.baseVal || '').split(' ')[0]; \
      return (owner ? '#' + owner.id : '-') + ' ' + el.localName + (cls ? '.' + cls : ''); }; \
    window.kubeplayMutationObserver = new MutationObserver((records) => { for (const r of records) { \
      const key = place(r.target) + ' ' + (r.type === 'attributes' ? '@' + r.attributeName : r.type); \
      let c = counts.get(key); if (!c) { c = [0, 0, 0]; counts.set(key, c); } \
      c[0] += 1; c[1] += r.addedNodes ? r.addedNodes.length : 0; c[2] += r.removedNodes ? r.removedNodes.length : 0; } }); \
    window.kubeplayMutationObserver.observe(document.body, { childList: true, attributes: true, characterData: true, subtree: true }); \
    return true; })()";

/// Stops the count [`MUTATION_COUNTER_START`] began and returns it as JSON: the seconds
/// counted and `[place, records, added, removed]` rows.
const MUTATION_COUNTER_STOP: &str = "(() => { \
    const o = window.kubeplayMutationObserver; if (!o) return null; \
    for (const r of o.takeRecords()) { const c = window.kubeplayMutations.get('(late)') || [0, 0, 0]; c[0] += 1; window.kubeplayMutations.set('(late)', c); } \
    o.disconnect(); window.kubeplayMutationObserver = null; \
    return JSON.stringify({ seconds: (performance.now() - window.kubeplayMutationsSince) / 1000, \
      rows: [...window.kubeplayMutations.entries()].map(([k, c]) => [k, c[0], c[1], c[2]]) }); })()";

/// The mutation count as text: records per second in all, then the `top` places by records.
fn mutation_summary(counted: &Value, top: usize) -> String {
    let Some(parsed) = counted
        .as_str()
        .and_then(|text| serde_json::from_str::<Value>(text).ok())
    else {
        return "(not counted)".to_string();
    };
    let seconds = parsed["seconds"].as_f64().unwrap_or(0.0).max(0.001);
    let mut rows: Vec<(String, u64, u64, u64)> = parsed["rows"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|row| {
            let n = |i: usize| row[i].as_u64().unwrap_or(0);
            (row[0].as_str().unwrap_or("?").to_string(), n(1), n(2), n(3))
        })
        .collect();
    rows.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    let total: u64 = rows.iter().map(|row| row.1).sum();
    let (added, removed): (u64, u64) = rows
        .iter()
        .fold((0, 0), |(a, r), row| (a + row.2, r + row.3));
    let mut out = format!(
        "{total} records in {seconds:.0} s ({:.0}/s; {added} nodes added, {removed} removed); by place (records, added, removed):",
        total as f64 / seconds
    );
    for (place, records, added, removed) in rows.iter().take(top) {
        out.push_str(&format!(
            "\n    {records:>8} {added:>7} {removed:>7}  {place}"
        ));
    }
    out
}

/// Live mode: the page served by `kubeplay serve` refuses a wrong token and shows nothing
/// live, then with the data directory's token mirrors the server's two nodes, runs kubectl
/// in the terminal on the server and shows the Deployment's two pods; back to the simulation
/// at the end.
fn live_scenario(session: &Session, screenshots: &Path) -> Result<()> {
    println!("  live mode against kubeplay serve --sim-nodes 2");
    let server = LiveServer::start()?;
    open_served_page(session, &server)?;
    session.wait_for(
        "the simulation's three nodes",
        "document.querySelectorAll('.node-card').length === 3",
    )?;

    println!("  a wrong token is refused and nothing live is shown");
    session.click("#live-open")?;
    session.type_into("#live-token", "not-the-token")?;
    session.click("#live-connect")?;
    session.wait_for(
        "the 401 error",
        "(document.querySelector('#live-error')||{textContent:''}).textContent.includes('401')",
    )?;
    let live_shown = session.value(
        "!!document.querySelector('#live-badge') || !!document.querySelector('#live-controls-note') \
           || document.querySelectorAll('.node-card').length !== 3",
    )?;
    if live_shown != Value::Bool(false) {
        bail!("a wrong token showed something live");
    }

    println!("  the right token shows the server's two nodes");
    session
        .value("(() => { document.querySelector('#live-token').value = ''; return true; })()")?;
    session.type_into("#live-token", &server.token()?)?;
    session.click("#live-connect")?;
    session.wait_for("the live badge", "!!document.querySelector('#live-badge')")?;
    session.wait_for(
        "the server's two nodes",
        "document.querySelectorAll('.node-card').length === 2",
    )?;

    println!("  kubectl create deployment web --image=nginx --replicas=2 runs on the server");
    session.type_into(
        "#terminal-input",
        &format!("kubectl create deployment web --image=nginx --replicas=2{ENTER}"),
    )?;
    session.wait_for(
        "the server's answer",
        "document.querySelector('#scrollback').textContent.includes('deployment.apps/web created')",
    )?;
    session.wait_for(
        "two web pods on the server's nodes",
        "[...document.querySelectorAll('.node-card .pod-chip')].filter(c => c.dataset.name.startsWith('web-')).length === 2",
    )?;
    session.wait_for(
        "the two web pods running",
        "[...document.querySelectorAll('.node-card .pod-chip.running')].filter(c => c.dataset.name.startsWith('web-')).length === 2",
    )?;
    session.wait_for(
        "the server's trace in the timeline",
        "document.querySelectorAll('.timeline-rows tr').length > 0",
    )?;

    println!("  the inspector shows a live pod's owners: Deployment → ReplicaSet → Pod");
    session.click(".node-card .pod-chip[data-name^='web-']")?;
    session.wait_for(
        "the owner chain Deployment/web → ReplicaSet/web-… → Pod/web-…",
        "(() => { const c = document.querySelector('#inspector .owner-chain'); if (!c) return false; \
           const t = c.textContent; return t.includes('Deployment/web') \
           && /ReplicaSet\\/web-[a-z0-9]+/.test(t) && t.includes('Pod/web-'); })()",
    )?;
    session.screenshot(&screenshots.join("live-en.png"))?;

    println!("  the YAML editor applies a Service on the server");
    session.click("#editor-template-service")?;
    session.value("document.querySelector('.editor').scrollIntoView() || true")?;
    session.wait_for(
        "the Service passing the check against the mirror",
        "(document.querySelector('#editor-status .clean')||{textContent:''}).textContent.includes('1')",
    )?;
    session.click("#editor-apply")?;
    session.wait_for(
        "the server's answer under the editor",
        "(document.querySelector('#editor-answer.ok')||{textContent:''}).textContent.includes('service/web created')",
    )?;
    session.wait_for(
        "the apply in the live terminal",
        "document.querySelector('#scrollback').textContent.includes('service/web created')",
    )?;

    println!("  live traffic: the web Service's endpoints, read from the server");
    session.click("#tab-traffic")?;
    session.wait_for(
        "the web Service's two ready endpoints",
        "(document.querySelector('#service-endpoints')||{dataset:{}}).dataset.ready === '2' \
         && !!document.querySelector('#traffic-simulation-only')",
    )?;

    println!("  live images: the picked pod's node, its cache and pulls read from the server");
    session.click("#tab-images")?;
    session.wait_for(
        "the node of the pod picked in the cluster view, with nginx cached and the web pod's pull",
        "(() => { const chip = document.querySelector('.node-card .pod-chip.selected[data-name^=\"web-\"]'); \
           const node = chip && chip.closest('.node-card').dataset.node; \
           const card = node && document.querySelector(`#images .image-node[data-node=\"${node}\"]`); \
           return !!document.querySelector('#images-live-note') && !!card \
             && [...card.querySelectorAll('.image code')].some(c => c.textContent.includes('nginx')) \
             && [...card.querySelectorAll('.pulls .pod')].some(p => p.textContent.startsWith('default/web-')); })()",
    )?;
    session.screenshot(&screenshots.join("live-images-en.png"))?;
    session.click("#tab-scheduler")?;

    println!("  Ctrl+Enter applies; the server's refusal is marked at the field's line");
    let broken = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\nspec:\n  replicas: -1\n  selector:\n    matchLabels:\n      app: api\n  template:\n    metadata:\n      labels:\n        app: api\n    spec:\n      containers:\n      - name: api\n        image: nginx\n";
    set_editor_text(session, broken)?;
    session.type_into("#editor-text", CTRL_ENTER)?;
    session.wait_for(
        "the refusal under the editor and spec.replicas marked on line 6",
        "!!document.querySelector('#editor-answer.failed') \
         && !!document.querySelector('.gutter-line.bad[data-line=\"6\"]') \
         && (document.querySelector('.editor-problems li[data-line=\"6\"]')||{textContent:''}).textContent.includes('spec.replicas: Invalid value: -1')",
    )?;
    session.screenshot(&screenshots.join("live-editor-error-en.png"))?;
    set_editor_text(session, &broken.replace("replicas: -1", "replicas: 1"))?;
    session.type_into("#editor-text", CTRL_ENTER)?;
    session.wait_for(
        "the server's answer to the fixed Deployment",
        "(document.querySelector('#editor-answer.ok')||{textContent:''}).textContent.includes('deployment.apps/api created')",
    )?;
    session.wait_for(
        "the api pod running on a server's node",
        "[...document.querySelectorAll('.node-card .pod-chip.running')].some(c => c.dataset.name.startsWith('api-'))",
    )?;
    session.value("window.scrollTo(0, 0) || true")?;

    println!("  back to the simulation");
    leave_live(session)
}

/// Opens the page `server` serves (in English) and types its token into the live form,
/// leaving the Connect click to the caller.
fn open_live_form(session: &Session, server: &LiveServer) -> Result<()> {
    open_served_page(session, server)?;
    session.click("#live-open")?;
    session.type_into("#live-token", &server.token()?)
}

/// Opens the page `server` serves and switches it to English.
fn open_served_page(session: &Session, server: &LiveServer) -> Result<()> {
    session.navigate(&server.url())?;
    session.wait_for(
        "the page from kubeplay serve",
        "!!document.querySelector('#live-open')",
    )?;
    session.click(".language[lang=en]")
}

/// Leaves live mode and waits for the simulation's three nodes.
fn leave_live(session: &Session) -> Result<()> {
    session.click("#live-leave")?;
    session.wait_for(
        "the simulation's three nodes again",
        "!document.querySelector('#live-badge') && document.querySelectorAll('.node-card').length === 3",
    )
}

/// Live mode on a cluster big enough for summaries (200 nodes: the canvas's size): the page
/// reads the summary stream's initial events (every node, then a BOOKMARK) instead of a list,
/// draws the canvas, and follows a Deployment made in the terminal through the stream.
fn live_summary_scenario(session: &Session) -> Result<()> {
    println!("  live mode against kubeplay serve --sim-nodes 200: summaries on the canvas");
    let server = LiveServer::start_with(false, &["--sim-nodes", "200", "--sim-speed", "10"])?;
    open_live_form(session, &server)?;
    session.click("#live-connect")?;
    session.wait_for(
        "the server's 200 nodes on the canvas, read from the summary stream",
        "(document.querySelector('#cluster-canvas')||{dataset:{}}).dataset.nodes === '200' \
         && !!document.querySelector('#explain-summary-note')",
    )?;
    session.type_into(
        "#terminal-input",
        &format!("kubectl create deployment sum --image=nginx --replicas=3{ENTER}"),
    )?;
    session.wait_for(
        "the Deployment's three pods on the canvas's nodes",
        "(document.querySelector('#cluster-canvas')||{dataset:{}}).dataset.pods === '3'",
    )?;
    leave_live(session)
}

/// A static file server for `dist/` on 127.0.0.1, serving until the process ends.
struct StaticServer {
    port: u16,
}

impl StaticServer {
    fn start(root: PathBuf) -> Result<StaticServer> {
        let listener = TcpListener::bind("127.0.0.1:0").context("could not listen on 127.0.0.1")?;
        let port = listener.local_addr()?.port();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let root = root.clone();
                std::thread::spawn(move || {
                    let _ = serve_one(stream, &root);
                });
            }
        });
        Ok(StaticServer { port })
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}/", self.port)
    }
}

fn serve_one(stream: TcpStream, root: &Path) -> Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header)? == 0 || header == "\r\n" {
            break;
        }
    }
    let path = request_line.split_whitespace().nth(1).unwrap_or("/");
    let path = path
        .split('?')
        .next()
        .unwrap_or("/")
        .trim_start_matches('/');
    let path = if path.is_empty() { "index.html" } else { path };
    let mut stream = stream;
    if path.split('/').any(|part| part == "..") {
        stream.write_all(
            b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
        )?;
        return Ok(());
    }
    match std::fs::read(root.join(path)) {
        Ok(body) => {
            let content_type = match path.rsplit('.').next() {
                Some("html") => "text/html; charset=utf-8",
                Some("js") => "text/javascript",
                Some("wasm") => "application/wasm",
                Some("css") => "text/css",
                Some("svg") => "image/svg+xml",
                _ => "application/octet-stream",
            };
            write!(
                stream,
                "HTTP/1.1 200 OK\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            )?;
            stream.write_all(&body)?;
        }
        Err(_) => {
            stream.write_all(
                b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            )?;
        }
    }
    Ok(())
}

/// A running chromedriver, killed when dropped.
struct Driver {
    child: Child,
    port: u16,
    browser: Browser,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Driver {
    fn start(browser: Browser, program: &Path) -> Result<Driver> {
        let port = {
            let probe = TcpListener::bind("127.0.0.1:0")?;
            probe.local_addr()?.port()
        };
        let mut command = Command::new(program);
        match browser {
            Browser::Chromium => command
                .arg(format!("--port={port}"))
                .arg("--allowed-ips=127.0.0.1"),
            Browser::Firefox => command
                .arg("--host=127.0.0.1")
                .arg(format!("--port={port}")),
        };
        let child = command
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .with_context(|| format!("could not start {}", program.display()))?;
        let driver = Driver {
            child,
            port,
            browser,
        };
        let started = Instant::now();
        loop {
            if let Ok(status) = http(driver.port, "GET", "/status", None) {
                if status["value"]["ready"].as_bool() == Some(true) {
                    return Ok(driver);
                }
            }
            if started.elapsed() > WAIT {
                bail!("{} did not become ready on port {port}", program.display());
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn new_session(&self, binary: &Path, profile: &Path) -> Result<Session> {
        if self.browser == Browser::Firefox {
            std::fs::create_dir_all(profile)
                .with_context(|| format!("could not create {}", profile.display()))?;
            let capabilities = json!({
                "capabilities": { "alwaysMatch": {
                    "browserName": "firefox",
                    "moz:firefoxOptions": {
                        "binary": binary,
                        "args": ["-headless", "--width=1440", "--height=1000", "-profile", profile],
                        "prefs": { "intl.accept_languages": "en-US" },
                    },
                }}
            });
            let answer = http(self.port, "POST", "/session", Some(&capabilities))?;
            let Some(id) = answer["value"]["sessionId"].as_str() else {
                bail!("geckodriver refused the session: {answer}");
            };
            return Ok(Session {
                port: self.port,
                id: id.to_string(),
            });
        }
        let args = [
            "--headless".to_string(),
            "--no-sandbox".to_string(),
            "--disable-gpu".to_string(),
            "--disable-background-networking".to_string(),
            "--disable-component-update".to_string(),
            "--disable-sync".to_string(),
            "--no-first-run".to_string(),
            "--window-size=1440,1000".to_string(),
            "--lang=en-US".to_string(),
            format!("--user-data-dir={}", profile.display()),
        ];
        let capabilities = json!({
            "capabilities": { "alwaysMatch": {
                "browserName": "chrome",
                "goog:chromeOptions": { "binary": binary, "args": args },
                // `kubeplay serve` (the live-mode test) speaks TLS with its own CA.
                "acceptInsecureCerts": true,
            }}
        });
        let answer = http(self.port, "POST", "/session", Some(&capabilities))?;
        let Some(id) = answer["value"]["sessionId"].as_str() else {
            bail!("chromedriver refused the session: {answer}");
        };
        Ok(Session {
            port: self.port,
            id: id.to_string(),
        })
    }
}

/// One WebDriver session (one browser).
struct Session {
    port: u16,
    id: String,
}

impl Session {
    fn command(&self, method: &str, path: &str, body: Option<&Value>) -> Result<Value> {
        let answer = http(
            self.port,
            method,
            &format!("/session/{}{path}", self.id),
            body,
        )?;
        if let Some(error) = answer["value"]["error"].as_str() {
            bail!(
                "WebDriver {method} {path}: {error}: {}",
                answer["value"]["message"]
            );
        }
        Ok(answer["value"].clone())
    }

    fn navigate(&self, url: &str) -> Result<()> {
        self.command("POST", "/url", Some(&json!({ "url": url })))
            .map(drop)
    }

    fn value(&self, expression: &str) -> Result<Value> {
        self.command(
            "POST",
            "/execute/sync",
            Some(&json!({ "script": format!("return {expression};"), "args": [] })),
        )
    }

    /// Runs one Chrome DevTools Protocol command through chromedriver (`goog/cdp/execute`,
    /// Chromium only) and returns its result.
    fn cdp(&self, command: &str, params: &Value) -> Result<Value> {
        self.command(
            "POST",
            "/goog/cdp/execute",
            Some(&json!({ "cmd": command, "params": params })),
        )
    }

    /// Starts the V8 sampling profiler (every `interval_us` microseconds).
    fn start_profile(&self, interval_us: u32) -> Result<()> {
        self.cdp("Profiler.enable", &json!({}))?;
        self.cdp(
            "Profiler.setSamplingInterval",
            &json!({ "interval": interval_us }),
        )?;
        self.cdp("Profiler.start", &json!({}))?;
        Ok(())
    }

    /// Stops the profiler and returns its profile (DevTools' `.cpuprofile` form).
    fn stop_profile(&self) -> Result<Value> {
        let answer = self.cdp("Profiler.stop", &json!({}))?;
        let _ = self.cdp("Profiler.disable", &json!({}));
        Ok(answer["profile"].clone())
    }

    /// Waits until the expression is neither null nor false, and returns it.
    fn wait_for_value(&self, what: &str, expression: &str) -> Result<Value> {
        let started = Instant::now();
        loop {
            let value = self.value(expression)?;
            if !value.is_null() && value != Value::Bool(false) {
                return Ok(value);
            }
            if started.elapsed() > WAIT {
                let terminal = self
                    .value("document.querySelector('#scrollback')?.textContent")
                    .unwrap_or_default();
                bail!("timed out waiting for {what} ({expression}); terminal: {terminal}");
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Waits up to `limit` for the expression to be neither null nor false; None if it never was.
    fn try_wait(&self, expression: &str, limit: Duration) -> Result<Option<Value>> {
        let started = Instant::now();
        while started.elapsed() < limit {
            // A page busy building its cluster may not answer a script at once.
            if let Ok(value) = self.value(expression) {
                if !value.is_null() && value != Value::Bool(false) {
                    return Ok(Some(value));
                }
            }
            std::thread::sleep(Duration::from_millis(250));
        }
        Ok(None)
    }

    fn wait_for(&self, what: &str, expression: &str) -> Result<()> {
        self.wait_for_value(what, expression).map(drop)
    }

    fn element(&self, selector: &str) -> Result<String> {
        let found = self.command(
            "POST",
            "/element",
            Some(&json!({ "using": "css selector", "value": selector })),
        )?;
        match found[ELEMENT_KEY].as_str() {
            Some(id) => Ok(id.to_string()),
            None => bail!("no element {selector}"),
        }
    }

    fn click(&self, selector: &str) -> Result<()> {
        let id = self.element(selector)?;
        self.command("POST", &format!("/element/{id}/click"), Some(&json!({})))
            .map(drop)
    }

    fn type_into(&self, selector: &str, text: &str) -> Result<()> {
        let id = self.element(selector)?;
        self.command(
            "POST",
            &format!("/element/{id}/value"),
            Some(&json!({ "text": text })),
        )
        .map(drop)
    }

    fn select_speed(&self, speed: &str) -> Result<()> {
        self.value(&format!(
            "(() => {{ const s = document.querySelector('#speed'); s.value = '{speed}'; \
               s.dispatchEvent(new Event('change', {{ bubbles: true }})); return true; }})()"
        ))
        .map(drop)
    }

    fn screenshot(&self, path: &Path) -> Result<()> {
        let encoded = self.command("GET", "/screenshot", None)?;
        let png = base64::engine::general_purpose::STANDARD
            .decode(encoded.as_str().unwrap_or_default())
            .context("the screenshot is not base64")?;
        std::fs::write(path, png).with_context(|| format!("could not write {}", path.display()))?;
        println!("  screenshot {}", path.display());
        Ok(())
    }

    fn element_screenshot(&self, selector: &str, path: &Path) -> Result<()> {
        let id = self.element(selector)?;
        let encoded = self.command("GET", &format!("/element/{id}/screenshot"), None)?;
        let png = base64::engine::general_purpose::STANDARD
            .decode(encoded.as_str().unwrap_or_default())
            .context("the screenshot is not base64")?;
        std::fs::write(path, png).with_context(|| format!("could not write {}", path.display()))?;
        println!("  screenshot {}", path.display());
        Ok(())
    }

    fn close(&self) {
        let _ = http(self.port, "DELETE", &format!("/session/{}", self.id), None);
    }
}

/// One HTTP/1.1 request to chromedriver on loopback; the JSON answer.
fn http(port: u16, method: &str, path: &str, body: Option<&Value>) -> Result<Value> {
    let mut stream = TcpStream::connect(("127.0.0.1", port))
        .with_context(|| format!("could not connect to chromedriver on port {port}"))?;
    stream.set_read_timeout(Some(Duration::from_secs(120)))?;
    let body = body.map(Value::to_string).unwrap_or_default();
    write!(
        stream,
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )?;
    // chromedriver may keep the connection open: read the head, then exactly the body.
    let mut reader = BufReader::new(stream);
    let mut head = String::new();
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line == "\r\n" {
            break;
        }
        head.push_str(&line.to_ascii_lowercase());
    }
    let content_length = head.lines().find_map(|line| {
        line.strip_prefix("content-length:")
            .and_then(|n| n.trim().parse::<usize>().ok())
    });
    let payload = match content_length {
        Some(length) => {
            let mut body = vec![0; length];
            reader.read_exact(&mut body)?;
            String::from_utf8_lossy(&body).into_owned()
        }
        None if head.contains("transfer-encoding: chunked") => read_chunked(&mut reader)?,
        None => {
            let mut body = String::new();
            reader.read_to_string(&mut body)?;
            body
        }
    };
    if head.is_empty() {
        bail!("chromedriver sent no HTTP answer to {method} {path}");
    }
    serde_json::from_str(&payload)
        .with_context(|| format!("chromedriver answered {method} {path} with non-JSON: {payload}"))
}

/// The body of a chunked HTTP answer.
fn read_chunked(reader: &mut impl BufRead) -> Result<String> {
    let mut body = Vec::new();
    loop {
        let mut size = String::new();
        reader.read_line(&mut size)?;
        let size = usize::from_str_radix(size.trim(), 16).context("a bad chunk size")?;
        let mut chunk = vec![0; size + 2];
        reader.read_exact(&mut chunk)?;
        if size == 0 {
            break;
        }
        chunk.truncate(size);
        body.extend(chunk);
    }
    Ok(String::from_utf8_lossy(&body).into_owned())
}

/// What a V8 CPU profile (`Profiler.stop`'s `profile`) says, as text: the sampled time, how
/// much of it the main thread was busy, and the `top` functions by self time and by
/// inclusive time (a function counted once per sample however often it recurses). Names
/// are the profile's (a dist built with `KUBEPLAY_DIST_NAMES=1` names the Rust functions).
///
/// With `within` (the page's clock when the profile started, and which page times to keep),
/// only the samples taken at kept times count.
fn profile_summary(
    profile: &Value,
    top: usize,
    within: Option<(f64, &dyn Fn(f64) -> bool)>,
) -> String {
    use std::collections::{BTreeMap, BTreeSet};
    let empty = Vec::new();
    let nodes = profile["nodes"].as_array().unwrap_or(&empty);
    let mut name_of: BTreeMap<u64, String> = BTreeMap::new();
    let mut parent_of: BTreeMap<u64, u64> = BTreeMap::new();
    for node in nodes {
        let Some(id) = node["id"].as_u64() else {
            continue;
        };
        let frame = &node["callFrame"];
        let function = frame["functionName"].as_str().unwrap_or("");
        let name = if function.is_empty() {
            let url = frame["url"].as_str().unwrap_or("");
            format!("(anonymous {})", url.rsplit('/').next().unwrap_or(url))
        } else {
            function.to_string()
        };
        name_of.insert(id, name);
        for child in node["children"].as_array().unwrap_or(&empty) {
            if let Some(child) = child.as_u64() {
                parent_of.insert(child, id);
            }
        }
    }
    let samples = profile["samples"].as_array().unwrap_or(&empty);
    let deltas = profile["timeDeltas"].as_array().unwrap_or(&empty);
    let (mut total_us, mut idle_us) = (0_i64, 0_i64);
    let mut self_us: BTreeMap<&str, i64> = BTreeMap::new();
    let mut inclusive_us: BTreeMap<&str, i64> = BTreeMap::new();
    // A sample's time: the profile's start plus the deltas up to and including its own.
    let mut since_start_us = 0_i64;
    for (index, sample) in samples.iter().enumerate() {
        since_start_us += deltas.get(index).and_then(Value::as_i64).unwrap_or(0);
        let Some(id) = sample.as_u64() else {
            continue;
        };
        if let Some((started_at, keep)) = within {
            if !keep(started_at + since_start_us as f64 / 1000.0) {
                continue;
            }
        }
        // The delta after a sample is the time it stood for.
        let us = deltas
            .get(index + 1)
            .and_then(Value::as_i64)
            .unwrap_or(0)
            .max(0);
        total_us += us;
        let name = name_of.get(&id).map_or("?", String::as_str);
        if name == "(idle)" {
            idle_us += us;
            continue;
        }
        *self_us.entry(name).or_default() += us;
        let mut seen = BTreeSet::new();
        let mut at = Some(id);
        while let Some(node) = at {
            let name = name_of.get(&node).map_or("?", String::as_str);
            if seen.insert(name) {
                *inclusive_us.entry(name).or_default() += us;
            }
            at = parent_of.get(&node).copied();
        }
    }
    let ms = |us: i64| us as f64 / 1000.0;
    let ranked_where = |table: &BTreeMap<&str, i64>, wanted: &dyn Fn(&str) -> bool| {
        let mut rows: Vec<(&str, i64)> = table.iter().map(|(n, us)| (*n, *us)).collect();
        rows.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(b.0)));
        rows.into_iter()
            .filter(|(name, _)| *name != "(root)" && wanted(name))
            .take(top)
            .map(|(name, us)| {
                let short: String = name.chars().take(110).collect();
                format!("      {:>9.1} ms  {short}", ms(us))
            })
            .collect::<Vec<_>>()
            .join("\n")
    };
    let ranked = |table: &BTreeMap<&str, i64>| ranked_where(table, &|_| true);
    // The page's own functions (a dist with names): which component or step the time went
    // to, under the browser's and yew's frames that top the plain inclusive list.
    let ours = |name: &str| name.contains("kubeplay_web::") || name.contains("kubeplay_core::");
    format!(
        "    profile: {:.0} ms sampled, main thread busy {:.0} ms ({:.0} %)\n    by self time:\n{}\n    by inclusive time:\n{}\n    the page's own functions by inclusive time:\n{}",
        ms(total_us),
        ms(total_us - idle_us),
        if total_us > 0 { 100.0 * (total_us - idle_us) as f64 / total_us as f64 } else { 0.0 },
        ranked(&self_us),
        ranked(&inclusive_us),
        ranked_where(&inclusive_us, &ours)
    )
}

/// One animation frame over 50 ms, as the page's `long-animation-frame` observer noted it
/// (times in ms on the page's clock).
#[derive(Debug, serde::Deserialize)]
struct LongFrame {
    start: f64,
    duration: f64,
    #[serde(default)]
    blocking: f64,
    /// When the frame's rendering (rAF callbacks, style, layout) began; 0 if it had none.
    #[serde(default)]
    render: f64,
    /// When its style and layout began; 0 if it had none.
    #[serde(default)]
    style: f64,
    #[serde(default)]
    scripts: Vec<LongFrameScript>,
}

/// A script that ran in a long frame: what called it (`TimerHandler:setTimeout`,
/// `FrameRequestCallback`, `Response.text.then`…), for how long, and the style and layout it
/// forced.
#[derive(Debug, serde::Deserialize)]
struct LongFrameScript {
    duration: f64,
    #[serde(default)]
    invoker: String,
    #[serde(default)]
    forced: f64,
}

/// The long frames as text: how many, their time, how it splits between scripts (by what
/// invoked them), rAF callbacks and style/layout, then the `top` longest one by one.
fn long_frames_summary(frames: &[LongFrame], top: usize) -> String {
    use std::collections::BTreeMap;
    if frames.is_empty() {
        return "none (or the browser has no long-animation-frame entries)".to_string();
    }
    let end = |frame: &LongFrame| frame.start + frame.duration;
    // Style and layout run from `styleAndLayoutStart` to the frame's end; the rendering
    // before them (from `renderStart`) is rAF callbacks and the like.
    let style_ms = |frame: &LongFrame| {
        if frame.style > 0.0 {
            (end(frame) - frame.style).max(0.0)
        } else {
            0.0
        }
    };
    let render_ms = |frame: &LongFrame| {
        if frame.render > 0.0 {
            ((if frame.style > 0.0 {
                frame.style
            } else {
                end(frame)
            }) - frame.render)
                .max(0.0)
        } else {
            0.0
        }
    };
    let mut by_invoker: BTreeMap<String, (usize, f64)> = BTreeMap::new();
    for frame in frames {
        for script in &frame.scripts {
            let entry = by_invoker.entry(invoker_kind(&script.invoker)).or_default();
            entry.0 += 1;
            entry.1 += script.duration;
        }
    }
    let mut invokers: Vec<_> = by_invoker.into_iter().collect();
    invokers.sort_by(|a, b| b.1 .1.total_cmp(&a.1 .1));
    let total: f64 = frames.iter().map(|f| f.duration).sum();
    let scripts: f64 = frames
        .iter()
        .flat_map(|f| &f.scripts)
        .map(|s| s.duration)
        .sum();
    let mut lines = vec![format!(
        "{} frames, {:.0} ms (blocking {:.0} ms), longest {:.0} ms; scripts {:.0} ms, rendering before style {:.0} ms, style and layout {:.0} ms, forced style and layout {:.0} ms",
        frames.len(),
        total,
        frames.iter().map(|f| f.blocking).sum::<f64>(),
        frames.iter().map(|f| f.duration).fold(0.0, f64::max),
        scripts,
        frames.iter().map(render_ms).sum::<f64>(),
        frames.iter().map(style_ms).sum::<f64>(),
        frames
            .iter()
            .flat_map(|f| &f.scripts)
            .map(|s| s.forced)
            .sum::<f64>(),
    )];
    lines.push(format!(
        "    scripts by invoker: {}",
        invokers
            .iter()
            .map(|(name, (count, ms))| format!("{name} {count}× {ms:.0} ms"))
            .collect::<Vec<_>>()
            .join(", ")
    ));
    let mut longest: Vec<&LongFrame> = frames.iter().collect();
    longest.sort_by(|a, b| b.duration.total_cmp(&a.duration));
    for frame in longest.into_iter().take(top) {
        let scripts: Vec<String> = frame
            .scripts
            .iter()
            .filter(|s| s.duration >= 1.0)
            .map(|s| {
                format!(
                    "{} {:.0} ms{}",
                    invoker_kind(&s.invoker),
                    s.duration,
                    if s.forced >= 1.0 {
                        format!(" (forced layout {:.0} ms)", s.forced)
                    } else {
                        String::new()
                    }
                )
            })
            .collect();
        lines.push(format!(
            "    at {:.1} s: {:.0} ms = scripts [{}], rendering {:.0} ms, style and layout {:.0} ms",
            frame.start / 1000.0,
            frame.duration,
            scripts.join(", "),
            render_ms(frame),
            style_ms(frame)
        ));
    }
    lines.join("\n")
}

/// A script's invoker without what makes each one different (a URL, a closure's number).
fn invoker_kind(invoker: &str) -> String {
    let short: String = invoker.chars().take(60).collect();
    match short.split_once('?') {
        Some((before, _)) => before.to_string(),
        None => short,
    }
}

/// The change of Chromium's `Performance.getMetrics` counters between two readings that
/// say where the main thread's time went (seconds, as ms) and how often.
fn metrics_delta(before: &Value, after: &Value) -> String {
    let read = |metrics: &Value, name: &str| {
        metrics["metrics"]
            .as_array()
            .and_then(|all| all.iter().find(|m| m["name"] == name))
            .and_then(|m| m["value"].as_f64())
            .unwrap_or(0.0)
    };
    let durations = [
        "TaskDuration",
        "ScriptDuration",
        "RecalcStyleDuration",
        "LayoutDuration",
        "TaskOtherDuration",
    ];
    let counts = ["RecalcStyleCount", "LayoutCount", "Nodes", "JSHeapUsedSize"];
    let mut parts: Vec<String> = durations
        .iter()
        .map(|name| {
            format!(
                "{name} {:.0} ms",
                (read(after, name) - read(before, name)) * 1000.0
            )
        })
        .collect();
    parts.extend(counts.iter().map(|name| {
        let (then, now) = (read(before, name), read(after, name));
        if name.ends_with("Count") {
            format!("{name} +{:.0}", now - then)
        } else {
            format!("{name} {now:.0}")
        }
    }));
    parts.join(", ")
}
