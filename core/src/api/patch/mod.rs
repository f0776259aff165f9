//! patch (work in progress).
