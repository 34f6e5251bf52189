//! Attacks from the ground around the OAuth core, each reproduced against a running mock: DNS
//! rebinding (`Host`), the control surface reached from another site or another machine, the grant
//! form posted cross-site, codes read from the journal, oversized requests, slow clients, a
//! rotated `X-Forwarded-For`, a planted temp file and a second instance on one state file, and
//! tokens of users who are gone.

use super::common;

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use common::*;
use ilert_mock::{ControlAccess, GrantFilter, MockServer, StartError};
use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

mod audit_truth;
mod cascade;
mod control;
mod exit_with_parent;
mod grant_form;
mod heavy_clients;
mod hosts;
mod journal_keys;
mod refusal_shapes;
mod removed_users;
mod rest_invariants;
mod schedule_bounds;
mod slow_clients;
mod store_budget;
mod tokenless;
