//! What the rules read, built once from the facts: the apps, the authorizations (a grant view's
//! round trip joined into one), the refresh-token lineages (a code's grant and every refresh of
//! it, across rotation), and whom each access token belongs to.

use std::collections::HashMap;

use crate::audit::facts::{
    ApiUse, AuthorizeOutcome, AuthorizeUse, Event, Fact, Print, Snapshot, TokenCalls, TokenGrant, TokenUse,
    Who,
};
use crate::model::App;

/// One authorization: the app's request and, with the grant view, the form's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Authorization {
    /// Journal numbers of its requests.
    pub seqs: Vec<u64>,
    /// The app.
    pub app_id: i64,
    /// Who approved, once someone did.
    pub user: Option<String>,
    /// `state`'s fingerprint.
    pub state: Option<Print>,
    /// `code_challenge`'s fingerprint.
    pub challenge: Option<Print>,
    /// The redirect URI, when plain HTTP to a host that is not loopback.
    pub insecure_redirect: Option<String>,
    /// The code issued.
    pub code: Option<Print>,
    /// Refresh tokens of the app for the user that still worked when the code was issued.
    pub live_refresh_tokens: usize,
}

/// A refresh token's lineage: the code exchange that started it (when seen) and every refresh
/// request that presented one of its refresh tokens.
#[derive(Debug, Clone, Default)]
pub struct Lineage {
    /// The app, as far as known.
    pub who: Who,
    /// The refresh requests, in order: the fact's index in [`Context::facts`].
    pub refreshes: Vec<usize>,
}

/// Everything the rules read.
#[derive(Debug)]
pub struct Context<'a> {
    /// Request facts, in order of their numbers.
    pub facts: &'a [Fact],
    /// Successful API calls summed up per access token.
    pub tokens: &'a [TokenCalls],
    /// The mock's apps.
    pub apps: &'a [App],
    /// The authorizations, in order.
    pub authorizations: Vec<Authorization>,
    /// Refresh-token lineages.
    pub lineages: Vec<Lineage>,
    /// The lineage of each refresh token seen, by fingerprint.
    lineage_of: HashMap<Print, usize>,
    /// Whose each `Authorization` value is, where its claims were read.
    bearers: HashMap<Print, (i64, String)>,
    /// The code exchanges of each code, in order: indexes into [`Context::facts`].
    exchanges: HashMap<Print, Vec<usize>>,
}

impl<'a> Context<'a> {
    /// Builds the context of `snapshot` against the mock's `apps`.
    pub fn new(snapshot: &'a Snapshot, apps: &'a [App]) -> Self {
        let mut cx = Self {
            facts: &snapshot.facts,
            tokens: &snapshot.tokens,
            apps,
            authorizations: Vec::new(),
            lineages: Vec::new(),
            lineage_of: HashMap::new(),
            bearers: HashMap::new(),
            exchanges: HashMap::new(),
        };
        cx.join_authorizations();
        cx.trace_lineages();
        cx.index_bearers();
        cx
    }

    /// The authorize facts, in order, with their journal numbers.
    pub fn authorize_uses(&self) -> impl Iterator<Item = (u64, &'a AuthorizeUse)> + 'a {
        self.facts.iter().filter_map(|f| match &f.event {
            Some(Event::Authorize(a)) => Some((f.seq, a.as_ref())),
            _ => None,
        })
    }

    /// The token-request facts, in order.
    pub fn token_uses(&self) -> impl Iterator<Item = (&'a Fact, &'a TokenUse)> + 'a {
        self.facts.iter().filter_map(|f| match &f.event {
            Some(Event::Token(t)) => Some((f, t.as_ref())),
            _ => None,
        })
    }

