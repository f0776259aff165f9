//! The label selector lexer: bytes in, tokens out, as Kubernetes' `labels.Lexer`.
//!
//! The lexer works on bytes like the Go original. Identifiers run until whitespace or one of
//! `= ! ( ) , > <`; runs of those special symbols become the longest operator token they
//! start with (`!=` before `!`). A NUL byte ends the input, as in Go.

/// The kinds of token a selector string is made of.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Token {
    /// A run of special symbols that is no token (cannot happen with today's symbols).
    Error,
    /// The end of the input.
    EndOfString,
    /// `)`.
    ClosedPar,
    /// `,`.
    Comma,
    /// `!` before a key.
    DoesNotExist,
    /// `==`.
    DoubleEquals,
    /// `=`.
    Equals,
    /// `>`.
    GreaterThan,
    /// A key or a value.
    Identifier,
    /// The keyword `in`.
    In,
    /// `<`.
    LessThan,
    /// `!=`.
    NotEquals,
    /// The keyword `notin`.
    NotIn,
    /// `(`.
    OpenPar,
}

/// Maps a literal to its token, if the literal is an operator or keyword.
fn keyword(literal: &[u8]) -> Option<Token> {
    Some(match literal {
        b")" => Token::ClosedPar,
        b"," => Token::Comma,
        b"!" => Token::DoesNotExist,
        b"==" => Token::DoubleEquals,
        b"=" => Token::Equals,
        b">" => Token::GreaterThan,
        b"in" => Token::In,
        b"<" => Token::LessThan,
        b"!=" => Token::NotEquals,
        b"notin" => Token::NotIn,
        b"(" => Token::OpenPar,
        _ => return None,
    })
}

fn is_whitespace(ch: u8) -> bool {
    matches!(ch, b' ' | b'\t' | b'\r' | b'\n')
}

fn is_special_symbol(ch: u8) -> bool {
    matches!(ch, b'=' | b'!' | b'(' | b')' | b',' | b'>' | b'<')
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// Splits a selector string into tokens.
pub(crate) struct Lexer<'a> {
    input: &'a [u8],
    pos: usize,
}

impl<'a> Lexer<'a> {
    /// A lexer at the start of `input`.
    pub(crate) fn new(input: &'a str) -> Self {
        Lexer {
            input: input.as_bytes(),
            pos: 0,
        }
    }

    /// The next byte, or 0 at the end.
    fn read(&mut self) -> u8 {
        match self.input.get(self.pos) {
            Some(&b) => {
                self.pos += 1;
                b
            }
            None => 0,
        }
    }

    fn unread(&mut self) {
        self.pos = self.pos.saturating_sub(1);
    }

    fn scan_id_or_keyword(&mut self) -> (Token, String) {
        let mut buffer = Vec::new();
        loop {
            let ch = self.read();
            if ch == 0 {
                break;
            }
            if is_special_symbol(ch) || is_whitespace(ch) {
                self.unread();
                break;
            }
            buffer.push(ch);
        }
        match keyword(&buffer) {
            Some(token) => (token, text(&buffer)),
            None => (Token::Identifier, text(&buffer)),
        }
    }

    fn scan_special_symbol(&mut self) -> (Token, String) {
        let mut last: Option<(Token, String)> = None;
        let mut buffer = Vec::new();
        loop {
            let ch = self.read();
            if ch == 0 {
                break;
            }
            if !is_special_symbol(ch) {
                self.unread();
                break;
            }
            buffer.push(ch);
            if let Some(token) = keyword(&buffer) {
                last = Some((token, text(&buffer)));
            } else if last.is_some() {
                self.unread();
                break;
            }
        }
        last.unwrap_or_else(|| {
            (
                Token::Error,
                format!("error expected: keyword found '{}'", text(&buffer)),
            )
        })
    }

    /// The next token and its literal text.
    pub(crate) fn lex(&mut self) -> (Token, String) {
        let mut ch = self.read();
        while is_whitespace(ch) {
            ch = self.read();
        }
        if ch == 0 {
            return (Token::EndOfString, String::new());
        }
        self.unread();
        if is_special_symbol(ch) {
            self.scan_special_symbol()
        } else {
            self.scan_id_or_keyword()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(input: &str) -> Vec<Token> {
        let mut lexer = Lexer::new(input);
        let mut out = Vec::new();
        loop {
            let (token, _) = lexer.lex();
            if token == Token::EndOfString {
                return out;
            }
            out.push(token);
        }
    }

    #[test]
    fn each_symbol_and_keyword_lexes_to_its_own_token() {
        let cases = [
            ("", Token::EndOfString),
            (",", Token::Comma),
            ("notin", Token::NotIn),
            ("in", Token::In),
            ("=", Token::Equals),
            ("==", Token::DoubleEquals),
            (">", Token::GreaterThan),
            ("<", Token::LessThan),
            ("!", Token::DoesNotExist),
            ("!=", Token::NotEquals),
            ("(", Token::OpenPar),
            (")", Token::ClosedPar),
            ("~", Token::Identifier),
            ("||", Token::Identifier),
        ];
        for (input, want) in cases {
            let (token, literal) = Lexer::new(input).lex();
            assert_eq!(token, want, "lexing {input:?}");
            assert_eq!(literal, input, "literal of {input:?}");
        }
    }

    #[test]
    fn sequences_lex_like_kubernetes() {
        use Token::*;
        let cases: [(&str, &[Token]); 8] = [
            (
                "key in ( value )",
                &[Identifier, In, OpenPar, Identifier, ClosedPar],
            ),
            (
                "key notin ( value1, value2 )",
                &[
                    Identifier, NotIn, OpenPar, Identifier, Comma, Identifier, ClosedPar,
                ],
            ),
            ("!key", &[DoesNotExist, Identifier]),
            ("()", &[OpenPar, ClosedPar]),
            (
                "x in (),y",
                &[Identifier, In, OpenPar, ClosedPar, Comma, Identifier],
            ),
            (
                "== != (), = notin",
                &[
                    DoubleEquals,
                    NotEquals,
                    OpenPar,
                    ClosedPar,
                    Comma,
                    Equals,
                    NotIn,
                ],
            ),
            ("key>2", &[Identifier, GreaterThan, Identifier]),
            ("a!==b", &[Identifier, NotEquals, Equals, Identifier]),
        ];
        for (input, want) in cases {
            assert_eq!(tokens(input), want, "lexing {input:?}");
        }
    }
}
