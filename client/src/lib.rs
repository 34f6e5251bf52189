//! Reference client for ilert OAuth2 apps.
