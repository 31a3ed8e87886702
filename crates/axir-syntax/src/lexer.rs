//! The token layer: a hand-written, allocation-free lexer over the source.
//!
//! It owns the token kinds that custom-syntax hooks consume through
//! [`crate::OpAsmParser`] and that the op-structure parser walks. Each token
//! class mirrors a token rule of `grammar.pest` (`token` there); the test
//! `lexer_agrees_with_grammar` checks that both give the same kind and length,
//! so the grammar stays the definition while parsing avoids a pest call per
//! token.

/// The kind of a [`Token`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TokenKind {
    /// End of input.
    Eof,
    /// A lexical error; [`Lexer::error`] says which.
    Error,
    /// `foo`, `arith.addf`, `x`.
    BareId,
    /// `%0`, `%arg0`, `%x`.
    ValueId,
    /// `^bb0`.
    CaretId,
    /// `@sym`, `@"quoted sym"`.
    AtId,
    /// `#alias`, `#dialect.attr`, `#1`.
    HashId,
    /// `!alias`, `!dialect.type`.
    BangId,
    /// `42`, `0x7FC00000`.
    Integer,
    /// `1.0`, `2.5e-3` (unsigned: `-` is its own token).
    Float,
    /// `"text"`.
    String,
    /// `->`
    Arrow,
    /// `::`
    ColonColon,
    /// `...`
    Ellipsis,
    /// `(`
    LParen,
    /// `)`
    RParen,
    /// `{`
    LBrace,
    /// `}`
    RBrace,
    /// `[`
    LSquare,
    /// `]`
    RSquare,
    /// `<`
    Less,
    /// `>`
    Greater,
    /// `,`
    Comma,
    /// `:`
    Colon,
    /// `=`
    Equal,
    /// `?`
    Question,
    /// `*`
    Star,
    /// `+`
    Plus,
    /// `-`
    Minus,
    /// `|`
    Pipe,
}

impl TokenKind {
    /// How the token is spelled in messages (`'('`, `identifier`, ...).
    pub fn describe(self) -> &'static str {
        match self {
            TokenKind::Eof => "end of file",
            TokenKind::Error => "invalid token",
            TokenKind::BareId => "identifier",
            TokenKind::ValueId => "SSA value",
            TokenKind::CaretId => "block name",
            TokenKind::AtId => "symbol name",
            TokenKind::HashId => "'#' identifier",
            TokenKind::BangId => "'!' identifier",
            TokenKind::Integer => "integer literal",
            TokenKind::Float => "float literal",
            TokenKind::String => "string literal",
            TokenKind::Arrow => "'->'",
            TokenKind::ColonColon => "'::'",
            TokenKind::Ellipsis => "'...'",
            TokenKind::LParen => "'('",
            TokenKind::RParen => "')'",
            TokenKind::LBrace => "'{'",
            TokenKind::RBrace => "'}'",
            TokenKind::LSquare => "'['",
            TokenKind::RSquare => "']'",
            TokenKind::Less => "'<'",
            TokenKind::Greater => "'>'",
            TokenKind::Comma => "','",
            TokenKind::Colon => "':'",
            TokenKind::Equal => "'='",
            TokenKind::Question => "'?'",
            TokenKind::Star => "'*'",
            TokenKind::Plus => "'+'",
            TokenKind::Minus => "'-'",
            TokenKind::Pipe => "'|'",
        }
    }
}

/// A token: its kind and byte range in the source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Token {
    /// What was lexed.
    pub kind: TokenKind,
    /// Byte offset of the first byte.
    pub start: u32,
    /// Byte offset one past the last byte.
    pub end: u32,
}

impl Token {
    /// The token's text.
    pub fn text<'s>(&self, src: &'s str) -> &'s str {
        &src[self.start as usize..self.end as usize]
    }
}

/// Why the lexer produced a [`TokenKind::Error`] token.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LexError {
    /// A character that starts no token.
    UnexpectedChar,
    /// A string without its closing quote on the same line.
    UnterminatedString,
    /// A backslash escape other than `\"`, `\\`, `\n`, `\t` or `\XX`.
    UnknownEscape,
    /// An identifier longer than the configured limit.
    IdentifierTooLong(usize),
}

impl LexError {
    /// The diagnostic message, worded like MLIR's lexer.
    pub fn message(self) -> String {
        match self {
            LexError::UnexpectedChar => "unexpected character".to_string(),
            LexError::UnterminatedString => "expected '\"' in string literal".to_string(),
            LexError::UnknownEscape => "unknown escape in string literal".to_string(),
            LexError::IdentifierTooLong(limit) => {
                format!("identifier is too long (the limit is {limit} bytes)")
            }
        }
    }
}

