//! `.npy` reading and writing (format versions 1.0, 2.0 and 3.0).
//!
//! **Reading never panics**: every malformed stream is an [`NpyError`]. The
//! header is parsed by a small recursive-descent parser for the subset of
//! Python literals numpy writes (a dict of strings, booleans, integers and
//! tuples), with a depth limit. Both byte orders are read; Fortran-order
//! data is transposed into C order. `i1` bytes other than 0 read as true.
//!
//! Supported descrs: `b1 i1 i2 i4 i8 u1 f2 f4 f8` with byte order `< > | =`,
//! and `V2` for bf16 (see [`DType::npy_descr`]). Writing always produces
//! little-endian C-order data, version 1.0 (2.0 when the header is too long
//! for 1.0), header padded to 64 bytes as numpy does.

use std::path::Path;

use half::{bf16, f16};

use crate::array::{numel, Data, NdArray};
use crate::dtype::DType;
use crate::error::{NdError, NpyError, Result};
use crate::shape::transpose;

const MAGIC: &[u8] = b"\x93NUMPY";
/// Nesting deeper than this in a header is rejected (numpy never nests beyond 2).
const MAX_DEPTH: usize = 16;

/// A Python literal from a `.npy` header.
#[derive(Debug, Clone, PartialEq)]
enum PyVal {
    Str(String),
    Bool(bool),
    Int(i128),
    Tuple(Vec<PyVal>),
    List(Vec<PyVal>),
    Dict(Vec<(String, PyVal)>),
}

/// Recursive-descent parser over the header text.
struct Parser<'a> {
    s: &'a [u8],
    pos: usize,
}

impl Parser<'_> {
    fn err(&self, message: &str) -> NpyError {
        NpyError::HeaderSyntax { pos: self.pos, message: message.to_string() }
    }

    fn skip_ws(&mut self) {
        while self.pos < self.s.len() && self.s[self.pos].is_ascii_whitespace() {
            self.pos += 1;
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.skip_ws();
        self.s.get(self.pos).copied()
    }

    fn expect(&mut self, c: u8) -> std::result::Result<(), NpyError> {
        if self.peek() == Some(c) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.err(&format!("expected '{}'", c as char)))
        }
    }

    fn value(&mut self, depth: usize) -> std::result::Result<PyVal, NpyError> {
        if depth > MAX_DEPTH {
            return Err(self.err("nesting too deep"));
        }
        match self.peek() {
            Some(b'\'') | Some(b'"') => self.string().map(PyVal::Str),
            Some(b'(') => self.seq(b')', depth).map(PyVal::Tuple),
            Some(b'[') => self.seq(b']', depth).map(PyVal::List),
            Some(b'{') => self.dict(depth),
            Some(c) if c == b'-' || c.is_ascii_digit() => self.int(),
            Some(c) if c.is_ascii_alphabetic() => {
                let start = self.pos;
                while self.pos < self.s.len() && self.s[self.pos].is_ascii_alphanumeric() {
                    self.pos += 1;
                }
                match &self.s[start..self.pos] {
                    b"True" => Ok(PyVal::Bool(true)),
                    b"False" => Ok(PyVal::Bool(false)),
                    _ => {
                        self.pos = start;
                        Err(self.err("unknown identifier"))
                    }
                }
            }
            _ => Err(self.err("expected a value")),
        }
    }

    fn string(&mut self) -> std::result::Result<String, NpyError> {
        let quote = self.s[self.pos];
        self.pos += 1;
        let mut out = Vec::new();
        loop {
            match self.s.get(self.pos) {
                None => return Err(self.err("unterminated string")),
                Some(&c) if c == quote => {
                    self.pos += 1;
                    break;
                }
                Some(b'\\') => {
                    let Some(&next) = self.s.get(self.pos + 1) else {
                        return Err(self.err("unterminated string"));
                    };
                    out.push(next);
                    self.pos += 2;
                }
                Some(&c) => {
                    out.push(c);
                    self.pos += 1;
                }
            }
        }
        String::from_utf8(out).map_err(|_| NpyError::HeaderEncoding)
    }

    fn int(&mut self) -> std::result::Result<PyVal, NpyError> {
        let neg = self.s[self.pos] == b'-';
        if neg {
            self.pos += 1;
        }
        let start = self.pos;
        let mut v: i128 = 0;
        while let Some(&c) = self.s.get(self.pos) {
            if !c.is_ascii_digit() {
                break;
            }
            v = v
                .checked_mul(10)
                .and_then(|v| v.checked_add(i128::from(c - b'0')))
                .ok_or_else(|| self.err("integer too large"))?;
            self.pos += 1;
        }
        if self.pos == start {
            return Err(self.err("expected digits"));
        }
        // Python 2 headers may carry long suffixes: `(3L, 4L)`.
        if self.s.get(self.pos) == Some(&b'L') {
            self.pos += 1;
        }
        Ok(PyVal::Int(if neg { -v } else { v }))
    }

    /// `(a, b, ...)` or `[a, b, ...]`, trailing comma allowed.
    fn seq(&mut self, close: u8, depth: usize) -> std::result::Result<Vec<PyVal>, NpyError> {
        self.pos += 1;
        let mut items = Vec::new();
        loop {
            if self.peek() == Some(close) {
                self.pos += 1;
                return Ok(items);
            }
            items.push(self.value(depth + 1)?);
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(c) if c == close => {}
                _ => return Err(self.err("expected ',' or a closing bracket")),
            }
        }
    }

    fn dict(&mut self, depth: usize) -> std::result::Result<PyVal, NpyError> {
        self.pos += 1;
        let mut items = Vec::new();
        loop {
            match self.peek() {
                Some(b'}') => {
                    self.pos += 1;
                    return Ok(PyVal::Dict(items));
                }
                Some(b'\'') | Some(b'"') => {}
                _ => return Err(self.err("expected a string key")),
            }
            let key = self.string()?;
            self.expect(b':')?;
            let value = self.value(depth + 1)?;
            items.push((key, value));
            match self.peek() {
                Some(b',') => self.pos += 1,
                Some(b'}') => {}
                _ => return Err(self.err("expected ',' or '}'")),
            }
        }
    }
}

