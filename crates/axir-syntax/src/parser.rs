//! The parser: op structure, SSA and block scoping, and [`OpAsmParser`], the
//! API that each op's custom-syntax hook uses.
//!
//! Design: one cursor over the source. Tokens come from the hand-written
//! lexer ([`crate::lexer`]); types, attributes and locations are parsed by the
//! pest grammar invoked at the cursor's byte offset, with fast paths for the
//! common cases (keyword types, number literals, dictionaries) that follow
//! the grammar's rules exactly, and a cache of types by their source text.
//! An op written in custom form is parsed by the hook its dialect attached
//! to the op's [`OpInfo`](axir_ir::OpInfo) ([`CustomAssembly`]), over the same
//! token stream, so a dialect adds syntax without touching the grammar.
//!
//! SSA names follow MLIR: each isolated-from-above op's regions get a fresh
//! name scope; inside one, names defined in a region go out of scope at its
//! end; forward references create placeholder values that are replaced when
//! the definition appears, and any left at the end of the isolated scope are
//! reported as `use of undeclared SSA value name`. Block labels are scoped to
//! their region and may be referenced before their definition.

use crate::convert::{number_attr, Aliases, Conv, ConvResult, LocAliases, NumberLit, SynErr};
use crate::custom::CustomAssembly;
use crate::grammar::{explain_failure, parse_rule_at, Rule};
use crate::lexer::{unescape_string, Lexer, Token, TokenKind};
use crate::ParseOptions;
use axir_ir::{
    Attribute, BlockId, Context, Diagnostic, DialectRegistry, Ident, Location, NamedAttr, OpId, OpTraits,
    OperationState, RegionId, Signedness, Type, TypeData, Value,
};
use rustc_hash::FxHashMap;
use smallvec::SmallVec;
use std::sync::Arc;

/// Marker returned by a failed parse step: a diagnostic has already been
/// recorded in the parser (see [`OpAsmParser::emit_error`]).
///
/// Hooks propagate it with `?`; they obtain one only by emitting an error,
/// so every failure is explained to the user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ParseError {
    _private: (),
}

/// The result of a parse step.
pub type ParseResult<T = ()> = Result<T, ParseError>;

const FAILED: ParseError = ParseError { _private: () };

/// An SSA use that has been parsed but not yet given a type: `%x` or
/// `%x#1`. Turn it into a [`Value`] with [`OpAsmParser::resolve_operand`]
/// once the type is known (custom syntax usually puts types after operands).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct UnresolvedOperand {
    start: u32,
    end: u32,
    number: u32,
}

impl UnresolvedOperand {
    /// Byte offset of the `%` in the source (for [`OpAsmParser::emit_error_at`]).
    pub fn pos(&self) -> usize {
        self.start as usize
    }

    /// The result number (`1` in `%x#1`, else `0`).
    pub fn number(&self) -> u32 {
        self.number
    }

    /// The name as written, with its `%` (`%x`), without the `#N` suffix.
    pub fn name<'s>(&self, p: &OpAsmParser<'s>) -> &'s str {
        &p.src[self.start as usize..self.end as usize]
    }
}

/// A parsed argument of an argument list (`%a: f32 {attrs} loc(...)`), to
/// define entry-block arguments of a region with
/// [`OpAsmParser::parse_region`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Argument {
    /// The argument's name.
    pub name: UnresolvedOperand,
    /// Its type.
    pub ty: Type,
    /// Its attribute dictionary, when the list allowed one and it was written.
    pub attrs: Option<Attribute>,
    /// Its explicit `loc(...)`, if written.
    pub loc: Option<Location>,
}

/// Brackets around a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Delimiter {
    /// No brackets: the list ends at the first token that does not fit.
    None,
    /// `( ... )`, required.
    Paren,
    /// `[ ... ]`, required.
    Square,
    /// `( ... )` if the next token is `(`, else an empty list.
    OptionalParen,
    /// `[ ... ]` if the next token is `[`, else an empty list.
    OptionalSquare,
}

/// What the parser knows about an op name.
#[derive(Clone, Copy)]
struct OpEntry {
    ident: Ident,
    registered: bool,
    isolated: bool,
    custom: Option<CustomAssembly>,
}

struct ValueEntry {
    values: SmallVec<[Value; 1]>,
    def_offset: u32,
}

struct Forward {
    placeholder: Value,
    use_offset: u32,
}

/// Names of one isolated-from-above scope.
#[derive(Default)]
struct IsolatedScope<'a> {
    values: FxHashMap<&'a str, ValueEntry>,
    /// Names defined in each open region, to forget at the region's end.
    region_defs: Vec<Vec<&'a str>>,
    forward: FxHashMap<(&'a str, u32), Forward>,
}

struct BlockEntry {
    block: BlockId,
    defined: bool,
    first_ref: u32,
}

/// Block labels of one region.
#[derive(Default)]
struct RegionScope<'a> {
    blocks: FxHashMap<&'a str, BlockEntry>,
}

/// Incremental byte offset -> line/column conversion. Ops are parsed in
/// source order, so most queries move forward a little.
struct LineCursor {
    offset: usize,
    line: u32,
    line_start: usize,
    starts: Option<Vec<usize>>,
}

impl LineCursor {
    fn line_col(&mut self, src: &str, off: usize, line_offset: u32) -> (u32, u32) {
        if off >= self.offset {
            let bytes = &src.as_bytes()[self.offset..off];
            let n = bytes.iter().filter(|&&b| b == b'\n').count();
            if n > 0 {
                self.line += n as u32;
                let last = bytes.iter().rposition(|&b| b == b'\n').unwrap_or(0);
                self.line_start = self.offset + last + 1;
            }
            self.offset = off;
            return (self.line + line_offset, (off - self.line_start + 1) as u32);
        }
        let starts = self.starts.get_or_insert_with(|| {
            let mut v = vec![0];
            v.extend(src.bytes().enumerate().filter(|&(_, b)| b == b'\n').map(|(i, _)| i + 1));
            v
        });
        let line = starts.partition_point(|&s| s <= off);
        let start = starts[line - 1];
        (line as u32 + line_offset, (off - start + 1) as u32)
    }
}

/// Per-op state visible to the hook parsing it.
#[derive(Clone, Copy)]
struct CurrentOp {
    num_results: usize,
    isolated: bool,
    name_pos: u32,
}

/// The parser, and the API of custom-syntax hooks.
///
/// A hook receives `&mut OpAsmParser` positioned just after the op name and
/// fills an [`OperationState`]. The methods mirror MLIR's `OpAsmParser`:
/// `parse_*` methods require their element and emit an error when it is
/// missing; `parse_optional_*` methods return `None`/`false` and consume
/// nothing when it is absent.
///
/// ```
/// use axir_syntax::{OpAsmParser, ParseResult};
/// use axir_ir::OperationState;
///
/// /// `%0 = test.add %a, %b : f32`
/// fn parse_add(p: &mut OpAsmParser<'_>, state: &mut OperationState) -> ParseResult {
///     let lhs = p.parse_operand()?;
///     p.parse_comma()?;
///     let rhs = p.parse_operand()?;
///     p.parse_optional_attr_dict(&mut state.attributes)?;
///     let ty = p.parse_colon_type()?;
///     p.resolve_operands_same_type(&[lhs, rhs], ty, &mut state.operands)?;
///     state.result_types.push(ty);
///     Ok(())
/// }
/// ```
pub struct OpAsmParser<'a> {
    ctx: &'a mut Context,
    registry: Arc<DialectRegistry>,
    src: &'a str,
    file: &'a str,
    opts: ParseOptions,
    allow_unregistered: bool,
    lex: Lexer<'a>,
    tok: Token,
    pub(crate) diags: Vec<Diagnostic>,
    scopes: Vec<IsolatedScope<'a>>,
    /// Emptied scopes kept for reuse: their maps keep their capacity, so a
    /// file of many functions does not regrow a map per function.
    scope_pool: Vec<IsolatedScope<'a>>,
    regions: Vec<RegionScope<'a>>,
    placeholders: Option<BlockId>,
    /// Every region and forward-referenced block created, so that a failed
    /// parse can erase what no op took ownership of.
    created_regions: Vec<RegionId>,
    forward_blocks: Vec<BlockId>,
    type_cache: FxHashMap<&'a str, Type>,
    op_cache: FxHashMap<&'a str, OpEntry>,
    type_aliases: FxHashMap<String, Type>,
    attr_aliases: FxHashMap<String, Attribute>,
    loc_aliases: LocAliases,
    default_dialects: Vec<&'static str>,
    depth: usize,
    cur: CurrentOp,
    lines: LineCursor,
}

