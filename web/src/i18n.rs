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
}

#[cfg(test)]
impl Key {
    /// Every key, for the translation tests.
    pub const ALL: [Key; 60] = [
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
        Key::TerminalHelp => ("kubectl 명령을 입력하세요. 예: kubectl get nodes, kubectl get pods -w (Ctrl-C로 중지), ↑/↓로 이전 명령, Tab으로 자동 완성 (두 번 누르면 후보 목록)", "Type kubectl commands, e.g. kubectl get nodes, kubectl get pods -w (Ctrl-C stops it); ↑/↓ for history; Tab completes (twice lists the candidates)"),
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
        Key::EditorApplyHint => ("편집기의 내용을 kubectl apply -f - 로 클러스터에 적용합니다", "Runs kubectl apply -f - with the editor's text on the cluster"),
        Key::EditorChecking => ("확인 중…", "Checking…"),
        Key::EditorObjectsPass => ("개 오브젝트: API 서버 검증 통과 (적용하지 않고 검사함)", "object(s) pass the API server's validation (checked without applying)"),
        Key::EditorProblems => ("개 문제: 적용하면 거부됩니다", "problem(s): applying would be refused"),
        Key::EditorLine => ("줄", "line"),
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
