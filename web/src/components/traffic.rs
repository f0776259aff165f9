//! The traffic view: a form that sends N requests to a Service (from a pod, or from outside
//! through a NodePort) and the per-pod bar chart of the last batch (see [`crate::traffic`]).

use web_sys::{HtmlInputElement, HtmlSelectElement};
use yew::prelude::*;

use crate::handle::PlaygroundHandle;
use crate::hooks::use_text;
use crate::i18n::Key;
use crate::traffic::{
    bar_chart, format_micros, service_choices, service_endpoints, BarKind, MissingChoice,
    TrafficChoices, TrafficForm, DEFAULT_REQUESTS,
};
use kubeplay_core::api::objects::Kind;
use kubeplay_core::sim::traffic::TrafficReport;

/// What the view needs.
#[derive(Properties, PartialEq)]
pub struct TrafficProps {
    /// The playground.
    pub handle: PlaygroundHandle,
}

fn chart(report: &TrafficReport) -> Html {
    let chart = bar_chart(report);
    let bars = chart.bars.iter().map(|bar| {
        let class = match bar.kind {
            BarKind::Pod | BarKind::ApiServer => "bar-pod",
            BarKind::Failure(_) => "bar-failure",
        };
        let middle = bar.y + chart.bar_height / 2;
        html! {
            <g class={class}>
                <text x={(chart.label_width - 8).to_string()} y={middle.to_string()} text-anchor="end" dominant-baseline="middle">{ &bar.label }</text>
                <rect x={chart.label_width.to_string()} y={bar.y.to_string()} width={bar.width.max(1).to_string()} height={chart.bar_height.to_string()} rx="3" />
                <text class="value" x={(chart.label_width + bar.width + 6).to_string()} y={middle.to_string()} dominant-baseline="middle">
                    { format!("{} ({})", bar.count, bar.percent_text()) }
                </text>
            </g>
        }
    });
    let summary: Vec<String> = chart
        .bars
        .iter()
        .map(|b| format!("{}: {} ({})", b.label, b.count, b.percent_text()))
        .collect();
    html! {
        <svg class="traffic-chart" id="traffic-chart" role="img" aria-label={summary.join(", ")}
            viewBox={format!("0 0 {} {}", chart.width, chart.height)} width="100%">
            { for bars }
        </svg>
    }
}

fn report_view(report: &TrafficReport, text: &impl Fn(Key) -> &'static str) -> Html {
    let failed = report.sent.saturating_sub(report.succeeded);
    let latency = &report.latency;
    html! {
        <div class="traffic-report" id="traffic-report">
            <dl class="figures">
                <div><dt>{ text(Key::Sent) }</dt><dd id="traffic-sent">{ report.sent }</dd></div>
                <div><dt>{ text(Key::Succeeded) }</dt><dd>{ report.succeeded }</dd></div>
                <div class={classes!((failed > 0).then_some("failed"))}><dt>{ text(Key::Failed) }</dt><dd>{ failed }</dd></div>
                if report.succeeded > 0 {
                    <div><dt>{ text(Key::Latency) }</dt><dd>{ format!("{} / {} / {}", format_micros(latency.min_us), format_micros(latency.mean_us), format_micros(latency.max_us)) }</dd></div>
                }
                <div><dt>{ text(Key::DnsQueries) }</dt><dd>{ report.dns_queries }</dd></div>
                if let Some(name) = &report.resolved_name {
                    <div><dt>{ text(Key::ResolvedAs) }</dt><dd class="mono">{ name }</dd></div>
                }
            </dl>
            <h3>{ text(Key::PerPod) }</h3>
            { chart(report) }
        </div>
    }
}

