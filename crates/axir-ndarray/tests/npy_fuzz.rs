//! `.npy` robustness: round trips for every dtype, and hundreds of truncated
//! or mutated streams that must give a typed error (or a valid array), never a panic.

use axir_ndarray::{read_npy, write_npy, DType, NdArray, NdError, NpyError};

/// A deterministic xorshift generator, so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

fn samples() -> Vec<NdArray> {
    let mut out: Vec<NdArray> =
        DType::ALL.iter().map(|&d| NdArray::iota(vec![2, 3], 1, d).expect("iota")).collect();
    out.push(NdArray::scalar(1.5f32));
    out.push(NdArray::zeros(DType::F64, vec![0, 4]).expect("zeros"));
    out.push(NdArray::from_vec(vec![3], vec![f64::NAN, -0.0, f64::INFINITY]).expect("vec"));
    out
}

#[test]
fn round_trip_every_dtype() {
    for a in samples() {
        let bytes = write_npy(&a);
        assert_eq!(bytes.len() % 64, (a.len() * a.dtype().size_bytes()) % 64, "header padded to 64");
        let b = read_npy(&bytes).expect("read back");
        assert!(a.bit_eq(&b), "{a} != {b}");
    }
}

fn must_not_panic(bytes: &[u8]) {
    // Either outcome is fine; reaching here without a panic is the test.
    let _ = read_npy(bytes);
}

#[test]
fn truncations_are_typed_errors() {
    let mut count = 0;
    for a in samples() {
        let bytes = write_npy(&a);
        for len in 0..bytes.len() {
            let r = read_npy(&bytes[..len]);
            assert!(r.is_err(), "prefix of {len} bytes accepted");
            count += 1;
        }
    }
    assert!(count > 500);
}

#[test]
fn mutations_never_panic() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let alphabet = b"{}()[]':,-0123456789 TrueFalsedescrshapefortran_order<>|=bifuV\\\"L\n\x00\xff";
    let mut count = 0;
    for a in samples() {
        let base = write_npy(&a);
        for _ in 0..60 {
            let mut b = base.clone();
            for _ in 0..1 + rng.below(4) {
                let i = rng.below(b.len());
                match rng.below(4) {
                    // Header bytes are where the parser lives: favour them.
                    0 | 1 => {
                        let i = 10 + rng.below(b.len().min(128).saturating_sub(10).max(1));
                        if i < b.len() {
                            b[i] = alphabet[rng.below(alphabet.len())];
                        }
                    }
                    2 => b[i] = rng.next() as u8,
                    _ => {
                        b.remove(i);
                    }
                }
            }
            must_not_panic(&b);
            count += 1;
        }
    }
    assert!(count >= 600);
}

fn header(text: &str) -> Vec<u8> {
    let mut v = b"\x93NUMPY\x01\x00".to_vec();
    v.extend_from_slice(&(text.len() as u16).to_le_bytes());
    v.extend_from_slice(text.as_bytes());
    v
}

/// A predicate on the expected error.
type Check = fn(&NpyError) -> bool;

fn npy_err(bytes: &[u8]) -> NpyError {
    match read_npy(bytes) {
        Err(NdError::Npy(e)) => e,
        other => panic!("expected an npy error, got {other:?}"),
    }
}

#[test]
fn malformed_headers() {
    assert_eq!(npy_err(b"hello world"), NpyError::BadMagic);
    assert!(matches!(npy_err(b"\x93NUM"), NpyError::Truncated { .. }));
    assert_eq!(npy_err(b"\x93NUMPY\x04\x00\x00\x00"), NpyError::Version(4, 0));
    let cases: &[(&str, Check)] = &[
        ("{'descr': '<f4', 'fortran_order': False}", |e| *e == NpyError::MissingKey("shape")),
        ("{'descr': '<c8', 'fortran_order': False, 'shape': ()}", |e| {
            matches!(e, NpyError::UnsupportedDescr(_))
        }),
        ("{'descr': '|f4', 'fortran_order': False, 'shape': ()}", |e| {
            matches!(e, NpyError::UnsupportedDescr(_))
        }),
        ("{'descr': [('a', '<f4')], 'fortran_order': False, 'shape': ()}", |e| {
            matches!(e, NpyError::UnsupportedDescr(_))
        }),
        ("{'descr': '<f4', 'fortran_order': 0, 'shape': ()}", |e| *e == NpyError::BadValue("fortran_order")),
        ("{'descr': '<f4', 'fortran_order': False, 'shape': (-1,)}", |e| *e == NpyError::BadValue("shape")),
        ("{'descr': '<f4', 'fortran_order': False, 'shape': (3,), 'x': 1}", |e| {
            matches!(e, NpyError::UnknownKey(_))
        }),
        ("{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': ()}", |e| {
            matches!(e, NpyError::HeaderSyntax { .. })
        }),
        (
            "{'descr': '<f4', 'fortran_order': False, 'shape': (99999999999999999999999999999999999999999,)}",
            |e| matches!(e, NpyError::HeaderSyntax { .. }),
        ),
        ("{'descr': '<f4', 'fortran_order': False, 'shape': (4294967296, 4294967296, 4294967296)}", |e| {
            matches!(e, NpyError::ShapeOverflow(_))
        }),
        ("{'descr': '<f4', 'fortran_order': False, 'shape': (3,)} trailing", |e| {
            matches!(e, NpyError::HeaderSyntax { .. })
        }),
        ("{'descr': '<f4', 'fortran_order': False, 'shape': (3,)}", |e| {
            *e == NpyError::DataLength { expected: 12, found: 0 }
        }),
    ];
    for (text, pred) in cases {
        let e = npy_err(&header(text));
        assert!(pred(&e), "{text}: unexpected {e:?}");
    }
    let deep = format!("{{'descr': '<f4', 'fortran_order': False, 'shape': {}}}", "(".repeat(10_000));
    assert!(matches!(npy_err(&header(&deep)), NpyError::HeaderSyntax { .. }));
}

#[test]
fn tolerant_header_forms() {
    // Double quotes, no trailing comma, Python 2 long suffixes, extra whitespace.
    let mut v = header("{\"descr\": \"<i2\" , \"shape\": (2L,), \"fortran_order\": False }\n");
    v.extend_from_slice(&[1, 0, 2, 0]);
    let a = read_npy(&v).expect("valid header");
    assert_eq!(a, NdArray::from_vec(vec![2], vec![1i16, 2]).expect("vec"));
}
