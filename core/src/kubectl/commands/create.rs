//! `kubectl create`: objects from files (`-f`, failing on ones that exist), or built from
//! flags by the subcommands `deployment`, `service clusterip|nodeport` and `namespace`,
//! as kubectl's generators build them.

use serde_json::{json, Value};

use super::apply::FILENAME_FLAG;
use super::CommandSpec;
use crate::api::objects::Kind;
use crate::apiserver::ApiError;
use crate::kubectl::error::KubectlError;
use crate::kubectl::flags::{FlagKind, FlagSpec, ParsedArgs};
use crate::kubectl::targets::{
    build, exactly_one_name, file_error, object_ref, read_files, required,
};
use crate::kubectl::{Context, Output};

/// `kubectl create`.
pub const COMMAND: CommandSpec = CommandSpec {
    name: "create",
    aliases: &[],
    short: "Create a resource from a file or from stdin",
    usage: "kubectl create -f FILENAME [options]\n  kubectl create deployment NAME --image=image [--replicas=N] [--port=N]\n  kubectl create service clusterip|nodeport NAME [--tcp=port:targetPort]\n  kubectl create namespace NAME",
    flags: &[
        FILENAME_FLAG,
        FlagSpec {
            long: "image",
            short: None,
            kind: FlagKind::StringSlice,
            usage: "Image names to run. A deployment can have multiple images set for multi-container pod.",
        },
        FlagSpec {
            long: "replicas",
            short: Some('r'),
            kind: FlagKind::String,
            usage: "Number of replicas to create. Default is 1.",
        },
        FlagSpec {
            long: "port",
            short: None,
            kind: FlagKind::String,
            usage: "The containerPort that this deployment exposes.",
        },
        FlagSpec {
            long: "tcp",
            short: None,
            kind: FlagKind::StringSlice,
            usage: "Port pairs can be specified as '<port>:<targetPort>'.",
        },
    ],
    run,
};

fn run(context: &mut Context<'_>, args: &ParsedArgs) -> Result<Output, KubectlError> {
    let files = args.strings("filename");
    let Some((sub, rest)) = args.args.split_first() else {
        if files.is_empty() {
            return Err(KubectlError::Usage(
                "must specify one of -f and -k".to_string(),
            ));
        }
        return create_from_files(context, &files);
    };
    match sub.as_str() {
        "deployment" | "deploy" => create_deployment(context, args, rest),
        "service" | "svc" => create_service(context, args, rest),
        "namespace" | "ns" => create_namespace(context, rest),
        _ => Err(KubectlError::Message(format!(
            "error: unknown command \"{}\"\nSee 'kubectl create -h' for help and examples",
            args.args.join(" ")
        ))),
    }
}

fn create_from_files(context: &mut Context<'_>, files: &[String]) -> Result<Output, KubectlError> {
    let objects = read_files(context, files)?;
    let mut output = Output::default();
    for item in objects {
        let kind = item.object.kind();
        let namespace = item.object.namespace().to_string();
        match context.api.create(&namespace, item.object) {
            Ok(created) => output
                .stdout
                .push_str(&format!("{} created\n", object_ref(kind, created.name()))),
            Err(error) => output.push_error(&file_error("creating", &item.file, &error)),
        }
    }
    Ok(output)
}

/// The container name kubectl derives from an image: the last path part without tag or
/// digest, `_` made `-`.
pub fn container_name(image: &str) -> String {
    let last = image.rsplit('/').next().unwrap_or(image);
    let base = last.split('@').next().unwrap_or(last);
    let base = base.split(':').next().unwrap_or(base);
    base.replace('_', "-")
}

fn parse_count(flag: &str, value: &str) -> Result<i64, KubectlError> {
    value.parse::<i64>().map_err(|_| {
        KubectlError::Message(format!(
            "error: invalid argument \"{value}\" for \"--{flag}\" flag: strconv.ParseInt: parsing \"{value}\": invalid syntax\nSee 'kubectl create -h' for help and examples"
        ))
    })
}