/// The lexer: a cursor over the source that yields one [`Token`] at a time.
#[derive(Debug, Clone)]
pub struct Lexer<'s> {
    src: &'s str,
    pos: usize,
    max_ident_len: usize,
    error: Option<LexError>,
}

#[inline]
fn is_ident_start(b: u8) -> bool {
    b.is_ascii_alphabetic() || b == b'_'
}

#[inline]
fn is_ident_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'$' || b == b'.'
}

#[inline]
fn is_suffix_char(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'$' | b'.' | b'_' | b'-')
}

impl<'s> Lexer<'s> {
    /// A lexer at byte `pos` of `src`; identifiers longer than
    /// `max_ident_len` bytes lex as errors.
    pub fn new(src: &'s str, pos: usize, max_ident_len: usize) -> Self {
        Lexer { src, pos, max_ident_len, error: None }
    }

    /// The source being lexed.
    pub fn src(&self) -> &'s str {
        self.src
    }

    /// The current byte offset (after the last token returned).
    pub fn pos(&self) -> usize {
        self.pos
    }

    /// Moves the cursor to `pos`, which must be a char boundary.
    pub fn reset(&mut self, pos: usize) {
        self.pos = pos;
        self.error = None;
    }

    /// The reason for the last [`TokenKind::Error`] token.
    pub fn error(&self) -> Option<LexError> {
        self.error
    }

    /// Skips whitespace and `//` comments; returns the new offset.
    #[inline]
    pub fn skip_trivia(&mut self) -> usize {
        let b = self.src.as_bytes();
        loop {
            match b.get(self.pos) {
                Some(b' ' | b'\t' | b'\n' | b'\r') => self.pos += 1,
                Some(b'/') if b.get(self.pos + 1) == Some(&b'/') => {
                    self.pos = match memchr_newline(&b[self.pos..]) {
                        Some(i) => self.pos + i,
                        None => b.len(),
                    };
                }
                _ => return self.pos,
            }
        }
    }

    #[inline]
    fn tok(&mut self, kind: TokenKind, start: usize, end: usize) -> Token {
        self.pos = end;
        Token { kind, start: start as u32, end: end as u32 }
    }

    fn err(&mut self, e: LexError, start: usize, end: usize) -> Token {
        self.error = Some(e);
        self.tok(TokenKind::Error, start, end)
    }

    /// Lexes the next token.
    pub fn next_token(&mut self) -> Token {
        let start = self.skip_trivia();
        let b = self.src.as_bytes();
        let Some(&c) = b.get(start) else {
            return self.tok(TokenKind::Eof, start, start);
        };
        let single = |k| (k, start + 1);
        let (kind, end) = match c {
            b'(' => single(TokenKind::LParen),
            b')' => single(TokenKind::RParen),
            b'{' => single(TokenKind::LBrace),
            b'}' => single(TokenKind::RBrace),
            b'[' => single(TokenKind::LSquare),
            b']' => single(TokenKind::RSquare),
            b'<' => single(TokenKind::Less),
            b'>' => single(TokenKind::Greater),
            b',' => single(TokenKind::Comma),
            b'=' => single(TokenKind::Equal),
            b'?' => single(TokenKind::Question),
            b'*' => single(TokenKind::Star),
            b'+' => single(TokenKind::Plus),
            b'|' => single(TokenKind::Pipe),
            b':' => {
                if b.get(start + 1) == Some(&b':') {
                    (TokenKind::ColonColon, start + 2)
                } else {
                    single(TokenKind::Colon)
                }
            }
            b'-' => {
                if b.get(start + 1) == Some(&b'>') {
                    (TokenKind::Arrow, start + 2)
                } else {
                    single(TokenKind::Minus)
                }
            }
            b'.' => {
                if b.get(start + 1) == Some(&b'.') && b.get(start + 2) == Some(&b'.') {
                    (TokenKind::Ellipsis, start + 3)
                } else {
                    return self.err(LexError::UnexpectedChar, start, start + 1);
                }
            }
            b'"' => return self.lex_string(start, TokenKind::String),
            b'0'..=b'9' => return self.lex_number(start),
            b'%' => return self.lex_prefixed(start, TokenKind::ValueId),
            b'^' => return self.lex_prefixed(start, TokenKind::CaretId),
            b'#' => return self.lex_prefixed(start, TokenKind::HashId),
            b'!' => return self.lex_prefixed(start, TokenKind::BangId),
            b'@' => {
                if b.get(start + 1) == Some(&b'"') {
                    let t = self.lex_string(start + 1, TokenKind::AtId);
                    if t.kind == TokenKind::AtId {
                        return self.tok(TokenKind::AtId, start, t.end as usize);
                    }
                    return t;
                }
                return self.lex_prefixed(start, TokenKind::AtId);
            }
            c if is_ident_start(c) => {
                let mut e = start + 1;
                while e < b.len() && is_ident_char(b[e]) {
                    e += 1;
                }
                if e - start > self.max_ident_len {
                    return self.err(LexError::IdentifierTooLong(self.max_ident_len), start, e);
                }
                (TokenKind::BareId, e)
            }
            _ => {
                let len = self.src[start..].chars().next().map_or(1, char::len_utf8);
                return self.err(LexError::UnexpectedChar, start, start + len);
            }
        };
        self.tok(kind, start, end)
    }

    fn lex_prefixed(&mut self, start: usize, kind: TokenKind) -> Token {
        let b = self.src.as_bytes();
        let mut e = start + 1;
        match b.get(e) {
            Some(c) if c.is_ascii_digit() => {
                while e < b.len() && b[e].is_ascii_digit() {
                    e += 1;
                }
            }
            Some(&c) if is_suffix_char(c) => {
                while e < b.len() && is_suffix_char(b[e]) {
                    e += 1;
                }
            }
            _ => return self.err(LexError::UnexpectedChar, start, start + 1),
        }
        if e - start > self.max_ident_len {
            return self.err(LexError::IdentifierTooLong(self.max_ident_len), start, e);
        }
        self.tok(kind, start, e)
    }

    fn lex_number(&mut self, start: usize) -> Token {
        let b = self.src.as_bytes();
        let digits_end = |mut e: usize| {
            while e < b.len() && b[e].is_ascii_digit() {
                e += 1;
            }
            e
        };
        let mut e = digits_end(start);
        if b.get(e) == Some(&b'.') {
            e = digits_end(e + 1);
            if matches!(b.get(e), Some(b'e' | b'E')) {
                let mut x = e + 1;
                if matches!(b.get(x), Some(b'+' | b'-')) {
                    x += 1;
                }
                if b.get(x).is_some_and(u8::is_ascii_digit) {
                    e = digits_end(x);
                }
            }
            return self.tok(TokenKind::Float, start, e);
        }
        if b[start] == b'0' && b.get(start + 1) == Some(&b'x') {
            let mut x = start + 2;
            while x < b.len() && b[x].is_ascii_hexdigit() {
                x += 1;
            }
            if x > start + 2 {
                return self.tok(TokenKind::Integer, start, x);
            }
        }
        self.tok(TokenKind::Integer, start, e)
    }

    /// Lexes a string whose opening quote is at `quote`; the token starts at
    /// `quote` too (the caller widens it for `@"..."`).
    fn lex_string(&mut self, quote: usize, kind: TokenKind) -> Token {
        let b = self.src.as_bytes();
        let mut i = quote + 1;
        loop {
            match b.get(i) {
                None | Some(b'\n' | 0x0B | 0x0C) => {
                    return self.err(LexError::UnterminatedString, quote, i);
                }
                Some(b'"') => return self.tok(kind, quote, i + 1),
                Some(b'\\') => match b.get(i + 1) {
                    Some(b'"' | b'\\' | b'n' | b't') => i += 2,
                    Some(c1) if c1.is_ascii_hexdigit() && b.get(i + 2).is_some_and(u8::is_ascii_hexdigit) => {
                        i += 3
                    }
                    _ => return self.err(LexError::UnknownEscape, quote, i + 1),
                },
                Some(_) => i += 1,
            }
        }
    }
}

