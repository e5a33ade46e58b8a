//! The format's values as bytes: LEB128 varints, strings (a length, then
//! UTF-8), flags and tags ([`Writer`]), and reading them back without a
//! panic, naming the offset of whatever is wrong ([`Reader`]).

use super::WireError;

/// Writes values to the end of a buffer.
pub(super) struct Writer(pub(super) Vec<u8>);

impl Writer {
    pub(super) fn u8(&mut self, v: u8) {
        self.0.push(v);
    }

    /// A number as a LEB128 varint: seven bits a byte, low bits first.
    pub(super) fn u64(&mut self, mut v: u64) {
        while v >= 0x80 {
            self.0.push(v as u8 | 0x80);
            v >>= 7;
        }
        self.0.push(v as u8);
    }

    pub(super) fn u32(&mut self, v: u32) {
        self.u64(u64::from(v));
    }

    /// A number as 8 bytes, little-endian (a hash: a varint would take 10).
    pub(super) fn fixed_u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }

    pub(super) fn str(&mut self, s: &str) {
        self.u32(s.len() as u32);
        self.0.extend_from_slice(s.as_bytes());
    }

    pub(super) fn opt_str(&mut self, s: Option<&str>) {
        match s {
            Some(s) => {
                self.u8(1);
                self.str(s);
            }
            None => self.u8(0),
        }
    }

    pub(super) fn opt_u32(&mut self, v: Option<u32>) {
        match v {
            Some(v) => {
                self.u8(1);
                self.u32(v);
            }
            None => self.u8(0),
        }
    }
}

/// Reads values from `bytes`, from offset `at` on.
pub(super) struct Reader<'a> {
    pub(super) bytes: &'a [u8],
    pub(super) at: usize,
}

