//! The physical limit of the mock's work: raw RSA-2048 rates and `openssl speed`.
//!
//! A token grant costs at least one RS256 signature and an API call at least one RS256
//! verification, so the mock's rates are read against these: aws-lc-rs (the library the mock
//! signs with) with the key parsed once, per core and on every core; the mock's own
//! `Keys::mint_access` / `Keys::verify_access`; `jsonwebtoken::encode`, which parses the key on
//! every call (the path the mock no longer takes); and `openssl speed -multi N rsa2048`, the
//! machine's reference that every grant target is a ratio of.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use aws_lc_rs::rand::SystemRandom;
use aws_lc_rs::signature::{
    RSA_PKCS1_2048_8192_SHA256, RSA_PKCS1_SHA256, RsaKeyPair, RsaPublicKeyComponents,
};
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde::Serialize;

use crate::error::BenchError;
use crate::mock::USER;
use crate::{AccessClaims, Fixtures, Keys};

/// Raw crypto rates, operations per second.
#[derive(Debug, Serialize)]
pub struct Crypto {
    /// aws-lc-rs, RSA-2048 PKCS#1 v1.5 SHA-256 with the key parsed once, one thread.
    pub rsa_sign_per_core: f64,
    /// The same on every core (one thread each).
    pub rsa_sign_all_cores: f64,
    /// aws-lc-rs verification with a pre-parsed public key, one thread.
    pub rsa_verify_per_core: f64,
    /// The same on every core.
    pub rsa_verify_all_cores: f64,
    /// `Keys::mint_access` (claims to token), one thread.
    pub mock_mint_access_per_core: f64,
    /// `Keys::verify_access` (token to checked claims), one thread.
    pub mock_verify_access_per_core: f64,
    /// `jsonwebtoken::encode` RS256, which parses the key on every call, one thread.
    pub jsonwebtoken_encode_per_core: f64,
}

/// `openssl speed`'s figures.
#[derive(Debug, Serialize)]
pub struct OpenSsl {
    /// The command run.
    pub command: String,
    /// Signs/s on all cores, `None` when openssl is missing or its output was not understood.
    pub sign_per_sec: Option<f64>,
    /// Verifications/s on all cores.
    pub verify_per_sec: Option<f64>,
    /// Why a figure is missing.
    pub note: Option<String>,
}

/// Runs `op` on `threads` threads for `secs` seconds; operations per second in total.
fn rate(threads: usize, secs: f64, op: impl Fn() + Sync) -> f64 {
    let deadline = Instant::now() + Duration::from_secs_f64(secs);
    let started = Instant::now();
    let total: u64 = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                scope.spawn(|| {
                    let mut n = 0u64;
                    while Instant::now() < deadline {
                        for _ in 0..8 {
                            op();
                        }
                        n += 8;
                    }
                    n
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap_or(0)).sum()
    });
    total as f64 / started.elapsed().as_secs_f64()
}

/// Measures every raw rate, each for `secs` seconds, on one core and on `cores`.
pub fn crypto(cores: usize, secs: f64) -> Result<Crypto, BenchError> {
    let failed = |e: &dyn std::fmt::Display| BenchError::Crypto(e.to_string());
    let fixtures = Fixtures::embedded().map_err(|e| failed(&e))?;
    let k = &fixtures.keys;
    let keys = Keys::new(&k.access_private_key_pem, &k.refresh_secret, &k.key_id).map_err(|e| failed(&e))?;
    let pem = EncodingKey::from_rsa_pem(k.access_private_key_pem.as_bytes()).map_err(|e| failed(&e))?;
    let pair = RsaKeyPair::from_der(pem.as_bytes()).map_err(|e| failed(&e))?;
    let jwk = keys.public_jwk();
    let b64 = |s: &str| {
        use base64::Engine as _;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(s)
    };
    let n = b64(&jwk.n).map_err(|e| failed(&e))?;
    let e = b64(&jwk.e).map_err(|e| failed(&e))?;
    let public = RsaPublicKeyComponents { n: &n, e: &e }
        .to_parsed_public_key(&RSA_PKCS1_2048_8192_SHA256)
        .map_err(|e| failed(&e))?;
    let claims = AccessClaims::new("5cf", 250, "profile source:w", USER, 1_800_000_000);
    let token = keys.mint_access(&claims).map_err(|e| failed(&e))?;
    let (message, _) = token
        .rsplit_once('.')
        .ok_or_else(|| failed(&"token without signature"))?;
    let rng = SystemRandom::new();
    let mut signature = vec![0u8; pair.public_modulus_len()];
    pair.sign(&RSA_PKCS1_SHA256, &rng, message.as_bytes(), &mut signature)
        .map_err(|e| failed(&e))?;

    let sign = || {
        let mut out = [0u8; 256];
        let ok = pair
            .sign(&RSA_PKCS1_SHA256, &rng, message.as_bytes(), &mut out)
            .is_ok();
        std::hint::black_box(ok);
    };
    let verify = || {
        std::hint::black_box(public.verify_sig(message.as_bytes(), &signature).is_ok());
    };
    let header = Header::new(Algorithm::RS256);
    Ok(Crypto {
        rsa_sign_per_core: rate(1, secs, sign),
        rsa_sign_all_cores: rate(cores, secs, sign),
        rsa_verify_per_core: rate(1, secs, verify),
        rsa_verify_all_cores: rate(cores, secs, verify),
        mock_mint_access_per_core: rate(1, secs, || {
            std::hint::black_box(keys.mint_access(&claims).is_ok());
        }),
        mock_verify_access_per_core: rate(1, secs, || {
            std::hint::black_box(keys.verify_access(&token, 1_800_000_000).is_ok());
        }),
        jsonwebtoken_encode_per_core: rate(1, secs / 2.0, || {
            std::hint::black_box(jsonwebtoken::encode(&header, &claims, &pem).is_ok());
        }),
    })
}