/// The parsed header: element type, byte order, layout and shape.
struct Header {
    dtype: DType,
    big_endian: bool,
    fortran: bool,
    shape: Vec<usize>,
}

fn parse_descr(descr: &str) -> std::result::Result<(DType, bool), NpyError> {
    let unsupported = || NpyError::UnsupportedDescr(descr.to_string());
    let (order, code) = match descr.as_bytes().first() {
        Some(b'<' | b'>' | b'|' | b'=') => descr.split_at(1),
        _ => ("=", descr),
    };
    let dtype = match code {
        "b1" => DType::I1,
        "i1" => DType::I8,
        "i2" => DType::I16,
        "i4" => DType::I32,
        "i8" => DType::I64,
        "u1" => DType::U8,
        "f2" => DType::F16,
        "f4" => DType::F32,
        "f8" => DType::F64,
        "V2" => DType::BF16,
        _ => return Err(unsupported()),
    };
    let big = match order {
        ">" => true,
        "=" => cfg!(target_endian = "big"),
        // '|' means "not applicable", which numpy writes only for 1-byte types and voids.
        "|" if dtype.size_bytes() > 1 && dtype != DType::BF16 => return Err(unsupported()),
        _ => false,
    };
    Ok((dtype, big))
}

fn parse_header(text: &[u8]) -> std::result::Result<Header, NpyError> {
    let mut p = Parser { s: text, pos: 0 };
    let PyVal::Dict(items) = (match p.peek() {
        Some(b'{') => p.dict(0)?,
        _ => return Err(p.err("expected '{'")),
    }) else {
        return Err(p.err("expected a dict"));
    };
    if p.peek().is_some() {
        return Err(p.err("unexpected text after the header dict"));
    }
    let (mut descr, mut fortran, mut shape) = (None, None, None);
    for (key, value) in items {
        let slot = match key.as_str() {
            "descr" => &mut descr,
            "fortran_order" => &mut fortran,
            "shape" => &mut shape,
            _ => return Err(NpyError::UnknownKey(key)),
        };
        if slot.replace(value).is_some() {
            return Err(NpyError::HeaderSyntax { pos: 0, message: format!("duplicate key '{key}'") });
        }
    }
    let (dtype, big_endian) = match descr.ok_or(NpyError::MissingKey("descr"))? {
        PyVal::Str(s) => parse_descr(&s)?,
        // A list descr is a structured dtype.
        PyVal::List(_) => return Err(NpyError::UnsupportedDescr("structured dtype".to_string())),
        _ => return Err(NpyError::BadValue("descr")),
    };
    let fortran = match fortran.ok_or(NpyError::MissingKey("fortran_order"))? {
        PyVal::Bool(b) => b,
        _ => return Err(NpyError::BadValue("fortran_order")),
    };
    let PyVal::Tuple(dims) = shape.ok_or(NpyError::MissingKey("shape"))? else {
        return Err(NpyError::BadValue("shape"));
    };
    let shape = dims
        .into_iter()
        .map(|d| match d {
            PyVal::Int(v) => usize::try_from(v).map_err(|_| NpyError::BadValue("shape")),
            _ => Err(NpyError::BadValue("shape")),
        })
        .collect::<std::result::Result<Vec<usize>, _>>()?;
    Ok(Header { dtype, big_endian, fortran, shape })
}