#[inline]
fn memchr_newline(b: &[u8]) -> Option<usize> {
    b.iter().position(|&c| c == b'\n')
}

/// Decodes the body of a string literal token (quotes included in `text`)
/// into bytes: MLIR strings may hold arbitrary bytes through `\XX`.
pub fn unescape_string(text: &str) -> Vec<u8> {
    let inner = text.strip_prefix('"').and_then(|t| t.strip_suffix('"')).unwrap_or(text).as_bytes();
    let mut out = Vec::with_capacity(inner.len());
    let mut i = 0;
    while i < inner.len() {
        let c = inner[i];
        if c != b'\\' || i + 1 >= inner.len() {
            out.push(c);
            i += 1;
            continue;
        }
        match inner[i + 1] {
            b'"' => out.push(b'"'),
            b'\\' => out.push(b'\\'),
            b'n' => out.push(b'\n'),
            b't' => out.push(b'\t'),
            h => {
                let l = inner.get(i + 2).copied().unwrap_or(b'0');
                out.push(hex_val(h) << 4 | hex_val(l));
                i += 3;
                continue;
            }
        }
        i += 2;
    }
    out
}

fn hex_val(c: u8) -> u8 {
    match c {
        b'0'..=b'9' => c - b'0',
        b'a'..=b'f' => c - b'a' + 10,
        b'A'..=b'F' => c - b'A' + 10,
        _ => 0,
    }
}

