//! Classifying 64 bytes at once into bitmasks: bit `i` of a mask is set when byte `i` of the
//! window is of that class.
//!
//! This file holds the crate's only `unsafe` code: SSE2 (every x86_64 CPU has it), AVX2
//! when `std` detects it at run time, and a prefetch hint. [`classify_portable`] is the
//! reference every SIMD version must equal; the unit tests below and the fuzz targets check
//! it byte for byte.
//!
//! A classifier is a value of a type that implements [`Classify`]. Code that classifies
//! windows is written once, generic over it, and run through [`dispatch`], which picks the
//! fastest classifier this CPU has and calls the copy of the code compiled with the
//! matching target features. The AVX2 classifier is also the proof that the CPU has AVX2:
//! only its feature check can make one (see `avx2::Avx2`), and every call into code
//! compiled for AVX2 goes through a method that takes it.
//!
//! # Choosing the classifier for tests
//! Built with `--cfg ami_proto_classifier="sse2"` or `--cfg ami_proto_classifier="portable"`
//! (in `RUSTFLAGS`), [`dispatch`] always uses that classifier, so that the decoder's tests
//! run on each one (CI does, see `.ci/run`); without it, the fastest this CPU has. The
//! switch is a `cfg` rather than an environment variable so that no release build can
//! read it.

/// Bytes classified at once.
pub(crate) const WINDOW: usize = 64;

/// The classes of a window's bytes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Masks {
    /// `\n` (line ends).
    pub(crate) lf: u64,
    /// `\r` (the first half of a CRLF line end).
    pub(crate) cr: u64,
    /// `:`, space or tab: whatever ends a header key.
    pub(crate) stop: u64,
}

/// Reference classification, one byte at a time.
pub(crate) fn classify_portable(window: &[u8; WINDOW]) -> Masks {
    let mut masks = Masks::default();
    for (i, &b) in window.iter().enumerate() {
        masks.lf |= u64::from(b == b'\n') << i;
        masks.cr |= u64::from(b == b'\r') << i;
        masks.stop |= u64::from(matches!(b, b':' | b' ' | b'\t')) << i;
    }
    masks
}

/// How far ahead of the window being classified [`prefetch`] asks for bytes: far enough
/// that a large buffer's bytes are in the cache when the run reaches them.
pub(crate) const PREFETCH_AHEAD: usize = 1024;

/// Asks the CPU to start loading the cache line of `b[at]` (nothing when `at` is past the
/// end). A hint only: it changes no result, only when the bytes arrive.
#[inline(always)]
pub(crate) fn prefetch(b: &[u8], at: usize) {
    #[cfg(target_arch = "x86_64")]
    if let Some(byte) = b.get(at) {
        // SAFETY: a prefetch reads nothing the program sees and cannot fault, and `byte`
        // is in bounds anyway. SSE, which has it, is part of the x86_64 baseline.
        #[allow(unsafe_code)]
        unsafe {
            core::arch::x86_64::_mm_prefetch::<{ core::arch::x86_64::_MM_HINT_T0 }>(
                (byte as *const u8).cast::<i8>(),
            );
        }
    }
    #[cfg(not(target_arch = "x86_64"))]
    let _ = (b, at);
}

/// A way to classify a window. The value is the classifier (all are zero-sized); for a
/// classifier that needs CPU features, having one is the proof that the CPU has them.
pub(crate) trait Classify: Copy {
    /// The classifier's name, for test output.
    #[cfg_attr(not(test), allow(dead_code))]
    const NAME: &'static str;

    fn classify(self, window: &[u8; WINDOW]) -> Masks;

    /// Classifies the `bytes` (fewer than [`WINDOW`]) as if they were followed by zeros,
    /// which are of no class.
    #[inline(always)]
    fn classify_tail(self, bytes: &[u8]) -> Masks {
        let mut padded = [0u8; WINDOW];
        padded[..bytes.len()].copy_from_slice(bytes);
        self.classify(&padded)
    }

