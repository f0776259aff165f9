//! kube-scheduler as a pure function of a cluster snapshot.
//!
//! Data flows in one direction: the host builds a [`snapshot::Snapshot`] (nodes, the pods
//! on them, their images) and keeps a [`queue::SchedulingQueue`] of pending pods. It pops a
//! pod, calls [`framework::schedule_one`] (or [`framework::Scheduler::schedule_one`], which
//! keeps the rotating start index) with a seeded RNG, and gets a
//! [`framework::ScheduleResult`]: the chosen node or the exact `0/N nodes are available: …`
//! message, plus a per-node, per-plugin [`framework::Explanation`] (also rendered as the
//! kube-scheduler-simulator annotations, capped at [`Config::explain_max_nodes`] nodes by
//! [`explain`]). The host then reserves (adds the pod to the
//! snapshot) and binds, or hands the pod back to the queue as unschedulable. Plugins live in
//! [`plugins`], one file each.

pub mod component;
pub mod explain;
pub mod framework;
pub mod plugins;
pub mod queue;
mod score_memo;
pub mod snapshot;

pub use framework::{
    schedule_one, Config, Decision, Explanation, FitError, ScheduleResult, Scheduler,
};
pub use snapshot::{NodeInfo, Snapshot};

#[cfg(test)]
mod preemption_scenario_tests;
#[cfg(test)]
mod tests;
