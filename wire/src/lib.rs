//! Requests as they cross the policy component boundary, and the packer
//! that builds them: the one layout the host writes and a guest reads.
//!
//! A crate of its own because both sides depend on it and neither should
//! depend on the other for it: the engine packs requests without linking
//! the guest SDK, and the SDK reads them without the engine. Each type
//! mirrors a record of `wit/policy.wit` field for field. A `span` is
//! `offset << 32 | len` into `text`; a `strs` is `first << 32 | count`
//! into `spans`. The host packs a request once with [`Packer`]; the guest
//! reads it (the SDK's `facts` views) without copying a byte. [`words`]
//! lays each request out as the flat words that cross, written and read by
//! one walk so that the two sides cannot disagree.
#![no_std]

extern crate alloc;

use alloc::string::String;
use alloc::vec::Vec;

/// A packed user.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Principal {
    pub id: u64,
    pub tenant: u64,
    pub roles: u64,
    pub permissions: u64,
    pub groups: u64,
    pub manages: u64,
    pub domains: u64,
    pub consents: u64,
    pub attributes: u64,
    pub active: bool,
    pub has_logged_in: bool,
}

/// The actor's own current impersonation session.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SessionRef {
    pub id: u64,
    pub target: u64,
}

/// The scope a start asks for, as strs: its action patterns and its
/// resources. It crosses as the start's tail (see `wit/policy.wit`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Scope {
    pub actions: u64,
    pub resources: u64,
}

/// A packed start request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct StartRequest {
    pub text: String,
    pub spans: Vec<u64>,
    pub tenant: u64,
    pub actor: Principal,
    pub target: Principal,
    pub reason: Option<u64>,
    pub ttl_seconds: Option<u64>,
    pub domain: Option<u64>,
    pub actor_session: Option<SessionRef>,
    pub consent_on_behalf: bool,
    pub now: u64,
    /// The scope the start asks for (flag bit 5 and the tail).
    pub scope: Option<Scope>,
}

/// A packed approval request: the pending start as it stands at the
/// answer (its `text` and `spans` are the whole request's), and the person
/// answering.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApprovalRequest {
    pub start: StartRequest,
    pub approver: Principal,
}

/// A packed session.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Session {
    pub id: u64,
    pub actor: Principal,
    pub target: Principal,
    pub started_at: u64,
    pub expires_at: u64,
    pub domain: Option<u64>,
    pub reason: Option<u64>,
    pub read_only: bool,
}

/// A packed action request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ActionRequest {
    pub text: String,
    pub spans: Vec<u64>,
    pub tenant: u64,
    pub session: Session,
    pub action: u64,
    pub resource: Option<u64>,
    pub now: u64,
}

/// The span of `len` bytes at `offset` of a request's text. Text past
/// 4 GiB is not representable; the host caps requests far below that.
#[inline]
pub fn span(offset: usize, len: usize) -> u64 {
    ((offset as u64) << 32) | (len as u64 & 0xffff_ffff)
}

/// Copies `src` to `dst` with at most two loads and two stores when it is
/// 32 bytes or shorter (most of a request's strings: roles, ids,
/// permissions; most pieces of a policy's messages), instead of a call to
/// `memcpy`: packing copies about 75 strings a request, and in a guest a
/// `memcpy` is a `memory.copy`, a call out to the host.
///
/// # Safety
/// `dst` is valid for writes of `src.len()` bytes and does not overlap `src`.
#[inline(always)]
unsafe fn copy_short(src: &[u8], dst: *mut u8) {
    let (n, s) = (src.len(), src.as_ptr());
    // SAFETY: every read is within `src` and every write within
    // `dst[..n]` (the pairs overlap when `n` is not a power of two).
    unsafe {
        if (8..=16).contains(&n) {
            let (a, b) = (
                s.cast::<u64>().read_unaligned(),
                s.add(n - 8).cast::<u64>().read_unaligned(),
            );
            dst.cast::<u64>().write_unaligned(a);
            dst.add(n - 8).cast::<u64>().write_unaligned(b);
        } else if (4..8).contains(&n) {
            let (a, b) = (
                s.cast::<u32>().read_unaligned(),
                s.add(n - 4).cast::<u32>().read_unaligned(),
            );
            dst.cast::<u32>().write_unaligned(a);
            dst.add(n - 4).cast::<u32>().write_unaligned(b);
        } else if n < 4 {
            for i in 0..n {
                *dst.add(i) = *s.add(i);
            }
        } else if (17..=32).contains(&n) {
            let (a, b) = (
                s.cast::<u128>().read_unaligned(),
                s.add(n - 16).cast::<u128>().read_unaligned(),
            );
            dst.cast::<u128>().write_unaligned(a);
            dst.add(n - 16).cast::<u128>().write_unaligned(b);
        } else {
            core::ptr::copy_nonoverlapping(s, dst, n);
        }
    }
}