    /// Classifies `b[from..]`, at most a window, as if it were followed by zeros. When `b`
    /// holds a whole window, that is its last window with the bytes before `from` shifted
    /// out: nothing is copied, and the load's address does not wait for `from`.
    #[inline(always)]
    fn classify_end(self, b: &[u8], from: usize) -> Masks {
        match b.len().checked_sub(WINDOW) {
            Some(base) => {
                let last = b[base..].try_into().expect("the last window");
                let m = self.classify(last);
                let shift = from - base;
                Masks {
                    lf: m.lf >> shift,
                    cr: m.cr >> shift,
                    stop: m.stop >> shift,
                }
            }
            None => self.classify_tail(&b[from..]),
        }
    }
}

/// Code generic over the classifier, run by [`dispatch`].
pub(crate) trait WithClassifier {
    type Output;
    fn run<C: Classify>(self, classifier: C) -> Self::Output;
}

/// Runs `job` with the fastest classifier this CPU supports: AVX2 if the CPU has it, else
/// SSE2 (the portable loop off x86_64), each copy a function of its own, so that a caller
/// that inlines this (the decoder's fast path, inlined into every `decode` call site)
/// holds only the choice and one call. There is no AVX-512 copy: it made no decoding
/// faster (`benches/README.md` has the figures).
#[inline(always)]
pub(crate) fn dispatch<J: WithClassifier>(job: J) -> J::Output {
    #[cfg(ami_proto_classifier = "portable")]
    return run_apart(Portable, job);
    #[cfg(ami_proto_classifier = "sse2")]
    return run_apart(sse2::Sse2, job);
    #[cfg(not(any(ami_proto_classifier = "portable", ami_proto_classifier = "sse2")))]
    {
        #[cfg(all(feature = "std", target_arch = "x86_64"))]
        if let Some(avx2) = avx2::Avx2::detect() {
            return avx2.run(job);
        }
        #[cfg(target_arch = "x86_64")]
        return run_apart(sse2::Sse2, job);
        #[cfg(not(target_arch = "x86_64"))]
        return run_apart(Portable, job);
    }
}

#[cfg(all(ami_proto_classifier = "sse2", not(target_arch = "x86_64")))]
compile_error!("ami_proto_classifier=\"sse2\" needs an x86_64 target");

/// `job` with `classifier`, in a function of its own.
#[inline(never)]
fn run_apart<C: Classify, J: WithClassifier>(classifier: C, job: J) -> J::Output {
    job.run(classifier)
}

/// [`classify_portable`] as a [`Classify`].
#[derive(Debug, Clone, Copy)]
#[cfg_attr(
    all(target_arch = "x86_64", not(ami_proto_classifier = "portable")),
    allow(dead_code)
)]
pub(crate) struct Portable;

impl Classify for Portable {
    const NAME: &'static str = "portable";

    #[inline(always)]
    fn classify(self, window: &[u8; WINDOW]) -> Masks {
        classify_portable(window)
    }
}

#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)]
mod sse2 {
    use super::{Classify, Masks, WINDOW};
    use core::arch::x86_64::{
        __m128i, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_or_si128, _mm_set1_epi8,
    };

    // SSE2 is part of the x86_64 baseline: the compiler may use it anywhere, so may we.
    const _: () = assert!(cfg!(target_feature = "sse2"));

    /// 16 bytes at a time, four times.
    #[derive(Debug, Clone, Copy)]
    #[cfg_attr(ami_proto_classifier = "portable", allow(dead_code))]
    pub(crate) struct Sse2;

    impl Classify for Sse2 {
        const NAME: &'static str = "sse2";

        #[inline(always)]
        fn classify(self, window: &[u8; WINDOW]) -> Masks {
            let mut masks = Masks::default();
            for (chunk, bytes) in window.chunks_exact(16).enumerate() {
                // SAFETY: `bytes` is 16 readable bytes (chunks_exact of a 64-byte array);
                // `_mm_loadu_si128` has no alignment requirement; SSE2 is enabled for the
                // whole crate (the assertion above), so every intrinsic here may run.
                let (lf, cr, stop) = unsafe {
                    let v = _mm_loadu_si128(bytes.as_ptr().cast::<__m128i>());
                    let lf = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\n' as i8));
                    let cr = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\r' as i8));
                    let colon = _mm_cmpeq_epi8(v, _mm_set1_epi8(b':' as i8));
                    let space = _mm_cmpeq_epi8(v, _mm_set1_epi8(b' ' as i8));
                    let tab = _mm_cmpeq_epi8(v, _mm_set1_epi8(b'\t' as i8));
                    let stop = _mm_or_si128(_mm_or_si128(colon, space), tab);
                    (
                        _mm_movemask_epi8(lf) as u16,
                        _mm_movemask_epi8(cr) as u16,
                        _mm_movemask_epi8(stop) as u16,
                    )
                };
                masks.lf |= u64::from(lf) << (16 * chunk);
                masks.cr |= u64::from(cr) << (16 * chunk);
                masks.stop |= u64::from(stop) << (16 * chunk);
            }
            masks
        }
    }
}

