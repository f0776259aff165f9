//! Interface text in Korean and English.
//!
//! Every label the app shows is a [`Key`]; [`text`] looks it up for the current [`Language`]
//! in one table, so a missing translation is a compile error rather than an empty label.
//! The app keeps the current language in its state ([`crate::state`]) and hands it to the
//! components through a context; switching language re-renders them with the other column.

/// A language the interface is written in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Language {
    /// 한국어: the course the playground follows is taught in Korean.
    Korean,
    /// English.
    English,
}

impl Language {
    /// Both languages, in the order the language switch shows them.
    pub const ALL: [Language; 2] = [Language::Korean, Language::English];

    /// Picks the language for a browser language tag such as `ko-KR` or `en-US`.
    ///
    /// Korean tags give Korean, every other tag English.
    pub fn from_browser_tag(tag: &str) -> Language {
        let primary = tag.split(['-', '_']).next().unwrap_or_default();
        if primary.eq_ignore_ascii_case("ko") {
            Language::Korean
        } else {
            Language::English
        }
    }

    /// The BCP 47 tag for the page's `lang` attribute (it picks fonts and screen-reader voices).
    pub fn tag(self) -> &'static str {
        match self {
            Language::Korean => "ko",
            Language::English => "en",
        }
    }

    /// The language's name written in itself, as the language switch shows it.
    pub fn native_name(self) -> &'static str {
        match self {
            Language::Korean => "한국어",
            Language::English => "English",
        }
    }
}

