//! kubectl's `PrefixWriter` over the [`TabWriter`]: every write is indented two spaces per
//! level and has terminal control characters escaped (`ESC` → `^[`, `CR` → `\r`, as
//! cli-runtime's `WriteEscaped` does), then goes to the tab writer.

use super::tabwriter::TabWriter;

/// Indentation levels, two spaces each (kubectl's `LEVEL_0` … `LEVEL_3`).
pub(crate) const LEVEL_0: usize = 0;
/// One indent.
pub(crate) const LEVEL_1: usize = 1;
/// Two indents.
pub(crate) const LEVEL_2: usize = 2;
/// Three indents.
pub(crate) const LEVEL_3: usize = 3;

/// Writes describe output at indentation levels.
#[derive(Debug, Default)]
pub(crate) struct PrefixWriter {
    tab: TabWriter,
}

impl PrefixWriter {
    /// An empty writer.
    pub(crate) fn new() -> PrefixWriter {
        PrefixWriter::default()
    }

    /// `Write(level, …)`: the text indented by `level`.
    pub(crate) fn write(&mut self, level: usize, text: &str) {
        let mut line = "  ".repeat(level);
        line.push_str(text);
        self.tab.write(&escape_terminal(&line));
    }

    /// `WriteLine(text)`: the text and a newline, not indented.
    pub(crate) fn write_line(&mut self, text: &str) {
        self.tab.write(&escape_terminal(text));
        self.tab.write("\n");
    }

    /// Lays out what was written so far; later columns align on their own.
    pub(crate) fn flush(&mut self) {
        self.tab.flush();
    }

    /// The finished text.
    pub(crate) fn finish(self) -> String {
        self.tab.finish()
    }
}

/// Writes formatted text at a level: `w!(w, LEVEL_1, "Name:\t{}\n", name)`.
macro_rules! w {
    ($w:expr, $level:expr, $($arg:tt)*) => {
        $w.write($level, &format!($($arg)*))
    };
}
pub(crate) use w;

/// cli-runtime's `EscapeTerminal`.
fn escape_terminal(text: &str) -> String {
    text.replace('\x1b', "^[").replace('\r', "\\r")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_indent_two_spaces_and_control_characters_are_escaped() {
        let mut w = PrefixWriter::new();
        w!(w, LEVEL_2, "Reason:\t{}\n", "x\x1b[31mred\r");
        w.write_line("<none>");
        assert_eq!(w.finish(), "    Reason:  x^[[31mred\\r\n<none>\n");
    }
}
