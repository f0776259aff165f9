//! Record framing for the store's files: length, checksum, payload.
//!
//! Both the write-ahead log and the snapshot are a short magic string followed by frames:
//!
//! ```text
//! [payload length: u32 LE][CRC-32 of the payload: u32 LE][payload: that many bytes]
//! ```
//!
//! [`encode`] appends one frame; [`scan`] walks a file's bytes and tells a **torn tail** (the
//! last frame is incomplete or fails its checksum and nothing valid follows it: a crash in the
//! middle of an append, safe to drop because that write was never acknowledged) from
//! **damage** (a bad frame with a valid frame after it: the file was changed behind our back,
//! and dropping the rest would silently lose acknowledged writes). Payloads are JSON text, so
//! their bytes can never look like a frame header (any four printable bytes read as a length
//! far above [`MAX_PAYLOAD_BYTES`]).

use std::fmt;

/// Bytes of a frame header: the length and the checksum.
pub(crate) const HEADER_BYTES: usize = 8;

/// The largest payload a frame may carry (a commit of a few objects of at most 1.5 MiB each,
/// etcd's request limit, or one snapshot entry); anything larger is damage.
pub(crate) const MAX_PAYLOAD_BYTES: usize = 64 * 1024 * 1024;

/// Appends one frame carrying `payload` to `out`.
pub(crate) fn encode(payload: &[u8], out: &mut Vec<u8>) {
    // Payloads are bounded by MAX_PAYLOAD_BYTES well below u32::MAX; saturate rather than wrap
    // so an impossible oversize payload is later rejected, not misread.
    let length = u32::try_from(payload.len()).unwrap_or(u32::MAX);
    out.extend_from_slice(&length.to_le_bytes());
    out.extend_from_slice(&crc32fast::hash(payload).to_le_bytes());
    out.extend_from_slice(payload);
}

/// One valid frame found by [`scan`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Frame<'a> {
    /// Where the frame starts in the file.
    pub(crate) offset: u64,
    /// Its payload.
    pub(crate) payload: &'a [u8],
}

/// Why the bytes at one offset are not a valid frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BadFrame {
    /// Fewer than [`HEADER_BYTES`] bytes are left.
    ShortHeader {
        /// How many bytes are left.
        available: usize,
    },
    /// The length field is 0 (no record is empty; zeros are what a file extended by a crash
    /// but never written holds).
    ZeroLength,
    /// The length field is above [`MAX_PAYLOAD_BYTES`].
    TooLong {
        /// The length field.
        length: usize,
    },
    /// The payload runs past the end of the file.
    Truncated {
        /// The length field.
        length: usize,
        /// How many payload bytes the file has.
        available: usize,
    },
    /// The payload does not match its checksum.
    Checksum {
        /// The checksum in the header.
        expected: u32,
        /// The checksum of the bytes found.
        actual: u32,
    },
}

impl fmt::Display for BadFrame {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            BadFrame::ShortHeader { available } => {
                write!(f, "a record header needs 8 bytes, only {available} are left")
            }
            BadFrame::ZeroLength => write!(f, "a record claims to be empty"),
            BadFrame::TooLong { length } => write!(
                f,
                "a record claims {length} bytes, more than the {MAX_PAYLOAD_BYTES} a record may have"
            ),
            BadFrame::Truncated { length, available } => write!(
                f,
                "a record claims {length} bytes but only {available} are left in the file"
            ),
            BadFrame::Checksum { expected, actual } => write!(
                f,
                "a record's checksum is {expected:#010x} but its bytes sum to {actual:#010x}"
            ),
        }
    }
}

/// The frames of a file, and how it ends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Scan<'a> {
    /// Every valid frame, in file order.
    pub(crate) frames: Vec<Frame<'a>>,
    /// Where the valid frames end: the file's length, or where a torn tail starts.
    pub(crate) valid_len: u64,
    /// The torn last frame, if the file ends with one.
    pub(crate) torn_tail: Option<BadFrame>,
}

/// A bad frame with a valid frame somewhere after it: the file is damaged, not torn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Damaged {
    /// Where the bad frame starts.
    pub(crate) offset: u64,
    /// What is wrong with it.
    pub(crate) reason: BadFrame,
}

/// Reads the frames of `bytes` from offset `start` (after the file's magic string).
pub(crate) fn scan(bytes: &[u8], start: usize) -> Result<Scan<'_>, Damaged> {
    let mut frames = Vec::new();
    let mut at = start;
    while at < bytes.len() {
        match frame_at(bytes, at) {
            Ok(payload) => {
                frames.push(Frame {
                    offset: at as u64,
                    payload,
                });
                at += HEADER_BYTES + payload.len();
            }
            Err(reason) => {
                if (at + 1..bytes.len()).any(|later| frame_at(bytes, later).is_ok()) {
                    return Err(Damaged {
                        offset: at as u64,
                        reason,
                    });
                }
                return Ok(Scan {
                    frames,
                    valid_len: at as u64,
                    torn_tail: Some(reason),
                });
            }
        }
    }
    Ok(Scan {
        frames,
        valid_len: at as u64,
        torn_tail: None,
    })
}

