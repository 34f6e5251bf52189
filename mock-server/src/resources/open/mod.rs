//! The document's groups that declare no collection and are served outside the registry, by
//! their own routes without a bearer token (`http::api::open`): the Events API, keyed by an
//! alert source's integration key ([`events`]), and the public lists of ilert's phone numbers
//! ([`numbers`]) and integrations ([`integrations`]).

pub mod events;
pub mod integrations;
pub mod numbers;