/// Appends `s` to `out` (what [`Packer::str`] and a guest's messages
/// copy): no `memcpy` call for 32 bytes or fewer.
#[inline(always)]
pub fn append(out: &mut String, s: &str) {
    let start = out.len();
    if out.capacity() - start < s.len() {
        out.reserve(s.len());
    }
    // SAFETY: the capacity was made above; a whole `&str` is appended, so
    // `out` stays UTF-8.
    unsafe {
        let text = out.as_mut_vec();
        copy_short(s.as_bytes(), text.as_mut_ptr().add(start));
        text.set_len(start + s.len());
    }
}

/// The decimal digits of `n`, most significant first, in `buf`'s tail:
/// numbers written into a request's text or a policy's message without
/// the formatting machinery (packing and the SDK's messages both do).
pub fn decimal(mut n: u64, buf: &mut [u8; 20]) -> &[u8] {
    let mut at = buf.len();
    loop {
        at -= 1;
        buf[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            return &buf[at..];
        }
    }
}

/// A string that [`Packer::strs`] packs: `String`, `&str`, `Cow<str>` and
/// `Box<str>`. Sealed, because `strs` measures a list before it copies it
/// without checks, so every reading of an item must give the same string;
/// an `AsRef<str>` of anyone's could answer a longer one the second time.
pub trait Text: sealed::Sealed {
    fn text(&self) -> &str;
}

mod sealed {
    pub trait Sealed {}
}

impl sealed::Sealed for String {}
impl Text for String {
    #[inline(always)]
    fn text(&self) -> &str {
        self
    }
}

impl sealed::Sealed for &str {}
impl Text for &str {
    #[inline(always)]
    fn text(&self) -> &str {
        self
    }
}

impl sealed::Sealed for alloc::borrow::Cow<'_, str> {}
impl Text for alloc::borrow::Cow<'_, str> {
    #[inline(always)]
    fn text(&self) -> &str {
        self
    }
}

impl sealed::Sealed for alloc::boxed::Box<str> {}
impl Text for alloc::boxed::Box<str> {
    #[inline(always)]
    fn text(&self) -> &str {
        self
    }
}

/// Where a list under construction starts (see [`Packer::begin_list`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListStart(usize);

/// Builds the `text` and `spans` of one request.
///
/// Made by [`Packer::over`], it packs into buffers a caller keeps between
/// requests, with the spans written straight after room for the header:
/// the words then cross the boundary as they are, with no allocation and
/// no copy on the way.
#[derive(Debug, Default)]
pub struct Packer {
    text: String,
    spans: Vec<u64>,
    /// Words before the first span (the header), when packing in place.
    base: usize,
}

impl Packer {
    /// A packer with room for `text_bytes` of text and `spans` list entries.
    pub fn with_capacity(text_bytes: usize, spans: usize) -> Self {
        Self {
            text: String::with_capacity(text_bytes),
            spans: Vec::with_capacity(spans),
            base: 0,
        }
    }

    /// A packer writing into `text` and `words` (both emptied first), with
    /// `header` zero words reserved at the front of `words` for
    /// [`StartRequest::header`] or [`ActionRequest::header`].
    pub fn over(mut text: String, mut words: Vec<u64>, header: usize) -> Self {
        text.clear();
        words.clear();
        words.resize(header, 0);
        Self {
            text,
            spans: words,
            base: header,
        }
    }

    /// The buffers: the text, and the words (the reserved header, then the
    /// spans).
    pub fn into_parts(self) -> (String, Vec<u64>) {
        (self.text, self.spans)
    }