/// One piece of interface text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Key {
    /// The line under the title saying what kubeplay is.
    Tagline,
    /// The accessible label of the language switch.
    LanguageSwitchLabel,
    /// The heading of the cluster view.
    ClusterHeading,
    /// The label before the app's version number.
    Version,
    /// The accessible label of the clock controls.
    ClockControls,
    /// The button that starts the virtual clock.
    Play,
    /// The button that stops the virtual clock.
    Pause,
    /// The button that moves to the next event.
    Step,
    /// What the step button does.
    StepHint,
    /// The button that goes back ten seconds by replaying.
    Back10s,
    /// The button that goes forward ten seconds.
    Forward10s,
    /// The label of the speed choice.
    Speed,
    /// Shown when recorded commands lie ahead of the clock.
    FutureCommands,
    /// The button that creates the sample Deployment.
    Sample,
    /// What the sample button creates.
    SampleHint,
    /// The button that starts a fresh cluster.
    Reset,
    /// The label before the cluster's seed.
    Seed,
    /// The heading of the terminal.
    TerminalHeading,
    /// The first line of an empty terminal.
    TerminalHelp,
    /// The accessible label of the command line.
    TerminalInput,
    /// Shown while a get -w streams.
    Watching,
    /// The note after going back in time.
    NoticeReplayed,
    /// The note after Ctrl-C.
    NoticeWatchesStopped,
    /// The note before the sample's result.
    NoticeSampleApplied,
    /// A node's Ready badge.
    Ready,
    /// A node's NotReady badge.
    NotReady,
    /// A node whose readiness is unknown.
    Unknown,
    /// A cordoned node's badge.
    Cordoned,
    /// Shown when a node has no podCIDR.
    NoPodCidr,
    /// The CPU bar's label.
    Cpu,
    /// The memory bar's label.
    Memory,
    /// The pods bar's label.
    Pods,
    /// The heading of the pods no node runs yet.
    PendingPods,
    /// The heading of the object inspector.
    InspectorHeading,
    /// The accessible label of a close button.
    Close,
    /// Shown when the inspected object no longer exists.
    ObjectGone,
    /// The label of the owner chain.
    OwnerChain,
    /// The heading of the object's events.
    Events,
    /// Shown when the object has no events.
    NoEvents,
    /// The events table's type column.
    EventType,
    /// The events table's reason column.
    EventReason,
    /// The events table's source column.
    EventFrom,
    /// The events table's message column.
    EventMessage,
    /// The heading of the timeline.
    TimelineHeading,
    /// The accessible label of the record kind filter.
    RecordKindFilter,
    /// The filter choice for every record.
    AllRecords,
    /// The filter choice for API requests.
    ApiRequests,
    /// The filter choice for store commits.
    StoreCommits,
    /// The filter choice for watch deliveries.
    WatchDeliveries,
    /// The filter choice for component notes.
    ComponentNotes,
    /// The placeholder of the timeline's text filter.
    FilterPlaceholder,
    /// What clicking a row's time does.
    GoToTime,
    /// The heading of the YAML editor.
    EditorHeading,
    /// The label before the template buttons.
    EditorTemplates,
    /// The button that applies the editor's text.
    EditorApply,
    /// What the apply button does.
    EditorApplyHint,
    /// Shown while the editor waits to check the text.
    EditorChecking,
    /// After the number of objects that pass the check.
    EditorObjectsPass,
    /// After the number of problems the check found.
    EditorProblems,
    /// The word before a line number.
    EditorLine,
    /// What clicking (or Enter on) a problem of the editor does.
    EditorGoToLine,
    /// The apply button while live (the server applies).
    EditorApplyLive,
    /// What the apply button does while live.
    EditorApplyLiveHint,
    /// Shown while the server applies the editor's text.
    EditorApplyingLive,
    /// Above the server's answer when the apply succeeded.
    EditorServerApplied,
    /// Above the server's answer when the apply failed.
    EditorServerRefused,
    /// The accessible label of the scheduler/traffic/images tabs.
    PanelsLabel,
    /// The scheduler-explain tab.
    TabScheduler,
    /// The traffic tab.
    TabTraffic,
    /// The images tab.
    TabImages,
    /// What the scheduler-explain view shows.
    ExplainHint,
    /// The label of the pod picker.
    PickPod,
    /// Shown when there is no pod to explain.
    NoPods,
    /// Shown before the scheduler's first attempt at the pod.
    NotTriedYet,
    /// Shown for a pod that is bound or was tried but carries no per-node results.
    NoNodeResults,
    /// The label before the pod's node.
    ScheduledTo,
    /// The label before the pod's nominated node.
    NominatedNode,
    /// The heading of a pending pod's FailedScheduling message.
    WhyPending,
    /// The filter column's heading.
    FilterVerdict,
    /// A node every filter passed.
    Feasible,
    /// Before the plugin that filtered a node out.
    FilteredOutBy,
    /// A node the scheduler did not look at.
    NotEvaluated,
    /// How many evaluated nodes a capped explanation leaves out; `{n}` is the count.
    NodesNotListed,
    /// How many of the unlisted nodes were feasible; `{n}` is the count.
    NotListedFeasible,
    /// How many nodes the scheduler did not evaluate; `{n}` is the count.
    NodesNotEvaluated,
    /// The plugin column's heading.
    Plugin,
    /// The weight column's heading.
    Weight,
    /// The raw score column's heading.
    RawScore,
    /// The weighted score column's heading.
    WeightedScore,
    /// The final score's label.
    FinalScore,
    /// The badge of the chosen node.
    Chosen,
    /// The heading of the scheduler's trace notes.
    SchedulerNotes,
    /// What the traffic view does.
    TrafficHint,
    /// The label of the sender picker.
    TrafficFrom,
    /// The sender outside the cluster.
    OutsideCluster,
    /// The label of the Service picker.
    TrafficService,
    /// The label of the node picker (NodePort).
    TrafficNode,
    /// The label of the request count.
    RequestCount,
    /// The button that sends the requests.
    Send,
    /// Shown when there is no Service to send to.
    NoServices,
    /// Shown when an outside client picks a Service without a NodePort.
    NoNodePort,
    /// The chart's heading.
    PerPod,
    /// The label of the sent count.
    Sent,
    /// The label of the answered count.
    Succeeded,
    /// The label of the failed count.
    Failed,
    /// The label of the latency figures.
    Latency,
    /// The label of the DNS query count.
    DnsQueries,
    /// The label of the resolved name.
    ResolvedAs,
    /// What the images view shows.
    ImagesHint,
    /// The heading of a node's cached images.
    CachedImages,
    /// Shown when a node has no image cached.
    NoImages,
    /// The label of a node's disk use.
    OnDisk,
    /// The label of a layer count.
    Layers,
    /// The badge of a layer several images share.
    SharedLayer,
    /// The heading of a node's pulls.
    Pulls,
    /// Shown when a node pulled nothing.
    NoPulls,
    /// A pull answered from the cache.
    AlreadyPresent,
    /// After the pull time including the queue.
    IncludingWaiting,
    /// The heading of the control-plane map.
    MapHeading,
    /// The learner's box on the map.
    MapUser,
    /// The cluster DNS box on the map.
    MapDns,
    /// A node's container runtime box on the map.
    MapRuntime,
    /// After the count of nodes the aggregate box stands for.
    MapMoreNodes,
    /// After an edge's total count of events.
    MapEventsInAll,
    /// The legend of API request arrows.
    MapLegendRequest,
    /// The legend of store commit arrows.
    MapLegendCommit,
    /// The legend of watch delivery arrows.
    MapLegendWatch,
    /// The legend of arrows the trace implies but does not record.
    MapLegendDerived,
    // The map's hover titles (web-play).
    /// Cluster DNS in a hover title, with the program that plays it.
    MapDnsTitle,
    /// The aggregate node box in a hover title; `{n}` is the count.
    MapOtherNodes,
    /// The controller line of Events, which every controller writes.
    MapControllerEvents,
    /// The controller line of requests no controller is known for.
    MapControllerOther,
    /// After the node count of the big-cluster view.
    CanvasNodes,
    /// After the count of pods on nodes.
    CanvasPodsOnNodes,
    /// After the count of pods on no node.
    CanvasPending,
    /// What clicking the big-cluster canvas does.
    CanvasHint,
    /// The header button that opens the live-mode form.
    LiveOpen,
    /// What the live button does.
    LiveOpenHint,
    /// The label of the token field.
    LiveTokenLabel,
    /// Where the token is.
    LiveTokenHint,
    /// The button that checks the token and goes live.
    LiveConnect,
    /// Shown while the token is checked.
    LiveChecking,
    /// The button that forgets the kept token.
    LiveForget,
    /// The button that closes the form.
    LiveCancel,
    /// The badge shown while live.
    LiveBadge,
    /// After the live server's node count.
    LiveNodes,
    /// The button that goes back to the simulation.
    LiveLeave,
    /// Shown while a live stream reconnects.
    LiveReconnecting,
    /// Shown when the server stopped accepting the token.
    LiveRefused,
    /// The token field is empty.
    LiveErrorEmpty,
    /// The token has spaces inside.
    LiveErrorSpaces,
    /// The server refused the token.
    LiveErrorUnauthorized,
    /// The server did not answer.
    LiveErrorUnreachable,
    /// The page is not served by kubeplay serve.
    LiveErrorNotServe,
    /// The server answered with an error status.
    LiveErrorStatus,
    /// The server's answer is not kubeplay's.
    LiveErrorBadAnswer,
    /// The traffic tab while live.
    TrafficSimulationOnly,
    /// The timeline's note while live.
    TimelineLiveNote,
    /// The live timeline stopped taking new rows while the reader reads older ones.
    TimelineHeld,
    /// The clock controls' place while live.
    ControlsLiveNote,
    /// The images tab's note while live.
    ImagesLiveNote,
    /// The live terminal's first line.
    LiveTerminalHelp,
    /// Shown while a live command runs.
    LiveRunning,
    /// Shown while the inspected object is read from a big live cluster (web-scale).
    InspectorLoading,
    /// Under the canvas of a big live cluster mirrored as summaries.
    CanvasSummaryNote,
    /// The scheduler-explain picker's note on a big live cluster (`{n}` listed of
    /// `{matching}` matching, `{total}` pods).
    ExplainSummaryNote,
    /// The label of the scheduler-explain picker's name filter.
    ExplainFilter,
    /// The button under the first node cards of a pod explained on many nodes (`{n}`: how
    /// many more).
    ExplainShowOtherNodes,
    /// The button that folds the node cards back to the first ones (`{n}`: how many).
    ExplainShowFirstNodes,
    /// An endpoint's state: ready.
    EndpointReady,
    /// An endpoint's state: not ready.
    EndpointNotReady,
    /// An endpoint's state: terminating.
    EndpointTerminating,
    /// The endpoints table's address column.
    EndpointAddress,
    /// The endpoints table's pod column.
    EndpointPod,
    /// The endpoints table's state column.
    EndpointState,
    /// The live traffic view's counts (`{ready}`, `{notReady}`, `{slices}`, `{nodes}`).
    EndpointsCounts,
    /// Above a long endpoints table (`{n}` of `{total}`).
    EndpointsCapped,
    /// The images view's note on a big live cluster.
    ImagesSummaryNote,
    /// The images view's node picker on a big live cluster.
    ImagesNode,
}

