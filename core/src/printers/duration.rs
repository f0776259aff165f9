//! Ages: apimachinery's `duration.HumanDuration` (`2m30s`, `3h5m`, `2d2h`, `2y70d`) and
//! kubectl's `translateTimestampSince` (`<unknown>` for an unset time).

use k8s_openapi::apimachinery::pkg::apis::meta::v1::Time;

use crate::sim::clock::Timestamp;

/// `translateTimestampSince`: the age of a timestamp, `<unknown>` when unset.
pub(crate) fn age(time: Option<&Time>, now: Timestamp) -> String {
    human_or_unknown(now, time.map(Timestamp::from_k8s_time))
}

pub(crate) fn human_or_unknown(now: Timestamp, time: Option<Timestamp>) -> String {
    match time {
        Some(at) if at.as_millis() != 0 => human_duration(now, at),
        _ => "<unknown>".to_string(),
    }
}

/// apimachinery's `duration.HumanDuration` of `now - then`.
pub fn human_duration(now: Timestamp, then: Timestamp) -> String {
    human_duration_of_millis(i128::from(now.as_millis()) - i128::from(then.as_millis()))
}

/// apimachinery's `duration.HumanDuration` of an elapsed time in milliseconds (negative when
/// the time lies in the future): about two significant figures (`45s`, `2m3s`, `15m`,
/// `3h20m`, `2d5h`, `400d`, `3y20d`).
pub fn human_duration_of_millis(millis: i128) -> String {
    let seconds = millis / 1000;
    if seconds < -1 {
        return "<invalid>".to_string();
    }
    if seconds < 0 {
        return "0s".to_string();
    }
    if seconds < 60 * 2 {
        return format!("{seconds}s");
    }
    let minutes = seconds / 60;
    if minutes < 10 {
        let s = seconds % 60;
        return if s == 0 {
            format!("{minutes}m")
        } else {
            format!("{minutes}m{s}s")
        };
    }
    if minutes < 60 * 3 {
        return format!("{minutes}m");
    }
    let hours = minutes / 60;
    if hours < 8 {
        let m = minutes % 60;
        return if m == 0 {
            format!("{hours}h")
        } else {
            format!("{hours}h{m}m")
        };
    }
    if hours < 48 {
        return format!("{hours}h");
    }
    if hours < 24 * 8 {
        let h = hours % 24;
        return if h == 0 {
            format!("{}d", hours / 24)
        } else {
            format!("{}d{h}h", hours / 24)
        };
    }
    if hours < 24 * 365 * 2 {
        return format!("{}d", hours / 24);
    }
    if hours < 24 * 365 * 8 {
        let days = (hours / 24) % 365;
        return if days == 0 {
            format!("{}y", hours / 24 / 365)
        } else {
            format!("{}y{days}d", hours / 24 / 365)
        };
    }
    format!("{}y", hours / 24 / 365)
}