    /// Stores `s` and returns its span. Text past 4 GiB is not representable;
    /// the host caps requests far below that.
    #[inline]
    pub fn str(&mut self, s: &str) -> u64 {
        let start = self.text.len();
        append(&mut self.text, s);
        span(start, s.len())
    }

    /// Stores `item` as it displays (e.g. a JSON number) as one entry of the
    /// list being built, without an intermediate `String`.
    pub fn push_display(&mut self, item: impl core::fmt::Display) {
        use core::fmt::Write;
        let start = self.text.len();
        // Writing to a `String` cannot fail.
        let _ = write!(self.text, "{item}");
        self.spans.push(span(start, self.text.len() - start));
    }

    /// Stores a list of strings and returns its `strs`.
    ///
    /// Most of a request is such lists (a principal's roles, permissions,
    /// groups, ...), so they are packed in one tight loop: the room for all
    /// their bytes and spans is made once, and each string then costs its
    /// copy and one span, with no capacity check of its own.
    ///
    /// Items are [`Text`]: the room made is what their first reading says,
    /// and only types whose every reading is the same string are `Text`.
    pub fn strs<S: Text>(&mut self, items: &[S]) -> u64 {
        let first = (self.spans.len() - self.base) as u64;
        let bytes = items
            .iter()
            .try_fold(0usize, |sum, s| sum.checked_add(s.text().len()))
            .expect("a list's strings fit in memory");
        self.text.reserve(bytes);
        self.spans.reserve(items.len());
        // SAFETY: `bytes` more bytes of text and `items.len()` more spans
        // were reserved above, and exactly those are written; whole `&str`s
        // are appended, so the text stays UTF-8.
        unsafe {
            let text = self.text.as_mut_vec();
            let (start, to) = (text.len(), text.as_mut_ptr());
            let (count, spans) = (self.spans.len(), self.spans.as_mut_ptr());
            let mut at = start;
            for (i, item) in items.iter().enumerate() {
                let item = item.text().as_bytes();
                copy_short(item, to.add(at));
                spans.add(count + i).write(span(at, item.len()));
                at += item.len();
            }
            text.set_len(at);
            self.spans.set_len(count + items.len());
        }
        (first << 32) | items.len() as u64
    }

    /// Stores an integer's decimal digits (as JSON writes it: a sign when
    /// `negative`, then `magnitude`) as one entry of the list being built.
    pub fn push_integer(&mut self, negative: bool, magnitude: u64) {
        let mut digits = [0u8; 20];
        let digits = decimal(magnitude, &mut digits);
        let start = self.text.len();
        if negative {
            self.text.push('-');
        }
        // SAFETY: `decimal` writes only ASCII digits.
        append(&mut self.text, unsafe { core::str::from_utf8_unchecked(digits) });
        self.spans.push(span(start, self.text.len() - start));
    }

    /// Starts a list built by [`Self::push`] and closed by [`Self::end_list`],
    /// for items that are not at hand as `&str` all at once.
    pub fn begin_list(&self) -> ListStart {
        ListStart(self.spans.len() - self.base)
    }

    /// Appends one string to the list being built.
    #[inline]
    pub fn push(&mut self, item: &str) {
        let span = self.str(item);
        self.spans.push(span);
    }

    /// Closes the list and returns its `strs`.
    pub fn end_list(&mut self, start: ListStart) -> u64 {
        let first = start.0 as u64;
        (first << 32) | ((self.spans.len() - self.base) as u64 - first)
    }

    /// Stores key/value pairs (key, value, key, value, ...) as one `strs`.
    pub fn pairs<'s>(&mut self, items: impl IntoIterator<Item = (&'s str, &'s str)>) -> u64 {
        let list = self.begin_list();
        for (key, value) in items {
            self.push(key);
            self.push(value);
        }
        self.end_list(list)
    }

    /// Bytes of text stored so far.
    pub fn text_len(&self) -> usize {
        self.text.len()
    }

    /// Entries of `spans` stored so far.
    pub fn spans_len(&self) -> usize {
        self.spans.len() - self.base
    }

    /// The packed text and spans (of a packer made without a header).
    pub fn finish(mut self) -> (String, Vec<u64>) {
        self.spans.drain(..self.base);
        (self.text, self.spans)
    }
}

pub mod words;