#[cfg(test)]
impl Key {
    /// Every key, for the translation tests.
    pub const ALL: [Key; 179] = [
        Key::Tagline,
        Key::LanguageSwitchLabel,
        Key::ClusterHeading,
        Key::Version,
        Key::ClockControls,
        Key::Play,
        Key::Pause,
        Key::Step,
        Key::StepHint,
        Key::Back10s,
        Key::Forward10s,
        Key::Speed,
        Key::FutureCommands,
        Key::Sample,
        Key::SampleHint,
        Key::Reset,
        Key::Seed,
        Key::TerminalHeading,
        Key::TerminalHelp,
        Key::TerminalInput,
        Key::Watching,
        Key::NoticeReplayed,
        Key::NoticeWatchesStopped,
        Key::NoticeSampleApplied,
        Key::Ready,
        Key::NotReady,
        Key::Unknown,
        Key::Cordoned,
        Key::NoPodCidr,
        Key::Cpu,
        Key::Memory,
        Key::Pods,
        Key::PendingPods,
        Key::InspectorHeading,
        Key::Close,
        Key::ObjectGone,
        Key::OwnerChain,
        Key::Events,
        Key::NoEvents,
        Key::EventType,
        Key::EventReason,
        Key::EventFrom,
        Key::EventMessage,
        Key::TimelineHeading,
        Key::RecordKindFilter,
        Key::AllRecords,
        Key::ApiRequests,
        Key::StoreCommits,
        Key::WatchDeliveries,
        Key::ComponentNotes,
        Key::FilterPlaceholder,
        Key::GoToTime,
        Key::EditorHeading,
        Key::EditorTemplates,
        Key::EditorApply,
        Key::EditorApplyHint,
        Key::EditorChecking,
        Key::EditorObjectsPass,
        Key::EditorProblems,
        Key::EditorLine,
        Key::EditorGoToLine,
        Key::EditorApplyLive,
        Key::EditorApplyLiveHint,
        Key::EditorApplyingLive,
        Key::EditorServerApplied,
        Key::EditorServerRefused,
        Key::PanelsLabel,
        Key::TabScheduler,
        Key::TabTraffic,
        Key::TabImages,
        Key::ExplainHint,
        Key::PickPod,
        Key::NoPods,
        Key::NotTriedYet,
        Key::NoNodeResults,
        Key::ScheduledTo,
        Key::NominatedNode,
        Key::WhyPending,
        Key::FilterVerdict,
        Key::Feasible,
        Key::FilteredOutBy,
        Key::NotEvaluated,
        Key::NodesNotListed,
        Key::NotListedFeasible,
        Key::NodesNotEvaluated,
        Key::Plugin,
        Key::Weight,
        Key::RawScore,
        Key::WeightedScore,
        Key::FinalScore,
        Key::Chosen,
        Key::SchedulerNotes,
        Key::TrafficHint,
        Key::TrafficFrom,
        Key::OutsideCluster,
        Key::TrafficService,
        Key::TrafficNode,
        Key::RequestCount,
        Key::Send,
        Key::NoServices,
        Key::NoNodePort,
        Key::PerPod,
        Key::Sent,
        Key::Succeeded,
        Key::Failed,
        Key::Latency,
        Key::DnsQueries,
        Key::ResolvedAs,
        Key::ImagesHint,
        Key::CachedImages,
        Key::NoImages,
        Key::OnDisk,
        Key::Layers,
        Key::SharedLayer,
        Key::Pulls,
        Key::NoPulls,
        Key::AlreadyPresent,
        Key::IncludingWaiting,
        Key::MapHeading,
        Key::MapUser,
        Key::MapDns,
        Key::MapRuntime,
        Key::MapMoreNodes,
        Key::MapEventsInAll,
        Key::MapLegendRequest,
        Key::MapLegendCommit,
        Key::MapLegendWatch,
        Key::MapLegendDerived,
        Key::MapDnsTitle,
        Key::MapOtherNodes,
        Key::MapControllerEvents,
        Key::MapControllerOther,
        Key::CanvasNodes,
        Key::CanvasPodsOnNodes,
        Key::CanvasPending,
        Key::CanvasHint,
        Key::LiveOpen,
        Key::LiveOpenHint,
        Key::LiveTokenLabel,
        Key::LiveTokenHint,
        Key::LiveConnect,
        Key::LiveChecking,
        Key::LiveForget,
        Key::LiveCancel,
        Key::LiveBadge,
        Key::LiveNodes,
        Key::LiveLeave,
        Key::LiveReconnecting,
        Key::LiveRefused,
        Key::LiveErrorEmpty,
        Key::LiveErrorSpaces,
        Key::LiveErrorUnauthorized,
        Key::LiveErrorUnreachable,
        Key::LiveErrorNotServe,
        Key::LiveErrorStatus,
        Key::LiveErrorBadAnswer,
        Key::TrafficSimulationOnly,
        Key::TimelineLiveNote,
        Key::TimelineHeld,
        Key::ControlsLiveNote,
        Key::ImagesLiveNote,
        Key::LiveTerminalHelp,
        Key::LiveRunning,
        Key::InspectorLoading,
        Key::CanvasSummaryNote,
        Key::ExplainSummaryNote,
        Key::ExplainFilter,
        Key::ExplainShowOtherNodes,
        Key::ExplainShowFirstNodes,
        Key::EndpointReady,
        Key::EndpointNotReady,
        Key::EndpointTerminating,
        Key::EndpointAddress,
        Key::EndpointPod,
        Key::EndpointState,
        Key::EndpointsCounts,
        Key::EndpointsCapped,
        Key::ImagesSummaryNote,
        Key::ImagesNode,
    ];
}

