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

    /// The verification to act on, given the directory generation (users, apps, tenants) and
    /// whom the token acts for, both read under the state lock: a cached entry of another
    /// generation is verified afresh.
    pub fn settle(
        self,
        ctx: &SharedCtx,
        token: &str,
        now: UnixSeconds,
        directory: u64,
        principal: Principal,
    ) -> Result<Arc<Verified>, TokenError> {
        match self {
            Self::Cached(verified) if verified.directory == directory => Ok(verified),
            Self::Cached(_) => {
                ctx.verified.forget(token);
                let claims = ctx.keys.verify_access(token, now)?;
                Ok(ctx
                    .verified
                    .insert(token, Verified::new(claims, directory, principal), now))
            }
            Self::Fresh { claims, cache: true } => {
                Ok(ctx
                    .verified
                    .insert(token, Verified::new(claims, directory, principal), now))
            }
            Self::Fresh { claims, cache: false } => Ok(Arc::new(Verified::new(claims, directory, principal))),
        }
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
