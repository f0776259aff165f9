//! The clock controls: play/pause, speed, step one event, back and forth in time, the sample
//! Deployment, and a fresh cluster.

use std::time::Duration;

use kubeplay_core::sim::clock::Timestamp;
use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::handle::PlaygroundHandle;
use crate::hooks::use_text;
use crate::i18n::Key;
use crate::playground::SPEEDS;
use crate::timeline::since_start;

/// How far the back and forward buttons move the clock.
const JUMP: Duration = Duration::from_secs(10);

/// What the controls need.
#[derive(Properties, PartialEq)]
pub struct ControlsProps {
    /// The playground.
    pub handle: PlaygroundHandle,
    /// Called to start a fresh cluster (the app picks the seed).
    pub on_reset: Callback<()>,
}

/// The clock bar above the cluster view.
#[function_component(Controls)]
pub fn controls(props: &ControlsProps) -> Html {
    let text = use_text();
    let handle = &props.handle;
    let (running, speed, now, start, seed, has_future) = handle.read(|p| {
        (
            p.running(),
            p.speed(),
            p.now(),
            p.start(),
            p.session().seed,
            p.has_future(),
        )
    });
    let toggle = {
        let handle = handle.clone();
        Callback::from(move |_| handle.update(|p| p.set_running(!p.running())))
    };
    let step = {
        let handle = handle.clone();
        Callback::from(move |_| {
            handle.update(|p| {
                p.step();
            })
        })
    };
    let back = {
        let handle = handle.clone();
        Callback::from(move |_| {
            handle.update(|p| {
                let target = p.now().as_millis().saturating_sub(JUMP.as_millis() as u64);
                let target = Timestamp::from_millis(target.max(p.start().as_millis()));
                p.travel_to(target);
            })
        })
    };
    let forward = {
        let handle = handle.clone();
        Callback::from(move |_| handle.update(|p| p.travel_to(p.now().plus(JUMP))))
    };
    let set_speed = {
        let handle = handle.clone();
        Callback::from(move |event: Event| {
            let select: HtmlSelectElement = event.target_unchecked_into();
            if let Ok(speed) = select.value().parse::<f64>() {
                handle.update(|p| p.set_speed(speed));
            }
        })
    };
    let sample = {
        let handle = handle.clone();
        Callback::from(move |_| handle.update(|p| p.apply_sample()))
    };
    let reset = {
        let on_reset = props.on_reset.clone();
        Callback::from(move |_| on_reset.emit(()))
    };
    let speeds = SPEEDS.iter().map(|s| {
        html! { <option value={s.to_string()} selected={*s == speed}>{ format!("{s}×") }</option> }
    });
    html! {
        <section class="controls card" aria-label={text(Key::ClockControls)}>
            <button id="play" type="button" class="primary" onclick={toggle}>
                { if running { text(Key::Pause) } else { text(Key::Play) } }
            </button>
            <button id="step" type="button" onclick={step} title={text(Key::StepHint)}>
                { text(Key::Step) }
            </button>
            <button id="back" type="button" onclick={back} disabled={now <= start}>
                { text(Key::Back10s) }
            </button>
            <button id="forward" type="button" onclick={forward}>
                { text(Key::Forward10s) }
            </button>
            <label class="speed">
                { text(Key::Speed) }
                <select id="speed" onchange={set_speed}>{ for speeds }</select>
            </label>
            <span class="clock" id="clock" title={now.to_rfc3339()}>{ since_start(now) }</span>
            if has_future {
                <span class="future">{ text(Key::FutureCommands) }</span>
            }
            <span class="spacer"></span>
            <button id="sample-deployment" type="button" onclick={sample} title={text(Key::SampleHint)}>
                { text(Key::Sample) }
            </button>
            <button id="reset" type="button" onclick={reset}>{ text(Key::Reset) }</button>
            <span class="seed">{ text(Key::Seed) }{ " " }{ seed }</span>
        </section>
    }
}
