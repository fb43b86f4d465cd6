//! How database failures become API errors: a lost connection or an unreachable database is a
//! 503 the client can retry (and tells the pool to check its connections), a serialization
//! failure and a unique violation are 409s, a missing row is a 404; the rest is internal.

use crate::error::AppError;
use crate::i18n::Text;

impl From<diesel::result::Error> for AppError {
    fn from(e: diesel::result::Error) -> Self {
        use diesel::result::{DatabaseErrorKind as K, Error as E};
        match e {
            E::NotFound => AppError::NotFound,
            E::DatabaseError(K::ClosedConnection | K::UnableToSendCommand, ref info) => {
                tracing::warn!(error = %info.message(), "database connection lost");
                super::note_connection_lost();
                AppError::Unavailable
            }
            E::DatabaseError(K::SerializationFailure, _) => AppError::conflict(
                "concurrent_update",
                Text::new("并发修改冲突，请重试。", "A concurrent change conflicted; try again."),
            ),
            E::DatabaseError(K::UniqueViolation, info) => {
                tracing::info!(constraint = ?info.constraint_name(), "unique violation");
                AppError::conflict("duplicate", Text::new("记录已存在。", "The record already exists."))
            }
            // The server gave up a wait (statement_timeout, lock_timeout: SQLSTATE 57014, 55P03):
            // the database is busy, not broken, and the connection stays usable. diesel-async
            // passes on the message but not the SQLSTATE, so this reads PostgreSQL's English
            // messages (lc_messages C or en, the default).
            E::DatabaseError(K::Unknown, ref info)
                if info.message().starts_with("canceling statement due to")
                    || info.message().starts_with("could not obtain lock") =>
            {
                tracing::warn!(error = %info.message(), "database wait timed out");
                AppError::Unavailable
            }
            // Includes idle_in_transaction_session_timeout (25P03) and an administrator's shutdown.
            E::DatabaseError(K::Unknown, ref info)
                if info.message().contains("connection") || info.message().contains("terminating") =>
            {
                tracing::warn!(error = %info.message(), "database connection lost");
                super::note_connection_lost();
                AppError::Unavailable
            }
            other => AppError::Internal(other.into()),
        }
    }
}

impl From<diesel_async::pooled_connection::deadpool::PoolError> for AppError {
    fn from(e: diesel_async::pooled_connection::deadpool::PoolError) -> Self {
        tracing::warn!(error = %e, "database pool unavailable");
        AppError::Unavailable
    }
}
