//! Proving an access token, for the resource API and `token_info` alike: from the server's
//! cache of verified tokens when it has seen the token before, else by full verification (see
//! `token::cache` for the cache's rules).

use std::sync::Arc;

use crate::clock::UnixSeconds;
use crate::http::ctx::SharedCtx;
use crate::token::{AccessClaims, Principal, TokenError, Verified};

/// What is known about a bearer token before the state is consulted.
pub enum Proof {
    /// Verified earlier by this server (expiry checked again just now).
    Cached(Arc<Verified>),
    /// Verified just now; `cache` is false for claims a breakage made up.
    Fresh {
        /// The token's claims.
        claims: AccessClaims,
        /// Whether the claims may be remembered.
        cache: bool,
    },
}

impl Proof {
    /// The token's claims.
    pub fn claims(&self) -> &AccessClaims {
        match self {
            Self::Cached(verified) => &verified.claims,
            Self::Fresh { claims, .. } => claims,
        }
    }

    /// The verification to act on once [`standing`] found the proof is not a cached one of the
    /// current directory generation (users, apps, tenants): `directory` and `principal` were read
    /// under the state lock. A cached entry (of another generation) is verified afresh.
    fn settle(
        self,
        ctx: &SharedCtx,
        token: &str,
        now: UnixSeconds,
        directory: u64,
        principal: Principal,
    ) -> Result<Arc<Verified>, TokenError> {
        let (claims, cache) = match self {
            Self::Cached(_) => {
                ctx.verified.forget(token);
                (ctx.keys.verify_access(token, now)?, true)
            }
            Self::Fresh { claims, cache } => (claims, cache),
        };
        let verified = Verified::new(claims, directory, principal);
        Ok(if cache {
            ctx.verified.insert(token, verified, now)
        } else {
            Arc::new(verified)
        })
    }
}

/// What the state says about a proved token: the cached verification still stands (same
/// directory generation), or whom the token acts for now, or no one (its user or tenant is
/// gone).
enum Standing {
    /// The cached verification, made under the current directory generation.
    Current(Arc<Verified>),
    /// Whom the token acts for, under the directory generation given.
    Resolved(Box<Principal>, u64),
}

/// Reads, under one state lock, where `proof` stands: `None` when the token's user (or its
/// tenant) no longer exists.
fn standing(ctx: &SharedCtx, proof: &Proof) -> Option<Standing> {
    ctx.store.with(|s| {
        let directory = s.directory_changes;
        if let Proof::Cached(verified) = proof
            && verified.directory == directory
        {
            return Some(Standing::Current(Arc::clone(verified)));
        }
        let (user, tenant) = s.token_user(proof.claims())?;
        let principal = Box::new(Principal {
            user: user.clone(),
            tenant: tenant.id.clone(),
        });
        Some(Standing::Resolved(principal, directory))
    })
}

/// The verification to act on for `proof` ([`standing`], then [`Proof::settle`]); `Ok(None)`
/// when the token's user or tenant is gone.
pub fn verified(
    ctx: &SharedCtx,
    token: &str,
    now: UnixSeconds,
    proof: Proof,
) -> Result<Option<Arc<Verified>>, TokenError> {
    match standing(ctx, &proof) {
        None => Ok(None),
        Some(Standing::Current(verified)) => Ok(Some(verified)),
        Some(Standing::Resolved(principal, directory)) => {
            proof.settle(ctx, token, now, directory, *principal).map(Some)
        }
    }
}

/// Proves `token`: the cache, else RS256 verification.
pub fn prove(ctx: &SharedCtx, token: &str, now: UnixSeconds) -> Result<Proof, TokenError> {
    if let Some(hit) = ctx.verified.get(token, now) {
        return hit.map(Proof::Cached);
    }
    ctx.keys
        .verify_access(token, now)
        .map(|claims| Proof::Fresh { claims, cache: true })
}