/// The traffic view.
#[function_component(TrafficPanel)]
pub fn traffic_panel(props: &TrafficProps) -> Html {
    let text = use_text();
    let form = use_state(|| TrafficForm {
        count: DEFAULT_REQUESTS.to_string(),
        ..TrafficForm::default()
    });
    let (choices, last) = props.handle.read(|p| {
        (
            TrafficChoices::read(p.world_mut()),
            p.last_traffic().cloned(),
        )
    });
    let spec = form.to_spec(&choices);
    let chosen_service = form
        .chosen_service(&choices)
        .map(|s| format!("{}/{}", s.namespace, s.name));

    let change = |apply: fn(&mut TrafficForm, String)| {
        let form = form.clone();
        Callback::from(move |event: Event| {
            let value = match event.target_dyn_into::<HtmlSelectElement>() {
                Some(select) => select.value(),
                None => event.target_unchecked_into::<HtmlInputElement>().value(),
            };
            let mut next = (*form).clone();
            apply(&mut next, value);
            form.set(next);
        })
    };
    let on_source = change(|f, v| f.source = (!v.is_empty()).then_some(v));
    let on_service = change(|f, v| f.service = Some(v));
    let on_node = change(|f, v| f.node = Some(v));
    let on_count = {
        let form = form.clone();
        Callback::from(move |event: InputEvent| {
            let input: HtmlInputElement = event.target_unchecked_into();
            let mut next = (*form).clone();
            next.count = input.value();
            form.set(next);
        })
    };
    let on_submit = {
        let handle = props.handle.clone();
        let spec = spec.clone();
        Callback::from(move |event: SubmitEvent| {
            event.prevent_default();
            if let Ok(spec) = spec.clone() {
                handle.update(|p| p.send_traffic(spec));
            }
        })
    };

    let problem = match &spec {
        Ok(_) => None,
        Err(MissingChoice::Service) => Some(Key::NoServices),
        Err(MissingChoice::NodePort) => Some(Key::NoNodePort),
        Err(MissingChoice::Node) => Some(Key::NoNodePort),
    };
    let sources = choices.pods.iter().map(|(namespace, name)| {
        let key = format!("{namespace}/{name}");
        html! { <option value={key.clone()} selected={form.source.as_ref() == Some(&key)}>{ key }</option> }
    });
    let services = choices.services.iter().map(|service| {
        let key = format!("{}/{}", service.namespace, service.name);
        let ports = service
            .node_ports
            .iter()
            .map(|p| format!(" :{p}"))
            .collect::<String>();
        html! {
            <option value={key.clone()} selected={chosen_service.as_ref() == Some(&key)}>
                { format!("{key} ({}{ports})", service.service_type) }
            </option>
        }
    });
    let chosen_node = form.chosen_node(&choices);
    let nodes = choices.nodes.iter().map(|node| {
        html! { <option value={node.clone()} selected={chosen_node.as_ref() == Some(node)}>{ node }</option> }
    });
    let result = match last {
        None => Html::default(),
        Some((_, Err(error))) => html! { <p class="error" role="status">{ error.to_string() }</p> },
        Some((_, Ok(report))) => report_view(&report, &text),
    };
    html! {
        <div class="traffic" id="traffic">
            <p class="muted hint">{ text(Key::TrafficHint) }</p>
            <form class="traffic-form" onsubmit={on_submit}>
                <label class="field">
                    { text(Key::TrafficFrom) }
                    <select id="traffic-source" onchange={on_source}>
                        <option value="" selected={form.source.is_none()}>{ text(Key::OutsideCluster) }</option>
                        { for sources }
                    </select>
                </label>
                <label class="field">
                    { text(Key::TrafficService) }
                    <select id="traffic-service" onchange={on_service} disabled={choices.services.is_empty()}>{ for services }</select>
                </label>
                if form.source.is_none() {
                    <label class="field">
                        { text(Key::TrafficNode) }
                        <select id="traffic-node" onchange={on_node}>{ for nodes }</select>
                    </label>
                }
                <label class="field">
                    { text(Key::RequestCount) }
                    <input id="traffic-count" type="number" min="1" max="10000" value={form.count.clone()} oninput={on_count} />
                </label>
                <button type="submit" id="traffic-send" class="primary" disabled={spec.is_err()}>{ text(Key::Send) }</button>
            </form>
            if let Some(problem) = problem {
                <p class="muted">{ text(problem) }</p>
            }
            { result }
        </div>
    }
}

/// How often the live view reads the chosen Service's EndpointSlices again, in wall-clock
/// milliseconds (endpoints follow pods: a rollout moves them within seconds).
const ENDPOINTS_REFRESH_MS: u64 = 5_000;

