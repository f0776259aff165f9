//! The core's API server on its own thread, and the handle HTTP handlers talk to it through.
//!
//! [`ApiServer`] is single-threaded and deterministic (it holds the admission chain as a plain
//! `Box<dyn …>`, so it is not even `Send`). The node host therefore gives it one OS thread, an
//! actor: handlers send it a closure with [`Cluster::call`], the thread sets the API server's
//! clock from the wall clock, runs the closure, and answers on a oneshot channel. When a call
//! moved the store's revision (any write), the actor publishes the new revision on a
//! `tokio::sync::watch` channel; every open HTTP watch stream waits on it and then polls its
//! core watch ([`ApiServer::poll_watch`]) through the actor.

use kubeplay_core::apiserver::ApiServer;
use kubeplay_core::sim::clock::Timestamp;
use kubeplay_core::store::Revision;
use tokio::sync::{mpsc, oneshot, watch};

/// A job for the actor thread.
type Job = Box<dyn FnOnce(&mut ApiServer) + Send>;

/// How many requests may wait for the actor before senders wait too.
const QUEUE_LENGTH: usize = 1024;

/// The API server as the HTTP layer sees it: cheap to clone, usable from any task.
#[derive(Clone, Debug)]
pub struct Cluster {
    jobs: mpsc::Sender<Job>,
    revisions: watch::Receiver<Revision>,
}

/// The actor thread has stopped (it only stops when every [`Cluster`] handle is gone, or
/// when a request panicked inside the core).
#[derive(Debug, Clone, Copy, thiserror::Error)]
#[error("the API server thread has stopped")]
pub struct ClusterStopped;

impl Cluster {
    /// Starts a fresh in-memory cluster on its own thread, seeded from the OS RNG.
    pub fn start() -> std::io::Result<Cluster> {
        let mut seed_bytes = [0u8; 8];
        getrandom::fill(&mut seed_bytes).map_err(std::io::Error::other)?;
        let seed = u64::from_le_bytes(seed_bytes);
        let (jobs, mut queue) = mpsc::channel::<Job>(QUEUE_LENGTH);
        let (publish, revisions) = watch::channel(0);
        std::thread::Builder::new()
            .name("kubeplay-apiserver".to_string())
            .spawn(move || {
                let mut api = ApiServer::new(seed, wall_clock());
                publish.send_replace(api.current_revision());
                while let Some(job) = queue.blocking_recv() {
                    let before = api.current_revision();
                    api.set_time(wall_clock());
                    job(&mut api);
                    // The trace is for the browser's views; the node host only logs requests.
                    drop(api.poll_trace());
                    let after = api.current_revision();
                    if after != before {
                        publish.send_replace(after);
                    }
                }
            })?;
        Ok(Cluster { jobs, revisions })
    }

    /// Runs `f` on the API server (with its clock set to now) and returns what it returns.
    pub async fn call<T, F>(&self, f: F) -> Result<T, ClusterStopped>
    where
        T: Send + 'static,
        F: FnOnce(&mut ApiServer) -> T + Send + 'static,
    {
        let (reply, answer) = oneshot::channel();
        let job: Job = Box::new(move |api| {
            let _ = reply.send(f(api));
        });
        self.jobs.send(job).await.map_err(|_| ClusterStopped)?;
        answer.await.map_err(|_| ClusterStopped)
    }

    /// A receiver that changes whenever a write moved the store's revision.
    pub fn revisions(&self) -> watch::Receiver<Revision> {
        self.revisions.clone()
    }
}

/// The wall clock as the core's [`Timestamp`]. The workspace bans `SystemTime` because the
/// core must not read the clock; the node host is where the clock comes from, so this one
/// function reads it and everything else in the host takes time from here.
#[allow(clippy::disallowed_methods, clippy::disallowed_types)]
pub fn wall_clock() -> Timestamp {
    let ms = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
        .unwrap_or(0);
    Timestamp::from_millis(ms)
}
