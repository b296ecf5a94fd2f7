//! The `.nbc` file: a 16-byte header followed by an rkyv archive of a
//! [`Module`].
//!
//! | bytes  | field                                   |
//! |--------|-----------------------------------------|
//! | 0..4   | magic `NBC\0`                           |
//! | 4..6   | format version, u16 little-endian       |
//! | 6..8   | flags, reserved, zero                   |
//! | 8..12  | payload length in bytes, u32 LE         |
//! | 12..16 | CRC-32 (IEEE) of the payload, u32 LE    |
//! | 16..   | payload: the rkyv archive of the module |
//!
//! Reading validates every layer (size, magic, version, length, checksum,
//! the archive's own structure) and reports the first problem in one line.

use crate::FORMAT_VERSION;
use crate::module::Module;
use std::fmt;

pub const MAGIC: [u8; 4] = *b"NBC\0";
pub const HEADER_LEN: usize = 16;

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum FormatError {
    NotNbc,
    TruncatedHeader { len: usize },
    UnsupportedVersion { found: u16 },
    UnknownFlags(u16),
    TruncatedPayload { expected: usize, found: usize },
    TrailingBytes { extra: usize },
    ChecksumMismatch,
    Malformed(String),
    TooLarge,
}

impl fmt::Display for FormatError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            FormatError::NotNbc => write!(f, "not an NBC file (bad magic number)"),
            FormatError::TruncatedHeader { len } => write!(
                f,
                "truncated NBC file: {len} bytes, shorter than the {HEADER_LEN}-byte header"
            ),
            FormatError::UnsupportedVersion { found } => write!(
                f,
                "unsupported NBC format version {found} (this noodle reads version {FORMAT_VERSION}; recompile the program with noodlec)"
            ),
            FormatError::UnknownFlags(flags) => {
                write!(
                    f,
                    "unsupported NBC file: unknown header flags 0x{flags:04x}"
                )
            }
            FormatError::TruncatedPayload { expected, found } => write!(
                f,
                "truncated NBC file: the header announces {expected} bytes of code, the file has {found}"
            ),
            FormatError::TrailingBytes { extra } => {
                write!(
                    f,
                    "corrupted NBC file: {extra} unexpected bytes after the code"
                )
            }
            FormatError::ChecksumMismatch => {
                write!(f, "corrupted NBC file: checksum mismatch")
            }
            FormatError::Malformed(why) => write!(f, "malformed NBC file: {why}"),
            FormatError::TooLarge => write!(f, "module too large for the NBC format"),
        }
    }
}

impl std::error::Error for FormatError {}

/// Serialises a module into the bytes of an `.nbc` file.
pub fn write_module(module: &Module) -> Result<Vec<u8>, FormatError> {
    let payload = rkyv::to_bytes::<rkyv::rancor::Error>(module)
        .map_err(|e| FormatError::Malformed(e.to_string()))?;
    let len = u32::try_from(payload.len()).map_err(|_| FormatError::TooLarge)?;
    let mut out = Vec::with_capacity(HEADER_LEN + payload.len());
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    out.extend_from_slice(&0u16.to_le_bytes());
    out.extend_from_slice(&len.to_le_bytes());
    out.extend_from_slice(&crc32fast::hash(&payload).to_le_bytes());
    out.extend_from_slice(&payload);
    Ok(out)
}