/// The text for `key` in `language`.
pub fn text(key: Key, language: Language) -> &'static str {
    let (korean, english) = translations(key);
    match language {
        Language::Korean => korean,
        Language::English => english,
    }
}

/// The table: each key's (Korean, English) text.
fn translations(key: Key) -> (&'static str, &'static str) {
    match key {
        Key::Tagline => ("쿠버네티스 학습 놀이터", "A Kubernetes learning playground"),
        Key::LanguageSwitchLabel => ("언어", "Language"),
        Key::ClusterHeading => ("클러스터", "Cluster"),
        Key::Version => ("버전", "Version"),
        Key::ClockControls => ("시계 조작", "Clock controls"),
        Key::Play => ("▶ 재생", "▶ Play"),
        Key::Pause => ("‖ 일시정지", "‖ Pause"),
        Key::Step => ("▶| 한 단계", "▶| Step"),
        Key::StepHint => ("다음 이벤트가 일어나는 시각으로 이동합니다", "Move the clock to the next instant something happens"),
        Key::Back10s => ("◀◀ 10초 뒤로", "◀◀ Back 10 s"),
        Key::Forward10s => ("10초 앞으로 ▶▶", "Forward 10 s ▶▶"),
        Key::Speed => ("속도", "Speed"),
        Key::FutureCommands => ("앞으로 다시 실행될 명령이 있습니다", "recorded commands ahead will replay"),
        Key::Sample => ("예제 디플로이먼트 만들기", "Create sample Deployment"),
        Key::SampleHint => ("kubectl create deployment web --image=nginx --replicas=3 과 같은 디플로이먼트를 만듭니다", "Creates the same Deployment as kubectl create deployment web --image=nginx --replicas=3"),
        Key::Reset => ("새 클러스터", "New cluster"),
        Key::Seed => ("시드", "Seed"),
        Key::TerminalHeading => ("터미널", "Terminal"),
        Key::TerminalHelp => ("kubectl 명령이나 play 명령을 입력하세요. 예: kubectl get nodes, kubectl get pods -w (Ctrl-C로 중지), play wait (클러스터가 안정될 때까지 가상 시간 진행), play help, ↑/↓로 이전 명령, Tab으로 자동 완성 (두 번 누르면 후보 목록)", "Type kubectl or play commands, e.g. kubectl get nodes, kubectl get pods -w (Ctrl-C stops it), play wait (virtual time runs until the cluster is quiet), play help; ↑/↓ for history; Tab completes (twice lists the candidates)"),
        Key::TerminalInput => ("kubectl 명령 입력", "kubectl command line"),
        Key::Watching => ("감시 중 (Ctrl-C)", "watching (Ctrl-C)"),
        Key::NoticeReplayed => ("⟲ 시드와 명령을 다시 실행해 이전 시각으로 돌아갔습니다", "⟲ went back in time by replaying the seed and commands"),
        Key::NoticeWatchesStopped => ("^C 감시를 중지했습니다", "^C stopped watching"),
        Key::NoticeSampleApplied => ("# 예제 디플로이먼트 적용", "# applying the sample Deployment"),
        Key::Ready => ("준비됨", "Ready"),
        Key::NotReady => ("준비 안 됨", "NotReady"),
        Key::Unknown => ("알 수 없음", "Unknown"),
        Key::Cordoned => ("스케줄 차단됨", "Cordoned"),
        Key::NoPodCidr => ("없음", "none"),
        Key::Cpu => ("CPU", "CPU"),
        Key::Memory => ("메모리", "Memory"),
        Key::Pods => ("파드", "Pods"),
        Key::PendingPods => ("노드에 배정되지 않은 파드", "Pods not on a node"),
        Key::InspectorHeading => ("오브젝트", "Object"),
        Key::Close => ("닫기", "Close"),
        Key::ObjectGone => ("이 오브젝트는 더 이상 존재하지 않습니다", "This object does not exist (any more)"),
        Key::OwnerChain => ("소유 관계", "Owners"),
        Key::Events => ("이벤트", "Events"),
        Key::NoEvents => ("이벤트가 없습니다", "No events"),
        Key::EventType => ("유형", "Type"),
        Key::EventReason => ("사유", "Reason"),
        Key::EventFrom => ("보고자", "From"),
        Key::EventMessage => ("메시지", "Message"),
        Key::TimelineHeading => ("타임라인", "Timeline"),
        Key::RecordKindFilter => ("기록 종류", "Kind of record"),
        Key::AllRecords => ("모든 기록", "All records"),
        Key::ApiRequests => ("API 요청", "API requests"),
        Key::StoreCommits => ("저장소(etcd) 커밋", "Store (etcd) commits"),
        Key::WatchDeliveries => ("watch 전달", "Watch deliveries"),
        Key::ComponentNotes => ("컴포넌트 메모", "Component notes"),
        Key::FilterPlaceholder => ("필터: 컴포넌트나 내용", "Filter: component or text"),
        Key::GoToTime => ("이 시각으로 이동 (뒤로 가면 다시 실행)", "Move the clock here (going back replays)"),
        Key::EditorHeading => ("YAML 편집기", "YAML editor"),
        Key::EditorTemplates => ("템플릿:", "Templates:"),
        Key::EditorApply => ("적용 (kubectl apply)", "Apply (kubectl apply)"),
        Key::EditorApplyHint => ("편집기의 내용을 kubectl apply -f - 로 클러스터에 적용합니다 (Ctrl+Enter)", "Runs kubectl apply -f - with the editor's text on the cluster (Ctrl+Enter)"),
        Key::EditorChecking => ("확인 중…", "Checking…"),
        Key::EditorObjectsPass => ("개 오브젝트: API 서버 검증 통과 (적용하지 않고 검사함)", "object(s) pass the API server's validation (checked without applying)"),
        Key::EditorProblems => ("개 문제: 적용하면 거부됩니다", "problem(s): applying would be refused"),
        Key::EditorLine => ("줄", "line"),
        Key::EditorGoToLine => ("편집기에서 이 줄로 이동 (Enter)", "Go to this line in the editor (Enter)"),
        Key::EditorApplyLive => ("서버에 적용 (kubectl apply)", "Apply on the server (kubectl apply)"),
        Key::EditorApplyLiveHint => ("편집기의 내용을 연결된 kubeplay serve 서버에 kubectl apply -f - 로 적용합니다 (Ctrl+Enter)", "Runs kubectl apply -f - with the editor's text on the attached kubeplay serve (Ctrl+Enter)"),
        Key::EditorApplyingLive => ("서버에 적용하는 중…", "Applying on the server…"),
        Key::EditorServerApplied => ("서버의 응답:", "The server answered:"),
        Key::EditorServerRefused => ("서버가 거부했습니다:", "The server refused:"),
        Key::PanelsLabel => ("보기", "Views"),
        Key::TabScheduler => ("스케줄러 설명", "Scheduler explain"),
        Key::TabTraffic => ("트래픽", "Traffic"),
        Key::TabImages => ("이미지", "Images"),
        Key::ExplainHint => ("필터 플러그인이 파드를 실행할 수 없는 노드를 제외하고, 점수 플러그인이 남은 노드에 점수를 매깁니다. 각 플러그인의 원점수는 0–100으로 정규화된 뒤 가중치가 곱해지고(가중 점수), 그 합인 최종 점수가 가장 높은 노드가 선택됩니다.", "Filter plugins drop the nodes that cannot run the pod; score plugins rank the rest. Each plugin's raw score is normalised to 0–100 and multiplied by its weight (weighted); the node with the highest sum, the final score, wins."),
        Key::PickPod => ("파드", "Pod"),
        Key::NoPods => ("아직 파드가 없습니다. 먼저 디플로이먼트를 만드세요.", "No pods yet: create a Deployment first."),
        Key::NotTriedYet => ("스케줄러가 아직 이 파드를 살펴보지 않았습니다", "The scheduler has not looked at this pod yet"),
        Key::NoNodeResults => ("이 파드에는 노드별 결과가 기록되지 않았습니다. 스케줄러 없이 배치되었거나(spec.nodeName), 서버가 스케줄러 어노테이션을 쓰지 않습니다(kubeplay serve --scheduler-annotations).", "No per-node results are recorded for this pod: it was placed without the scheduler (spec.nodeName), or the server writes no scheduler annotations (kubeplay serve --scheduler-annotations)."),
        Key::ScheduledTo => ("배정된 노드", "Scheduled to"),
        Key::NominatedNode => ("지명된 노드 (선점)", "Nominated node (preemption)"),
        Key::WhyPending => ("대기 중인 이유 (FailedScheduling)", "Why it is pending (FailedScheduling)"),
        Key::FilterVerdict => ("필터 결과", "Filter verdict"),
        Key::Feasible => ("통과 (실행 가능)", "passed (feasible)"),
        Key::FilteredOutBy => ("제외됨:", "filtered out by"),
        Key::NotEvaluated => ("평가하지 않음", "not evaluated"),
        Key::NodesNotListed => ("목록에 표시하지 않은 노드 {n}개", "{n} more nodes not listed"),
        Key::NotListedFeasible => ("필터는 통과했지만 최종 점수가 더 낮은 노드 {n}개", "{n} feasible with lower final scores"),
        Key::NodesNotEvaluated => ("평가하지 않은 노드 {n}개", "{n} nodes not evaluated"),
        Key::Plugin => ("플러그인", "Plugin"),
        Key::Weight => ("가중치", "Weight"),
        Key::RawScore => ("원점수", "Raw score"),
        Key::WeightedScore => ("정규화 × 가중치", "Normalised × weight"),
        Key::FinalScore => ("최종 점수", "Final score"),
        Key::Chosen => ("선택됨", "chosen"),
        Key::SchedulerNotes => ("스케줄러 메모", "Scheduler notes"),
        Key::TrafficHint => ("서비스로 요청 N개를 보내고, 클러스터 DNS와 kube-proxy 규칙이 각 요청을 어느 파드로 보냈는지 봅니다.", "Send N requests to a Service and see which pod cluster DNS and the kube-proxy rules sent each one to."),
        Key::TrafficFrom => ("보내는 곳", "From"),
        Key::OutsideCluster => ("클러스터 밖 (NodePort로)", "Outside the cluster (via NodePort)"),
        Key::TrafficService => ("서비스", "Service"),
        Key::TrafficNode => ("노드 (NodePort)", "Node (NodePort)"),
        Key::RequestCount => ("요청 수", "Requests"),
        Key::Send => ("보내기", "Send"),
        Key::NoServices => ("아직 서비스가 없습니다. 예: kubectl expose deployment web --port=80 --type=NodePort", "No Services yet: try kubectl expose deployment web --port=80 --type=NodePort"),
        Key::NoNodePort => ("이 서비스에는 NodePort가 없습니다. 파드를 보내는 곳으로 고르거나 --type=NodePort로 노출하세요.", "This Service has no NodePort: pick a pod as the sender, or expose it with --type=NodePort."),
        Key::PerPod => ("파드별 응답", "Answered per pod"),
        Key::Sent => ("보냄", "Sent"),
        Key::Succeeded => ("응답", "Answered"),
        Key::Failed => ("실패", "Failed"),
        Key::Latency => ("지연 시간 (최소 / 평균 / 최대)", "Latency (min / mean / max)"),
        Key::DnsQueries => ("DNS 질의", "DNS queries"),
        Key::ResolvedAs => ("해석된 이름", "Resolved as"),
        Key::ImagesHint => ("노드마다 컨테이너 런타임이 캐시한 이미지 레이어와 각 이미지를 받는 데 걸린 시간입니다. 같은 베이스 레이어는 한 번만 받고 한 번만 저장됩니다.", "Per node: the image layers its container runtime has cached, and how long each pull took. A base layer shared by several images is pulled and stored once."),
        Key::CachedImages => ("캐시된 이미지", "Cached images"),
        Key::NoImages => ("캐시된 이미지가 없습니다", "No images cached"),
        Key::OnDisk => ("디스크 사용량", "On disk"),
        Key::Layers => ("레이어", "layers"),
        Key::SharedLayer => ("공유", "shared"),
        Key::Pulls => ("이미지 받기", "Image pulls"),
        Key::NoPulls => ("아직 받은 이미지가 없습니다", "No pulls yet"),
        Key::AlreadyPresent => ("이미 있음 (캐시 적중)", "already present (cache hit)"),
        Key::IncludingWaiting => ("대기 포함", "including waiting"),
        Key::MapHeading => ("컨트롤 플레인 지도", "Control plane map"),
        Key::MapUser => ("kubectl / 사용자", "kubectl / user"),
        Key::MapDns => ("클러스터 DNS", "cluster DNS"),
        Key::MapRuntime => ("컨테이너 런타임", "runtime (CRI)"),
        Key::MapMoreNodes => ("개 노드", "nodes"),
        Key::MapEventsInAll => ("건 (전체)", "in all"),
        Key::MapLegendRequest => ("API 요청", "API request"),
        Key::MapLegendCommit => ("etcd 커밋", "etcd commit"),
        Key::MapLegendWatch => ("watch 전달", "watch delivery"),
        Key::MapLegendDerived => ("추정 (트레이스에 직접 기록되지 않음)", "implied (not in the trace itself)"),
        Key::MapDnsTitle => ("클러스터 DNS (CoreDNS)", "cluster DNS (CoreDNS)"),
        Key::MapOtherNodes => ("나머지 노드 {n}개", "{n} other nodes"),
        Key::MapControllerEvents => ("이벤트 (모든 컨트롤러가 기록)", "Events (every controller records them)"),
        Key::MapControllerOther => ("어느 컨트롤러인지 모르는 요청", "requests of no known controller"),
        Key::CanvasNodes => ("노드", "nodes"),
        Key::CanvasPodsOnNodes => ("노드의 파드", "pods on nodes"),
        Key::CanvasPending => ("배정 대기 파드", "pending"),
        Key::CanvasHint => ("노드 타일을 누르면 인스펙터에서 열립니다", "Click a node's tile to inspect it"),
        Key::LiveOpen => ("라이브 연결", "Go live"),
        Key::LiveOpenHint => ("실행 중인 kubeplay serve에 화면을 연결합니다", "Attach the views to a running kubeplay serve"),
        Key::LiveTokenLabel => ("서버 토큰", "Server token"),
        Key::LiveTokenHint => ("데이터 디렉터리의 token 파일(또는 kubeconfig의 token:)에 있습니다. 이 탭을 닫으면 잊습니다.", "It is in the data directory's token file (or the kubeconfig's token:). Forgotten when this tab closes."),
        Key::LiveConnect => ("연결", "Connect"),
        Key::LiveChecking => ("확인하는 중…", "Checking…"),
        Key::LiveForget => ("토큰 잊기", "Forget token"),
        Key::LiveCancel => ("취소", "Cancel"),
        Key::LiveBadge => ("라이브", "LIVE"),
        Key::LiveNodes => ("개 노드", "nodes"),
        Key::LiveLeave => ("시뮬레이션으로 돌아가기", "Back to the simulation"),
        Key::LiveReconnecting => ("다시 연결하는 중", "reconnecting"),
        Key::LiveRefused => ("서버가 토큰을 더 이상 받지 않습니다", "The server no longer accepts the token"),
        Key::LiveErrorEmpty => ("서버의 토큰을 입력하세요", "Enter the server's token"),
        Key::LiveErrorSpaces => ("토큰은 공백 없는 한 단어입니다", "A token is one word without spaces"),
        Key::LiveErrorUnauthorized => ("서버가 이 토큰을 거부했습니다 (401). 데이터 디렉터리의 token 파일을 확인하세요.", "The server refused this token (401). Check the data directory's token file."),
        Key::LiveErrorUnreachable => ("서버에 연결할 수 없습니다. kubeplay serve가 실행 중인지 확인하세요.", "The server cannot be reached. Check that kubeplay serve is running."),
        Key::LiveErrorNotServe => ("이 페이지는 kubeplay serve가 제공하지 않아 라이브 모드가 없습니다. kubeplay serve가 보여 주는 주소로 여세요.", "This page is not served by kubeplay serve, so it has no live mode. Open the address kubeplay serve prints."),
        Key::LiveErrorStatus => ("서버가 오류로 응답했습니다", "The server answered with an error"),
        Key::LiveErrorBadAnswer => ("서버의 응답을 읽을 수 없습니다", "The server's answer could not be read"),
        Key::TrafficSimulationOnly => ("요청은 페이지 안의 시뮬레이션에서만 보낼 수 있습니다 (트래픽을 보내려면 시뮬레이션으로 돌아가세요). 라이브 모드에서는 서비스의 요청이 전달될 수 있는 엔드포인트를 서버에서 읽어 보여 줍니다.", "Requests are sent by the in-page simulation (go back to it to send traffic). Live: where a Service's requests can go, its endpoints read from the server."),
        Key::TimelineLiveNote => ("라이브: 실제 서버의 시간은 되돌릴 수 없어 시간 이동은 시뮬레이션에서만 됩니다", "Live: a real server's time cannot be rewound, so going back in time works in the simulation only"),
        Key::TimelineHeld => ("이전 기록을 읽는 동안 목록이 멈춰 있습니다. 맨 위로 스크롤하면 최신 기록이 다시 나옵니다", "Held while you read older records: scroll back to the top for the newest"),
        Key::ControlsLiveNote => ("라이브: 서버의 클러스터는 실제 시간으로 움직입니다 (재생, 일시정지, 속도는 시뮬레이션 전용)", "Live: the server's cluster runs on the wall clock (play, pause and speed are simulation-only)"),
        Key::ImagesLiveNote => ("라이브: 노드를 하나씩 골라 서버에서 그 노드의 이미지 캐시와 이미지 받기 기록을 읽어 옵니다. 여기서 노드를 고르거나 클러스터 뷰에서 파드를 누르세요.", "Live: one node at a time, its image cache and pulls read from the server. Pick a node here or click a pod in the cluster view."),
        Key::LiveTerminalHelp => ("라이브: 명령은 서버에서 실행됩니다 (예: kubectl get pods)", "Live: commands run on the server (for example kubectl get pods)"),
        Key::LiveRunning => ("실행 중…", "running…"),
        Key::InspectorLoading => ("서버에서 오브젝트를 읽는 중…", "Reading the object from the server…"),
        Key::CanvasSummaryNote => ("큰 클러스터: 노드와 파드는 요약 정보만 받아 그립니다. 타일을 누르면 그 노드의 전체 오브젝트를 서버에서 읽어 옵니다.", "Big cluster: only node and pod summaries are mirrored; click a tile to read its node's full object from the server."),
        Key::ExplainSummaryNote => ("큰 클러스터: 전체 파드 {total}개 중 이름이 일치하는 {matching}개 가운데 {n}개를 보여 줍니다 (노드에 배정되지 않은 파드 먼저). 이름의 일부를 입력하거나 캔버스에서 노드를 누르면 그 노드의 파드가 먼저 나옵니다. 고른 파드는 서버에서 읽어 옵니다.", "Big cluster: listing {n} of the {matching} matching pods ({total} in all, pending ones first). Type part of a name, or click a node on the canvas to list its pods next; the chosen pod is read from the server."),
        Key::ExplainFilter => ("파드 이름으로 찾기", "Find pods by name"),
        Key::ExplainShowOtherNodes => ("나머지 노드 {n}개도 보기", "Show the other {n} nodes"),
        Key::ExplainShowFirstNodes => ("처음 {n}개 노드만 보기", "Show only the first {n} nodes"),
        Key::EndpointReady => ("준비됨", "ready"),
        Key::EndpointNotReady => ("준비 안 됨", "not ready"),
        Key::EndpointTerminating => ("종료 중", "terminating"),
        Key::EndpointAddress => ("주소", "Address"),
        Key::EndpointPod => ("파드", "Pod"),
        Key::EndpointState => ("상태", "State"),
        Key::EndpointsCounts => ("준비된 엔드포인트 {ready}개, 준비되지 않은 엔드포인트 {notReady}개 (엔드포인트슬라이스 {slices}개, 노드 {nodes}개)", "{ready} ready endpoints, {notReady} not ready ({slices} EndpointSlices, {nodes} nodes)"),
        Key::EndpointsCapped => ("엔드포인트 {total}개 중 {n}개를 보여 줍니다 (준비된 엔드포인트 먼저)", "Listing {n} of {total} endpoints (ready ones first)"),
        Key::ImagesSummaryNote => ("큰 클러스터: 노드를 하나씩 골라 서버에서 그 노드의 이미지 캐시와 이미지 받기 기록을 읽어 옵니다. 여기서 노드를 고르거나 캔버스에서 노드를 누르세요.", "Big cluster: one node at a time, its image cache and pulls read from the server. Pick a node here or click one on the canvas."),
        Key::ImagesNode => ("노드", "Node"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn browser_tags_starting_with_ko_choose_korean_and_others_english() {
        let cases = [
            ("ko", Language::Korean),
            ("ko-KR", Language::Korean),
            ("KO_kr", Language::Korean),
            ("en-US", Language::English),
            ("kok", Language::English),
            ("", Language::English),
        ];
        for (tag, expected) in cases {
            assert_eq!(Language::from_browser_tag(tag), expected, "tag {tag:?}");
        }
    }

    #[test]
    fn every_key_has_distinct_non_empty_text_in_both_languages() {
        // Technical names that Korean writes the same way.
        let same_in_both = [Key::Cpu];
        for key in Key::ALL {
            let korean = text(key, Language::Korean);
            let english = text(key, Language::English);
            assert!(!korean.is_empty() && !english.is_empty(), "{key:?}");
            if !same_in_both.contains(&key) {
                assert_ne!(korean, english, "{key:?} is not translated");
            }
        }
    }

    #[test]
    fn language_tags_are_the_bcp47_primary_tags() {
        assert_eq!(Language::Korean.tag(), "ko");
        assert_eq!(Language::English.tag(), "en");
    }
}
