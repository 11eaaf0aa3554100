//! Start-up: connect, migrate, load the calendar and build the HTTP server.

use std::net::TcpListener;
use std::sync::Arc;

use actix_web::dev::Server;
use anyhow::Context as _;

use crate::config::Settings;
use crate::domain::calendar::Calendar;
use crate::http::{self, AppState, ServerOptions};
use crate::storage::Db;

/// A built, not yet running, service.
pub struct Application {
    pub server: Server,
    pub state: Arc<AppState>,
    pub port: u16,
}

/// Connect to the database and apply pending migrations.
///
/// # Errors
/// The database cannot be reached or a migration fails.
pub fn open_database(settings: &Settings) -> anyhow::Result<Db> {
    let db = Db::connect(&settings.db_options()).context("cannot open the database")?;
    db.migrate().context("cannot migrate the database")?;
    Ok(db)
}

impl Application {
    /// Open and migrate the database and bind the server to `listener`.
    ///
    /// # Errors
    /// The database or the listener cannot be used.
    pub fn build(settings: &Settings, listener: TcpListener) -> anyhow::Result<Self> {
        let db = open_database(settings)?;
        let calendar = Calendar::shipped().context("the shipped calendar is invalid")?;
        let state = Arc::new(AppState::new(db, calendar));
        let port = listener.local_addr()?.port();
        let options = ServerOptions {
            workers: settings.server.workers,
            body_limit: settings.server.body_limit_bytes,
        };
        let server = http::server(listener, state.clone(), &options)?;
        Ok(Self { server, state, port })
    }
}
