//! HTTPS for the mock: real ilert is only reachable over https, and some OAuth2 clients refuse
//! plain-http endpoints.
//!
//! By default a development CA and a server certificate are made at start (ECDSA P-256, valid
//! for 30 days, never written anywhere but where asked). The certificate names `localhost`,
//! `127.0.0.1`, `::1` and every tenant host of the fixtures explicitly
//! (`sometenant.localhost`): no `*.localhost` wildcard, which OpenSSL (curl, Python, Node)
//! refuses with a single label after it and webpki refuses under the CA's name constraints
//! (RFC 5280 §4.2.1.10: the CA signs only for `localhost`, names below it and loopback
//! addresses, [`dev_ca_constraints`]). A tenant added at run
//! time gets a certificate of its own, minted from the same CA when a client first names its
//! host in SNI ([`tenant_certs`]). A test trusts only that CA (its PEM is available from the
//! embedded API and `--tls-ca-out FILE`). Given PEM files are used instead with
//! `--tls-cert`/`--tls-key`.
//!
//! A client that speaks plain HTTP to the HTTPS port gets a plain-text `400` saying so, not a
//! failed handshake ([`plain_http`]).

pub mod plain_http;
pub mod tenant_certs;

use std::fmt;
use std::path::Path;
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, CidrSubnet, DnType, ExtendedKeyUsagePurpose,
    GeneralSubtree, IsCa, KeyPair, KeyUsagePurpose, NameConstraints,
};

pub use tenant_certs::TenantCerts;

/// Names the generated certificate always covers (tenant hosts are added to them).
pub const SERVER_NAMES: &[&str] = &["localhost", "127.0.0.1", "::1"];

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

/// The development CA: its certificate and the key that signs server certificates.
pub type DevCa = CertifiedIssuer<'static, KeyPair>;

/// A server certificate chain and key, and the CA that signed it when the mock made it.
#[derive(Clone)]
pub struct TlsMaterial {
    /// The server certificate chain, PEM.
    pub cert_pem: String,
    key_pem: String,
    /// The development CA's certificate, PEM (absent for given files).
    pub ca_pem: Option<String>,
    /// The development CA itself, to mint certificates for tenants added at run time.
    ca: Option<Arc<DevCa>>,
    /// The names the generated certificate carries.
    names: Vec<String>,
}

impl fmt::Debug for TlsMaterial {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TlsMaterial")
            .field("generated", &self.ca_pem.is_some())
            .field("key", &"[redacted]")
            .finish()
    }
}

/// What the development CA may ever sign (RFC 5280 §4.2.1.10 name constraints): `localhost`
/// and every name below it (a dNSName constraint covers the name and its subdomains), and the
/// loopback addresses `127.0.0.0/8` and `::1`. A developer who trusts the CA (`--tls-ca-out`)
/// then trusts nothing else with it, even if its key leaked: a certificate it signed for a
/// real site fails validation. The mock serves TLS only under these names (tenant hosts are
/// `{id}.localhost`; other allowed hosts are answered but get no certificate of their own).
fn dev_ca_constraints() -> NameConstraints {
    NameConstraints {
        permitted_subtrees: vec![
            GeneralSubtree::DnsName("localhost".to_owned()),
            GeneralSubtree::IpAddress(CidrSubnet::V4([127, 0, 0, 0], [255, 0, 0, 0])),
            GeneralSubtree::IpAddress(CidrSubnet::V6(std::net::Ipv6Addr::LOCALHOST.octets(), [0xff; 16])),
        ],
        excluded_subtrees: Vec::new(),
    }
}

/// The host of tenant `id`: `{id}.localhost`, lowercase (host names are case-insensitive).
pub fn tenant_host(id: &str) -> String {
    format!("{}.localhost", id.to_ascii_lowercase())
}

/// A server certificate for `names`, valid from a day ago for 30 days, signed by `ca`.
pub(crate) fn server_certificate(names: Vec<String>, ca: &DevCa) -> Result<(String, KeyPair), TlsError> {
    let now = time::OffsetDateTime::now_utc();
    let common_name = names.first().cloned().unwrap_or_else(|| "localhost".to_owned());
    let mut params = CertificateParams::new(names)?;
    params.distinguished_name.push(DnType::CommonName, common_name);
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
    params.not_before = now - time::Duration::days(1);
    params.not_after = now + time::Duration::days(30);
    let key = KeyPair::generate()?;
    let cert = params.signed_by(&key, ca)?;
    Ok((cert.pem(), key))
}

