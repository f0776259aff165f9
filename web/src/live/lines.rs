//! Splitting a streamed answer (a watch or the summary stream) into its lines as chunks
//! arrive, without moving the rest of a chunk once per line.
//!
//! A chunk of a busy stream holds hundreds of lines; removing each line from the front of the
//! buffer would copy the rest of the chunk every time (quadratic in the chunk's size), so the
//! buffer is cut once per chunk, after its last whole line.

/// What the caller of [`LineBuffer::take_lines`] says after each line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LineFlow {
    /// Go on with the next line.
    Go,
    /// Stop here for now (this slice's time is spent): the lines after this one stay in
    /// the buffer, in order, for the next call.
    Pause,
    /// Stop for good: the lines after this one are dropped with the rest of the stream.
    Stop,
}

/// How a [`LineBuffer::take_lines`] call ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Taken {
    /// Every whole line was handed out; only an unfinished one (if any) is left.
    Drained,
    /// The caller paused: whole lines are still waiting (take them before reading more).
    Paused,
    /// The caller stopped.
    Stopped,
}

/// Bytes received but not yet handed out as lines: at most one unfinished line between
/// chunks, or, after a pause, the whole lines not taken yet.
#[derive(Debug, Default)]
pub struct LineBuffer {
    buffer: Vec<u8>,
    /// How many bytes at the front were already handed out (dropped at the next
    /// [`LineBuffer::spare`] or [`LineBuffer::extend`], not at each pause: a pause in the
    /// middle of a big chunk must not copy the rest of it).
    taken: usize,
}

impl LineBuffer {
    /// An empty buffer.
    pub fn new() -> LineBuffer {
        LineBuffer::default()
    }

    /// Drops the bytes already handed out.
    fn compact(&mut self) {
        if self.taken > 0 {
            self.buffer.drain(..self.taken);
            self.taken = 0;
        }
    }

    /// Room for `len` more bytes at the end, to be filled by the caller (a `Uint8Array`
    /// copies straight into it); then [`LineBuffer::take_lines`].
    pub fn spare(&mut self, len: usize) -> &mut [u8] {
        self.compact();
        let start = self.buffer.len();
        self.buffer.resize(start + len, 0);
        &mut self.buffer[start..]
    }

    /// Appends `bytes` (then [`LineBuffer::take_lines`]).
    #[cfg_attr(not(test), allow(dead_code))]
    pub fn extend(&mut self, bytes: &[u8]) {
        self.compact();
        self.buffer.extend_from_slice(bytes);
    }

    /// Hands the whole lines received so far to `on_line` (without their `\n`; invalid
    /// UTF-8 is replaced), oldest first, until it answers [`LineFlow::Pause`] or
    /// [`LineFlow::Stop`] or none is left. After a pause the next call goes on with the
    /// line after the last one handed out: no line is lost, repeated or reordered.
    pub fn take_lines(&mut self, mut on_line: impl FnMut(&str) -> LineFlow) -> Taken {
        let mut start = self.taken;
        let mut taken = Taken::Drained;
        while let Some(offset) = self
            .buffer
            .get(start..)
            .and_then(|rest| rest.iter().position(|b| *b == b'\n'))
        {
            let end = start + offset;
            let text = String::from_utf8_lossy(self.buffer.get(start..end).unwrap_or_default());
            start = end + 1;
            match on_line(&text) {
                LineFlow::Go => {}
                LineFlow::Pause => {
                    taken = Taken::Paused;
                    break;
                }
                LineFlow::Stop => {
                    taken = Taken::Stopped;
                    break;
                }
            }
        }
        self.taken = start;
        if taken == Taken::Paused && !self.has_line() {
            // The pause came at the last whole line: nothing waits.
            taken = Taken::Drained;
        }
        taken
    }

    /// Whether a whole line waits to be taken.
    pub fn has_line(&self) -> bool {
        self.buffer
            .get(self.taken..)
            .is_some_and(|rest| rest.contains(&b'\n'))
    }