// `#[inline(always)]` on the readers a row is read with: the page is built
// for size (opt-level "z"), which left each a call, and the page decodes a
// million rows with them while the worker checks (at 1M the page was the
// slower of the two: the worker's report waited behind its last pieces).
// Inlined: the first load 1.3 KB larger, the app at 1M 783-902 -> 726-732 ms.
impl Reader<'_> {
    #[inline(always)]
    pub(super) fn take(&mut self, n: usize) -> Result<&[u8], WireError> {
        let end = self
            .at
            .checked_add(n)
            .filter(|&e| e <= self.bytes.len())
            .ok_or(WireError::Truncated(self.at))?;
        let out = &self.bytes[self.at..end];
        self.at = end;
        Ok(out)
    }

    #[inline(always)]
    pub(super) fn u8(&mut self) -> Result<u8, WireError> {
        Ok(self.take(1)?[0])
    }

    /// A LEB128 varint of a value of at most `bits` bits, in as few bytes
    /// as hold them (five for 32 bits, ten for 64); anything longer or larger
    /// is an error.
    #[inline(always)]
    pub(super) fn varint(&mut self, bits: u32) -> Result<u64, WireError> {
        let at = self.at;
        let mut value: u64 = 0;
        let mut shift = 0;
        while shift < bits {
            let byte = self.u8()?;
            let part = u64::from(byte & 0x7f);
            if bits - shift < 7 && part >> (bits - shift) != 0 {
                return Err(WireError::BadTag(at));
            }
            value |= part << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
            shift += 7;
        }
        Err(WireError::BadTag(at))
    }

    #[inline(always)]
    pub(super) fn u64(&mut self) -> Result<u64, WireError> {
        self.varint(64)
    }

    /// What [`Writer::fixed_u64`] wrote.
    #[inline(always)]
    pub(super) fn fixed_u64(&mut self) -> Result<u64, WireError> {
        let bytes = self.take(8)?;
        Ok(u64::from_le_bytes(bytes.try_into().expect("take gives 8 bytes")))
    }

    #[inline(always)]
    pub(super) fn u32(&mut self) -> Result<u32, WireError> {
        // At most 32 bits: the cast keeps every one.
        self.varint(32).map(|v| v as u32)
    }

    /// A count, checked against what is left so a corrupt count cannot make
    /// the reader reserve gigabytes: every item takes at least one byte.
    pub(super) fn len(&mut self) -> Result<usize, WireError> {
        let at = self.at;
        let n = self.u32()? as usize;
        if n > self.bytes.len() - self.at {
            return Err(WireError::Truncated(at));
        }
        Ok(n)
    }

    #[inline(always)]
    pub(super) fn flag(&mut self) -> Result<bool, WireError> {
        let at = self.at;
        match self.u8()? {
            0 => Ok(false),
            1 => Ok(true),
            _ => Err(WireError::BadTag(at)),
        }
    }

    #[inline(always)]
    pub(super) fn string(&mut self) -> Result<String, WireError> {
        let n = self.u32()? as usize;
        let at = self.at;
        let bytes = self.take(n)?;
        std::str::from_utf8(bytes)
            .map(str::to_owned)
            .map_err(|_| WireError::BadText(at))
    }

    #[inline(always)]
    pub(super) fn opt_string(&mut self) -> Result<Option<String>, WireError> {
        if self.flag()? {
            self.string().map(Some)
        } else {
            Ok(None)
        }
    }

    pub(super) fn opt_u32(&mut self) -> Result<Option<u32>, WireError> {
        if self.flag()? {
            self.u32().map(Some)
        } else {
            Ok(None)
        }
    }

    pub(super) fn pick<T: Copy>(&mut self, from: &[T]) -> Result<T, WireError> {
        let at = self.at;
        let i = self.u8()? as usize;
        from.get(i).copied().ok_or(WireError::BadTag(at))
    }

    pub(super) fn pick_opt<T: Copy>(&mut self, from: &[T]) -> Result<Option<T>, WireError> {
        let at = self.at;
        match self.u8()? as usize {
            0 => Ok(None),
            i => from.get(i - 1).copied().map(Some).ok_or(WireError::BadTag(at)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_varints_and_a_bad_one_is_an_error() {
        for v in [0u32, 1, 0x7f, 0x80, 0x3fff, 0x4000, u32::MAX] {
            let mut w = Writer(Vec::new());
            w.u32(v);
            let expected = match v {
                0..=0x7f => 1,
                0x80..=0x3fff => 2,
                0x4000..=0x1f_ffff => 3,
                _ => 5,
            };
            assert_eq!(w.0.len(), expected, "{v:#x}");
            assert_eq!(Reader { bytes: &w.0, at: 0 }.u32(), Ok(v));
        }
        // Over 32 bits, and longer than five bytes.
        assert_eq!(
            Reader {
                bytes: &[0xff, 0xff, 0xff, 0xff, 0x1f],
                at: 0
            }
            .u32(),
            Err(WireError::BadTag(0))
        );
        assert_eq!(
            Reader {
                bytes: &[0x80, 0x80, 0x80, 0x80, 0x80, 0x00],
                at: 0
            }
            .u32(),
            Err(WireError::BadTag(0))
        );
        assert_eq!(
            Reader {
                bytes: &[0x80, 0x80],
                at: 0
            }
            .u32(),
            Err(WireError::Truncated(2))
        );
        for v in [0u64, 0x7f, 1 << 35, u64::MAX] {
            let mut w = Writer(Vec::new());
            w.u64(v);
            assert_eq!(Reader { bytes: &w.0, at: 0 }.u64(), Ok(v));
        }
        // Over 64 bits, and longer than ten bytes.
        let mut over = vec![0xff; 9];
        over.push(0x02);
        assert_eq!(Reader { bytes: &over, at: 0 }.u64(), Err(WireError::BadTag(0)));
        let mut long = vec![0x80; 10];
        long.push(0x00);
        assert_eq!(Reader { bytes: &long, at: 0 }.u64(), Err(WireError::BadTag(0)));
    }
}