fn create_object(
    context: &mut Context<'_>,
    value: Value,
    what: &str,
) -> Result<Output, KubectlError> {
    let object = build(value)?;
    let kind = object.kind();
    let namespace = context.namespace.clone();
    match context.api.create(&namespace, object) {
        Ok(created) => Ok(Output::stdout(format!(
            "{} created\n",
            object_ref(kind, created.name())
        ))),
        Err(error @ ApiError::AlreadyExists { .. }) if kind != Kind::Namespace => Err(
            KubectlError::Usage(format!("failed to create {what}: {error}")),
        ),
        Err(error) => Err(KubectlError::Api(error)),
    }
}

fn create_deployment(
    context: &mut Context<'_>,
    args: &ParsedArgs,
    rest: &[String],
) -> Result<Output, KubectlError> {
    required(args, "image")?;
    let [name] = rest else {
        return Err(exactly_one_name("create deployment", rest.len()));
    };
    let replicas = match args.string("replicas") {
        Some(value) => parse_count("replicas", value)?,
        None => 1,
    };
    let port = args
        .string("port")
        .map(|p| parse_count("port", p))
        .transpose()?;
    let mut containers = Vec::new();
    for image in args.strings("image") {
        let mut container = json!({"name": container_name(&image), "image": image});
        if let Some(port) = port {
            container["ports"] = json!([{"containerPort": port}]);
        }
        containers.push(container);
    }
    let value = json!({
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": name, "labels": {"app": name}},
        "spec": {
            "replicas": replicas,
            "selector": {"matchLabels": {"app": name}},
            "template": {
                "metadata": {"labels": {"app": name}},
                "spec": {"containers": containers}
            }
        }
    });
    create_object(context, value, "deployment")
}

fn create_service(
    context: &mut Context<'_>,
    args: &ParsedArgs,
    rest: &[String],
) -> Result<Output, KubectlError> {
    let Some((kind, names)) = rest.split_first() else {
        return Err(KubectlError::Message(
            "error: must specify a type of service: clusterip, nodeport\nSee 'kubectl create service -h' for help and examples".to_string(),
        ));
    };
    let (service_type, what) = match kind.as_str() {
        "clusterip" => ("ClusterIP", "ClusterIP service"),
        "nodeport" => ("NodePort", "NodePort service"),
        _ => {
            return Err(KubectlError::Message(format!(
            "error: unknown command \"{}\"\nSee 'kubectl create service -h' for help and examples",
            rest.join(" ")
        )))
        }
    };
    let [name] = names else {
        return Err(exactly_one_name(
            &format!("create service {kind}"),
            names.len(),
        ));
    };
    let tcp = args.strings("tcp");
    if tcp.is_empty() {
        return Err(KubectlError::Usage(
            "at least one tcp port specifier must be provided".to_string(),
        ));
    }
    let mut ports = Vec::new();
    for spec in &tcp {
        let (port, target) = spec.split_once(':').unwrap_or((spec, spec));
        let port_number: i64 = port.parse().map_err(|_| {
            KubectlError::Usage(format!("strconv.Atoi: parsing \"{port}\": invalid syntax"))
        })?;
        let target_value = match target.parse::<i64>() {
            Ok(number) => json!(number),
            Err(_) => json!(target),
        };
        let port_name = if port == target {
            port.to_string()
        } else {
            format!("{port}-{target}")
        };
        ports.push(json!({
            "name": port_name,
            "port": port_number,
            "protocol": "TCP",
            "targetPort": target_value
        }));
    }
    let value = json!({
        "apiVersion": "v1",
        "kind": "Service",
        "metadata": {"name": name, "labels": {"app": name}},
        "spec": {"type": service_type, "selector": {"app": name}, "ports": ports}
    });
    create_object(context, value, what)
}

fn create_namespace(context: &mut Context<'_>, rest: &[String]) -> Result<Output, KubectlError> {
    let [name] = rest else {
        return Err(exactly_one_name("create namespace", rest.len()));
    };
    let value = json!({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}});
    create_object(context, value, "namespace")
}