    /// How many bytes wait to be handed out (whole lines and the unfinished one).
    #[cfg_attr(not(test), allow(dead_code))]
    pub fn pending(&self) -> usize {
        self.buffer.len() - self.taken
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines_of(buffer: &mut LineBuffer) -> Vec<String> {
        let mut lines = Vec::new();
        assert_eq!(
            buffer.take_lines(|line| {
                lines.push(line.to_string());
                LineFlow::Go
            }),
            Taken::Drained
        );
        lines
    }

    #[test]
    fn lines_split_across_chunks_come_out_whole_and_in_order() {
        let mut buffer = LineBuffer::new();
        buffer.extend(b"{\"a\":1}\n{\"b\"");
        assert_eq!(lines_of(&mut buffer), ["{\"a\":1}"]);
        assert_eq!(buffer.pending(), 4);
        buffer.extend(b":2}\n\n{\"c\":3}\n");
        assert_eq!(lines_of(&mut buffer), ["{\"b\":2}", "", "{\"c\":3}"]);
        assert_eq!(buffer.pending(), 0);
        assert!(lines_of(&mut buffer).is_empty());
    }

    #[test]
    fn spare_room_filled_by_the_caller_reads_like_extend() {
        let mut buffer = LineBuffer::new();
        buffer.extend(b"ab");
        buffer.spare(4).copy_from_slice(b"c\nde");
        assert_eq!(lines_of(&mut buffer), ["abc"]);
        assert_eq!(buffer.pending(), 2);
    }

    #[test]
    fn a_stop_drops_the_lines_after_it() {
        let mut buffer = LineBuffer::new();
        buffer.extend(b"one\ntwo\nthree\n");
        let mut seen = Vec::new();
        assert_eq!(
            buffer.take_lines(|line| {
                seen.push(line.to_string());
                if line == "two" {
                    LineFlow::Stop
                } else {
                    LineFlow::Go
                }
            }),
            Taken::Stopped
        );
        assert_eq!(seen, ["one", "two"]);
        assert_eq!(lines_of(&mut buffer), ["three"]);
    }

    #[test]
    fn a_big_chunk_of_many_lines_is_split_in_one_pass() {
        let mut buffer = LineBuffer::new();
        let chunk: String = (0..20_000).map(|i| format!("line {i}\n")).collect();
        buffer.extend(chunk.as_bytes());
        let lines = lines_of(&mut buffer);
        assert_eq!(lines.len(), 20_000);
        assert_eq!(lines.last().map(String::as_str), Some("line 19999"));
    }

    #[test]
    fn invalid_utf8_is_replaced_not_a_panic() {
        let mut buffer = LineBuffer::new();
        buffer.extend(b"ok \xff\n");
        assert_eq!(lines_of(&mut buffer), ["ok \u{fffd}"]);
    }

    #[test]
    fn pauses_keep_every_line_in_order_across_chunks() {
        // Lines split at every possible place, paused after every third line: the lines
        // come out exactly once, in order.
        let text: String = (0..50).map(|i| format!("{{\"n\":{i}}}\n")).collect();
        let bytes = text.as_bytes();
        for chunk_len in [1, 3, 7, 64, bytes.len()] {
            let mut buffer = LineBuffer::new();
            let (mut seen, mut count, mut pauses) = (Vec::new(), 0, 0);
            for chunk in bytes.chunks(chunk_len) {
                buffer.extend(chunk);
                loop {
                    let taken = buffer.take_lines(|line| {
                        seen.push(line.to_string());
                        count += 1;
                        if count % 3 == 0 {
                            LineFlow::Pause
                        } else {
                            LineFlow::Go
                        }
                    });
                    match taken {
                        Taken::Paused => {
                            assert!(buffer.has_line());
                            pauses += 1;
                        }
                        Taken::Drained => break,
                        Taken::Stopped => panic!("nothing stopped"),
                    }
                }
                assert!(!buffer.has_line());
            }
            let expected: Vec<String> = text.lines().map(str::to_string).collect();
            assert_eq!(seen, expected, "chunks of {chunk_len}");
            assert_eq!(buffer.pending(), 0);
            if chunk_len == bytes.len() {
                // One chunk of 50 lines: a pause every third line, 16 of them with lines left.
                assert_eq!(pauses, 16);
            }
        }
    }

    #[test]
    fn a_pause_leaves_the_rest_of_a_big_chunk_in_place_until_more_arrives() {
        let mut buffer = LineBuffer::new();
        buffer.extend(b"a\nb\nc\nd");
        assert_eq!(buffer.take_lines(|_| LineFlow::Pause), Taken::Paused);
        assert_eq!(buffer.pending(), 5);
        assert_eq!(lines_of(&mut buffer), ["b", "c"]);
        // A pause at the last whole line leaves nothing waiting.
        buffer.extend(b"\ne\n");
        let mut seen = Vec::new();
        let taken = buffer.take_lines(|line| {
            seen.push(line.to_string());
            if line == "e" {
                LineFlow::Pause
            } else {
                LineFlow::Go
            }
        });
        assert_eq!(
            (taken, seen.as_slice()),
            (
                Taken::Drained,
                ["d".to_string(), "e".to_string()].as_slice()
            )
        );
        assert_eq!(buffer.pending(), 0);
    }
}
