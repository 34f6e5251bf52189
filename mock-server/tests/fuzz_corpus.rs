//! The fuzz targets' properties on every `cargo test`: each committed corpus input of
//! `mock-server/fuzz/corpus/<target>/`, decoded into the target's input type as libfuzzer-sys
//! decodes it, then seeded mutations of those inputs (bytes flipped, inserted, cut, spliced).
//! Coverage-guided runs stay with cargo-fuzz (`mock-server/docs/fuzzing.md`); this pass keeps
//! the properties and the corpus exercised where the build already is.

use std::path::PathBuf;

use arbitrary::{Arbitrary, Unstructured};
use ilert_mock::internals::properties;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

/// Mutated inputs per target (`FUZZ_SMOKE_MUTATIONS` sets another count).
const MUTATIONS: usize = 10_000;

fn corpus(target: &str) -> Vec<Vec<u8>> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("fuzz/corpus")
        .join(target);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("a corpus entry").path())
        .collect();
    files.sort();
    let inputs: Vec<Vec<u8>> = files
        .iter()
        .map(|f| std::fs::read(f).expect("a corpus file"))
        .collect();
    assert!(!inputs.is_empty(), "{} holds no corpus", dir.display());
    inputs
}

fn mutate(rng: &mut StdRng, input: &[u8], other: &[u8]) -> Vec<u8> {
    let mut out = input.to_vec();
    for _ in 0..rng.random_range(1..=4) {
        let at = if out.is_empty() {
            0
        } else {
            rng.random_range(0..out.len())
        };
        match rng.random_range(0..5) {
            0 if !out.is_empty() => out[at] ^= 1 << rng.random_range(0..8),
            1 => out.insert(at, rng.random()),
            2 if !out.is_empty() => {
                let end = (at + rng.random_range(1..=8)).min(out.len());
                out.drain(at..end);
            }
            3 if !other.is_empty() => {
                let from = rng.random_range(0..other.len());
                let end = (from + rng.random_range(1..=16)).min(other.len());
                out.splice(at..at, other[from..end].iter().copied());
            }
            _ => {
                let special = [0u8, b'\r', b'\n', b'%', b'&', b'=', b'.', b'"', 0xff];
                out.insert(at, special[rng.random_range(0..special.len())]);
            }
        }
    }
    out
}

/// Every corpus input and `MUTATIONS` mutations of them through `check` (which answers whether
/// the bytes decoded into the target's input), with the input that broke a property named.
fn replay(target: &str, check: impl Fn(&[u8]) -> bool) {
    let inputs = corpus(target);
    let count = std::env::var("FUZZ_SMOKE_MUTATIONS")
        .ok()
        .and_then(|n| n.parse().ok())
        .unwrap_or(MUTATIONS);
    let mut rng = StdRng::seed_from_u64(0x11e7);
    let mutated = (0..count).map(|i| {
        let a = &inputs[i % inputs.len()];
        let b = &inputs[rng.random_range(0..inputs.len())];
        mutate(&mut rng, a, b)
    });
    let mut checked = 0;
    for data in inputs.iter().cloned().chain(mutated) {
        let outcome = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| check(&data)));
        match outcome {
            Ok(decoded) => checked += usize::from(decoded),
            Err(_) => panic!("{target}: a property broke for input {data:?}"),
        }
    }
    assert!(
        checked > (inputs.len() + count) / 2,
        "{target}: only {checked} inputs decoded into the target's input"
    );
}

/// The input libfuzzer-sys hands a `fuzz_target!` of type `T` for these bytes.
fn decoded<'a, T: Arbitrary<'a>>(data: &'a [u8]) -> Option<T> {
    T::arbitrary_take_rest(Unstructured::new(data)).ok()
}

#[test]
fn params_corpus_and_mutations() {
    replay("params", |data| {
        properties::params(data);
        true
    });
}

#[test]
fn redirect_uri_corpus_and_mutations() {
    replay("redirect_uri", |data| {
        if let Some((registered, requested, state)) = decoded::<(String, String, String)>(data) {
            properties::redirect_uri(&registered, &requested, &state);
            return true;
        }
        false
    });
}

#[test]
fn scope_corpus_and_mutations() {
    replay("scope", |data| {
        if let Some(input) = decoded::<&str>(data) {
            properties::scope(input);
            return true;
        }
        false
    });
}

#[test]
fn jwt_verify_corpus_and_mutations() {
    replay("jwt_verify", |data| {
        if let Some((text, position, byte)) = decoded::<(String, u16, u8)>(data) {
            properties::jwt_verify(&text, position, byte);
            return true;
        }
        false
    });
}
