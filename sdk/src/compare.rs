//! Byte-string comparison a word at a time: the guest's `memcmp` and `bcmp`.
//! Rules compare strings all the time (roles, permissions, patterns), and
//! wasi-libc's `memcmp` is a byte loop: 12.6 % of a start decision in a
//! profile (BENCHMARKS.md). Defined here, the linker takes these instead of
//! libc's. There is no loop over bytes, so the compiler cannot turn this
//! back into a call to `memcmp`.

/// The order of the first differing byte of two little-endian words,
/// or 0 when they are equal.
fn order(x: u64, y: u64) -> i32 {
    if x == y {
        return 0;
    }
    let shift = (x ^ y).trailing_zeros() & !7;
    i32::from((x >> shift) as u8) - i32::from((y >> shift) as u8)
}

/// # Safety
/// `a` and `b` are valid for reads of `n` bytes.
pub unsafe fn compare(a: *const u8, b: *const u8, n: usize) -> i32 {
    // SAFETY (every read): within `n` bytes; `read_unaligned`.
    unsafe {
        let word = |p: *const u8, at: usize| u64::from_le(p.add(at).cast::<u64>().read_unaligned());
        let half = |p: *const u8, at: usize| u64::from(u32::from_le(p.add(at).cast::<u32>().read_unaligned()));
        if n >= 8 {
            let mut i = 0;
            while i + 8 < n {
                let o = order(word(a, i), word(b, i));
                if o != 0 {
                    return o;
                }
                i += 8;
            }
            // The last eight bytes, overlapping what is already equal.
            return order(word(a, n - 8), word(b, n - 8));
        }
        if n >= 4 {
            let o = order(half(a, 0), half(b, 0));
            return if o != 0 {
                o
            } else {
                order(half(a, n - 4), half(b, n - 4))
            };
        }
        let byte = |p: *const u8, at: usize| u64::from(*p.add(at));
        let (mut x, mut y) = (0, 0);
        if n >= 1 {
            (x, y) = (byte(a, 0), byte(b, 0));
        }
        if n >= 2 {
            (x, y) = (x | byte(a, 1) << 8, y | byte(b, 1) << 8);
        }
        if n >= 3 {
            (x, y) = (x | byte(a, 2) << 16, y | byte(b, 2) << 16);
        }
        order(x, y)
    }
}

#[cfg(test)]
mod tests {
    use super::compare;
    use core::cmp::Ordering;

    #[test]
    fn orders_like_slices() {
        let words: [&[u8]; 12] = [
            b"",
            b"a",
            b"b",
            b"ab",
            b"abc",
            b"abd",
            b"abcd",
            b"abce",
            b"super_admin",
            b"super_admim",
            b"power_user_level",
            b"power_user_levem",
        ];
        for x in words {
            for y in words {
                let n = x.len().min(y.len());
                let got = unsafe { compare(x.as_ptr(), y.as_ptr(), n) };
                let want = x[..n].cmp(&y[..n]);
                assert_eq!(got.cmp(&0), want, "{x:?} {y:?} over {n}");
            }
        }
        // Every length and every position of one difference.
        let base: alloc::vec::Vec<u8> = (0..40u8).collect();
        for n in 0..40 {
            for at in 0..n {
                let mut other = base.clone();
                other[at] = other[at].wrapping_add(200);
                let got = unsafe { compare(base.as_ptr(), other.as_ptr(), n) };
                assert_eq!(got.cmp(&0), base[..n].cmp(&other[..n]), "n {n} at {at}");
                assert_ne!(got, 0);
            }
            assert_eq!(
                unsafe { compare(base.as_ptr(), base.as_ptr(), n) }.cmp(&0),
                Ordering::Equal
            );
        }
    }
}