#[cfg(all(feature = "std", target_arch = "x86_64"))]
#[allow(unsafe_code)]
#[cfg_attr(
    any(ami_proto_classifier = "portable", ami_proto_classifier = "sse2"),
    allow(dead_code)
)]
mod avx2 {
    use super::{Classify, Masks, WithClassifier, WINDOW};
    use core::arch::x86_64::{
        __m256i, _mm256_cmpeq_epi8, _mm256_loadu_si256, _mm256_movemask_epi8, _mm256_or_si256,
        _mm256_set1_epi8,
    };

    pub(super) use proof::Avx2;

    /// The one place an [`Avx2`] is made.
    mod proof {
        /// The AVX2 classifier (two 32-byte halves, one compare per class each), and the
        /// proof that this CPU can run it: its field is private to this module, whose only
        /// code that makes one is [`Avx2::detect`]. Code compiled for AVX2 is reached only
        /// through methods that take one.
        #[derive(Debug, Clone, Copy)]
        pub(in super::super) struct Avx2(());

        impl Avx2 {
            /// The classifier, if this CPU has AVX2 and the bit instructions (BMI1, BMI2)
            /// its code is also compiled for, to find bits with; without `bmi1`,
            /// `trailing_zeros` needs an extra test for zero. `std` caches the answers.
            #[inline(always)]
            pub(in super::super) fn detect() -> Option<Avx2> {
                let present = std::is_x86_feature_detected!("avx2")
                    && std::is_x86_feature_detected!("bmi1")
                    && std::is_x86_feature_detected!("bmi2");
                present.then_some(Avx2(()))
            }
        }
    }

    impl Avx2 {
        /// Runs `job` with this classifier, in a copy compiled for AVX2.
        #[inline(always)]
        pub(super) fn run<J: WithClassifier>(self, job: J) -> J::Output {
            // SAFETY: `self` exists, so `Avx2::detect` found AVX2, BMI1 and BMI2 on this
            // CPU: the features `run_with` is compiled for.
            unsafe { run_with(self, job) }
        }
    }

    #[target_feature(enable = "avx2,bmi1,bmi2")]
    fn run_with<J: WithClassifier>(avx2: Avx2, job: J) -> J::Output {
        job.run(avx2)
    }

    impl Classify for Avx2 {
        const NAME: &'static str = "avx2";

        #[inline(always)]
        fn classify(self, window: &[u8; WINDOW]) -> Masks {
            let (low, high) = window.split_at(32);
            let (low, high) = (
                low.try_into().expect("32 bytes"),
                high.try_into().expect("32 bytes"),
            );
            // SAFETY: `self` exists, so `Avx2::detect` found AVX2 on this CPU.
            let ((lf0, cr0, stop0), (lf1, cr1, stop1)) = unsafe { (half(low), half(high)) };
            Masks {
                lf: u64::from(lf0) | u64::from(lf1) << 32,
                cr: u64::from(cr0) | u64::from(cr1) << 32,
                stop: u64::from(stop0) | u64::from(stop1) << 32,
            }
        }
    }

