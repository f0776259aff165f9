//! `kubectl cluster-info`: where the control plane answers, and the cluster services
//! (`kubernetes.io/cluster-service=true` in kube-system, such as DNS) behind its proxy.

use super::CommandSpec;
use crate::api::objects::{Kind, Object};
use crate::apiserver::ListOptions;
use crate::kubectl::error::KubectlError;
use crate::kubectl::flags::ParsedArgs;
use crate::kubectl::{Context, Output};

/// `kubectl cluster-info`.
pub const COMMAND: CommandSpec = CommandSpec {
    name: "cluster-info",
    aliases: &["clusterinfo"],
    short: "Display cluster information",
    usage: "kubectl cluster-info [flags] [options]",
    flags: &[],
    run,
};

fn run(context: &mut Context<'_>, _args: &ParsedArgs) -> Result<Output, KubectlError> {
    let url = context.config.server_url.clone();
    let mut text = format!("Kubernetes control plane is running at {url}\n");
    let options = ListOptions::with_label_selector("kubernetes.io/cluster-service=true");
    let list = context
        .api
        .list(Kind::Service, Some("kube-system"), &options)?;
    for item in &list.items {
        let Object::Service(service) = item.as_ref() else {
            continue;
        };
        let name = service.metadata.name.clone().unwrap_or_default();
        let title = service
            .metadata
            .labels
            .as_ref()
            .and_then(|l| l.get("kubernetes.io/name"))
            .cloned()
            .unwrap_or_else(|| name.clone());
        let port = service
            .spec
            .as_ref()
            .and_then(|s| s.ports.as_ref())
            .and_then(|p| p.first())
            .map(|p| match &p.name {
                Some(port_name) if !port_name.is_empty() => format!(":{port_name}"),
                _ => String::new(),
            })
            .unwrap_or_default();
        text.push_str(&format!(
            "{title} is running at {url}/api/v1/namespaces/kube-system/services/{name}{port}/proxy\n"
        ));
    }
    text.push_str(
        "\nTo further debug and diagnose cluster problems, use 'kubectl cluster-info dump'.\n",
    );
    Ok(Output::stdout(text))
}