/// Parses and validates the bytes of an `.nbc` file. The module still has
/// to pass [`crate::verify::verify`] before it runs.
pub fn read_module(bytes: &[u8]) -> Result<Module, FormatError> {
    if bytes.len() >= MAGIC.len() && bytes[..4] != MAGIC {
        return Err(FormatError::NotNbc);
    }
    if bytes.len() < HEADER_LEN {
        return Err(if bytes.starts_with(&MAGIC[..bytes.len().min(4)]) {
            FormatError::TruncatedHeader { len: bytes.len() }
        } else {
            FormatError::NotNbc
        });
    }
    let u16_at = |i: usize| u16::from_le_bytes([bytes[i], bytes[i + 1]]);
    let u32_at =
        |i: usize| u32::from_le_bytes([bytes[i], bytes[i + 1], bytes[i + 2], bytes[i + 3]]);
    let version = u16_at(4);
    if version != FORMAT_VERSION {
        return Err(FormatError::UnsupportedVersion { found: version });
    }
    let flags = u16_at(6);
    if flags != 0 {
        return Err(FormatError::UnknownFlags(flags));
    }
    let expected = u32_at(8) as usize;
    let payload = &bytes[HEADER_LEN..];
    if payload.len() < expected {
        return Err(FormatError::TruncatedPayload {
            expected,
            found: payload.len(),
        });
    }
    if payload.len() > expected {
        return Err(FormatError::TrailingBytes {
            extra: payload.len() - expected,
        });
    }
    if crc32fast::hash(payload) != u32_at(12) {
        return Err(FormatError::ChecksumMismatch);
    }
    // rkyv needs the archive aligned; a file's bytes carry no such promise.
    let mut aligned = rkyv::util::AlignedVec::<16>::with_capacity(payload.len());
    aligned.extend_from_slice(payload);
    rkyv::from_bytes::<Module, rkyv::rancor::Error>(&aligned)
        .map_err(|e| FormatError::Malformed(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::module::*;

    pub(crate) fn sample() -> Module {
        Module {
            files: vec!["t.nd".into()],
            consts: vec![Const::Int(7), Const::Float(2.5), Const::Str("hi".into())],
            names: vec!["x".into()],
            kw_names: vec![vec!["sep".into()]],
            functions: vec![Function {
                name: "<entry>".into(),
                kind: FunctionKind::Entry,
                is_async: false,
                params: vec![],
                num_regs: 1,
                captures: vec![],
                code: vec![crate::Instr::ReturnNone {}.encode()],
                lines: vec![LineEntry {
                    pc: 0,
                    line: 1,
                    col: 1,
                }],
                file: 0,
            }],
            structs: vec![],
            enums: vec![],
            globals: vec!["main".into()],
            entry: 0,
        }
    }

    #[test]
    fn round_trips() {
        let m = sample();
        let bytes = write_module(&m).unwrap();
        assert_eq!(read_module(&bytes).unwrap(), m);
    }

    #[test]
    fn rejects_each_kind_of_damage() {
        let bytes = write_module(&sample()).unwrap();
        assert_eq!(
            read_module(b"hello world, not nbc"),
            Err(FormatError::NotNbc)
        );
        assert_eq!(
            read_module(b""),
            Err(FormatError::TruncatedHeader { len: 0 })
        );
        assert_eq!(
            read_module(&bytes[..10]),
            Err(FormatError::TruncatedHeader { len: 10 })
        );
        let mut v = bytes.clone();
        v[4] = 99;
        assert_eq!(
            read_module(&v),
            Err(FormatError::UnsupportedVersion { found: 99 })
        );
        let cut = &bytes[..bytes.len() - 3];
        assert!(matches!(
            read_module(cut),
            Err(FormatError::TruncatedPayload { .. })
        ));
        let mut v = bytes.clone();
        v.push(0);
        assert_eq!(
            read_module(&v),
            Err(FormatError::TrailingBytes { extra: 1 })
        );
        let mut v = bytes.clone();
        let last = v.len() - 1;
        v[last] ^= 0x55;
        assert_eq!(read_module(&v), Err(FormatError::ChecksumMismatch));
    }

    #[test]
    fn garbage_with_a_valid_header_is_malformed_not_a_crash() {
        let payload: Vec<u8> = (0..200u32).map(|i| (i * 37 % 251) as u8).collect();
        let mut v = Vec::new();
        v.extend_from_slice(&MAGIC);
        v.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        v.extend_from_slice(&0u16.to_le_bytes());
        v.extend_from_slice(&(payload.len() as u32).to_le_bytes());
        v.extend_from_slice(&crc32fast::hash(&payload).to_le_bytes());
        v.extend_from_slice(&payload);
        assert!(matches!(read_module(&v), Err(FormatError::Malformed(_))));
    }

    #[test]
    fn every_single_byte_flip_is_caught() {
        let bytes = write_module(&sample()).unwrap();
        for i in 0..bytes.len() {
            let mut v = bytes.clone();
            v[i] ^= 0x01;
            assert!(read_module(&v).is_err(), "flip at byte {i} went unnoticed");
        }
    }
}
