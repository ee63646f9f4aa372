//! Reasons' messages without `core::fmt`: [`message!`](crate::message).
//!
//! Every failing rule of a deny carries a message, built in the guest on
//! each denied call. `format!` goes through `core::fmt`'s dynamic
//! machinery (an `Arguments` table, a `dyn Write`, a call per piece),
//! which in a component cost 854 instructions more than appending the
//! same pieces, for the one message of a start denied `target-out-of-scope`
//! (20,567 -> 19,713 per decision, `cargo bench -p standin --bench
//! instructions -- deny`). [`message!`](crate::message) sums the pieces'
//! sizes, allocates once and appends them.

use alloc::string::String;

/// What [`message!`](crate::message) can append: text, characters and
/// integers (in decimal).
pub trait Piece {
    /// Bytes this piece appends.
    fn size(&self) -> usize;
    /// Appends the piece.
    fn put(&self, out: &mut String);
}

impl Piece for str {
    fn size(&self) -> usize {
        self.len()
    }
    fn put(&self, out: &mut String) {
        standin_wire::append(out, self);
    }
}

impl Piece for String {
    fn size(&self) -> usize {
        self.len()
    }
    fn put(&self, out: &mut String) {
        standin_wire::append(out, self);
    }
}

impl Piece for char {
    fn size(&self) -> usize {
        self.len_utf8()
    }
    fn put(&self, out: &mut String) {
        out.push(*self);
    }
}

impl<T: Piece + ?Sized> Piece for &T {
    fn size(&self) -> usize {
        (**self).size()
    }
    fn put(&self, out: &mut String) {
        (**self).put(out);
    }
}

use standin_wire::decimal as digits;

macro_rules! unsigned {
    ($($t:ty)+) => {$(
        impl Piece for $t {
            fn size(&self) -> usize {
                digits(*self as u64, &mut [0; 20]).len()
            }
            fn put(&self, out: &mut String) {
                let mut buf = [0; 20];
                // Digits are ASCII.
                standin_wire::append(out, core::str::from_utf8(digits(*self as u64, &mut buf)).unwrap_or_default());
            }
        }
    )+};
}
unsigned!(u8 u16 u32 u64 usize);

impl Piece for i64 {
    fn size(&self) -> usize {
        usize::from(*self < 0) + self.unsigned_abs().size()
    }
    fn put(&self, out: &mut String) {
        if *self < 0 {
            out.push('-');
        }
        self.unsigned_abs().put(out);
    }
}

/// The pieces of one message, each evaluated once (a tuple of references).
#[doc(hidden)]
pub trait Pieces {
    fn join(self) -> String;
}

macro_rules! pieces {
    ($($p:ident)+) => {
        #[allow(non_snake_case, reason = "the type parameters name the values")]
        impl<$($p: Piece + ?Sized),+> Pieces for ($(&$p,)+) {
            fn join(self) -> String {
                let ($($p,)+) = self;
                let mut out = String::with_capacity(0 $(+ $p.size())+);
                $($p.put(&mut out);)+
                out
            }
        }
    };
}
pieces!(A);
pieces!(A B);
pieces!(A B C);
pieces!(A B C D);
pieces!(A B C D E);
pieces!(A B C D E F);
pieces!(A B C D E F G);
pieces!(A B C D E F G H);
pieces!(A B C D E F G H I);
pieces!(A B C D E F G H I J);

/// A message from pieces of text, characters and integers, appended into
/// one `String` of the right size: what `format!` makes, at a fraction of
/// its cost in a guest (see the [`text`](crate::text) module). Up to ten
/// pieces, each evaluated once.
///
/// ```
/// use standin_policy_sdk::message;
/// let (id, level) = ("u-42", 3u32);
/// assert_eq!(message!("`", id, "` is at level ", level), "`u-42` is at level 3");
/// ```
#[macro_export]
macro_rules! message {
    ($($piece:expr),+ $(,)?) => {
        $crate::text::Pieces::join(($(&$piece,)+))
    };
}

#[cfg(test)]
mod tests {
    use alloc::format;
    use alloc::string::ToString;

    #[test]
    fn messages_read_as_format_writes_them() {
        let (id, other) = ("u-42", "u-7".to_string());
        assert_eq!(
            message!(
                "`",
                id,
                "` is at level ",
                3u32,
                ", not below `",
                other,
                "` at level ",
                0u32
            ),
            format!("`{id}` is at level 3, not below `{other}` at level 0")
        );
        for n in [0u64, 7, 10, 99, 100, 12_345, u64::MAX] {
            assert_eq!(message!(n), n.to_string(), "{n}");
            assert_eq!(message!(n).capacity(), n.to_string().len(), "{n}: one exact allocation");
        }
        for n in [0i64, -1, 42, i64::MIN, i64::MAX] {
            assert_eq!(message!(n), n.to_string(), "{n}");
        }
        assert_eq!(message!('é', "x", 'y'), "éxy");
    }
}
