//! Go's `text/tabwriter`, as `kubectl describe` configures it (minwidth 0, tabwidth 8,
//! padding 2, padchar `' '`, no flags).
//!
//! Text goes in with [`TabWriter::write`]; a tab ends a cell, a newline ends a line. Nothing
//! is laid out until [`TabWriter::flush`]: then every run of consecutive lines that have a
//! cell in the same column forms a column block, padded to its widest cell plus two spaces.
//! The last cell of a line is never part of a column (cells are tab-*terminated*), so it is
//! never padded. `describe` flushes once before the Events table (kubectl's `w.Flush()`), so
//! the events align on their own.

/// The padding added to the widest cell of a column.
const PADDING: usize = 2;

/// One cell: its text and its width in characters (Go counts runes).
struct Cell<'a> {
    text: &'a str,
    width: usize,
}

/// An elastic-tabstop writer into a string.
#[derive(Debug, Default)]
pub struct TabWriter {
    pending: String,
    out: String,
}

impl TabWriter {
    /// An empty writer.
    pub fn new() -> TabWriter {
        TabWriter::default()
    }

    /// Buffers text; it is aligned at the next flush.
    pub fn write(&mut self, text: &str) {
        self.pending.push_str(text);
    }

    /// Lays out everything buffered so far (Go's `Flush`): columns never align across a
    /// flush.
    pub fn flush(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let pending = std::mem::take(&mut self.pending);
        let lines: Vec<Vec<Cell<'_>>> = pending
            .split('\n')
            .map(|line| {
                line.split('\t')
                    .map(|text| Cell {
                        text,
                        width: text.chars().count(),
                    })
                    .collect()
            })
            .collect();
        let mut widths = Vec::new();
        format(&mut self.out, &lines, &mut widths, 0, lines.len());
    }

    /// Flushes and returns the text laid out.
    pub fn finish(mut self) -> String {
        self.flush();
        self.out
    }
}

/// Go's `format`: finds the column blocks of column `widths.len()` between `line0` and `line1`,
/// lays each out recursively with its width pushed, and writes the lines around them.
fn format(
    out: &mut String,
    lines: &[Vec<Cell<'_>>],
    widths: &mut Vec<usize>,
    line0: usize,
    line1: usize,
) {
    let column = widths.len();
    let has_column = |line: &Vec<Cell<'_>>| column + 1 < line.len();
    let mut start = line0;
    let mut this = line0;
    while this < line1 {
        if !lines.get(this).is_some_and(has_column) {
            this += 1;
            continue;
        }
        write_lines(out, lines, widths, start, this);
        start = this;
        let mut width = 0;
        while let Some(line) = lines.get(this).filter(|l| this < line1 && has_column(l)) {
            if let Some(cell) = line.get(column) {
                width = width.max(cell.width + PADDING);
            }
            this += 1;
        }
        widths.push(width);
        format(out, lines, widths, start, this);
        widths.pop();
        start = this;
    }
    write_lines(out, lines, widths, start, line1);
}

/// Writes lines `from..to`, padding every cell that lies in a known column.
fn write_lines(
    out: &mut String,
    lines: &[Vec<Cell<'_>>],
    widths: &[usize],
    from: usize,
    to: usize,
) {
    for (i, line) in lines.iter().enumerate().take(to).skip(from) {
        for (j, cell) in line.iter().enumerate() {
            out.push_str(cell.text);
            if let Some(width) = widths.get(j) {
                let pad = width.saturating_sub(cell.width);
                out.extend(std::iter::repeat_n(' ', pad));
            }
        }
        // The last buffered line has no newline of its own.
        if i + 1 < lines.len() {
            out.push('\n');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn laid_out(chunks: &[&str]) -> String {
        let mut w = TabWriter::new();
        for chunk in chunks {
            if *chunk == "<flush>" {
                w.flush();
            } else {
                w.write(chunk);
            }
        }
        w.finish()
    }

    #[test]
    fn tab_terminated_cells_align_to_the_widest_plus_two_spaces() {
        let cases: [(&[&str], &str); 5] = [
            (
                &["Name:\tweb\n", "Namespace:\tdefault\n"],
                "Name:       web\nNamespace:  default\n",
            ),
            // A line without a tab ends the column block: the next block aligns on its own.
            (
                &["a:\t1\n", "Labels:\n", "  longer key:\t2\n"],
                "a:  1\nLabels:\n  longer key:  2\n",
            ),
            // Nested columns: the second column only spans the lines that have it.
            (
                &["T\tS\tR\n", "Ready \tTrue\tok\n", "x:\ty\n"],
                "T       S     R\nReady   True  ok\nx:      y\n",
            ),
            // Empty cells are padded too: a double tab makes an empty column two spaces wide.
            (&["a\t\tb\n", "ccc\t\td\n"], "a      b\nccc    d\n"),
            // A flush separates blocks even without a tab-less line.
            (
                &["Name:\tx\n", "<flush>", "Events:\n  Type\tReason\n"],
                "Name:  x\nEvents:\n  Type  Reason\n",
            ),
        ];
        for (chunks, want) in cases {
            assert_eq!(laid_out(chunks), want, "{chunks:?}");
        }
    }

    #[test]
    fn widths_count_characters_not_bytes() {
        assert_eq!(laid_out(&["é:\t1\n", "ab:\t2\n"]), "é:   1\nab:  2\n");
    }
}