/// The traffic view in live mode: requests are sent by the in-page simulation only, so it
/// shows where a chosen Service's requests can go instead: its EndpointSlices, read from the
/// server on demand (and again every few seconds while shown), ready endpoints per node.
#[function_component(LiveTrafficPanel)]
pub fn live_traffic_panel(props: &TrafficProps) -> Html {
    let text = use_text();
    let picked = use_state(|| None::<String>);
    let Some(live) = props.handle.live.as_ref() else {
        return Html::default();
    };
    let (services, chosen, endpoints, refresh) = {
        let state = live.state.borrow();
        let services = service_choices(&state.mirror.objects(Kind::Service));
        let chosen = picked
            .as_ref()
            .and_then(|key| {
                services
                    .iter()
                    .find(|s| format!("{}/{}", s.namespace, s.name) == *key)
            })
            .or_else(|| services.first())
            .map(|s| (s.namespace.clone(), s.name.clone()));
        let endpoints = chosen
            .as_ref()
            .filter(|chosen| state.sliced.as_ref() == Some(chosen))
            .map(|(namespace, name)| {
                service_endpoints(&state.mirror.objects(Kind::EndpointSlice), namespace, name)
            });
        let refresh = state.now.as_millis() / ENDPOINTS_REFRESH_MS;
        (services, chosen, endpoints, refresh)
    };
    {
        let state = live.state.clone();
        use_effect_with((chosen.clone(), refresh), move |(chosen, _)| {
            if let Some((namespace, name)) = chosen.clone() {
                #[cfg(target_arch = "wasm32")]
                crate::live::client::fetch_endpoint_slices(&state, namespace, name);
                #[cfg(not(target_arch = "wasm32"))]
                let _ = (state, namespace, name);
            }
        });
    }
    let on_service = {
        let picked = picked.clone();
        Callback::from(move |event: Event| {
            let select: HtmlSelectElement = event.target_unchecked_into();
            picked.set(Some(select.value()));
        })
    };
    let chosen_key = chosen.as_ref().map(|(ns, name)| format!("{ns}/{name}"));
    let options = services.iter().map(|service| {
        let key = format!("{}/{}", service.namespace, service.name);
        html! {
            <option value={key.clone()} selected={chosen_key.as_ref() == Some(&key)}>
                { format!("{key} ({})", service.service_type) }
            </option>
        }
    });
    let body = match (&chosen, endpoints) {
        (None, _) => html! { <p class="muted">{ text(Key::NoServices) }</p> },
        (Some(_), None) => {
            html! { <p class="muted" id="endpoints-loading">{ text(Key::InspectorLoading) }</p> }
        }
        (Some(_), Some(endpoints)) => {
            let rows = endpoints.rows.iter().map(|row| {
                html! {
                    <tr class={classes!((!row.ready).then_some("not-ready"))}>
                        <td class="mono">{ &row.address }</td>
                        <td>{ row.pod.clone().unwrap_or_default() }</td>
                        <td>{ row.node.clone().unwrap_or_default() }</td>
                        <td>{ if row.ready { text(Key::EndpointReady) } else if row.terminating { text(Key::EndpointTerminating) } else { text(Key::EndpointNotReady) } }</td>
                    </tr>
                }
            });
            let shown = endpoints.rows.len();
            let all = endpoints.ready + endpoints.not_ready;
            html! {
                <div id="service-endpoints" data-ready={endpoints.ready.to_string()}>
                    <p class="explain-summary">
                        { text(Key::EndpointsCounts)
                            .replace("{ready}", &endpoints.ready.to_string())
                            .replace("{notReady}", &endpoints.not_ready.to_string())
                            .replace("{slices}", &endpoints.slices.to_string())
                            .replace("{nodes}", &endpoints.per_node.len().to_string()) }
                        if !endpoints.ports.is_empty() {
                            { " · " }<span class="mono">{ endpoints.ports.join(", ") }</span>
                        }
                    </p>
                    if all > shown {
                        <p class="muted">{ text(Key::EndpointsCapped).replace("{n}", &shown.to_string()).replace("{total}", &all.to_string()) }</p>
                    }
                    <table class="events endpoints">
                        <thead><tr>
                            <th>{ text(Key::EndpointAddress) }</th><th>{ text(Key::EndpointPod) }</th>
                            <th>{ text(Key::TrafficNode) }</th><th>{ text(Key::EndpointState) }</th>
                        </tr></thead>
                        <tbody>{ for rows }</tbody>
                    </table>
                </div>
            }
        }
    };
    html! {
        <div class="traffic" id="traffic">
            <p class="muted live-note" id="traffic-simulation-only">{ text(Key::TrafficSimulationOnly) }</p>
            <label class="field">
                { text(Key::TrafficService) }
                <select id="traffic-service" onchange={on_service} disabled={services.is_empty()}>{ for options }</select>
            </label>
            { body }
        </div>
    }
}
