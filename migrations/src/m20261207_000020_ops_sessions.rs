//! Operator page sessions (issue 17, item 7): an operator signs in to `/ops` with its operator
//! key and gets a session cookie, with the same rules as the console's (`console_sessions`):
//! only the SHA-256 of the cookie's token is stored, with the session's synchroniser CSRF token;
//! a session dies with its key (cascade) and on sign-out. A table of its own because a console
//! session belongs to a wholesaler (`wholesaler_id` is required there).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    fn use_transaction(&self) -> Option<bool> {
        Some(true)
    }

    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("ops_sessions")
                .col(big_pk_auto("id"))
                .col(string_uniq("token_hash"))
                .col(big_integer("operator_id"))
                .col(big_integer("api_key_id"))
                .col(string("csrf_token"))
                .col(big_integer("created_at"))
                .col(big_integer("expires_at"))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_ops_sessions_api_key_id")
                        .from("ops_sessions", "api_key_id")
                        .to("api_keys", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_ops_sessions_expires_at")
                .table("ops_sessions")
                .col("expires_at")
                .to_owned(),
        )
        .await?;
        Ok(())
    }
}
