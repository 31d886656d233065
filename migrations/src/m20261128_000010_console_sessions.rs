//! Console sessions: a wholesaler signs in to the web console with its API key once and gets a
//! session cookie. Only the SHA-256 of the cookie's token is stored, with the synchroniser CSRF
//! token of the session; a session dies with its key (cascade) and on sign-out (row deleted).

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
                .table("console_sessions")
                .col(big_pk_auto("id"))
                .col(string_uniq("token_hash"))
                .col(big_integer("wholesaler_id"))
                .col(big_integer("api_key_id"))
                .col(string("csrf_token"))
                .col(big_integer("created_at"))
                .col(big_integer("expires_at"))
                .foreign_key(
                    ForeignKey::create()
                        .name("fk_console_sessions_api_key_id")
                        .from("console_sessions", "api_key_id")
                        .to("api_keys", "id")
                        .on_delete(ForeignKeyAction::Cascade),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("ix_console_sessions_expires_at")
                .table("console_sessions")
                .col("expires_at")
                .to_owned(),
        )
        .await?;
        Ok(())
    }
}