impl TlsMaterial {
    /// Makes a development CA and a server certificate signed by it for `SERVER_NAMES` (`localhost`, `127.0.0.1`, `::1`).
    pub fn generate() -> Result<Self, TlsError> {
        Self::generate_for(&[])
    }

    /// Makes a development CA and a server certificate signed by it for `SERVER_NAMES` (`localhost`, `127.0.0.1`, `::1`) and the
    /// hosts of these tenants.
    pub fn generate_for(tenants: &[&str]) -> Result<Self, TlsError> {
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
        ca_params.name_constraints = Some(dev_ca_constraints());
        let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate()?)?;

        let mut names: Vec<String> = SERVER_NAMES.iter().map(|s| (*s).to_owned()).collect();
        for tenant in tenants {
            let host = tenant_host(tenant);
            if !names.contains(&host) {
                names.push(host);
            }
        }
        let (cert_pem, key) = server_certificate(names.clone(), &ca)?;
        Ok(Self {
            cert_pem: format!("{cert_pem}{}", ca.pem()),
            key_pem: key.serialize_pem(),
            ca_pem: Some(ca.pem()),
            ca: Some(Arc::new(ca)),
            names,
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
            ca: None,
            names: Vec::new(),
        })
    }

    /// The host names and addresses the generated certificate carries (empty for given files).
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The private key, PEM (to write it for another process; never logged).
    pub fn key_pem(&self) -> &str {
        &self.key_pem
    }

    /// The rustls configuration serving this certificate (HTTP/1.1). With generated material,
    /// a host `{label}.localhost` that the certificate does not name gets one of its own when
    /// `is_tenant(label)` says it is a tenant (one added at run time).
    pub async fn rustls_config(
        &self,
        is_tenant: impl Fn(&str) -> bool + Send + Sync + 'static,
    ) -> Result<axum_server::tls_rustls::RustlsConfig, TlsError> {
        let Some(ca) = &self.ca else {
            return axum_server::tls_rustls::RustlsConfig::from_pem(
                self.cert_pem.clone().into_bytes(),
                self.key_pem.clone().into_bytes(),
            )
            .await
            .map_err(TlsError::Config);
        };
        let resolver = TenantCerts::new(
            &self.cert_pem,
            &self.key_pem,
            self.names.clone(),
            ca.clone(),
            Box::new(is_tenant),
        )?;
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let mut config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .map_err(|e| TlsError::Config(std::io::Error::other(e)))?
            .with_no_client_auth()
            .with_cert_resolver(Arc::new(resolver));
        // The mock speaks HTTP/1.1 only; offering h2 would let a client pick what it cannot serve.
        config.alpn_protocols = vec![b"http/1.1".to_vec()];
        Ok(axum_server::tls_rustls::RustlsConfig::from_config(Arc::new(
            config,
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generated_material_has_a_ca_and_hides_the_key() {
        let m = TlsMaterial::generate_for(&["someTenant"]).expect("generates");
        assert!(
            m.ca_pem
                .as_deref()
                .is_some_and(|p| p.starts_with("-----BEGIN CERTIFICATE-----"))
        );
        assert_eq!(m.cert_pem.matches("BEGIN CERTIFICATE").count(), 2);
        assert!(!format!("{m:?}").contains("PRIVATE KEY"));
    }

    #[test]
    fn the_ca_is_name_constrained() {
        let m = TlsMaterial::generate().expect("generates");
        let ca = m.ca.as_ref().expect("a CA");
        // The nameConstraints extension's OID, 2.5.29.30, DER-encoded.
        assert!(ca.der().windows(5).any(|w| w == [0x06, 0x03, 0x55, 0x1d, 0x1e]));
    }

    #[test]
    fn tenant_hosts_are_lowercase() {
        assert_eq!(tenant_host("someTenant"), "sometenant.localhost");
    }
}