    /// The three masks of 32 bytes.
    #[target_feature(enable = "avx2")]
    #[inline]
    fn half(bytes: &[u8; 32]) -> (u32, u32, u32) {
        // SAFETY: `bytes` is 32 readable bytes; `_mm256_loadu_si256` has no alignment
        // requirement.
        let v = unsafe { _mm256_loadu_si256(bytes.as_ptr().cast::<__m256i>()) };
        let lf = _mm256_cmpeq_epi8(v, _mm256_set1_epi8(b'\n' as i8));
        let cr = _mm256_cmpeq_epi8(v, _mm256_set1_epi8(b'\r' as i8));
        let colon = _mm256_cmpeq_epi8(v, _mm256_set1_epi8(b':' as i8));
        let space = _mm256_cmpeq_epi8(v, _mm256_set1_epi8(b' ' as i8));
        let tab = _mm256_cmpeq_epi8(v, _mm256_set1_epi8(b'\t' as i8));
        let stop = _mm256_or_si256(_mm256_or_si256(colon, space), tab);
        (
            opaque(_mm256_movemask_epi8(lf)),
            opaque(_mm256_movemask_epi8(cr)),
            opaque(_mm256_movemask_epi8(stop)),
        )
    }

    /// `mask`, hidden from the optimiser by an `asm!` that emits no instruction. Seeing the
    /// two halves' masks joined, LLVM makes them one vector of 64 booleans, which AVX2 has
    /// no register for, and takes it apart byte by byte in the hot loop.
    #[inline(always)]
    fn opaque(mask: i32) -> u32 {
        let mut mask = mask as u32;
        // SAFETY: the template is only a comment naming the register: it reads no memory
        // and leaves the register, the stack and the flags as they were.
        unsafe {
            core::arch::asm!(
                "/* {0:e} */",
                inout(reg) mask,
                options(pure, nomem, nostack, preserves_flags)
            );
        }
        mask
    }

    #[cfg(test)]
    #[test]
    fn avx2_equals_portable() {
        let Some(avx2) = Avx2::detect() else {
            super::tests::not_checked(
                "the AVX2 classifier against the portable one: this CPU lacks AVX2, BMI1 or BMI2",
            );
            return;
        };
        use super::tests::{End, Once, Tail};
        super::tests::check_against_portable(|w| avx2.run(Once(w)));
        super::tests::check_tail_against_portable(|t| avx2.run(Tail(t)));
        super::tests::check_end_against_portable(|b, from| avx2.run(End(b, from)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Says loudly, past the test harness's output capture, that `what` was not checked,
    /// and fails under `CI=true`, where every check must run.
    #[cfg(feature = "std")]
    pub(super) fn not_checked(what: &str) {
        use std::io::Write as _;
        let ci = std::env::var("CI").is_ok_and(|v| v == "true");
        let _ = writeln!(std::io::stderr(), "NOT CHECKED: {what}");
        assert!(!ci, "CI=true promises this check: {what}");
    }

    /// [`Classify::classify`] as a job.
    pub(super) struct Once<'a>(pub(super) &'a [u8; WINDOW]);

    impl WithClassifier for Once<'_> {
        type Output = Masks;
        fn run<C: Classify>(self, classifier: C) -> Masks {
            classifier.classify(self.0)
        }
    }

    /// [`Classify::classify_tail`] as a job.
    pub(super) struct Tail<'a>(pub(super) &'a [u8]);

