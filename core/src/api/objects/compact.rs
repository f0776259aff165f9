//! What the compact in-memory forms ([`super::CompactEvent`], [`super::CompactPodStatus`])
//! share: timestamps packed as whole milliseconds, and strings packed as an index into a
//! sorted table of well-known words.

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;
use k8s_openapi::jiff::Timestamp;

/// Whole milliseconds since the Unix epoch of `time`, if it is exactly that (a finer time
/// must be kept as it is).
pub(super) fn exact_millis(time: &Time) -> Option<i64> {
    let millis = time.0.as_millisecond();
    (Timestamp::from_millisecond(millis).ok() == Some(time.0)).then_some(millis)
}

/// The time [`exact_millis`] packed (`None` for a count no timestamp reaches).
pub(super) fn time_from_millis(millis: i64) -> Option<Time> {
    Timestamp::from_millisecond(millis).ok().map(Time)
}

/// The index of `text` in `words` (sorted by bytes, at most 256 of them), if it is there.
pub(super) fn word_index(words: &[&str], text: &str) -> Option<u8> {
    words
        .binary_search(&text)
        .ok()
        .and_then(|index| u8::try_from(index).ok())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whole_milliseconds_pack_and_finer_times_do_not() {
        let whole = Time(Timestamp::from_millisecond(1_735_689_600_123).unwrap());
        assert_eq!(exact_millis(&whole), Some(1_735_689_600_123));
        assert_eq!(time_from_millis(1_735_689_600_123), Some(whole));
        let finer = Time(Timestamp::new(1_735_689_600, 123_456_789).unwrap());
        assert_eq!(exact_millis(&finer), None);
        assert_eq!(time_from_millis(i64::MIN), None);
    }

    #[test]
    fn a_word_is_found_by_its_index_in_the_sorted_table() {
        let words = ["", "Ready", "True"];
        assert_eq!(word_index(&words, "Ready"), Some(1));
        assert_eq!(word_index(&words, ""), Some(0));
        assert_eq!(word_index(&words, "ready"), None);
    }
}