/// Reads `N` bytes at a time, in either byte order.
fn words<const N: usize>(bytes: &[u8], big: bool) -> impl Iterator<Item = [u8; N]> + '_ {
    bytes.chunks_exact(N).map(move |c| {
        let mut w = [0u8; N];
        w.copy_from_slice(c);
        if big {
            w.reverse();
        }
        w
    })
}

fn decode(dtype: DType, bytes: &[u8], big: bool) -> Data {
    match dtype {
        DType::I1 => Data::I1(bytes.iter().map(|&b| b != 0).collect()),
        DType::I8 => Data::I8(bytes.iter().map(|&b| b as i8).collect()),
        DType::U8 => Data::U8(bytes.to_vec()),
        DType::I16 => Data::I16(words(bytes, big).map(i16::from_le_bytes).collect()),
        DType::I32 => Data::I32(words(bytes, big).map(i32::from_le_bytes).collect()),
        DType::I64 => Data::I64(words(bytes, big).map(i64::from_le_bytes).collect()),
        DType::F16 => Data::F16(words(bytes, big).map(|w| f16::from_bits(u16::from_le_bytes(w))).collect()),
        DType::BF16 => {
            Data::BF16(words(bytes, big).map(|w| bf16::from_bits(u16::from_le_bytes(w))).collect())
        }
        DType::F32 => Data::F32(words(bytes, big).map(f32::from_le_bytes).collect()),
        DType::F64 => Data::F64(words(bytes, big).map(f64::from_le_bytes).collect()),
    }
}

fn need(bytes: &[u8], end: usize, what: &'static str) -> std::result::Result<(), NpyError> {
    if bytes.len() < end {
        Err(NpyError::Truncated { what, needed: end, found: bytes.len() })
    } else {
        Ok(())
    }
}

/// Parses a complete `.npy` byte stream.
pub fn read_npy(bytes: &[u8]) -> Result<NdArray> {
    if !bytes.starts_with(MAGIC) {
        if MAGIC.starts_with(bytes) {
            need(bytes, MAGIC.len(), "magic string")?;
        }
        return Err(NpyError::BadMagic.into());
    }
    need(bytes, 8, "version")?;
    let (major, minor) = (bytes[6], bytes[7]);
    let (header_start, header_len): (usize, usize) = match (major, minor) {
        (1, 0) => {
            need(bytes, 10, "header length")?;
            (10, usize::from(u16::from_le_bytes([bytes[8], bytes[9]])))
        }
        (2, 0) | (3, 0) => {
            need(bytes, 12, "header length")?;
            let len = u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]);
            (
                12,
                usize::try_from(len).map_err(|_| NpyError::Truncated {
                    what: "header",
                    needed: usize::MAX,
                    found: bytes.len(),
                })?,
            )
        }
        _ => return Err(NpyError::Version(major, minor).into()),
    };
    let data_start = header_start.checked_add(header_len).ok_or(NpyError::Truncated {
        what: "header",
        needed: usize::MAX,
        found: bytes.len(),
    })?;
    need(bytes, data_start, "header")?;
    let text = &bytes[header_start..data_start];
    // Versions 1 and 2 are latin-1, which any byte sequence is; the parser
    // accepts only ASCII structure, so non-ASCII bytes can only sit in strings.
    if major == 3 && std::str::from_utf8(text).is_err() {
        return Err(NpyError::HeaderEncoding.into());
    }
    let header = parse_header(text)?;
    let count = numel(&header.shape).map_err(|_| NpyError::ShapeOverflow(header.shape.clone()))?;
    let expected = count
        .checked_mul(header.dtype.size_bytes())
        .ok_or_else(|| NpyError::ShapeOverflow(header.shape.clone()))?;
    let payload = &bytes[data_start..];
    if payload.len() != expected {
        return Err(NpyError::DataLength { expected, found: payload.len() }.into());
    }
    let data = decode(header.dtype, payload, header.big_endian);
    if header.fortran && header.shape.len() > 1 {
        // Fortran order is C order of the reversed shape; reversing the dims back transposes it.
        let reversed: Vec<usize> = header.shape.iter().rev().copied().collect();
        let perm: Vec<usize> = (0..reversed.len()).rev().collect();
        return transpose(&NdArray::new(reversed, data)?, &perm);
    }
    NdArray::new(header.shape, data)
}