    /// The API-call facts kept one by one (refused calls), in order.
    pub fn api_uses(&self) -> impl Iterator<Item = (&'a Fact, &'a ApiUse)> + 'a {
        self.facts.iter().filter_map(|f| match &f.event {
            Some(Event::Api(a)) => Some((f, a)),
            _ => None,
        })
    }

    /// A grant view's GET and its form's POST carry the same app, `state` and challenge: while
    /// one is shown and undecided, requests with the same three belong to it.
    fn join_authorizations(&mut self) {
        let mut open: HashMap<(i64, Option<Print>, Option<Print>), usize> = HashMap::new();
        let mut all: Vec<Authorization> = Vec::new();
        for (seq, a) in self.authorize_uses() {
            let key = (a.app_id, a.state, a.challenge);
            let index = match open.get(&key) {
                Some(&i) => i,
                None => {
                    all.push(Authorization {
                        seqs: Vec::new(),
                        app_id: a.app_id,
                        user: None,
                        state: a.state,
                        challenge: a.challenge,
                        insecure_redirect: None,
                        code: None,
                        live_refresh_tokens: 0,
                    });
                    all.len() - 1
                }
            };
            let authorization = &mut all[index];
            authorization.seqs.push(seq);
            if a.insecure_redirect.is_some() {
                authorization.insecure_redirect.clone_from(&a.insecure_redirect);
            }
            if let AuthorizeOutcome::Code {
                code,
                user,
                live_refresh_tokens,
            } = &a.outcome
            {
                authorization.code = Some(*code);
                authorization.user = Some(user.clone());
                authorization.live_refresh_tokens = *live_refresh_tokens;
            }
            if a.outcome == AuthorizeOutcome::Shown {
                open.insert(key, index);
            } else {
                open.remove(&key);
            }
        }
        self.authorizations = all;
    }

    /// A code exchange that answered a refresh token starts a lineage; a refresh request joins
    /// the lineage of the token it presents (or starts one, when that token was issued before the
    /// audit began), and the token it gets back continues it.
    fn trace_lineages(&mut self) {
        let facts = self.facts;
        for (index, fact) in facts.iter().enumerate() {
            let Some(Event::Token(t)) = &fact.event else {
                continue;
            };
            if let (TokenGrant::Code, Some(code)) = (t.grant, t.code) {
                self.exchanges.entry(code).or_default().push(index);
            }
            let lineage = match (t.grant, t.refresh_in) {
                (TokenGrant::Refresh, Some(presented)) => {
                    let lineage = match self.lineage_of.get(&presented) {
                        Some(&l) => l,
                        None => {
                            self.lineages.push(Lineage::default());
                            let l = self.lineages.len() - 1;
                            self.lineage_of.insert(presented, l);
                            l
                        }
                    };
                    self.lineages[lineage].refreshes.push(index);
                    lineage
                }
                (TokenGrant::Code, _) if t.refresh_out.is_some() => {
                    self.lineages.push(Lineage::default());
                    self.lineages.len() - 1
                }
                _ => continue,
            };
            let who = &mut self.lineages[lineage].who;
            if let Some(issued) = &t.issued {
                who.app_id = Some(issued.app_id);
                who.user = Some(issued.user.clone());
            }
            if who.client_id.is_none() {
                who.client_id.clone_from(&t.client_id);
            }
            if let Some(out) = t.refresh_out {
                self.lineage_of.insert(out, lineage);
            }
        }
    }

    fn index_bearers(&mut self) {
        for calls in self.tokens {
            self.bearers
                .insert(calls.bearer, (calls.app_id, calls.user.clone()));
        }
        for (fact, api) in self.api_uses() {
            if let (Some(bearer), Some(app_id), Some(user)) = (fact.observed.bearer, api.app_id(), api.user())
            {
                self.bearers
                    .entry(bearer)
                    .or_insert_with(|| (app_id, user.to_owned()));
            }
        }
    }

    /// The requests that tried to redeem `code`, in order.
    pub fn code_exchanges(&self, code: Print) -> impl Iterator<Item = (&'a Fact, &'a TokenUse)> + '_ {
        let facts = self.facts;
        self.exchanges
            .get(&code)
            .into_iter()
            .flatten()
            .filter_map(move |&i| match &facts[i].event {
                Some(Event::Token(t)) => Some((&facts[i], t.as_ref())),
                _ => None,
            })
    }

    /// The request that redeemed `code`, else the first that tried.
    pub fn code_exchange(&self, code: Print) -> Option<&'a TokenUse> {
        self.code_exchanges(code)
            .find(|(_, t)| t.error.is_none())
            .or_else(|| self.code_exchanges(code).next())
            .map(|(_, t)| t)
    }

    /// The refresh requests made for `who`'s app and user (by what they were issued, or by the
    /// lineage of the token they presented), in order.
    pub fn refresh_attempts(&self, who: &Who) -> Vec<&'a Fact> {
        let matches = |other: &Who| {
            who.app_id.is_some_and(|id| other.app_id == Some(id))
                && who.user.as_ref().is_none_or(|u| other.user.as_ref() == Some(u))
        };
        self.token_uses()
            .filter(|(_, t)| t.grant == TokenGrant::Refresh)
            .filter(|(_, t)| {
                matches(&t.who())
                    || t.refresh_in
                        .and_then(|r| self.lineage_of(r))
                        .is_some_and(|l| matches(&l.who))
            })
            .map(|(f, _)| f)
            .collect()
    }

    /// The lineage a refresh token belongs to.
    pub fn lineage_of(&self, refresh: Print) -> Option<&Lineage> {
        self.lineage_of.get(&refresh).map(|&l| &self.lineages[l])
    }

    /// The app and user an `Authorization` value belongs to, where known.
    pub fn bearer(&self, print: Print) -> Option<&(i64, String)> {
        self.bearers.get(&print)
    }

    /// Whom a request acted for, as far as the facts tell: its handler's word, else the
    /// credentials in its query, else its `Authorization` value's owner.
    pub fn who(&self, fact: &Fact) -> Who {
        let from_event = match &fact.event {
            Some(Event::Authorize(a)) => Some(Who {
                app_id: Some(a.app_id),
                client_id: None,
                user: match &a.outcome {
                    AuthorizeOutcome::Code { user, .. } => Some(user.clone()),
                    _ => None,
                },
            }),
            Some(Event::Token(t)) => Some(t.who()),
            Some(Event::Api(api)) if api.app_id().is_some() => Some(Who {
                app_id: api.app_id(),
                client_id: None,
                user: api.user().map(str::to_owned),
            }),
            _ => None,
        };
        from_event
            .filter(|who| who.app_id.is_some() || who.client_id.is_some())
            .or_else(|| fact.observed.query_who.as_deref().cloned())
            .or_else(|| {
                let (app_id, user) = self.bearer(fact.observed.bearer?)?;
                Some(Who {
                    app_id: Some(*app_id),
                    client_id: None,
                    user: Some(user.clone()),
                })
            })
            .unwrap_or_default()
    }

    /// The app with this id.
    pub fn app(&self, app_id: i64) -> Option<&'a App> {
        self.apps.iter().find(|a| a.id == app_id)
    }

    /// The app with this client id.
    pub fn app_by_client_id(&self, client_id: &str) -> Option<&'a App> {
        self.apps.iter().find(|a| a.client_id == client_id)
    }

    /// The client id a finding names: the app's, from its id; else the one sent; else the id in
    /// words (an app removed since).
    pub fn client_id(&self, who: &Who) -> Option<String> {
        who.app_id
            .and_then(|id| self.app(id).map(|a| a.client_id.clone()))
            .or_else(|| who.client_id.clone())
            .or_else(|| who.app_id.map(|id| format!("app #{id}")))
    }

    /// The client id of app `app_id`.
    pub fn client_id_of(&self, app_id: i64) -> String {
        self.app(app_id)
            .map_or_else(|| format!("app #{app_id}"), |a| a.client_id.clone())
    }

    /// Client ids of every app that made a request the facts know of, in order of first sight.
    pub fn apps_seen(&self) -> Vec<String> {
        let mut seen: Vec<String> = Vec::new();
        let mut add = |id: Option<String>| {
            if let Some(id) = id
                && !seen.contains(&id)
            {
                seen.push(id);
            }
        };
        for fact in self.facts {
            match &fact.event {
                Some(Event::Authorize(a)) => add(Some(self.client_id_of(a.app_id))),
                Some(Event::Token(t)) => add(self.client_id(&t.who())),
                Some(Event::Api(api)) => add(api.app_id().map(|id| self.client_id_of(id))),
                None => add(fact.observed.query_who.as_deref().and_then(|w| self.client_id(w))),
            }
        }
        for calls in self.tokens {
            add(Some(self.client_id_of(calls.app_id)));
        }
        seen
    }
}
