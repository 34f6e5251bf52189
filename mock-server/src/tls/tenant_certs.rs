//! Choosing the certificate for a handshake: the start-up certificate for the names it carries,
//! and for the host of a tenant added at run time a certificate of its own, minted from the
//! development CA the first time a client names that host in SNI (RFC 6066 §3) and kept.
//!
//! Only tenants get one: a name the mock does not serve gets the start-up certificate (and the
//! client's name check fails, as it should). At most [`MAX_MINTED`] are kept, so a client cycling
//! through names cannot grow memory without bound.

use std::collections::HashMap;
use std::sync::Arc;

use parking_lot::Mutex;
use rustls::crypto::CryptoProvider;
use rustls::pki_types::pem::PemObject as _;
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use rustls::server::{ClientHello, ResolvesServerCert};
use rustls::sign::CertifiedKey;

use super::{DevCa, TlsError, server_certificate};

/// Most run-time tenant certificates kept.
pub const MAX_MINTED: usize = 1_000;

/// Whether a host label names a tenant.
pub type IsTenant = Box<dyn Fn(&str) -> bool + Send + Sync>;

/// The certificate resolver of a mock with a generated certificate.
pub struct TenantCerts {
    default: Arc<CertifiedKey>,
    /// The host names the default certificate names explicitly (lowercase).
    named: Vec<String>,
    ca: Arc<DevCa>,
    is_tenant: IsTenant,
    provider: Arc<CryptoProvider>,
    minted: Mutex<HashMap<String, Arc<CertifiedKey>>>,
}

impl std::fmt::Debug for TenantCerts {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TenantCerts")
            .field("minted", &self.minted.lock().len())
            .finish_non_exhaustive()
    }
}

fn config_error(e: impl std::error::Error + Send + Sync + 'static) -> TlsError {
    TlsError::Config(std::io::Error::other(e))
}

/// A certified key from a PEM chain and a PEM (PKCS#8) key.
fn certified(chain_pem: &str, key_pem: &str, provider: &CryptoProvider) -> Result<CertifiedKey, TlsError> {
    let chain = CertificateDer::pem_slice_iter(chain_pem.as_bytes())
        .collect::<Result<Vec<_>, _>>()
        .map_err(config_error)?;
    let key = PrivateKeyDer::from_pem_slice(key_pem.as_bytes()).map_err(config_error)?;
    CertifiedKey::from_der(chain, key, provider).map_err(config_error)
}

impl TenantCerts {
    /// Serves `chain_pem`/`key_pem` (whose certificate names the hosts `named`) by default and
    /// mints tenant certificates from `ca`.
    pub fn new(
        chain_pem: &str,
        key_pem: &str,
        named: Vec<String>,
        ca: Arc<DevCa>,
        is_tenant: IsTenant,
    ) -> Result<Self, TlsError> {
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        Ok(Self {
            default: Arc::new(certified(chain_pem, key_pem, &provider)?),
            named: named.into_iter().map(|n| n.to_ascii_lowercase()).collect(),
            ca,
            is_tenant,
            provider,
            minted: Mutex::new(HashMap::new()),
        })
    }

    /// The certificate for a tenant host not named at start, minted on first use.
    fn tenant(&self, host: &str) -> Option<Arc<CertifiedKey>> {
        if let Some(known) = self.minted.lock().get(host) {
            return Some(known.clone());
        }
        let label = host.strip_suffix(".localhost")?;
        if label.contains('.') || !(self.is_tenant)(label) {
            return None;
        }
        let minted = server_certificate(vec![host.to_owned()], &self.ca)
            .and_then(|(pem, key)| {
                let chain = format!("{pem}{}", self.ca.pem());
                let key = PrivatePkcs8KeyDer::from(key.serialize_der());
                let der: Vec<CertificateDer<'static>> = CertificateDer::pem_slice_iter(chain.as_bytes())
                    .collect::<Result<_, _>>()
                    .map_err(config_error)?;
                CertifiedKey::from_der(der, key.into(), &self.provider).map_err(config_error)
            })
            .map(Arc::new);
        match minted {
            Ok(key) => {
                let mut cache = self.minted.lock();
                if cache.len() >= MAX_MINTED {
                    cache.clear();
                }
                cache.insert(host.to_owned(), key.clone());
                tracing::debug!(host, "minted a certificate for a tenant added at run time");
                Some(key)
            }
            Err(err) => {
                tracing::warn!(host, "cannot mint a certificate for the tenant host: {err}");
                None
            }
        }
    }
}

impl ResolvesServerCert for TenantCerts {
    fn resolve(&self, client_hello: ClientHello<'_>) -> Option<Arc<CertifiedKey>> {
        let host = client_hello.server_name().map(str::to_ascii_lowercase);
        let chosen = host
            .filter(|h| !self.named.contains(h))
            .and_then(|h| self.tenant(&h));
        Some(chosen.unwrap_or_else(|| self.default.clone()))
    }
}