impl<'a> OpAsmParser<'a> {
    pub(crate) fn new(ctx: &'a mut Context, src: &'a str, file: &'a str, opts: &ParseOptions) -> Self {
        let registry = ctx.registry_arc();
        let allow_unregistered = opts.allow_unregistered_dialects || ctx.allows_unregistered();
        let mut lex = Lexer::new(src, 0, opts.max_identifier_len);
        let tok = lex.next_token();
        OpAsmParser {
            ctx,
            registry,
            src,
            file,
            opts: opts.clone(),
            allow_unregistered,
            lex,
            tok,
            diags: Vec::new(),
            scopes: Vec::new(),
            scope_pool: Vec::new(),
            regions: Vec::new(),
            placeholders: None,
            created_regions: Vec::new(),
            forward_blocks: Vec::new(),
            type_cache: FxHashMap::default(),
            op_cache: FxHashMap::default(),
            type_aliases: FxHashMap::default(),
            attr_aliases: FxHashMap::default(),
            loc_aliases: LocAliases::default(),
            default_dialects: vec!["builtin"],
            depth: 0,
            cur: CurrentOp { num_results: 0, isolated: false, name_pos: 0 },
            lines: LineCursor { offset: 0, line: 1, line_start: 0, starts: None },
        }
    }

    // =====================================================================
    // Context, positions and diagnostics
    // =====================================================================

    /// The IR context, to build types and attributes.
    pub fn ctx(&mut self) -> &mut Context {
        self.ctx
    }

