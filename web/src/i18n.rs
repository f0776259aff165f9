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
    /// The heading of the (not yet built) cluster view.
    ClusterHeading,
    /// The placeholder text where the simulated cluster will be.
    ClusterComingSoon,
    /// The label before the app's version number.
    Version,
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
        Key::Tagline => (
            "쿠버네티스 학습 놀이터",
            "A Kubernetes learning playground",
        ),
        Key::LanguageSwitchLabel => ("언어", "Language"),
        Key::ClusterHeading => ("클러스터", "Cluster"),
        Key::ClusterComingSoon => (
            "시뮬레이션 클러스터가 곧 이곳에서 실행됩니다. 브라우저 안에서 API 서버, 스케줄러, 컨트롤러, kubelet이 움직이는 모습을 볼 수 있습니다.",
            "The simulated cluster is coming soon: an API server, scheduler, controllers and kubelets running right here in your browser.",
        ),
        Key::Version => ("버전", "Version"),
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
        let keys = [
            Key::Tagline,
            Key::LanguageSwitchLabel,
            Key::ClusterHeading,
            Key::ClusterComingSoon,
            Key::Version,
        ];
        for key in keys {
            let korean = text(key, Language::Korean);
            let english = text(key, Language::English);
            assert!(!korean.is_empty() && !english.is_empty(), "{key:?}");
            assert_ne!(korean, english, "{key:?} is not translated");
        }
    }

    #[test]
    fn language_tags_are_the_bcp47_primary_tags() {
        assert_eq!(Language::Korean.tag(), "ko");
        assert_eq!(Language::English.tag(), "en");
    }
}