    impl WithClassifier for Tail<'_> {
        type Output = Masks;
        fn run<C: Classify>(self, classifier: C) -> Masks {
            classifier.classify_tail(self.0)
        }
    }

    /// [`Classify::classify_end`] as a job.
    pub(super) struct End<'a>(pub(super) &'a [u8], pub(super) usize);

    impl WithClassifier for End<'_> {
        type Output = Masks;
        fn run<C: Classify>(self, classifier: C) -> Masks {
            classifier.classify_end(self.0, self.1)
        }
    }

    /// The end of every buffer of up to two windows, from every start that leaves at most
    /// a window, against the padded reference. The bytes before the start are all of some
    /// class, so any that is not shifted out shows.
    pub(super) fn check_end_against_portable(classify_end: impl Fn(&[u8], usize) -> Masks) {
        let mut buffer = [0u8; 2 * WINDOW];
        for (i, byte) in buffer.iter_mut().enumerate() {
            *byte = [b'\n', b'\r', b':', b' ', b'\t', b'x', b'\n'][i % 7];
        }
        for len in 0..=buffer.len() {
            let b = &buffer[..len];
            for from in len.saturating_sub(WINDOW)..len {
                let mut padded = [0u8; WINDOW];
                padded[..len - from].copy_from_slice(&b[from..]);
                assert_eq!(
                    classify_end(b, from),
                    classify_portable(&padded),
                    "bytes {from}..{len}"
                );
            }
        }
    }

    /// Every tail length, each tail cut from a buffer whose following bytes are all of
    /// some class (they must not show in the masks), against the padded reference.
    pub(super) fn check_tail_against_portable(classify_tail: impl Fn(&[u8]) -> Masks) {
        let mut buffer = [0u8; 2 * WINDOW];
        for (i, byte) in buffer.iter_mut().enumerate() {
            *byte = [b'\n', b'\r', b':', b' ', b'\t', b'x'][i % 6];
        }
        for start in [0, 1, 7, 63] {
            for len in 0..WINDOW {
                let tail = &buffer[start..start + len];
                let mut padded = [0u8; WINDOW];
                padded[..len].copy_from_slice(tail);
                assert_eq!(
                    classify_tail(tail),
                    classify_portable(&padded),
                    "tail of {len} at {start}"
                );
            }
        }
    }

    /// Every byte value at every position, next to LFs, CRs and stop bytes.
    pub(super) fn check_against_portable(classify: impl Fn(&[u8; WINDOW]) -> Masks) {
        for byte in 0..=255u8 {
            for pos in 0..WINDOW {
                let mut window = [b'a'; WINDOW];
                window[(pos * 7 + 3) % WINDOW] = b'\n';
                window[(pos * 5 + 1) % WINDOW] = b':';
                window[pos] = byte;
                assert_eq!(
                    classify(&window),
                    classify_portable(&window),
                    "byte {byte} at {pos}"
                );
            }
        }
    }

    /// The classifier [`dispatch`] picks is the one the build asks for
    /// (`ami_proto_classifier`), or else AVX2 under `CI=true`: CI runs the decoder's tests
    /// once per classifier and counts on this run being the AVX2 one. The name goes to
    /// standard error past the output capture, so that the log says which run this was.
    #[cfg(feature = "std")]
    #[test]
    fn dispatch_uses_the_classifier_asked_for() {
        use std::io::Write as _;
        struct Name;
        impl WithClassifier for Name {
            type Output = &'static str;
            fn run<C: Classify>(self, _: C) -> &'static str {
                C::NAME
            }
        }
        let used = dispatch(Name);
        let _ = writeln!(
            std::io::stderr(),
            "ami-proto: the decoder runs with the {used} classifier"
        );
        if cfg!(ami_proto_classifier = "portable") {
            assert_eq!(used, "portable");
        } else if cfg!(ami_proto_classifier = "sse2") {
            assert_eq!(used, "sse2");
        } else if used != "avx2" {
            not_checked("the decoder's tests with the AVX2 classifier (not picked)");
        }
    }

    #[test]
    fn dispatched_classifier_equals_portable() {
        check_against_portable(|w| dispatch(Once(w)));
    }

    #[cfg(target_arch = "x86_64")]
    #[test]
    fn sse2_equals_portable() {
        check_against_portable(|w| Once(w).run(sse2::Sse2));
        check_tail_against_portable(|t| Tail(t).run(sse2::Sse2));
        check_end_against_portable(|b, from| End(b, from).run(sse2::Sse2));
    }

    #[test]
    fn portable_end_equals_padded() {
        check_end_against_portable(|b, from| End(b, from).run(Portable));
    }

    #[test]
    fn dispatched_tail_equals_portable() {
        check_tail_against_portable(|t| dispatch(Tail(t)));
        check_end_against_portable(|b, from| dispatch(End(b, from)));
    }

    #[test]
    fn portable_classes() {
        let mut window = [0u8; WINDOW];
        window[..12].copy_from_slice(b"Key: v\tx\r\n:\n");
        let m = classify_portable(&window);
        assert_eq!(m.lf, (1 << 9) | (1 << 11));
        assert_eq!(m.cr, 1 << 8);
        assert_eq!(m.stop, (1 << 3) | (1 << 4) | (1 << 6) | (1 << 10));
    }
}