    /// The whole source text.
    pub fn source(&self) -> &'a str {
        self.src
    }

    /// Number of results the op being parsed binds (`%a, %b:2 = ...` binds
    /// 3), or 0 when no result names were written.
    pub fn num_results(&self) -> usize {
        self.cur.num_results
    }

    /// Byte offset of the op name of the op being parsed (MLIR's
    /// `getNameLoc`), for errors about the op as a whole.
    pub fn name_pos(&self) -> usize {
        self.cur.name_pos as usize
    }

    /// Byte offset of the current token.
    pub fn current_pos(&self) -> usize {
        self.tok.start as usize
    }

    /// The `FileLineCol` location of byte offset `pos`.
    pub fn location_at(&mut self, pos: usize) -> Location {
        let (line, col) = self.lines.line_col(self.src, pos, self.opts.line_offset);
        self.ctx.file_loc(self.file, line, col)
    }

    /// Records an error at the current token and returns the failure marker.
    ///
    /// Messages follow MLIR's style: lower case, no final period.
    pub fn emit_error(&mut self, message: impl Into<String>) -> ParseError {
        let pos = self.current_pos();
        self.emit_error_at(pos, message)
    }

    /// Records an error at byte offset `pos`.
    pub fn emit_error_at(&mut self, pos: usize, message: impl Into<String>) -> ParseError {
        let loc = self.location_at(pos);
        self.emit_diagnostic(Diagnostic::error(loc, message))
    }

    /// Records a prepared diagnostic (e.g. one with notes).
    pub fn emit_diagnostic(&mut self, diag: Diagnostic) -> ParseError {
        self.diags.push(diag);
        FAILED
    }

    fn syn_err(&mut self, e: SynErr) -> ParseError {
        let loc = self.location_at(e.offset);
        let mut d = Diagnostic::error(loc, e.message);
        for (off, msg) in e.notes {
            let l = self.location_at(off);
            d = d.with_note(l, msg);
        }
        self.emit_diagnostic(d)
    }

    /// An error for an unexpected current token; a lexer error wins, since
    /// it says what is actually wrong with the text.
    fn expected(&mut self, what: &str) -> ParseError {
        if self.tok.kind == TokenKind::Error {
            let msg = self.lex.error().map_or_else(|| "unexpected character".to_string(), |e| e.message());
            let pos = self.current_pos();
            return self.emit_error_at(pos, msg);
        }
        self.emit_error(format!("expected {what}"))
    }

    fn lex_error(&self) -> SynErr {
        let msg = self.lex.error().map_or_else(|| "unexpected character".to_string(), |e| e.message());
        SynErr::new(self.tok.start as usize, msg)
    }

    // =====================================================================
    // Token level
    // =====================================================================

    #[inline]
    fn advance(&mut self) {
        self.tok = self.lex.next_token();
    }

    /// Moves the cursor to byte `pos` (after a pest parse that ended there).
    fn reset_to(&mut self, pos: usize) {
        self.lex.reset(pos);
        self.advance();
    }

    /// Kind of the token after the current one, without consuming anything.
    fn peek2(&self) -> Token {
        let mut l = self.lex.clone();
        l.next_token()
    }

    /// The kind of the current token.
    pub fn peek(&self) -> TokenKind {
        self.tok.kind
    }

    /// The text of the current token.
    pub fn peek_text(&self) -> &'a str {
        self.tok.text(self.src)
    }

    /// Whether the current token is the bare identifier `kw`.
    pub fn peek_is_keyword(&self, kw: &str) -> bool {
        self.tok.kind == TokenKind::BareId && self.tok.text(self.src) == kw
    }

    /// Consumes a token of `kind` or emits `expected <token>`.
    pub fn parse_token(&mut self, kind: TokenKind) -> ParseResult {
        if self.tok.kind == kind {
            self.advance();
            Ok(())
        } else {
            Err(self.expected(kind.describe()))
        }
    }

    /// Consumes a token of `kind` if it is next.
    pub fn parse_optional_token(&mut self, kind: TokenKind) -> bool {
        if self.tok.kind == kind {
            self.advance();
            true
        } else {
            false
        }
    }

    /// `,`
    pub fn parse_comma(&mut self) -> ParseResult {
        self.parse_token(TokenKind::Comma)
    }
    /// `,` if present.
    pub fn parse_optional_comma(&mut self) -> bool {
        self.parse_optional_token(TokenKind::Comma)
    }
    /// `:`
    pub fn parse_colon(&mut self) -> ParseResult {
        self.parse_token(TokenKind::Colon)
    }
    /// `:` if present.
    pub fn parse_optional_colon(&mut self) -> bool {
        self.parse_optional_token(TokenKind::Colon)
    }
    /// `=`
    pub fn parse_equal(&mut self) -> ParseResult {
        self.parse_token(TokenKind::Equal)
    }
    /// `=` if present.
    pub fn parse_optional_equal(&mut self) -> bool {
        self.parse_optional_token(TokenKind::Equal)
    }
    /// `->`
    pub fn parse_arrow(&mut self) -> ParseResult {
        self.parse_token(TokenKind::Arrow)
    }
    /// `->` if present.
    pub fn parse_optional_arrow(&mut self) -> bool {
        self.parse_optional_token(TokenKind::Arrow)
    }
    /// `(`
    pub fn parse_lparen(&mut self) -> ParseResult {
        self.parse_token(TokenKind::LParen)
    }
    /// `(` if present.
    pub fn parse_optional_lparen(&mut self) -> bool {
        self.parse_optional_token(TokenKind::LParen)
    }
    /// `)`
    pub fn parse_rparen(&mut self) -> ParseResult {
        self.parse_token(TokenKind::RParen)
    }
    /// `)` if present.
    pub fn parse_optional_rparen(&mut self) -> bool {
        self.parse_optional_token(TokenKind::RParen)
    }
    /// `[`
    pub fn parse_lsquare(&mut self) -> ParseResult {
        self.parse_token(TokenKind::LSquare)
    }
    /// `[` if present.
    pub fn parse_optional_lsquare(&mut self) -> bool {
        self.parse_optional_token(TokenKind::LSquare)
    }
    /// `]`
    pub fn parse_rsquare(&mut self) -> ParseResult {
        self.parse_token(TokenKind::RSquare)
    }
    /// `]` if present.
    pub fn parse_optional_rsquare(&mut self) -> bool {
        self.parse_optional_token(TokenKind::RSquare)
    }
    /// `<`
    pub fn parse_less(&mut self) -> ParseResult {
        self.parse_token(TokenKind::Less)
    }
    /// `<` if present.
    pub fn parse_optional_less(&mut self) -> bool {
        self.parse_optional_token(TokenKind::Less)
    }
    /// `>`
    pub fn parse_greater(&mut self) -> ParseResult {
        self.parse_token(TokenKind::Greater)
    }
    /// `>` if present.
    pub fn parse_optional_greater(&mut self) -> bool {
        self.parse_optional_token(TokenKind::Greater)
    }
    /// `?` if present.
    pub fn parse_optional_question(&mut self) -> bool {
        self.parse_optional_token(TokenKind::Question)
    }
    /// `*` if present.
    pub fn parse_optional_star(&mut self) -> bool {
        self.parse_optional_token(TokenKind::Star)
    }

    /// The keyword `kw` (a bare identifier), or `expected 'kw'`.
    pub fn parse_keyword(&mut self, kw: &str) -> ParseResult {
        if self.parse_optional_keyword(kw) {
            Ok(())
        } else {
            Err(self.expected(&format!("'{kw}'")))
        }
    }

    /// The keyword `kw` if it is next.
    pub fn parse_optional_keyword(&mut self, kw: &str) -> bool {
        if self.peek_is_keyword(kw) {
            self.advance();
            true
        } else {
            false
        }
    }

    /// Any bare identifier; returns its text.
    pub fn parse_keyword_str(&mut self) -> ParseResult<&'a str> {
        match self.parse_optional_keyword_str() {
            Some(s) => Ok(s),
            None => Err(self.expected("keyword")),
        }
    }

    /// A bare identifier if one is next.
    pub fn parse_optional_keyword_str(&mut self) -> Option<&'a str> {
        if self.tok.kind == TokenKind::BareId {
            let s = self.tok.text(self.src);
            self.advance();
            Some(s)
        } else {
            None
        }
    }

    /// One of `keywords`; returns its index. For enum-like syntax such as
    /// `arith.cmpf olt, ...`.
    pub fn parse_keyword_of(&mut self, keywords: &[&str]) -> ParseResult<usize> {
        if self.tok.kind == TokenKind::BareId {
            let s = self.tok.text(self.src);
            if let Some(i) = keywords.iter().position(|k| *k == s) {
                self.advance();
                return Ok(i);
            }
        }
        let list = keywords.join(", ");
        Err(self.expected(&format!("one of [{list}]")))
    }

    /// A string literal, decoded (escapes resolved).
    pub fn parse_string(&mut self) -> ParseResult<String> {
        match self.parse_optional_string()? {
            Some(s) => Ok(s),
            None => Err(self.expected("string literal")),
        }
    }

    /// A string literal if one is next.
    pub fn parse_optional_string(&mut self) -> ParseResult<Option<String>> {
        if self.tok.kind != TokenKind::String {
            return Ok(None);
        }
        let text = self.tok.text(self.src);
        let pos = self.current_pos();
        self.advance();
        match String::from_utf8(unescape_string(text)) {
            Ok(s) => Ok(Some(s)),
            Err(_) => Err(self.emit_error_at(pos, "string literal is not valid UTF-8")),
        }
    }

    /// A symbol name `@name` or `@"quoted name"`; returns the name without `@`.
    pub fn parse_symbol_name(&mut self) -> ParseResult<String> {
        match self.parse_optional_symbol_name()? {
            Some(s) => Ok(s),
            None => Err(self.expected("symbol name")),
        }
    }

    /// A symbol name if one is next.
    pub fn parse_optional_symbol_name(&mut self) -> ParseResult<Option<String>> {
        if self.tok.kind != TokenKind::AtId {
            return Ok(None);
        }
        let text = &self.tok.text(self.src)[1..];
        let pos = self.current_pos();
        self.advance();
        if text.starts_with('"') {
            match String::from_utf8(unescape_string(text)) {
                Ok(s) => Ok(Some(s)),
                Err(_) => Err(self.emit_error_at(pos, "symbol name is not valid UTF-8")),
            }
        } else {
            Ok(Some(text.to_string()))
        }
    }

    /// An integer, optionally negative, that fits `i64`.
    pub fn parse_integer(&mut self) -> ParseResult<i64> {
        match self.parse_optional_integer()? {
            Some(v) => Ok(v),
            None => Err(self.expected("integer value")),
        }
    }

    /// An integer if one is next.
    pub fn parse_optional_integer(&mut self) -> ParseResult<Option<i64>> {
        let neg = self.tok.kind == TokenKind::Minus && self.peek2().kind == TokenKind::Integer;
        if neg {
            self.advance();
        } else if self.tok.kind != TokenKind::Integer {
            return Ok(None);
        }
        let text = self.tok.text(self.src);
        let pos = self.current_pos();
        self.advance();
        let mag = crate::convert::parse_int_literal(text).and_then(|m| i128::try_from(m).ok());
        let v = mag.map(|m| if neg { -m } else { m }).and_then(|v| i64::try_from(v).ok());
        match v {
            Some(v) => Ok(Some(v)),
            None => Err(self.emit_error_at(pos, "integer value too large")),
        }
    }

    // =====================================================================
    // Operands
    // =====================================================================

    /// An SSA use: `%x` or `%x#1`.
    pub fn parse_operand(&mut self) -> ParseResult<UnresolvedOperand> {
        match self.parse_optional_operand() {
            Some(o) => Ok(o),
            None => Err(self.expected("SSA operand")),
        }
    }

    /// An SSA use if one is next.
    pub fn parse_optional_operand(&mut self) -> Option<UnresolvedOperand> {
        if self.tok.kind != TokenKind::ValueId {
            return None;
        }
        let name = self.tok;
        self.advance();
        let mut number = 0;
        // `#N` is part of the use only when written right after the name.
        if self.tok.kind == TokenKind::HashId && self.tok.start == name.end {
            let digits = &self.tok.text(self.src)[1..];
            if let Ok(n) = digits.parse::<u32>() {
                number = n;
                self.advance();
            }
        }
        Some(UnresolvedOperand { start: name.start, end: name.end, number })
    }

    /// A comma-separated list of SSA uses in `delimiter`.
    pub fn parse_operand_list(
        &mut self,
        delimiter: Delimiter,
    ) -> ParseResult<SmallVec<[UnresolvedOperand; 4]>> {
        let mut out = SmallVec::new();
        let close = match delimiter {
            Delimiter::None => None,
            Delimiter::Paren => {
                self.parse_lparen()?;
                Some(TokenKind::RParen)
            }
            Delimiter::Square => {
                self.parse_lsquare()?;
                Some(TokenKind::RSquare)
            }
            Delimiter::OptionalParen => {
                if !self.parse_optional_lparen() {
                    return Ok(out);
                }
                Some(TokenKind::RParen)
            }
            Delimiter::OptionalSquare => {
                if !self.parse_optional_lsquare() {
                    return Ok(out);
                }
                Some(TokenKind::RSquare)
            }
        };
        if let Some(first) = self.parse_optional_operand() {
            out.push(first);
            while self.parse_optional_comma() {
                out.push(self.parse_operand()?);
            }
        }
        if let Some(close) = close {
            self.parse_token(close)?;
        }
        Ok(out)
    }

    /// Resolves a use to the value it names, which must have type `ty`.
    ///
    /// A name not defined yet becomes a placeholder that its definition
    /// replaces later (forward reference).
    pub fn resolve_operand(&mut self, operand: &UnresolvedOperand, ty: Type) -> ParseResult<Value> {
        let name = &self.src[operand.start as usize..operand.end as usize];
        let Some(scope) = self.scopes.last_mut() else {
            return Err(self.emit_error_at(operand.pos(), "use of undeclared SSA value name"));
        };
        if let Some(entry) = scope.values.get(name) {
            let Some(&v) = entry.values.get(operand.number as usize) else {
                return Err(self.emit_error_at(operand.pos(), "reference to invalid result number"));
            };
            let def_offset = entry.def_offset as usize;
            let vty = self.ctx.value_type(v);
            if vty != ty {
                return Err(self.type_mismatch(operand, ty, vty, def_offset));
            }
            return Ok(v);
        }
        let key = (name, operand.number);
        if let Some(fw) = scope.forward.get(&key) {
            let (ph, use_offset) = (fw.placeholder, fw.use_offset as usize);
            let pty = self.ctx.value_type(ph);
            if pty != ty {
                return Err(self.type_mismatch(operand, ty, pty, use_offset));
            }
            return Ok(ph);
        }
        let block = match self.placeholders {
            Some(b) => b,
            None => {
                let b = self.ctx.create_block(&[]);
                self.placeholders = Some(b);
                b
            }
        };
        let unknown = self.ctx.unknown_loc();
        let ph = self.ctx.add_block_argument(block, ty, unknown);
        if let Some(scope) = self.scopes.last_mut() {
            scope.forward.insert(key, Forward { placeholder: ph, use_offset: operand.start });
        }
        Ok(ph)
    }

    fn type_mismatch(
        &mut self,
        operand: &UnresolvedOperand,
        ty: Type,
        prior: Type,
        prior_at: usize,
    ) -> ParseError {
        let name = operand.name(self);
        let msg = format!(
            "use of value '{name}' expects different type than prior uses: '{}' vs '{}'",
            self.ctx.display_type(ty),
            self.ctx.display_type(prior)
        );
        let loc = self.location_at(operand.pos());
        let prior_loc = self.location_at(prior_at);
        self.emit_diagnostic(Diagnostic::error(loc, msg).with_note(prior_loc, "prior use here"))
    }

    /// Resolves each use with the type at the same index and appends the
    /// values to `out`; the counts must match.
    pub fn resolve_operands(
        &mut self,
        operands: &[UnresolvedOperand],
        types: &[Type],
        out: &mut Vec<Value>,
    ) -> ParseResult {
        if operands.len() != types.len() {
            let pos = operands.first().map_or(self.name_pos(), |o| o.pos());
            return Err(self.emit_error_at(
                pos,
                format!("{} operands present, but expected {}", operands.len(), types.len()),
            ));
        }
        out.reserve(operands.len());
        for (o, t) in operands.iter().zip(types) {
            out.push(self.resolve_operand(o, *t)?);
        }
        Ok(())
    }

    /// Resolves every use with the same type `ty`, appending to `out`.
    pub fn resolve_operands_same_type(
        &mut self,
        operands: &[UnresolvedOperand],
        ty: Type,
        out: &mut Vec<Value>,
    ) -> ParseResult {
        out.reserve(operands.len());
        for o in operands {
            out.push(self.resolve_operand(o, ty)?);
        }
        Ok(())
    }

    /// Binds `name` (text with `%`) to `values` in the current scope,
    /// resolving forward references to it.
    fn define_values(&mut self, name: &'a str, offset: u32, values: &[Value]) -> ParseResult {
        let Some(scope) = self.scopes.last_mut() else {
            return Ok(());
        };
        if let Some(prev) = scope.values.get(name) {
            let prev_off = prev.def_offset as usize;
            let loc = self.location_at(offset as usize);
            let prev_loc = self.location_at(prev_off);
            return Err(self.emit_diagnostic(
                Diagnostic::error(loc, format!("redefinition of SSA value '{name}'"))
                    .with_note(prev_loc, "previously defined here"),
            ));
        }
        scope.values.insert(name, ValueEntry { values: SmallVec::from_slice(values), def_offset: offset });
        if let Some(defs) = scope.region_defs.last_mut() {
            defs.push(name);
        }
        if scope.forward.is_empty() {
            return Ok(());
        }
        for (i, &v) in values.iter().enumerate() {
            let Some(scope) = self.scopes.last_mut() else { break };
            let Some(fw) = scope.forward.remove(&(name, i as u32)) else {
                continue;
            };
            let pty = self.ctx.value_type(fw.placeholder);
            let vty = self.ctx.value_type(v);
            if pty != vty {
                let msg =
                    format!("definition of SSA value '{name}#{i}' has type '{}'", self.ctx.display_type(vty));
                let note = format!("previously used here with type '{}'", self.ctx.display_type(pty));
                let loc = self.location_at(offset as usize);
                let use_loc = self.location_at(fw.use_offset as usize);
                return Err(self.emit_diagnostic(Diagnostic::error(loc, msg).with_note(use_loc, note)));
            }
            self.ctx.replace_all_uses(fw.placeholder, v);
        }
        Ok(())
    }

    // =====================================================================
    // Types
    // =====================================================================

    /// A type.
    pub fn parse_type(&mut self) -> ParseResult<Type> {
        match self.try_type() {
            Ok(t) => Ok(t),
            Err(e) => Err(self.syn_err(e)),
        }
    }

    /// A type if the next token can start one (a type keyword, `(`, `!`).
    pub fn parse_optional_type(&mut self) -> ParseResult<Option<Type>> {
        if self.at_type_start() {
            self.parse_type().map(Some)
        } else {
            Ok(None)
        }
    }

    fn at_type_start(&self) -> bool {
        match self.tok.kind {
            TokenKind::LParen | TokenKind::BangId => true,
            TokenKind::BareId => {
                let t = self.tok.text(self.src);
                is_type_keyword(t) || matches!(t, "tensor" | "memref" | "vector" | "complex" | "tuple")
            }
            _ => false,
        }
    }

    /// `: type`
    pub fn parse_colon_type(&mut self) -> ParseResult<Type> {
        self.parse_colon()?;
        self.parse_type()
    }

    /// `: type (, type)*`, appended to `out`.
    pub fn parse_colon_type_list(&mut self, out: &mut Vec<Type>) -> ParseResult {
        self.parse_colon()?;
        self.parse_type_list(out)
    }

    /// `type (, type)*` (at least one), appended to `out`.
    pub fn parse_type_list(&mut self, out: &mut Vec<Type>) -> ParseResult {
        out.push(self.parse_type()?);
        while self.parse_optional_comma() {
            out.push(self.parse_type()?);
        }
        Ok(())
    }

    /// Function results after `->`: `type` or `(type, ...)`, appended to `out`.
    pub fn parse_function_result_types(&mut self, out: &mut Vec<Type>) -> ParseResult {
        match self.try_function_results(out) {
            Ok(()) => Ok(()),
            Err(e) => Err(self.syn_err(e)),
        }
    }

    /// `-> results` if an arrow is next (see
    /// [`parse_function_result_types`](Self::parse_function_result_types)).
    pub fn parse_optional_arrow_type_list(&mut self, out: &mut Vec<Type>) -> ParseResult {
        if self.parse_optional_arrow() {
            self.parse_function_result_types(out)?;
        }
        Ok(())
    }

    fn try_type(&mut self) -> ConvResult<Type> {
        let t = self.tok;
        match t.kind {
            TokenKind::BareId => {
                let text = t.text(self.src);
                if let Some(&ty) = self.type_cache.get(text) {
                    self.advance();
                    return Ok(ty);
                }
                if let Some(ty) = self.keyword_type(text, t.start as usize)? {
                    self.type_cache.insert(text, ty);
                    self.advance();
                    return Ok(ty);
                }
                if !matches!(text, "tensor" | "memref" | "vector" | "complex" | "tuple") {
                    return Err(SynErr::new(t.start as usize, "expected non-function type"));
                }
                self.bracketed_type()
            }
            TokenKind::LParen => self.function_type_tokens(),
            TokenKind::BangId => self.bracketed_type(),
            TokenKind::Error => Err(self.lex_error()),
            _ => Err(SynErr::new(t.start as usize, "expected non-function type")),
        }
    }

    /// The single-token builtin types of rules `integer_type`, `float_type`,
    /// `index_type` and `none_type`.
    fn keyword_type(&mut self, text: &str, pos: usize) -> ConvResult<Option<Type>> {
        let ctx = &mut *self.ctx;
        let ty = match text {
            "index" => ctx.index_type(),
            "none" => ctx.none_type(),
            "f16" | "bf16" | "f32" | "f64" => {
                let k = crate::convert::float_kind_of(text).expect("float keyword");
                ctx.float_type(k)
            }
            "f80" | "f128" | "tf32" => {
                return Err(SynErr::new(pos, format!("unsupported float type '{text}'")))
            }
            _ => {
                let (signedness, digits) = if let Some(d) = text.strip_prefix("si") {
                    (Signedness::Signed, d)
                } else if let Some(d) = text.strip_prefix("ui") {
                    (Signedness::Unsigned, d)
                } else if let Some(d) = text.strip_prefix('i') {
                    (Signedness::Signless, d)
                } else {
                    return Ok(None);
                };
                let well_formed = !digits.is_empty()
                    && !digits.starts_with('0')
                    && digits.bytes().all(|b| b.is_ascii_digit());
                if !well_formed {
                    return Ok(None);
                }
                match digits.parse::<u32>() {
                    Ok(width) if width <= 65535 => ctx.intern_type(TypeData::Integer { width, signedness }),
                    _ => return Err(SynErr::new(pos, "integer bitwidth is limited to 65535 bits")),
                }
            }
        };
        Ok(Some(ty))
    }

    /// Rule `function_type` over tokens.
    fn function_type_tokens(&mut self) -> ConvResult<Type> {
        self.advance(); // `(`
        let mut inputs = Vec::new();
        if self.tok.kind != TokenKind::RParen {
            loop {
                inputs.push(self.try_type()?);
                if self.tok.kind != TokenKind::Comma {
                    break;
                }
                self.advance();
            }
        }
        self.expect_tok(TokenKind::RParen)?;
        self.expect_tok(TokenKind::Arrow)?;
        let mut results = Vec::new();
        self.try_function_results(&mut results)?;
        Ok(self.ctx.function_type(inputs, results))
    }

    /// Rule `function_results` over tokens.
    fn try_function_results(&mut self, out: &mut Vec<Type>) -> ConvResult<()> {
        if self.tok.kind == TokenKind::LParen {
            self.advance();
            if self.tok.kind != TokenKind::RParen {
                loop {
                    out.push(self.try_type()?);
                    if self.tok.kind != TokenKind::Comma {
                        break;
                    }
                    self.advance();
                }
            }
            self.expect_tok(TokenKind::RParen)
        } else {
            out.push(self.try_type()?);
            Ok(())
        }
    }

    fn expect_tok(&mut self, kind: TokenKind) -> ConvResult<()> {
        if self.tok.kind == kind {
            self.advance();
            Ok(())
        } else if self.tok.kind == TokenKind::Error {
            Err(self.lex_error())
        } else {
            Err(SynErr::new(self.tok.start as usize, format!("expected {}", kind.describe())))
        }
    }

    /// The byte range of a bracketed type starting at the current token
    /// (`tensor<...>`, `!d.t<...>`): balanced brackets over tokens. `None`
    /// when the text does not lex cleanly (the pest rule then decides).
    fn bracketed_extent(&self) -> Option<usize> {
        let mut l = self.lex.clone();
        let mut t = l.next_token();
        if t.kind != TokenKind::Less {
            return (self.tok.kind == TokenKind::BangId).then_some(self.tok.end as usize);
        }
        let mut depth = 0usize;
        loop {
            match t.kind {
                TokenKind::Less | TokenKind::LParen | TokenKind::LSquare | TokenKind::LBrace => depth += 1,
                TokenKind::Greater | TokenKind::RParen | TokenKind::RSquare | TokenKind::RBrace => {
                    depth -= 1;
                    if depth == 0 {
                        return Some(t.end as usize);
                    }
                }
                TokenKind::Eof | TokenKind::Error => return None,
                _ => {}
            }
            t = l.next_token();
        }
    }

    fn bracketed_type(&mut self) -> ConvResult<Type> {
        let start = self.tok.start as usize;
        let extent = self.bracketed_extent();
        if let Some(end) = extent {
            if let Some(&ty) = self.type_cache.get(&self.src[start..end]) {
                self.reset_to(end);
                return Ok(ty);
            }
        }
        let (ty, end) = self.pest_type(start)?;
        if extent == Some(end) {
            self.type_cache.insert(&self.src[start..end], ty);
        }
        self.reset_to(end);
        Ok(ty)
    }

    fn conv(&mut self, base: usize) -> Conv<'_, '_> {
        Conv {
            ctx: self.ctx,
            src: self.src,
            base,
            aliases: Aliases { types: &self.type_aliases, attrs: &self.attr_aliases },
            locs: &mut self.loc_aliases,
        }
    }

    fn pest_failure(&self, rule: Rule, start: usize, fallback_off: usize, what: &str) -> SynErr {
        // A lexical error before the failure point (an unterminated string,
        // a stray character) says more than the grammar's expectations.
        let mut l = Lexer::new(self.src, start, self.opts.max_identifier_len);
        loop {
            let t = l.next_token();
            if t.kind == TokenKind::Error {
                let msg = l.error().map_or_else(|| "unexpected character".to_string(), |e| e.message());
                return SynErr::new(t.start as usize, msg);
            }
            if t.kind == TokenKind::Eof || t.end as usize > fallback_off {
                break;
            }
        }
        match explain_failure(rule, self.src, start) {
            Some((off, msg)) => SynErr::new(off, msg),
            None => SynErr::new(fallback_off, format!("expected {what}")),
        }
    }

    /// Runs rule `ty` at `start`; returns the type and the end offset.
    fn pest_type(&mut self, start: usize) -> ConvResult<(Type, usize)> {
        match parse_rule_at(Rule::ty, self.src, start) {
            Ok(pair) => {
                let end = start + pair.as_span().end();
                let ty = self.conv(start).ty(pair)?;
                Ok((ty, end))
            }
            Err(e) => Err(self.pest_failure(Rule::ty, start, e.offset, "type")),
        }
    }

    // =====================================================================
    // Attributes
    // =====================================================================

    /// An attribute value, e.g. `42 : i32`, `"s"`, `[1, 2]`,
    /// `dense<1.0> : tensor<4xf32>`, `#arith.fastmath<none>`, `f32`.
    pub fn parse_attribute(&mut self) -> ParseResult<Attribute> {
        match self.try_attribute(None) {
            Ok(a) => Ok(a),
            Err(e) => Err(self.syn_err(e)),
        }
    }

    /// An attribute whose type, when the text leaves it out, is `ty`: MLIR's
    /// `parseAttribute(attr, type)`. `1.0` parses as `1.0 : ty` and no
    /// trailing `: type` is consumed.
    pub fn parse_attribute_of_type(&mut self, ty: Type) -> ParseResult<Attribute> {
        match self.try_attribute(Some(ty)) {
            Ok(a) => Ok(a),
            Err(e) => Err(self.syn_err(e)),
        }
    }

    /// An attribute if the next token can start one.
    pub fn parse_optional_attribute(&mut self) -> ParseResult<Option<Attribute>> {
        let starts = match self.tok.kind {
            TokenKind::Integer
            | TokenKind::Float
            | TokenKind::String
            | TokenKind::AtId
            | TokenKind::HashId
            | TokenKind::LSquare
            | TokenKind::LBrace => true,
            TokenKind::Minus => matches!(self.peek2().kind, TokenKind::Integer | TokenKind::Float),
            TokenKind::BareId => {
                let t = self.tok.text(self.src);
                matches!(
                    t,
                    "true"
                        | "false"
                        | "unit"
                        | "dense"
                        | "array"
                        | "affine_map"
                        | "affine_set"
                        | "strided"
                        | "loc"
                ) || self.at_type_start()
            }
            _ => self.at_type_start(),
        };
        if starts {
            self.parse_attribute().map(Some)
        } else {
            Ok(None)
        }
    }

    fn try_attribute(&mut self, implied: Option<Type>) -> ConvResult<Attribute> {
        let t = self.tok;
        match t.kind {
            TokenKind::Integer | TokenKind::Float => self.number_attribute(false, implied),
            TokenKind::Minus if matches!(self.peek2().kind, TokenKind::Integer | TokenKind::Float) => {
                self.advance();
                self.number_attribute(true, implied)
            }
            TokenKind::String if self.peek2().kind != TokenKind::Colon => {
                let text = t.text(self.src);
                let s = String::from_utf8(unescape_string(text))
                    .map_err(|_| SynErr::new(t.start as usize, "string literal is not valid UTF-8"))?;
                self.advance();
                Ok(self.ctx.string_attr(s))
            }
            TokenKind::LSquare => {
                self.advance();
                let mut elems = Vec::new();
                if self.tok.kind != TokenKind::RSquare {
                    loop {
                        elems.push(self.try_attribute(None)?);
                        if self.tok.kind != TokenKind::Comma {
                            break;
                        }
                        self.advance();
                    }
                }
                self.expect_tok(TokenKind::RSquare)?;
                Ok(self.ctx.array_attr(elems))
            }
            TokenKind::LBrace => {
                let mut attrs = Vec::new();
                self.try_dictionary(&mut attrs)?;
                let entries =
                    attrs.iter().map(|a| (self.ctx.ident_str(a.name).to_string(), a.value)).collect();
                Ok(self.ctx.dictionary_attr(entries))
            }
            TokenKind::BareId => match t.text(self.src) {
                "true" => {
                    self.advance();
                    Ok(self.ctx.bool_attr(true))
                }
                "false" => {
                    self.advance();
                    Ok(self.ctx.bool_attr(false))
                }
                "unit" => {
                    self.advance();
                    Ok(self.ctx.unit_attr())
                }
                "dense" | "array" | "affine_map" | "affine_set" | "strided" | "loc" => self.pest_attribute(),
                _ => {
                    let ty = self.try_type()?;
                    Ok(self.ctx.type_attr(ty))
                }
            },
            TokenKind::LParen | TokenKind::BangId => {
                let ty = self.try_type()?;
                Ok(self.ctx.type_attr(ty))
            }
            TokenKind::Error => Err(self.lex_error()),
            _ => self.pest_attribute(),
        }
    }

    /// Rules `float_attr` / `integer_attr` over tokens; the cursor is on the
    /// literal (after any `-`).
    fn number_attribute(&mut self, neg: bool, implied: Option<Type>) -> ConvResult<Attribute> {
        let lit_tok = self.tok;
        let text = lit_tok.text(self.src);
        let lit =
            if lit_tok.kind == TokenKind::Float { NumberLit::Float(text) } else { NumberLit::Int(text) };
        self.advance();
        let mut ty_off = None;
        let ty = match implied {
            Some(t) => t,
            None => {
                let explicit = if self.tok.kind == TokenKind::Colon {
                    // `(":" ~ ty)?` backtracks when no type follows.
                    let saved = (self.lex.clone(), self.tok);
                    self.advance();
                    ty_off = Some(self.tok.start as usize);
                    match self.try_type() {
                        Ok(t) => Some(t),
                        Err(_) => {
                            (self.lex, self.tok) = saved;
                            ty_off = None;
                            None
                        }
                    }
                } else {
                    None
                };
                match (explicit, lit) {
                    (Some(t), _) => t,
                    (None, NumberLit::Float(_)) => self.ctx.f64_type(),
                    (None, NumberLit::Int(_)) => self.ctx.integer_type(64),
                }
            }
        };
        number_attr(self.ctx, lit, neg, ty, lit_tok.start as usize, ty_off)
    }

    fn pest_attribute(&mut self) -> ConvResult<Attribute> {
        let start = self.tok.start as usize;
        match parse_rule_at(Rule::attribute, self.src, start) {
            Ok(pair) => {
                let end = start + pair.as_span().end();
                let a = self.conv(start).attr(pair)?;
                self.reset_to(end);
                Ok(a)
            }
            Err(e) => Err(self.pest_failure(Rule::attribute, start, e.offset, "attribute value")),
        }
    }

    /// Rule `dictionary_attr` over tokens, appending entries to `out`.
    fn try_dictionary(&mut self, out: &mut Vec<NamedAttr>) -> ConvResult<()> {
        self.expect_tok(TokenKind::LBrace)?;
        let first = out.len();
        if self.tok.kind != TokenKind::RBrace {
            loop {
                let name_tok = self.tok;
                let name: std::borrow::Cow<'_, str> = match name_tok.kind {
                    TokenKind::BareId => name_tok.text(self.src).into(),
                    TokenKind::String => String::from_utf8(unescape_string(name_tok.text(self.src)))
                        .map_err(|_| {
                            SynErr::new(name_tok.start as usize, "string literal is not valid UTF-8")
                        })?
                        .into(),
                    TokenKind::Error => return Err(self.lex_error()),
                    _ => return Err(SynErr::new(name_tok.start as usize, "expected attribute name")),
                };
                let ident = self.ctx.ident(&name);
                if out[first..].iter().any(|a| a.name == ident) {
                    return Err(SynErr::new(
                        name_tok.start as usize,
                        format!("duplicate key '{name}' in dictionary attribute"),
                    ));
                }
                self.advance();
                let value = if self.tok.kind == TokenKind::Equal {
                    self.advance();
                    self.try_attribute(None)?
                } else {
                    self.ctx.unit_attr()
                };
                out.push(NamedAttr { name: ident, value });
                if self.tok.kind != TokenKind::Comma {
                    break;
                }
                self.advance();
            }
        }
        self.expect_tok(TokenKind::RBrace)
    }

    /// An attribute dictionary `{a = 1, b}` if one is next; entries are
    /// appended to `attrs` (typically `state.attributes`).
    pub fn parse_optional_attr_dict(&mut self, attrs: &mut Vec<NamedAttr>) -> ParseResult {
        if self.tok.kind != TokenKind::LBrace {
            return Ok(());
        }
        match self.try_dictionary(attrs) {
            Ok(()) => Ok(()),
            Err(e) => Err(self.syn_err(e)),
        }
    }

    /// `attributes {...}` if the keyword is next (the form ops with a
    /// region use, so the dictionary is not mistaken for the region).
    pub fn parse_optional_attr_dict_with_keyword(&mut self, attrs: &mut Vec<NamedAttr>) -> ParseResult {
        if !self.parse_optional_keyword("attributes") {
            return Ok(());
        }
        if self.tok.kind != TokenKind::LBrace {
            return Err(self.expected("'{' to start attribute dictionary"));
        }
        self.parse_optional_attr_dict(attrs)
    }

    // =====================================================================
    // Locations
    // =====================================================================

    /// A trailing `loc(...)` if one is next.
    pub fn parse_optional_location(&mut self) -> ParseResult<Option<Location>> {
        if !(self.peek_is_keyword("loc") && self.peek2().kind == TokenKind::LParen) {
            return Ok(None);
        }
        let start = self.tok.start as usize;
        let res = match parse_rule_at(Rule::location, self.src, start) {
            Ok(pair) => {
                let end = start + pair.as_span().end();
                self.conv(start).loc(pair).map(|l| (l, end))
            }
            Err(e) => Err(self.pest_failure(Rule::location, start, e.offset, "location")),
        };
        match res {
            Ok((l, end)) => {
                self.reset_to(end);
                Ok(Some(l))
            }
            Err(e) => Err(self.syn_err(e)),
        }
    }

    // =====================================================================
    // Arguments, regions, successors
    // =====================================================================

    /// One argument `%name` with, as allowed, `: type`, an attribute
    /// dictionary and a trailing `loc(...)`. Without `allow_type` the type is
    /// `none`; pass such arguments only where types come from elsewhere.
    pub fn parse_argument(&mut self, allow_type: bool, allow_attrs: bool) -> ParseResult<Argument> {
        if self.tok.kind != TokenKind::ValueId {
            return Err(self.expected("SSA identifier"));
        }
        let name = UnresolvedOperand { start: self.tok.start, end: self.tok.end, number: 0 };
        self.advance();
        let ty = if allow_type { self.parse_colon_type()? } else { self.ctx.none_type() };
        let mut attrs = None;
        if allow_attrs && self.tok.kind == TokenKind::LBrace {
            let mut entries = Vec::new();
            self.parse_optional_attr_dict(&mut entries)?;
            let named = entries.iter().map(|a| (self.ctx.ident_str(a.name).to_string(), a.value)).collect();
            attrs = Some(self.ctx.dictionary_attr(named));
        }
        let loc = self.parse_optional_location()?;
        Ok(Argument { name, ty, attrs, loc })
    }

    /// A comma-separated argument list such as `(%a: f32, %b: i32)`.
    pub fn parse_argument_list(
        &mut self,
        delimiter: Delimiter,
        allow_type: bool,
        allow_attrs: bool,
    ) -> ParseResult<Vec<Argument>> {
        let mut out = Vec::new();
        let close = match delimiter {
            Delimiter::None => None,
            Delimiter::Paren => {
                self.parse_lparen()?;
                Some(TokenKind::RParen)
            }
            Delimiter::Square => {
                self.parse_lsquare()?;
                Some(TokenKind::RSquare)
            }
            Delimiter::OptionalParen => {
                if !self.parse_optional_lparen() {
                    return Ok(out);
                }
                Some(TokenKind::RParen)
            }
            Delimiter::OptionalSquare => {
                if !self.parse_optional_lsquare() {
                    return Ok(out);
                }
                Some(TokenKind::RSquare)
            }
        };
        if self.tok.kind == TokenKind::ValueId {
            loop {
                out.push(self.parse_argument(allow_type, allow_attrs)?);
                if !self.parse_optional_comma() {
                    break;
                }
            }
        }
        if let Some(close) = close {
            self.parse_token(close)?;
        }
        Ok(out)
    }

    /// A region `{ ... }` whose entry block gets `entry_args` as arguments
    /// (e.g. a function's parameters); returns the detached region to put in
    /// `state.regions`. With arguments given, the entry block may not have a
    /// label of its own.
    pub fn parse_region(&mut self, entry_args: &[Argument]) -> ParseResult<RegionId> {
        if self.tok.kind != TokenKind::LBrace {
            return Err(self.expected("'{' to begin a region"));
        }
        let isolated = self.cur.isolated;
        self.parse_region_impl(entry_args, isolated)
    }

    /// A region if `{` is next.
    pub fn parse_optional_region(&mut self, entry_args: &[Argument]) -> ParseResult<Option<RegionId>> {
        if self.tok.kind != TokenKind::LBrace {
            return Ok(None);
        }
        self.parse_region(entry_args).map(Some)
    }

    /// A successor block reference `^bb1`.
    pub fn parse_successor(&mut self) -> ParseResult<BlockId> {
        if self.tok.kind != TokenKind::CaretId {
            return Err(self.expected("block name"));
        }
        let name = self.tok.text(self.src);
        let offset = self.tok.start;
        self.advance();
        let Some(scope) = self.regions.last_mut() else {
            return Err(self.emit_error_at(offset as usize, "reference to an undefined block"));
        };
        if let Some(e) = scope.blocks.get(name) {
            return Ok(e.block);
        }
        let block = self.ctx.create_block(&[]);
        if let Some(scope) = self.regions.last_mut() {
            scope.blocks.insert(name, BlockEntry { block, defined: false, first_ref: offset });
        }
        Ok(block)
    }

    /// A successor if `^` is next.
    pub fn parse_optional_successor(&mut self) -> ParseResult<Option<BlockId>> {
        if self.tok.kind != TokenKind::CaretId {
            return Ok(None);
        }
        self.parse_successor().map(Some)
    }

    fn parse_region_impl(&mut self, entry_args: &[Argument], isolated: bool) -> ParseResult<RegionId> {
        self.advance(); // `{`
        self.depth += 1;
        if self.depth > self.opts.max_nesting_depth {
            let limit = self.opts.max_nesting_depth;
            return Err(self.emit_error(format!("nesting is too deep (the limit is {limit} levels)")));
        }
        let region = self.ctx.create_region();
        self.created_regions.push(region);
        if isolated {
            let scope = self.scope_pool.pop().unwrap_or_default();
            self.scopes.push(scope);
        }
        if let Some(s) = self.scopes.last_mut() {
            s.region_defs.push(Vec::new());
        }
        self.regions.push(RegionScope::default());
        let mut body = self.parse_region_body(region, entry_args);
        if body.is_ok() {
            let blocks = self.ctx.region_blocks(region);
            if blocks.len() > 1 && blocks.iter().any(|&b| self.ctx.first_op(b).is_none()) {
                let pos = self.name_pos();
                body = Err(self.emit_error_at(pos, "empty block: expect at least a terminator"));
            }
        }
        let blocks_ok = self.pop_region_scope();
        if let Some(s) = self.scopes.last_mut() {
            if let Some(defs) = s.region_defs.pop() {
                for name in defs {
                    s.values.remove(name);
                }
            }
        }
        let values_ok = if isolated { self.pop_isolated_scope() } else { Ok(()) };
        self.depth -= 1;
        body?;
        blocks_ok?;
        values_ok?;
        Ok(region)
    }

    fn parse_region_body(&mut self, region: RegionId, entry_args: &[Argument]) -> ParseResult {
        if self.tok.kind == TokenKind::RBrace && entry_args.is_empty() {
            self.advance();
            return Ok(());
        }
        let entry = self.ctx.create_block(&[]);
        self.ctx.append_block(region, entry);
        for a in entry_args {
            let loc = match a.loc {
                Some(l) => l,
                None => self.location_at(a.name.pos()),
            };
            let v = self.ctx.add_block_argument(entry, a.ty, loc);
            let name = a.name.name(self);
            self.define_values(name, a.name.start, &[v])?;
        }
        if self.tok.kind == TokenKind::CaretId {
            if !entry_args.is_empty() {
                return Err(self.emit_error("invalid block name in region with named arguments"));
            }
            self.parse_block_label(region, Some(entry))?;
        }
        self.parse_block_ops(entry)?;
        while self.tok.kind == TokenKind::CaretId {
            let b = self.parse_block_label(region, None)?;
            self.parse_block_ops(b)?;
        }
        if self.tok.kind != TokenKind::RBrace {
            return Err(self.expected("'}' to end region"));
        }
        self.advance();
        Ok(())
    }

    /// Parses `^name(args):`; `entry` is the already created entry block
    /// when the label names it.
    fn parse_block_label(&mut self, region: RegionId, entry: Option<BlockId>) -> ParseResult<BlockId> {
        let name = self.tok.text(self.src);
        let offset = self.tok.start;
        self.advance();
        let scope = self.regions.last_mut().expect("inside a region");
        let block = match scope.blocks.get_mut(name) {
            Some(e) if e.defined => {
                return Err(self.emit_error_at(offset as usize, format!("redefinition of block '{name}'")));
            }
            Some(e) => {
                e.defined = true;
                let b = e.block;
                self.ctx.append_block(region, b);
                b
            }
            None => {
                let b = match entry {
                    Some(b) => b,
                    None => {
                        let b = self.ctx.create_block(&[]);
                        self.ctx.append_block(region, b);
                        b
                    }
                };
                if let Some(scope) = self.regions.last_mut() {
                    scope.blocks.insert(name, BlockEntry { block: b, defined: true, first_ref: offset });
                }
                b
            }
        };
        if self.parse_optional_lparen() {
            if self.tok.kind != TokenKind::RParen {
                loop {
                    if self.tok.kind != TokenKind::ValueId {
                        return Err(self.expected("SSA identifier"));
                    }
                    let arg_name = self.tok.text(self.src);
                    let arg_off = self.tok.start;
                    self.advance();
                    let ty = self.parse_colon_type()?;
                    let loc = match self.parse_optional_location()? {
                        Some(l) => l,
                        None => self.location_at(arg_off as usize),
                    };
                    let v = self.ctx.add_block_argument(block, ty, loc);
                    self.define_values(arg_name, arg_off, &[v])?;
                    if !self.parse_optional_comma() {
                        break;
                    }
                }
            }
            self.parse_rparen()?;
        }
        if self.tok.kind != TokenKind::Colon {
            return Err(self.expected("':' after block name"));
        }
        self.advance();
        Ok(block)
    }

    fn parse_block_ops(&mut self, block: BlockId) -> ParseResult {
        loop {
            match self.tok.kind {
                TokenKind::CaretId | TokenKind::RBrace | TokenKind::Eof => return Ok(()),
                _ => self.parse_operation(block)?,
            }
        }
    }

    fn pop_region_scope(&mut self) -> ParseResult {
        let Some(scope) = self.regions.pop() else {
            return Ok(());
        };
        let mut undefined: Vec<u32> =
            scope.blocks.values().filter(|e| !e.defined).map(|e| e.first_ref).collect();
        if undefined.is_empty() {
            return Ok(());
        }
        undefined.sort_unstable();
        for off in undefined {
            self.emit_error_at(off as usize, "reference to an undefined block");
        }
        Err(FAILED)
    }

    fn pop_isolated_scope(&mut self) -> ParseResult {
        let Some(mut scope) = self.scopes.pop() else {
            return Ok(());
        };
        if scope.forward.is_empty() {
            scope.values.clear();
            scope.region_defs.clear();
            self.scope_pool.push(scope);
            return Ok(());
        }
        let mut offs: Vec<u32> = scope.forward.values().map(|f| f.use_offset).collect();
        offs.sort_unstable();
        offs.dedup();
        for off in offs {
            self.emit_error_at(off as usize, "use of undeclared SSA value name");
        }
        Err(FAILED)
    }

    // =====================================================================
    // Operations
    // =====================================================================

    /// Parses the file's top-level statements into `block`: ops, and alias
    /// definitions `#name = attr` / `!name = type`.
    pub(crate) fn parse_top_level(&mut self, block: BlockId) -> ParseResult {
        self.scopes.push(IsolatedScope::default());
        self.regions.push(RegionScope::default());
        let mut result = Ok(());
        while self.tok.kind != TokenKind::Eof {
            let r = match self.tok.kind {
                TokenKind::HashId | TokenKind::BangId if self.peek2().kind == TokenKind::Equal => {
                    self.parse_alias_definition()
                }
                _ => self.parse_operation(block),
            };
            if r.is_err() {
                result = r;
                break;
            }
        }
        let blocks = self.pop_region_scope();
        let values = self.pop_isolated_scope();
        result.and(blocks).and(values)
    }

    fn parse_alias_definition(&mut self) -> ParseResult {
        let tok = self.tok;
        let name = &tok.text(self.src)[1..];
        self.advance();
        self.advance(); // `=`
        if tok.kind == TokenKind::BangId {
            if name.contains('.') {
                return Err(self.emit_error_at(
                    tok.start as usize,
                    "type names with a '.' are reserved for dialect-defined names",
                ));
            }
            let ty = self.parse_type()?;
            if self.type_aliases.insert(name.to_string(), ty).is_some() {
                return Err(
                    self.emit_error_at(tok.start as usize, format!("redefinition of type alias id '{name}'"))
                );
            }
            return Ok(());
        }
        if self.peek_is_keyword("loc") && self.peek2().kind == TokenKind::LParen {
            let loc = self.parse_optional_location()?.expect("a location follows `loc(`");
            self.loc_aliases.define(name, loc);
            return Ok(());
        }
        let attr = self.parse_attribute()?;
        if self.attr_aliases.insert(name.to_string(), attr).is_some() {
            return Err(self
                .emit_error_at(tok.start as usize, format!("redefinition of attribute alias id '{name}'")));
        }
        Ok(())
    }

    /// Parses one operation (generic or custom form) and appends it to `block`.
    fn parse_operation(&mut self, block: BlockId) -> ParseResult {
        let op_start = self.tok.start;
        let mut results: SmallVec<[(&'a str, u32, u32); 1]> = SmallVec::new();
        let mut total = 0usize;
        if self.tok.kind == TokenKind::ValueId {
            loop {
                let name = self.tok;
                self.advance();
                let mut count = 1u32;
                if self.tok.kind == TokenKind::Colon {
                    self.advance();
                    let n = (self.tok.kind == TokenKind::Integer)
                        .then(|| self.tok.text(self.src).parse::<u32>().ok())
                        .flatten();
                    match n {
                        Some(n) if n >= 1 => count = n,
                        Some(_) => {
                            return Err(self.emit_error("expected named operation to have at least 1 result"))
                        }
                        None => return Err(self.expected("integer number of results")),
                    }
                    self.advance();
                }
                total += count as usize;
                results.push((name.text(self.src), name.start, count));
                if !self.parse_optional_comma() {
                    break;
                }
                if self.tok.kind != TokenKind::ValueId {
                    return Err(self.expected("SSA value name"));
                }
            }
            if self.tok.kind != TokenKind::Equal {
                return Err(self.expected("'=' after SSA name"));
            }
            self.advance();
        }

        let saved_cur = self.cur;
        self.cur = CurrentOp { num_results: total, isolated: false, name_pos: self.tok.start };
        let state = match self.tok.kind {
            TokenKind::String => self.parse_generic_operation(),
            TokenKind::BareId => self.parse_custom_operation(),
            TokenKind::Error => Err(self.expected("")),
            _ => Err(self.expected("operation name in quotes")),
        };
        self.cur = saved_cur;
        let mut state = state?;
        if let Some(loc) = self.parse_optional_location()? {
            state.location = loc;
        }
        if !results.is_empty() && total != state.result_types.len() {
            return Err(self.emit_error_at(
                op_start as usize,
                format!(
                    "operation defines {} results but was provided {total} to bind",
                    state.result_types.len()
                ),
            ));
        }
        let op = self.ctx.create_op(state);
        self.ctx.append_op(block, op);
        if !results.is_empty() {
            self.bind_results(op, &results)?;
        }
        Ok(())
    }

    fn bind_results(&mut self, op: OpId, names: &[(&'a str, u32, u32)]) -> ParseResult {
        let values: SmallVec<[Value; 4]> = SmallVec::from_slice(self.ctx.results(op));
        let mut i = 0usize;
        for &(name, offset, count) in names {
            let end = i + count as usize;
            self.define_values(name, offset, &values[i..end])?;
            i = end;
        }
        Ok(())
    }

    fn lookup_op(&mut self, full: &str) -> OpEntry {
        let ident = self.ctx.ident(full);
        match self.registry.op_index(full) {
            Some(i) => {
                let info = self.registry.op(i);
                OpEntry {
                    ident,
                    registered: true,
                    isolated: info.has(OpTraits::ISOLATED_FROM_ABOVE),
                    custom: info.interfaces.get::<CustomAssembly>().copied(),
                }
            }
            None => OpEntry { ident, registered: false, isolated: false, custom: None },
        }
    }

    fn parse_generic_operation(&mut self) -> ParseResult<OperationState> {
        let name_tok = self.tok;
        let raw = name_tok.text(self.src);
        let entry = match self.op_cache.get(raw) {
            Some(e) => *e,
            None => {
                let name = match String::from_utf8(unescape_string(raw)) {
                    Ok(s) => s,
                    Err(_) => return Err(self.emit_error("operation name is not valid UTF-8")),
                };
                let e = self.lookup_op(&name);
                if !e.registered {
                    self.check_unregistered(&name, name_tok.start as usize)?;
                }
                self.op_cache.insert(raw, e);
                e
            }
        };
        self.cur.isolated = entry.isolated;
        let location = self.location_at(name_tok.start as usize);
        let mut state = OperationState::new(entry.ident, location);
        self.advance();
        if self.tok.kind != TokenKind::LParen {
            return Err(self.expected("'(' to start operand list"));
        }
        let operands = self.parse_operand_list(Delimiter::Paren)?;
        if self.tok.kind == TokenKind::LSquare {
            self.advance();
            loop {
                let b = self.parse_successor()?;
                state.successors.push(b);
                if !self.parse_optional_comma() {
                    break;
                }
            }
            self.parse_rsquare()?;
        }
        if self.tok.kind == TokenKind::Less {
            self.advance();
            if self.tok.kind != TokenKind::LBrace {
                return Err(self.expected("'{' to start properties"));
            }
            self.parse_optional_attr_dict(&mut state.attributes)?;
            self.parse_greater()?;
        }
        if self.tok.kind == TokenKind::LParen {
            self.advance();
            loop {
                if self.tok.kind != TokenKind::LBrace {
                    return Err(self.expected("'{' to begin a region"));
                }
                let r = self.parse_region_impl(&[], entry.isolated)?;
                state.regions.push(r);
                if !self.parse_optional_comma() {
                    break;
                }
            }
            self.parse_rparen()?;
        }
        self.parse_optional_attr_dict(&mut state.attributes)?;
        if self.tok.kind != TokenKind::Colon {
            return Err(self.expected("':' followed by operation type"));
        }
        self.advance();
        let type_pos = self.current_pos();
        let fty = self.parse_type()?;
        let (inputs, results) = match self.ctx.type_data(fty) {
            TypeData::Function { inputs, results } => (inputs.clone(), results.clone()),
            _ => return Err(self.emit_error_at(type_pos, "expected function type")),
        };
        if inputs.len() != operands.len() {
            let n = operands.len();
            return Err(self.emit_error_at(
                type_pos,
                format!(
                    "expected {n} operand type{}but had {}",
                    if n == 1 { "  " } else { "s " },
                    inputs.len()
                ),
            ));
        }
        self.resolve_operands(&operands, &inputs, &mut state.operands)?;
        state.result_types = results;
        Ok(state)
    }

    fn check_unregistered(&mut self, name: &str, pos: usize) -> ParseResult {
        if let Some((dialect, _)) = name.split_once('.') {
            if self.registry.dialect(dialect).is_some() {
                return Err(self.emit_error_at(
                    pos,
                    format!(
                        "unregistered operation '{name}' found in dialect ('{dialect}') that does not allow unknown operations"
                    ),
                ));
            }
        }
        if !self.allow_unregistered {
            return Err(self.emit_error_at(
                pos,
                "operation being parsed with an unregistered dialect. If this is intended, please use -allow-unregistered-dialect with the MLIR tool used",
            ));
        }
        Ok(())
    }

    /// Resolves a custom op name, trying the default dialect of the
    /// enclosing op for names without a dot (as MLIR does).
    fn resolve_custom_name(&mut self, text: &'a str) -> OpEntry {
        if text.contains('.') {
            if let Some(e) = self.op_cache.get(text) {
                return *e;
            }
            let e = self.lookup_op(text);
            self.op_cache.insert(text, e);
            return e;
        }
        let default = self.default_dialects.last().copied().unwrap_or("builtin");
        for prefix in [default, "func"] {
            let full = format!("{prefix}.{text}");
            if self.registry.op_index(&full).is_some() {
                return self.lookup_op(&full);
            }
        }
        self.lookup_op(text)
    }

    fn parse_custom_operation(&mut self) -> ParseResult<OperationState> {
        let name_tok = self.tok;
        let text = name_tok.text(self.src);
        let entry = self.resolve_custom_name(text);
        let pos = name_tok.start as usize;
        let Some(custom) = entry.custom else {
            return Err(self.unknown_custom_op(text, entry.registered, pos));
        };
        self.cur.isolated = entry.isolated;
        let location = self.location_at(pos);
        let mut state = OperationState::new(entry.ident, location);
        self.advance();
        if let Some(d) = custom.default_dialect {
            self.default_dialects.push(d);
        }
        let r = (custom.parse)(self, &mut state);
        if custom.default_dialect.is_some() {
            self.default_dialects.pop();
        }
        r.map(|()| state)
    }

    fn unknown_custom_op(&mut self, text: &str, registered: bool, pos: usize) -> ParseError {
        if registered {
            return self.emit_error_at(pos, format!("custom op '{text}' has no custom assembly form"));
        }
        let dialect = match text.split_once('.') {
            Some((d, _)) => d,
            None => return self.emit_error_at(pos, format!("custom op '{text}' is unknown")),
        };
        if self.registry.dialect(dialect).is_some() {
            return self.emit_error_at(pos, format!("custom op '{text}' is unknown"));
        }
        let mut names: Vec<&str> = self.registry.dialects().iter().map(|d| d.name).collect();
        names.sort_unstable();
        let loc = self.location_at(pos);
        let diag = Diagnostic::error(loc, format!("Dialect `{dialect}' not found for custom op '{text}' "))
            .with_note(
                loc,
                format!(
                    "Available dialects: {} ; for more info on dialect registration see https://mlir.llvm.org/getting_started/Faq/#registered-loaded-dependent-whats-up-with-dialects-management",
                    names.join(", ")
                ),
            );
        self.emit_diagnostic(diag)
    }

    /// After a failed parse: erases the IR built under `top` and every
    /// region or block that no op took ownership of.
    pub(crate) fn discard(&mut self, top: BlockId) {
        self.ctx.erase_block(top);
        // Erasing a stale region handle is a no-op, so regions already
        // erased with their op are skipped.
        for r in std::mem::take(&mut self.created_regions) {
            self.ctx.erase_region(r);
        }
        for b in std::mem::take(&mut self.forward_blocks) {
            if self.ctx.is_block_alive(b) {
                self.ctx.erase_block(b);
            }
        }
    }

    /// Erases the placeholder block once parsing is over.
    pub(crate) fn finish(&mut self) {
        if let Some(b) = self.placeholders.take() {
            self.ctx.erase_block(b);
        }
    }
}

/// Whether `t` is a single-token builtin type keyword.
fn is_type_keyword(t: &str) -> bool {
    match t {
        "index" | "none" | "f16" | "bf16" | "f32" | "f64" | "f80" | "f128" | "tf32" => true,
        _ => {
            let digits =
                t.strip_prefix("si").or_else(|| t.strip_prefix("ui")).or_else(|| t.strip_prefix('i'));
            digits.is_some_and(|d| {
                !d.is_empty() && !d.starts_with('0') && d.bytes().all(|b| b.is_ascii_digit())
            })
        }
    }
}