/// Serializes an array as a little-endian, C-order `.npy` stream.
pub fn write_npy(x: &NdArray) -> Vec<u8> {
    let shape = match x.shape() {
        [] => "()".to_string(),
        [d] => format!("({d},)"),
        dims => format!("({})", dims.iter().map(|d| d.to_string()).collect::<Vec<_>>().join(", ")),
    };
    let mut header =
        format!("{{'descr': '{}', 'fortran_order': False, 'shape': {shape}, }}", x.dtype().npy_descr());
    // Magic (6) + version (2) + length (2 or 4) + header + '\n', padded to 64 bytes.
    let v1 = header.len() + 11 < usize::from(u16::MAX);
    let prefix = if v1 { 10 } else { 12 };
    let pad = (64 - (prefix + header.len() + 1) % 64) % 64;
    header.extend(std::iter::repeat_n(' ', pad));
    header.push('\n');
    let mut out = Vec::with_capacity(prefix + header.len() + x.len() * x.dtype().size_bytes());
    out.extend_from_slice(MAGIC);
    if v1 {
        out.extend_from_slice(&[1, 0]);
        // v1 is only chosen when the length fits u16.
        out.extend_from_slice(&(header.len() as u16).to_le_bytes());
    } else {
        out.extend_from_slice(&[2, 0]);
        out.extend_from_slice(&(header.len() as u32).to_le_bytes());
    }
    out.extend_from_slice(header.as_bytes());
    match x.data() {
        Data::I1(v) => out.extend(v.iter().map(|&b| u8::from(b))),
        Data::I8(v) => out.extend(v.iter().map(|&b| b as u8)),
        Data::U8(v) => out.extend_from_slice(v),
        Data::I16(v) => v.iter().for_each(|e| out.extend_from_slice(&e.to_le_bytes())),
        Data::I32(v) => v.iter().for_each(|e| out.extend_from_slice(&e.to_le_bytes())),
        Data::I64(v) => v.iter().for_each(|e| out.extend_from_slice(&e.to_le_bytes())),
        Data::F16(v) => v.iter().for_each(|e| out.extend_from_slice(&e.to_bits().to_le_bytes())),
        Data::BF16(v) => v.iter().for_each(|e| out.extend_from_slice(&e.to_bits().to_le_bytes())),
        Data::F32(v) => v.iter().for_each(|e| out.extend_from_slice(&e.to_le_bytes())),
        Data::F64(v) => v.iter().for_each(|e| out.extend_from_slice(&e.to_le_bytes())),
    }
    out
}

/// Reads a `.npy` file.
pub fn load_npy(path: impl AsRef<Path>) -> Result<NdArray> {
    let path = path.as_ref();
    let bytes =
        std::fs::read(path).map_err(|source| NdError::Io { path: path.display().to_string(), source })?;
    read_npy(&bytes)
}

/// Writes a `.npy` file.
pub fn save_npy(path: impl AsRef<Path>, x: &NdArray) -> Result<()> {
    let path = path.as_ref();
    std::fs::write(path, write_npy(x))
        .map_err(|source| NdError::Io { path: path.display().to_string(), source })
}
