//! Property tests: chunking never changes what comes out, the fast path for header lines
//! agrees with the general path, and a message prefix is never an error.

mod support;

use ami_proto::fuzzing::disable_fast_path;
use ami_proto::{Config, Decoded, Decoder, Limits, LineEndings};
use proptest::prelude::*;
use support::{decode_all, decode_chunked, decode_chunked_by, server_captures, Owned};

fn corpus() -> &'static [(String, Vec<u8>)] {
    static FILES: std::sync::OnceLock<Vec<(String, Vec<u8>)>> = std::sync::OnceLock::new();
    FILES.get_or_init(|| {
        server_captures()
            .into_iter()
            .map(|p| (p.display().to_string(), std::fs::read(&p).unwrap()))
            .filter(|(_, b)| b.len() < 300_000)
            .collect()
    })
}

/// Bytes drawn mostly from the characters that matter to the framing, plus marker pieces.
fn ami_ish() -> impl Strategy<Value = Vec<u8>> {
    let piece = prop_oneof![
        4 => prop::sample::select(vec![b'\r', b'\n', b':', b' ', b'A', b'z', b'-', 0xff]).prop_map(|b| vec![b]),
        1 => Just(b"\r\n".to_vec()),
        1 => Just(b"\r\n\r\n".to_vec()),
        1 => Just(b"Event: X\r\n".to_vec()),
        1 => Just(b"Response: Follows\r\n".to_vec()),
        1 => Just(b"--END COMMAND--\r\n\r\n".to_vec()),
        1 => Just(b"Output: a\r\n".to_vec()),
        1 => Just(b"Key: v\n".to_vec()),
    ];
    prop::collection::vec(piece, 0..60).prop_map(|v| v.concat())
}

fn any_config() -> impl Strategy<Value = Config> {
    (any::<bool>(), 0usize..40, 0usize..200, 0usize..10).prop_map(
        |(lenient, max_line, max_message, max_headers)| {
            Config::default()
                .with_line_endings(if lenient {
                    LineEndings::Lenient
                } else {
                    LineEndings::Crlf
                })
                .with_limits(
                    Limits::DEFAULT
                        .with_max_line(max_line)
                        .with_max_message(max_message)
                        .with_max_headers(max_headers),
                )
        },
    )
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn any_chunking_of_a_corpus_file_gives_the_same_items(
        index in any::<prop::sample::Index>(),
        chunks in prop::collection::vec(1usize..5000, 1..20),
    ) {
        let (name, bytes) = &corpus()[index.index(corpus().len())];
        let whole = decode_all(bytes, Config::default());
        let chunked = decode_chunked(bytes, Config::default(), &chunks);
        prop_assert!(whole == chunked, "{name} with reads {chunks:?}");
    }

    #[test]
    fn every_prefix_of_a_corpus_message_needs_more(
        index in any::<prop::sample::Index>(),
        pick in any::<prop::sample::Index>(),
    ) {
        let (name, bytes) = &corpus()[index.index(corpus().len())];
        let items = decode_all(bytes, Config::default());
        let raws: Vec<&[u8]> = items.iter().filter_map(|i| Some(i.message()?.as_bytes())).collect();
        prop_assume!(!raws.is_empty());
        let raw = raws[pick.index(raws.len())];
        for len in 0..raw.len() {
            let mut decoder = Decoder::new();
            let got = decoder.decode(&raw[..len]);
            prop_assert!(matches!(got, Decoded::NeedMore { consumed: 0 }), "{name}: prefix {len} of {:?}: {got:?}", String::from_utf8_lossy(raw));
        }
        let mut decoder = Decoder::new();
        let complete = matches!(decoder.decode(raw), Decoded::Item { consumed, .. } if consumed == raw.len());
        prop_assert!(complete);
    }

    #[test]
    fn any_chunking_of_arbitrary_bytes_gives_the_same_items(
        bytes in ami_ish(),
        config in any_config(),
        chunks in prop::collection::vec(1usize..16, 1..8),
    ) {
        let whole = decode_all(&bytes, config);
        let chunked = decode_chunked(&bytes, config, &chunks);
        prop_assert_eq!(whole, chunked);
    }

    #[test]
    fn the_fast_path_agrees_with_the_general_path(
        bytes in ami_ish(),
        config in any_config(),
        chunks in prop::collection::vec(1usize..100, 1..8),
    ) {
        let mut general = Decoder::with_config(config);
        disable_fast_path(&mut general);
        let general = decode_chunked_by(general, &bytes, &chunks);
        prop_assert_eq!(decode_chunked(&bytes, config, &chunks), general);
    }

    #[test]
    fn random_bytes_never_panic_and_errors_say_where(bytes in prop::collection::vec(any::<u8>(), 0..400), config in any_config()) {
        for item in decode_chunked(&bytes, config, &[3, 17]) {
            if let Owned::Error { offset, message_offset, .. } = item {
                prop_assert!(message_offset <= offset && offset <= bytes.len() as u64);
            }
        }
    }
}

/// Every capture, whole and in 1460-byte reads, in both line-ending modes: the fast path
/// gives exactly what the general path gives.
#[test]
fn the_fast_path_agrees_with_the_general_path_on_every_capture() {
    for (name, bytes) in corpus() {
        for line_endings in [LineEndings::Crlf, LineEndings::Lenient] {
            let config = Config::default().with_line_endings(line_endings);
            for chunks in [&[bytes.len().max(1)][..], &[1460]] {
                let fast = decode_chunked(bytes, config, chunks);
                let mut general = Decoder::with_config(config);
                disable_fast_path(&mut general);
                let general = decode_chunked_by(general, bytes, chunks);
                assert!(
                    fast == general,
                    "{name} {line_endings:?} in reads of {chunks:?}"
                );
            }
        }
    }
}