/// `openssl speed -seconds S -multi N rsa2048` (`secs` 0 skips it).
pub fn openssl(cores: usize, secs: u32) -> OpenSsl {
    let command = format!("openssl speed -seconds {secs} -multi {cores} rsa2048");
    let mut result = OpenSsl {
        command: command.clone(),
        sign_per_sec: None,
        verify_per_sec: None,
        note: None,
    };
    if secs == 0 {
        result.note = Some("skipped (--openssl-seconds 0)".to_owned());
        return result;
    }
    let output = Command::new("openssl")
        .args([
            "speed",
            "-seconds",
            &secs.to_string(),
            "-multi",
            &cores.to_string(),
            "rsa2048",
        ])
        .stdin(Stdio::null())
        .output();
    let output = match output {
        Ok(o) => o,
        Err(err) => {
            result.note = Some(format!("openssl could not be run ({err}): is it installed?"));
            return result;
        }
    };
    match parse_openssl(&String::from_utf8_lossy(&output.stdout)) {
        Some(Summary::Rates { sign, verify }) => {
            result.sign_per_sec = Some(sign);
            result.verify_per_sec = verify;
        }
        Some(Summary::Unexpected(line)) => {
            result.note = Some(format!("unexpected openssl line: {line}"));
        }
        None => {
            result.note = Some(format!(
                "no 'rsa 2048 bits' line in openssl's output (exit {})",
                output.status
            ));
        }
    }
    result
}

/// What `openssl speed`'s summary line said.
#[derive(Debug, PartialEq)]
enum Summary {
    /// Signs/s and, when present, verifications/s.
    Rates { sign: f64, verify: Option<f64> },
    /// A summary line whose sign figure is not a number.
    Unexpected(String),
}

/// Finds the last summary line `rsa 2048 bits 0.000216s 0.000013s   4628.0  78291.0` (seconds
/// per sign, per verify, then signs/s and verifications/s) in `openssl speed`'s output.
fn parse_openssl(text: &str) -> Option<Summary> {
    let line = text.lines().rev().find(|l| {
        let words: Vec<&str> = l.split_whitespace().collect();
        words.len() >= 6 && words[0] == "rsa" && words[1] == "2048" && words[2] == "bits"
    })?;
    let words: Vec<&str> = line.split_whitespace().collect();
    let sign = words.get(5).and_then(|w| w.parse().ok());
    let verify = words.get(6).and_then(|w| w.parse().ok());
    Some(match sign {
        Some(sign) => Summary::Rates { sign, verify },
        None => Summary::Unexpected(line.to_owned()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_multi_summary_line_of_openssl_3() {
        let text = "Forked child 0\nForked child 1\n+F2:2:2048:0.000216:0.000013\n\
                    version: 3.0.19\nbuilt on: Fri Apr  3 12:29:32 2026 UTC\noptions: bn(64,64)\n\
                    CPUINFO: OPENSSL_ia32cap=0xfffa32034f8bffff:0x1b415fdef1bf27eb\n\
                    \x20                 sign    verify    sign/s verify/s\n\
                    rsa 2048 bits 0.000108s 0.000006s   9230.0 155120.0\n";
        assert_eq!(
            parse_openssl(text),
            Some(Summary::Rates {
                sign: 9230.0,
                verify: Some(155_120.0)
            })
        );
    }

    #[test]
    fn a_line_without_figures_is_reported_not_guessed() {
        assert_eq!(
            parse_openssl("rsa 2048 bits 0.1s 0.2s n/a n/a\n"),
            Some(Summary::Unexpected("rsa 2048 bits 0.1s 0.2s n/a n/a".to_owned()))
        );
        assert_eq!(parse_openssl("rsa 4096 bits 0.1s 0.2s 10 20\n"), None);
        assert_eq!(parse_openssl(""), None);
    }

    #[test]
    fn rate_counts_every_call_on_every_thread() {
        let calls = std::sync::atomic::AtomicU64::new(0);
        let per_sec = rate(2, 0.05, || {
            calls.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        });
        let counted = calls.load(std::sync::atomic::Ordering::Relaxed);
        assert!(counted > 0 && counted.is_multiple_of(8), "{counted} calls");
        assert!(per_sec > 0.0);
    }
}
