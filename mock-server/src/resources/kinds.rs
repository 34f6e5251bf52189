//! The few kinds of [`Model`] (how a collection's entities are made, changed and shown) that
//! groups declare with, in one place so that a new group picks one of them rather than writing
//! a new one:
//! - [`Plain`]: every default; the body is stored as sent.
//! - [`Written`]: one function writes the stored entity on create and on update, one shows it
//!   ([`Written::shown`] when only the answer differs from the stored entity).
//! - [`WithKey`]: entities with an integration key made on create (alert sources, heartbeat
//!   monitors, metrics, deployment pipelines).
//!
//! A group writes its own `impl Model` only where create and update differ in ways one write
//! function would only branch on, or where the model carries data; each such impl says why.

use serde_json::Value;

use super::error::ResourceError;
use super::group::{Cx, Model, View};
use super::store::Entity;
use super::support::fields::stamp;
use super::time::iso8601;

/// A model with every default.
#[derive(Debug, Clone, Copy)]
pub struct Plain;

impl Model for Plain {}

/// How a body becomes the stored entity, on create (`None`) or update (`Some(old)`).
pub type Write = fn(&mut Cx<'_>, Option<&Entity>, Entity) -> Result<Entity, ResourceError>;

/// How a group answers one of its stored entities (`list` in list answers).
pub type Render = fn(&View<'_>, &Entity, bool) -> Value;

/// How a group copies the fields a client sets from a checked body onto an entity.
pub type Editable = fn(&Entity, &mut Entity) -> Result<(), ResourceError>;

/// A model made of two functions: `write` makes the stored entity from a checked body (given the
/// entity it replaces, on update), `show` renders one (`list` in list answers).
#[derive(Debug, Clone, Copy)]
pub struct Written {
    /// The stored entity for a create (`None`) or an update (`Some(old)`).
    pub write: Write,
    /// The entity as the API shows it.
    pub show: Render,
}

impl Written {
    /// Stored as [`Plain`] stores it, shown by `show` (the answer embeds or computes what the
    /// stored entity only references).
    pub const fn shown(show: Render) -> Self {
        Self { write: as_sent, show }
    }
}

/// [`Plain`]'s write: the body as sent on create, the default update on update.
pub fn as_sent(cx: &mut Cx<'_>, old: Option<&Entity>, body: Entity) -> Result<Entity, ResourceError> {
    match old {
        None => Plain.create(cx, body),
        Some(old) => Plain.update(cx, old, body),
    }
}

/// [`Plain`]'s show: the entity as stored.
pub fn as_stored(_: &View<'_>, entity: &Entity, _: bool) -> Value {
    Value::Object(entity.clone())
}

impl Model for Written {
    fn create(&self, cx: &mut Cx<'_>, body: Entity) -> Result<Entity, ResourceError> {
        (self.write)(cx, None, body)
    }

    fn update(&self, cx: &mut Cx<'_>, old: &Entity, body: Entity) -> Result<Entity, ResourceError> {
        (self.write)(cx, Some(old), body)
    }

    fn render(&self, view: &View<'_>, entity: &Entity, list: bool) -> Value {
        (self.show)(view, entity, list)
    }
}

/// The model of entities with an integration key (alert sources, heartbeat monitors, metrics,
/// pipelines): the fields a client sets ([`Editable`]), a key made on create from the entity as
/// edited, and the group's own rendering.
#[derive(Debug, Clone, Copy)]
pub struct WithKey {
    key: fn(&mut Cx<'_>, &Entity) -> String,
    edit: Editable,
    render: Render,
    stamped: bool,
    new_key_on: Option<&'static str>,
}

impl WithKey {
    /// Keys made by `key` (`fields::integration_key` for most).
    pub const fn new(key: fn(&mut Cx<'_>, &Entity) -> String, edit: Editable, render: Render) -> Self {
        Self {
            key,
            edit,
            render,
            stamped: false,
            new_key_on: None,
        }
    }

    /// With `createdAt` and `updatedAt`.
    #[must_use]
    pub const fn stamped(mut self) -> Self {
        self.stamped = true;
        self
    }

    /// A new key whenever an update changes `field`.
    #[must_use]
    pub const fn new_key_on(mut self, field: &'static str) -> Self {
        self.new_key_on = Some(field);
        self
    }
}

impl Model for WithKey {
    fn create(&self, cx: &mut Cx<'_>, body: Entity) -> Result<Entity, ResourceError> {
        let mut out = Entity::new();
        (self.edit)(&body, &mut out)?;
        let key = (self.key)(cx, &out);
        out.insert("integrationKey".into(), Value::from(key));
        if self.stamped {
            stamp(cx, &mut out);
        }
        Ok(out)
    }

    fn update(&self, cx: &mut Cx<'_>, old: &Entity, body: Entity) -> Result<Entity, ResourceError> {
        let mut out = old.clone();
        (self.edit)(&body, &mut out)?;
        if let Some(field) = self.new_key_on
            && old.get(field) != out.get(field)
        {
            let key = (self.key)(cx, &out);
            out.insert("integrationKey".into(), Value::from(key));
        }
        if self.stamped {
            out.insert("updatedAt".into(), Value::from(iso8601(cx.now)));
        }
        Ok(out)
    }

    fn render(&self, view: &View<'_>, entity: &Entity, list: bool) -> Value {
        (self.render)(view, entity, list)
    }
}
