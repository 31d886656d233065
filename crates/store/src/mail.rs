//! The mail outbox: every e-mail the hub sends is a row first, then marked sent (by SMTP or to
//! the operator's file) or failed with its error, so nothing is lost when the mail server is
//! down and the operator can see what went out.

use crate::entity::mail_outbox;
use crate::{Result, Store};
use ddhub_domain::Timestamp;
use sea_orm::sea_query::{Expr, ExprTrait};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect, Set,
};

/// One e-mail in the outbox.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    pub id: i64,
    pub to: String,
    pub subject: String,
    pub body: String,
    pub kind: String,
    pub created_at: Timestamp,
    pub sent_at: Option<Timestamp>,
    pub sent_via: Option<String>,
    pub attempts: i32,
    pub last_error: Option<String>,
}

fn to_mail(m: mail_outbox::Model) -> Mail {
    Mail {
        id: m.id,
        to: m.to_addr,
        subject: m.subject,
        body: m.body,
        kind: m.kind,
        created_at: Timestamp(m.created_at),
        sent_at: m.sent_at.map(Timestamp),
        sent_via: m.sent_via,
        attempts: m.attempts,
        last_error: m.last_error,
    }
}

/// Puts an e-mail in the outbox; returns its id.
pub async fn enqueue(
    store: &Store,
    to: &str,
    subject: &str,
    body: &str,
    kind: &str,
) -> Result<i64> {
    let row = mail_outbox::ActiveModel {
        to_addr: Set(to.to_string()),
        subject: Set(subject.to_string()),
        body: Set(body.to_string()),
        kind: Set(kind.to_string()),
        created_at: Set(Timestamp::now().0),
        sent_at: Set(None),
        sent_via: Set(None),
        attempts: Set(0),
        last_error: Set(None),
        ..Default::default()
    }
    .insert(store.conn())
    .await?;
    Ok(row.id)
}

/// Unsent e-mails with fewer than `max_attempts` tries, oldest first.
pub async fn pending(store: &Store, max_attempts: i32, limit: u64) -> Result<Vec<Mail>> {
    Ok(mail_outbox::Entity::find()
        .filter(mail_outbox::Column::SentAt.is_null())
        .filter(mail_outbox::Column::Attempts.lt(max_attempts))
        .order_by_asc(mail_outbox::Column::Id)
        .limit(limit)
        .all(store.conn())
        .await?
        .into_iter()
        .map(to_mail)
        .collect())
}

/// Takes an e-mail for sending: false when another sender took it first, so two processes
/// never send the same e-mail.
pub async fn claim(store: &Store, id: i64) -> Result<bool> {
    let r = mail_outbox::Entity::update_many()
        .col_expr(mail_outbox::Column::SentVia, Expr::value("sending"))
        .filter(mail_outbox::Column::Id.eq(id))
        .filter(mail_outbox::Column::SentVia.is_null())
        .exec(store.conn())
        .await?;
    Ok(r.rows_affected == 1)
}

/// Marks an e-mail sent, by `via` (`smtp` or `file`).
pub async fn mark_sent(store: &Store, id: i64, via: &str) -> Result<()> {
    mail_outbox::Entity::update_many()
        .col_expr(mail_outbox::Column::SentAt, Expr::value(Timestamp::now().0))
        .col_expr(mail_outbox::Column::SentVia, Expr::value(via))
        .col_expr(
            mail_outbox::Column::Attempts,
            Expr::col(mail_outbox::Column::Attempts).add(1),
        )
        .filter(mail_outbox::Column::Id.eq(id))
        .exec(store.conn())
        .await?;
    Ok(())
}

/// Counts a failed try with its error (shortened).
pub async fn mark_failed(store: &Store, id: i64, error: &str) -> Result<()> {
    let error: String = error.chars().take(500).collect();
    mail_outbox::Entity::update_many()
        .col_expr(mail_outbox::Column::LastError, Expr::value(error))
        .col_expr(
            mail_outbox::Column::SentVia,
            Expr::value(Option::<String>::None),
        )
        .col_expr(
            mail_outbox::Column::Attempts,
            Expr::col(mail_outbox::Column::Attempts).add(1),
        )
        .filter(mail_outbox::Column::Id.eq(id))
        .exec(store.conn())
        .await?;
    Ok(())
}

/// The newest e-mails to an address, newest first (the operator's view; tests).
pub async fn to_address(store: &Store, to: &str, limit: u64) -> Result<Vec<Mail>> {
    Ok(mail_outbox::Entity::find()
        .filter(mail_outbox::Column::ToAddr.eq(to))
        .order_by_desc(mail_outbox::Column::Id)
        .limit(limit)
        .all(store.conn())
        .await?
        .into_iter()
        .map(to_mail)
        .collect())
}
