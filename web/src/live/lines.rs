//! Splitting a streamed answer (a watch or the summary stream) into its lines as chunks
//! arrive, without moving the rest of a chunk once per line.
//!
//! A chunk of a busy stream holds hundreds of lines; removing each line from the front of the
//! buffer would copy the rest of the chunk every time (quadratic in the chunk's size), so the
//! buffer is cut once per chunk, after its last whole line.

/// Bytes received but not yet handed out as lines: at most one unfinished line between
/// chunks.
#[derive(Debug, Default)]
pub struct LineBuffer {
    buffer: Vec<u8>,
}

impl LineBuffer {
    /// An empty buffer.
    pub fn new() -> LineBuffer {
        LineBuffer::default()
    }

    /// Room for `len` more bytes at the end, to be filled by the caller (a `Uint8Array`
    /// copies straight into it); then [`LineBuffer::take_lines`].
    pub fn spare(&mut self, len: usize) -> &mut [u8] {
        let start = self.buffer.len();
        self.buffer.resize(start + len, 0);
        &mut self.buffer[start..]
    }

    /// Appends `bytes` (then [`LineBuffer::take_lines`]).
    #[cfg_attr(not(test), allow(dead_code))]
    pub fn extend(&mut self, bytes: &[u8]) {
        self.buffer.extend_from_slice(bytes);
    }

    /// Hands every whole line received so far to `on_line` (without its `\n`; invalid UTF-8
    /// is replaced), oldest first, until it answers false. Returns false when it did; the
    /// lines after that one are dropped with the rest of the stream.
    pub fn take_lines(&mut self, mut on_line: impl FnMut(&str) -> bool) -> bool {
        let mut start = 0;
        let mut going = true;
        while let Some(offset) = self
            .buffer
            .get(start..)
            .and_then(|rest| rest.iter().position(|b| *b == b'\n'))
        {
            let end = start + offset;
            let text = String::from_utf8_lossy(self.buffer.get(start..end).unwrap_or_default());
            start = end + 1;
            if !on_line(&text) {
                going = false;
                break;
            }
        }
        self.buffer.drain(..start);
        going
    }

    /// How many bytes wait for the end of their line.
    #[cfg_attr(not(test), allow(dead_code))]
    pub fn pending(&self) -> usize {
        self.buffer.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines_of(buffer: &mut LineBuffer) -> Vec<String> {
        let mut lines = Vec::new();
        assert!(buffer.take_lines(|line| {
            lines.push(line.to_string());
            true
        }));
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
        assert!(!buffer.take_lines(|line| {
            seen.push(line.to_string());
            line != "two"
        }));
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
}