/// Writes `bytes` as an MLIR string literal (with quotes): printable ASCII
/// as is, `\\` doubled, everything else (including `"`) as `\XX`, exactly
/// like MLIR's `printEscapedString`.
pub fn write_escaped_string(out: &mut impl std::fmt::Write, bytes: &[u8]) -> std::fmt::Result {
    const HEX: &[u8; 16] = b"0123456789ABCDEF";
    out.write_char('"')?;
    let mut run_start = 0;
    for (i, &c) in bytes.iter().enumerate() {
        let plain = (0x20..0x7F).contains(&c) && c != b'"' && c != b'\\';
        if plain {
            continue;
        }
        // Invariant: bytes[run_start..i] is printable ASCII, so valid UTF-8.
        out.write_str(std::str::from_utf8(&bytes[run_start..i]).unwrap_or_default())?;
        run_start = i + 1;
        if c == b'\\' {
            out.write_str("\\\\")?;
        } else {
            out.write_char('\\')?;
            out.write_char(HEX[(c >> 4) as usize] as char)?;
            out.write_char(HEX[(c & 15) as usize] as char)?;
        }
    }
    out.write_str(std::str::from_utf8(&bytes[run_start..]).unwrap_or_default())?;
    out.write_char('"')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kinds(src: &str) -> Vec<(TokenKind, &str)> {
        let mut lx = Lexer::new(src, 0, 4096);
        let mut v = Vec::new();
        loop {
            let t = lx.next_token();
            if t.kind == TokenKind::Eof {
                return v;
            }
            v.push((t.kind, t.text(src)));
            if t.kind == TokenKind::Error {
                return v;
            }
        }
    }

    #[test]
    fn lexes_op_line() {
        use TokenKind::*;
        assert_eq!(
            kinds("%0:2 = \"t.op\"(%a#1) // c\n ^bb0 @f @\"q x\" -> :: 1.5e3 0x1F 7 !t.x #a"),
            vec![
                (ValueId, "%0"),
                (Colon, ":"),
                (Integer, "2"),
                (Equal, "="),
                (String, "\"t.op\""),
                (LParen, "("),
                (ValueId, "%a"),
                (HashId, "#1"),
                (RParen, ")"),
                (CaretId, "^bb0"),
                (AtId, "@f"),
                (AtId, "@\"q x\""),
                (Arrow, "->"),
                (ColonColon, "::"),
                (Float, "1.5e3"),
                (Integer, "0x1F"),
                (Integer, "7"),
                (BangId, "!t.x"),
                (HashId, "#a"),
            ]
        );
    }

    #[test]
    fn numbers_like_mlir() {
        use TokenKind::*;
        assert_eq!(kinds("1."), vec![(Float, "1.")]);
        assert_eq!(kinds("1.e"), vec![(Float, "1."), (BareId, "e")]);
        assert_eq!(kinds("0x"), vec![(Integer, "0"), (BareId, "x")]);
        assert_eq!(kinds("4xf32"), vec![(Integer, "4"), (BareId, "xf32")]);
    }

    #[test]
    fn string_errors() {
        let mut lx = Lexer::new("\"ab\ncd\"", 0, 10);
        assert_eq!(lx.next_token().kind, TokenKind::Error);
        assert_eq!(lx.error(), Some(LexError::UnterminatedString));
        let mut lx = Lexer::new("\"a\\q\"", 0, 10);
        assert_eq!(lx.next_token().kind, TokenKind::Error);
        assert_eq!(lx.error(), Some(LexError::UnknownEscape));
    }

    #[test]
    fn ident_limit() {
        let mut lx = Lexer::new("abcdef %abcdef", 0, 5);
        assert_eq!(lx.next_token().kind, TokenKind::Error);
        assert_eq!(lx.error(), Some(LexError::IdentifierTooLong(5)));
    }

    #[test]
    fn escape_roundtrip() {
        let bytes = b"a\"b\\c\n\x00\xFFz";
        let mut s = String::new();
        write_escaped_string(&mut s, bytes).unwrap();
        assert_eq!(s, "\"a\\22b\\\\c\\0A\\00\\FFz\"");
        assert_eq!(unescape_string(&s), bytes);
        assert_eq!(unescape_string("\"\\n\\t\\\"\""), b"\n\t\"");
    }
}
