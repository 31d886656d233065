//! Sending the mail outbox: through SMTP (lettre) when `smtp_url` is set, otherwise appended to
//! `DATA_DIR/mail/outbox.txt`, a file the operator reads. Every e-mail is an outbox row first
//! (`ddhub_store::mail`), so a mail server that is down loses nothing: the row keeps its error
//! and is tried again on the next send, up to [`MAX_ATTEMPTS`] times.

use crate::App;
use crate::error::{AppError, AppResult};
use lettre::message::{Mailbox, header::ContentType};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use std::time::Duration;

/// Tries per e-mail before it is left for the operator.
pub const MAX_ATTEMPTS: i32 = 5;
/// E-mails sent per call.
const BATCH: u64 = 50;
/// How long one SMTP exchange may take.
const SMTP_TIMEOUT: Duration = Duration::from_secs(15);

/// Where e-mail goes.
enum Sink {
    Smtp(AsyncSmtpTransport<Tokio1Executor>),
    File(std::path::PathBuf),
}

fn sink(app: &App) -> AppResult<Sink> {
    match app
        .config
        .smtp_url
        .as_deref()
        .filter(|u| !u.trim().is_empty())
    {
        Some(url) => {
            let t = AsyncSmtpTransport::<Tokio1Executor>::from_url(url.trim())
                .map_err(|e| AppError::internal(format!("smtp_url: {e}")))?
                .timeout(Some(SMTP_TIMEOUT))
                .build();
            Ok(Sink::Smtp(t))
        }
        None => Ok(Sink::File(
            app.config.data_dir.join("mail").join("outbox.txt"),
        )),
    }
}

/// Whether e-mail really leaves the hub (SMTP is configured). When it does not, a sign-in code
/// is also shown on the page, or nobody could sign in.
pub fn smtp_configured(app: &App) -> bool {
    app.config
        .smtp_url
        .as_deref()
        .is_some_and(|u| !u.trim().is_empty())
}

/// Puts an e-mail in the outbox and sends what is waiting. A failed send is not an error for
/// the caller: the e-mail stays in the outbox with its error.
pub async fn send(app: &App, to: &str, subject: &str, body: &str, kind: &str) -> AppResult<()> {
    ddhub_store::mail::enqueue(&app.store, to, subject, body, kind).await?;
    deliver_pending(app).await?;
    Ok(())
}

/// Sends the outbox's unsent e-mails; returns how many went out.
pub async fn deliver_pending(app: &App) -> AppResult<u32> {
    let pending = ddhub_store::mail::pending(&app.store, MAX_ATTEMPTS, BATCH).await?;
    if pending.is_empty() {
        return Ok(0);
    }
    let sink = sink(app)?;
    let from: Mailbox = app
        .config
        .mail_from
        .parse()
        .map_err(|e| AppError::internal(format!("mail_from: {e}")))?;
    let mut sent = 0;
    for mail in pending {
        if !ddhub_store::mail::claim(&app.store, mail.id).await? {
            continue;
        }
        let outcome = match &sink {
            Sink::Smtp(t) => send_smtp(t, &from, &mail).await.map(|()| "smtp"),
            Sink::File(path) => append_file(path, &from, &mail).await.map(|()| "file"),
        };
        match outcome {
            Ok(via) => {
                ddhub_store::mail::mark_sent(&app.store, mail.id, via).await?;
                sent += 1;
            }
            Err(e) => {
                tracing::warn!(mail = mail.id, error = %e, "e-mail not sent");
                ddhub_store::mail::mark_failed(&app.store, mail.id, &e).await?;
            }
        }
    }
    Ok(sent)
}

async fn send_smtp(
    t: &AsyncSmtpTransport<Tokio1Executor>,
    from: &Mailbox,
    mail: &ddhub_store::mail::Mail,
) -> Result<(), String> {
    let to: Mailbox = mail.to.parse().map_err(|e| format!("address: {e}"))?;
    let message = Message::builder()
        .from(from.clone())
        .to(to)
        .subject(mail.subject.clone())
        .header(ContentType::TEXT_PLAIN)
        .body(mail.body.clone())
        .map_err(|e| e.to_string())?;
    t.send(message).await.map(|_| ()).map_err(|e| e.to_string())
}

/// Appends the e-mail to the operator's file, one block per e-mail.
async fn append_file(
    path: &std::path::Path,
    from: &Mailbox,
    mail: &ddhub_store::mail::Mail,
) -> Result<(), String> {
    use tokio::io::AsyncWriteExt;
    if let Some(dir) = path.parent() {
        tokio::fs::create_dir_all(dir)
            .await
            .map_err(|e| e.to_string())?;
    }
    let block = format!(
        "From: {from}\nTo: {}\nSubject: {}\nX-DDHub-Mail: {} {}\n\n{}\n\n----\n",
        mail.to, mail.subject, mail.id, mail.kind, mail.body
    );
    let mut f = tokio::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .await
        .map_err(|e| e.to_string())?;
    f.write_all(block.as_bytes())
        .await
        .map_err(|e| e.to_string())?;
    f.flush().await.map_err(|e| e.to_string())
}
