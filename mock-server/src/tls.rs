//! HTTPS for the mock: real ilert is only reachable over https, and some OAuth2 clients refuse
//! plain-http endpoints.
//!
//! By default a development CA and a server certificate for `localhost`, `*.localhost` (tenant
//! hosts), `127.0.0.1` and `::1` are made at start (ECDSA P-256, valid for 30 days, never
//! written anywhere but where asked). A test trusts only that CA (its PEM is available from the
//! embedded API and `--tls-ca-out FILE`). Given PEM files are used instead with
//! `--tls-cert`/`--tls-key`.

use std::fmt;
use std::path::Path;

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
    KeyUsagePurpose,
};

/// Names the generated certificate covers.
pub const SERVER_NAMES: &[&str] = &["localhost", "*.localhost", "127.0.0.1", "::1"];

/// Why TLS could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    /// Certificate generation failed.
    #[error("cannot generate the development certificate: {0}")]
    Generate(#[from] rcgen::Error),
    /// A PEM file could not be read.
    #[error("cannot read {path}: {source}")]
    Read {
        /// The file.
        path: String,
        /// The cause.
        source: std::io::Error,
    },
    /// rustls refused the certificate or key.
    #[error("the TLS certificate or key was refused: {0}")]
    Config(std::io::Error),
}

/// A server certificate chain and key, and the CA that signed it when the mock made it.
#[derive(Clone)]
pub struct TlsMaterial {
    /// The server certificate chain, PEM.
    pub cert_pem: String,
    key_pem: String,
    /// The development CA's certificate, PEM (absent for given files).
    pub ca_pem: Option<String>,
}

impl fmt::Debug for TlsMaterial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsMaterial")
            .field("generated", &self.ca_pem.is_some())
            .field("key", &"[redacted]")
            .finish()
    }
}

impl TlsMaterial {
    /// Makes a development CA and a server certificate signed by it.
    pub fn generate() -> Result<Self, TlsError> {
        let now = time::OffsetDateTime::now_utc();
        let mut ca_params = CertificateParams::new(Vec::<String>::new())?;
        ca_params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        ca_params
            .distinguished_name
            .push(DnType::CommonName, "ilert-mock development CA (local tests only)");
        ca_params.key_usages = vec![
            KeyUsagePurpose::KeyCertSign,
            KeyUsagePurpose::CrlSign,
            KeyUsagePurpose::DigitalSignature,
        ];
        ca_params.not_before = now - time::Duration::days(1);
        ca_params.not_after = now + time::Duration::days(30);
        let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate()?)?;

        let mut params =
            CertificateParams::new(SERVER_NAMES.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>())?;
        params.distinguished_name.push(DnType::CommonName, "localhost");
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.not_before = now - time::Duration::days(1);
        params.not_after = now + time::Duration::days(30);
        let key = KeyPair::generate()?;
        let cert = params.signed_by(&key, &ca)?;
        Ok(Self {
            cert_pem: format!("{}{}", cert.pem(), ca.pem()),
            key_pem: key.serialize_pem(),
            ca_pem: Some(ca.pem()),
        })
    }

    /// Reads a PEM certificate chain and a PEM private key.
    pub fn from_files(cert: &Path, key: &Path) -> Result<Self, TlsError> {
        let read = |p: &Path| {
            std::fs::read_to_string(p).map_err(|source| TlsError::Read {
                path: p.display().to_string(),
                source,
            })
        };
        Ok(Self {
            cert_pem: read(cert)?,
            key_pem: read(key)?,
            ca_pem: None,
        })
    }

    /// The private key, PEM (to write it for another process; never logged).
    pub fn key_pem(&self) -> &str {
        &self.key_pem
    }

    /// The rustls configuration serving this certificate (HTTP/1.1).
    pub async fn rustls_config(&self) -> Result<axum_server::tls_rustls::RustlsConfig, TlsError> {
        axum_server::tls_rustls::RustlsConfig::from_pem(
            self.cert_pem.clone().into_bytes(),
            self.key_pem.clone().into_bytes(),
        )
        .await
        .map_err(TlsError::Config)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_material_has_a_ca_and_hides_the_key() {
        let m = TlsMaterial::generate().expect("generates");
        assert!(
            m.ca_pem
                .as_deref()
                .is_some_and(|p| p.starts_with("-----BEGIN CERTIFICATE-----"))
        );
        assert_eq!(m.cert_pem.matches("BEGIN CERTIFICATE").count(), 2);
        assert!(!format!("{m:?}").contains("PRIVATE KEY"));
    }
}
