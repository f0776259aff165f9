//! The two text helpers of kubectl v1.32's explain templates: `wrap`, which word-wraps a
//! description with `github.com/mitchellh/go-wordwrap` v1.0.1's rules, and `indent`, which
//! pads every line (empty ones too).

/// kubectl's `wrap l s`: breaks lines at white space so that no line is longer than `limit`
/// characters, unless a single word is; line breaks in the text are kept.
pub fn wrap(text: &str, limit: usize) -> String {
    let mut out = String::with_capacity(text.len() + text.len() / limit.max(1));
    let mut current = 0usize;
    let mut word = String::new();
    let mut word_len = 0usize;
    let mut space = String::new();
    let mut space_len = 0usize;
    for c in text.chars() {
        if c == '\n' {
            if word_len == 0 {
                // Trailing spaces stay unless they would overflow the line.
                if current + space_len <= limit {
                    out.push_str(&space);
                }
            } else {
                out.push_str(&space);
                out.push_str(&word);
                word.clear();
                word_len = 0;
            }
            space.clear();
            space_len = 0;
            out.push('\n');
            current = 0;
        } else if c.is_whitespace() && c != '\u{a0}' {
            // go-wordwrap breaks at Unicode white space except the no-break space.
            if space_len == 0 || word_len > 0 {
                current += space_len + word_len;
                out.push_str(&space);
                space.clear();
                space_len = 0;
                out.push_str(&word);
                word.clear();
                word_len = 0;
            }
            space.push(c);
            space_len += 1;
        } else {
            word.push(c);
            word_len += 1;
            if current + space_len + word_len > limit && word_len < limit {
                out.push('\n');
                current = 0;
                space.clear();
                space_len = 0;
            }
        }
    }
    if word_len == 0 {
        if current + space_len <= limit {
            out.push_str(&space);
        }
    } else {
        out.push_str(&space);
        out.push_str(&word);
    }
    out
}

/// kubectl's `indent n s`: `n` spaces before the text and after each of its line breaks.
pub fn indent(amount: usize, text: &str) -> String {
    let pad = " ".repeat(amount);
    format!("{pad}{}", text.replace('\n', &format!("\n{pad}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_breaks_at_the_last_space_that_keeps_a_line_within_the_limit() {
        assert_eq!(wrap("aaa bbb ccc", 7), "aaa bbb\nccc");
        assert_eq!(wrap("aaa bbb ccc", 6), "aaa\nbbb\nccc");
    }

    #[test]
    fn wrap_keeps_line_breaks_and_long_words_whole() {
        assert_eq!(wrap("one\ntwo\n", 80), "one\ntwo\n");
        assert_eq!(
            wrap("see https://example.com/a/very/long/path ok", 10),
            "see\nhttps://example.com/a/very/long/path\nok"
        );
    }

    #[test]
    fn indent_pads_every_line() {
        assert_eq!(indent(2, "a\n\nb"), "  a\n  \n  b");
    }
}