/// The payload of the frame at `at`, if one is valid there.
fn frame_at(bytes: &[u8], at: usize) -> Result<&[u8], BadFrame> {
    let rest = bytes.get(at..).unwrap_or_default();
    let (Some(length), Some(expected)) = (read_u32(rest, 0), read_u32(rest, 4)) else {
        return Err(BadFrame::ShortHeader {
            available: rest.len(),
        });
    };
    let length = length as usize;
    if length == 0 {
        return Err(BadFrame::ZeroLength);
    }
    if length > MAX_PAYLOAD_BYTES {
        return Err(BadFrame::TooLong { length });
    }
    let Some(payload) = rest.get(HEADER_BYTES..HEADER_BYTES + length) else {
        return Err(BadFrame::Truncated {
            length,
            available: rest.len().saturating_sub(HEADER_BYTES),
        });
    };
    let actual = crc32fast::hash(payload);
    if actual != expected {
        return Err(BadFrame::Checksum { expected, actual });
    }
    Ok(payload)
}

/// The little-endian `u32` at `at` in `bytes`, if there are four bytes there.
fn read_u32(bytes: &[u8], at: usize) -> Option<u32> {
    let word: [u8; 4] = bytes.get(at..at + 4)?.try_into().ok()?;
    Some(u32::from_le_bytes(word))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(payloads: &[&str]) -> Vec<u8> {
        let mut out = b"MAGIC".to_vec();
        for payload in payloads {
            encode(payload.as_bytes(), &mut out);
        }
        out
    }

    fn payloads<'a>(scan: &Scan<'a>) -> Vec<&'a [u8]> {
        scan.frames.iter().map(|f| f.payload).collect()
    }

    #[test]
    fn frames_read_back_in_order_with_their_offsets() {
        let bytes = file(&["{\"a\":1}", "{\"b\":22}"]);
        let scan = scan(&bytes, 5).expect("clean file");
        assert_eq!(payloads(&scan), [&b"{\"a\":1}"[..], &b"{\"b\":22}"[..]]);
        assert_eq!(
            scan.frames.iter().map(|f| f.offset).collect::<Vec<_>>(),
            [5, 20]
        );
        assert_eq!(scan.valid_len, bytes.len() as u64);
        assert_eq!(scan.torn_tail, None);
    }

    #[test]
    fn every_cut_inside_the_last_frame_is_a_torn_tail_at_its_start() {
        let whole = file(&["{\"a\":1}", "{\"b\":22}"]);
        let last_starts = 20;
        for cut in last_starts + 1..whole.len() {
            let bytes = whole.get(..cut).expect("cut inside the file");
            let scan = scan(bytes, 5).expect("a torn tail is not damage");
            assert_eq!(payloads(&scan), [&b"{\"a\":1}"[..]], "cut at {cut}");
            assert_eq!(scan.valid_len, last_starts as u64, "cut at {cut}");
            assert!(scan.torn_tail.is_some(), "cut at {cut}");
        }
    }

    #[test]
    fn a_last_frame_with_a_flipped_byte_or_zeros_is_a_torn_tail() {
        let mut flipped = file(&["{\"a\":1}", "{\"b\":22}"]);
        if let Some(last) = flipped.last_mut() {
            *last ^= 0x01;
        }
        let mut zeros = file(&["{\"a\":1}"]);
        zeros.extend_from_slice(&[0; 4096]);
        let cases = [(flipped, 20, "checksum"), (zeros, 20, "zero length")];
        for (bytes, valid_len, case) in cases {
            let scan = scan(&bytes, 5).expect("a torn tail is not damage");
            assert_eq!(scan.frames.len(), 1, "{case}");
            assert_eq!(scan.valid_len, valid_len, "{case}");
            assert!(scan.torn_tail.is_some(), "{case}");
        }
    }

    #[test]
    fn a_bad_frame_before_a_valid_one_is_damage_at_its_offset() {
        let mut bytes = file(&["{\"a\":1}", "{\"b\":22}", "{\"c\":333}"]);
        // Flip one payload byte of the middle frame (it starts at 20; its payload at 28).
        if let Some(byte) = bytes.get_mut(30) {
            *byte ^= 0x20;
        }
        let damaged = scan(&bytes, 5).expect_err("damage in the middle");
        assert_eq!(damaged.offset, 20);
        assert!(matches!(damaged.reason, BadFrame::Checksum { .. }));
    }

    #[test]
    fn a_damaged_length_field_before_valid_frames_is_damage() {
        let mut bytes = file(&["{\"a\":1}", "{\"b\":22}", "{\"c\":333}"]);
        if let Some(byte) = bytes.get_mut(23) {
            *byte = 0x7f; // the middle frame now claims ~2 GiB
        }
        let damaged = scan(&bytes, 5).expect_err("damage in the middle");
        assert_eq!(damaged.offset, 20);
        assert!(matches!(damaged.reason, BadFrame::TooLong { .. }));
    }

    #[test]
    fn an_empty_file_after_the_magic_has_no_frames_and_no_tail() {
        let bytes = file(&[]);
        let scan = scan(&bytes, 5).expect("clean file");
        assert!(scan.frames.is_empty());
        assert_eq!((scan.valid_len, scan.torn_tail), (5, None));
    }
}
