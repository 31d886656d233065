//! The durable job queue and outbox.
//!
//! A job is a row in `jobs`, written with [`enqueue`] in the same transaction as the change it
//! follows. Workers [`JobQueue::claim`] jobs under a lease (a random token and an expiry);
//! [`JobQueue::complete`] and [`JobQueue::fail`] only act while the caller still holds the
//! lease, so a worker that was presumed dead cannot finish a job another worker has taken over.
//! A job whose lease expires is claimable again; after `max_attempts` claims it is `dead`.
//!
//! States: `queued` → `running` → `done` | (`queued` again after a failure, with backoff) | `dead`.

use crate::entity::job;
use crate::{Backend, Result, Store, StoreError};
use ddhub_domain::jobs::JobPayload;
use ddhub_domain::{JobId, Timestamp};
use rand::RngExt;
use sea_orm::sea_query::Expr;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QuerySelect, Set,
    Statement, Value,
};
use std::time::Duration;

/// Default number of tries before a job is dead.
pub const DEFAULT_MAX_ATTEMPTS: i32 = 8;

/// A job to enqueue.
#[derive(Debug, Clone)]
pub struct NewJob {
    pub kind: String,
    pub payload: serde_json::Value,
    /// When the job may first run; now when `None`.
    pub run_at: Option<Timestamp>,
    pub max_attempts: i32,
}

impl NewJob {
    pub fn new(kind: impl Into<String>, payload: serde_json::Value) -> Self {
        Self {
            kind: kind.into(),
            payload,
            run_at: None,
            max_attempts: DEFAULT_MAX_ATTEMPTS,
        }
    }

    /// A job of a typed payload, queued under the payload's kind.
    pub fn of<J: JobPayload>(payload: &J) -> Self {
        // A derived `Serialize` of plain fields (numbers, strings, lists) cannot fail.
        Self::new(J::KIND, serde_json::to_value(payload).unwrap_or_default())
    }

    pub fn max_attempts(mut self, n: i32) -> Self {
        self.max_attempts = n.max(1);
        self
    }

    pub fn run_at(mut self, t: Timestamp) -> Self {
        self.run_at = Some(t);
        self
    }
}

/// Writes a job through `conn`: pass the transaction of the change the job follows, so both
/// commit together (the outbox rule).
pub async fn enqueue<C: ConnectionTrait>(conn: &C, job: NewJob) -> Result<JobId> {
    let now = Timestamp::now().0;
    let row = job::ActiveModel {
        kind: Set(job.kind),
        payload: Set(serde_json::to_string(&job.payload)?),
        state: Set(JobState::Queued.as_str().to_string()),
        attempts: Set(0),
        max_attempts: Set(job.max_attempts),
        run_at: Set(job.run_at.map_or(now, |t| t.0)),
        lease_until: Set(None),
        lease_token: Set(None),
        last_error: Set(None),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    }
    .insert(conn)
    .await?;
    Ok(JobId(row.id))
}

/// Where a job is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum JobState {
    Queued,
    Running,
    Done,
    Dead,
}

impl JobState {
    pub fn as_str(self) -> &'static str {
        match self {
            JobState::Queued => "queued",
            JobState::Running => "running",
            JobState::Done => "done",
            JobState::Dead => "dead",
        }
    }
}

/// A job a worker holds under lease.
#[derive(Debug, Clone)]
pub struct ClaimedJob {
    pub id: JobId,
    pub kind: String,
    pub payload: serde_json::Value,
    /// This claim's number, from 1.
    pub attempt: i32,
    pub max_attempts: i32,
    lease_token: String,
}

impl ClaimedJob {
    /// The payload as its type; an error when it does not decode (a job no handler of this
    /// build can run).
    pub fn payload_as<J: JobPayload>(&self) -> Result<J, serde_json::Error> {
        J::deserialize(&self.payload)
    }
}

/// What happened to a failed job.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FailOutcome {
    /// Queued again, to run no earlier than this.
    Retry(Timestamp),
    Dead,
    /// The lease was lost (expired and taken over): nothing was written.
    LeaseLost,
}

/// Exponential backoff with jitter: `base × 2^(attempt-1)`, capped at `max`, ±20%.
#[derive(Debug, Clone, Copy)]
pub struct RetryPolicy {
    pub base: Duration,
    pub max: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            base: Duration::from_secs(2),
            max: Duration::from_secs(3600),
        }
    }
}

impl RetryPolicy {
    pub fn delay(&self, attempt: i32) -> Duration {
        let exp = u32::try_from(attempt.saturating_sub(1).clamp(0, 30)).unwrap_or(30);
        let raw = self.base.saturating_mul(1u32 << exp.min(20));
        let capped = raw.min(self.max);
        let jitter = rand::rng().random_range(0.8..1.2);
        capped.mul_f64(jitter)
    }
}

/// The queue, as workers see it.
#[derive(Debug, Clone)]
pub struct JobQueue {
    store: Store,
    /// Decides which jobs are due and when leases end (a test moves it by hand).
    clock: std::sync::Arc<dyn ddhub_domain::time::Clock>,
}

impl JobQueue {
    pub fn new(store: Store) -> Self {
        Self::with_clock(store, std::sync::Arc::new(ddhub_domain::time::SystemClock))
    }

    pub fn with_clock(store: Store, clock: std::sync::Arc<dyn ddhub_domain::time::Clock>) -> Self {
        Self { store, clock }
    }

    fn stmt(&self, sql: &str, values: Vec<Value>) -> Statement {
        Statement::from_sql_and_values(self.store.conn().get_database_backend(), sql, values)
    }

    /// Claims up to `limit` runnable jobs of the given kinds for `lease`. Runnable: queued and
    /// due, or running with an expired lease (its worker died). On PostgreSQL, concurrent
    /// claimers skip each other's rows (`FOR UPDATE SKIP LOCKED`); on SQLite the write lock
    /// makes the claim atomic.
    pub async fn claim(
        &self,
        kinds: &[&str],
        limit: u32,
        lease: Duration,
    ) -> Result<Vec<ClaimedJob>> {
        if kinds.is_empty() || limit == 0 {
            return Ok(Vec::new());
        }
        let now = self.clock.now();
        let until = now.plus(lease);
        let token = hex::encode(rand::rng().random::<[u8; 16]>());
        let backend = self.store.backend();
        let ph = |i: usize| match backend {
            Backend::Postgres => format!("${i}"),
            Backend::Sqlite => format!("?{i}"),
        };
        let kind_list: Vec<String> = (0..kinds.len()).map(|i| ph(5 + i)).collect();
        let lock = match backend {
            Backend::Postgres => " FOR UPDATE SKIP LOCKED",
            Backend::Sqlite => "",
        };
        let sql = format!(
            "UPDATE jobs SET state = 'running', attempts = attempts + 1, lease_until = {p1}, \
             lease_token = {p2}, updated_at = {p3} \
             WHERE id IN (SELECT id FROM jobs \
               WHERE ((state = 'queued' AND run_at <= {p3}) OR (state = 'running' AND lease_until < {p3})) \
               AND kind IN ({kinds}) ORDER BY run_at, id LIMIT {p4}{lock}) \
             RETURNING id, kind, payload, attempts, max_attempts",
            p1 = ph(1),
            p2 = ph(2),
            p3 = ph(3),
            p4 = ph(4),
            kinds = kind_list.join(", "),
        );
        let mut values: Vec<Value> = vec![
            until.0.into(),
            token.clone().into(),
            now.0.into(),
            i64::from(limit).into(),
        ];
        values.extend(kinds.iter().map(|k| Value::from(k.to_string())));
        let txn = self.store.begin_write().await?;
        let rows = txn.query_all_raw(self.stmt(&sql, values)).await?;
        let mut claimed = Vec::with_capacity(rows.len());
        let mut exhausted = Vec::new();
        for r in rows {
            let id: i64 = r.try_get("", "id")?;
            let attempt: i32 = r.try_get("", "attempts")?;
            let max_attempts: i32 = r.try_get("", "max_attempts")?;
            if attempt > max_attempts {
                // Only a lease that expired again and again gets here: its worker keeps dying.
                exhausted.push(id);
                continue;
            }
            let payload: String = r.try_get("", "payload")?;
            claimed.push(ClaimedJob {
                id: JobId(id),
                kind: r.try_get("", "kind")?,
                payload: serde_json::from_str(&payload)?,
                attempt,
                max_attempts,
                lease_token: token.clone(),
            });
        }
        if !exhausted.is_empty() {
            job::Entity::update_many()
                .col_expr(job::Column::State, Expr::value(JobState::Dead.as_str()))
                .col_expr(job::Column::LeaseToken, Expr::value(Option::<String>::None))
                .col_expr(job::Column::LeaseUntil, Expr::value(Option::<i64>::None))
                .col_expr(
                    job::Column::LastError,
                    Expr::value("lease expired on every attempt: the worker kept stopping"),
                )
                .filter(job::Column::Id.is_in(exhausted))
                .exec(&txn)
                .await?;
        }
        txn.commit().await?;
        // Claims come back in the order of the RETURNING rows, which no engine promises; run
        // them oldest first.
        claimed.sort_by_key(|j| j.id);
        Ok(claimed)
    }

    /// Marks a job done. `false` when the lease was lost (another worker owns it now).
    pub async fn complete(&self, job: &ClaimedJob) -> Result<bool> {
        let res = job::Entity::update_many()
            .col_expr(job::Column::State, Expr::value(JobState::Done.as_str()))
            .col_expr(job::Column::LeaseUntil, Expr::value(Option::<i64>::None))
            .col_expr(job::Column::LeaseToken, Expr::value(Option::<String>::None))
            .col_expr(job::Column::UpdatedAt, Expr::value(self.clock.now().0))
            .filter(job::Column::Id.eq(job.id.0))
            .filter(job::Column::State.eq(JobState::Running.as_str()))
            .filter(job::Column::LeaseToken.eq(job.lease_token.as_str()))
            .exec(self.store.conn())
            .await?;
        Ok(res.rows_affected == 1)
    }

    /// Records a failure: queued again after a backoff, or dead when attempts are used up or
    /// `permanent` says retrying cannot help.
    pub async fn fail(
        &self,
        job: &ClaimedJob,
        error: &str,
        permanent: bool,
        policy: &RetryPolicy,
    ) -> Result<FailOutcome> {
        let now = self.clock.now();
        let dead = permanent || job.attempt >= job.max_attempts;
        let run_at = now.plus(policy.delay(job.attempt));
        let error: String = error.chars().take(4000).collect();
        let mut q = job::Entity::update_many()
            .col_expr(
                job::Column::State,
                Expr::value(
                    if dead {
                        JobState::Dead
                    } else {
                        JobState::Queued
                    }
                    .as_str(),
                ),
            )
            .col_expr(job::Column::LeaseUntil, Expr::value(Option::<i64>::None))
            .col_expr(job::Column::LeaseToken, Expr::value(Option::<String>::None))
            .col_expr(job::Column::LastError, Expr::value(error))
            .col_expr(job::Column::UpdatedAt, Expr::value(now.0));
        if !dead {
            q = q.col_expr(job::Column::RunAt, Expr::value(run_at.0));
        }
        let res = q
            .filter(job::Column::Id.eq(job.id.0))
            .filter(job::Column::State.eq(JobState::Running.as_str()))
            .filter(job::Column::LeaseToken.eq(job.lease_token.as_str()))
            .exec(self.store.conn())
            .await?;
        Ok(match (res.rows_affected, dead) {
            (0, _) => FailOutcome::LeaseLost,
            (_, true) => FailOutcome::Dead,
            (_, false) => FailOutcome::Retry(run_at),
        })
    }

    /// Extends a held lease (long jobs call this as a heartbeat). `false` when it was lost.
    pub async fn extend(&self, job: &ClaimedJob, lease: Duration) -> Result<bool> {
        let res = job::Entity::update_many()
            .col_expr(
                job::Column::LeaseUntil,
                Expr::value(self.clock.now().plus(lease).0),
            )
            .filter(job::Column::Id.eq(job.id.0))
            .filter(job::Column::State.eq(JobState::Running.as_str()))
            .filter(job::Column::LeaseToken.eq(job.lease_token.as_str()))
            .exec(self.store.conn())
            .await?;
        Ok(res.rows_affected == 1)
    }

    /// Gives a job back without counting the attempt (graceful shutdown): it is runnable at
    /// once by another worker.
    pub async fn release(&self, job: &ClaimedJob) -> Result<bool> {
        let res = job::Entity::update_many()
            .col_expr(job::Column::State, Expr::value(JobState::Queued.as_str()))
            .col_expr(
                job::Column::Attempts,
                sea_orm::sea_query::ExprTrait::sub(Expr::col(job::Column::Attempts), 1),
            )
            .col_expr(job::Column::LeaseUntil, Expr::value(Option::<i64>::None))
            .col_expr(job::Column::LeaseToken, Expr::value(Option::<String>::None))
            .col_expr(job::Column::RunAt, Expr::value(self.clock.now().0))
            .col_expr(job::Column::UpdatedAt, Expr::value(self.clock.now().0))
            .filter(job::Column::Id.eq(job.id.0))
            .filter(job::Column::State.eq(JobState::Running.as_str()))
            .filter(job::Column::LeaseToken.eq(job.lease_token.as_str()))
            .exec(self.store.conn())
            .await?;
        Ok(res.rows_affected == 1)
    }

    /// The ids of the jobs of `kind` waiting now (queued, whatever their run time): the ones a
    /// full rebuild that starts reading after this call will cover (see [`Self::supersede`]).
    pub async fn waiting_ids(&self, kind: &str) -> Result<Vec<JobId>> {
        let ids: Vec<i64> = job::Entity::find()
            .select_only()
            .column(job::Column::Id)
            .filter(job::Column::Kind.eq(kind))
            .filter(job::Column::State.eq(JobState::Queued.as_str()))
            .into_tuple()
            .all(self.store.conn())
            .await?;
        Ok(ids.into_iter().map(JobId).collect())
    }

    /// Marks these jobs done if they are still waiting: work that read the database after
    /// [`Self::waiting_ids`] listed them (a full reindex) has done what they ask. A job a worker
    /// holds is left to it. Returns how many were marked.
    pub async fn supersede(&self, ids: &[JobId]) -> Result<u64> {
        let mut marked = 0;
        for chunk in ids.chunks(crate::bulk::SQLITE_MAX_BINDS / 2) {
            marked += job::Entity::update_many()
                .col_expr(job::Column::State, Expr::value(JobState::Done.as_str()))
                .col_expr(
                    job::Column::LastError,
                    Expr::value("superseded by a full reindex"),
                )
                .col_expr(job::Column::UpdatedAt, Expr::value(self.clock.now().0))
                .filter(job::Column::Id.is_in(chunk.iter().map(|j| j.0)))
                .filter(job::Column::State.eq(JobState::Queued.as_str()))
                .exec(self.store.conn())
                .await?
                .rows_affected;
        }
        Ok(marked)
    }

    /// A job's current row, for tests and the operator.
    pub async fn get(&self, id: JobId) -> Result<JobView> {
        let m = job::Entity::find_by_id(id.0)
            .one(self.store.conn())
            .await?
            .ok_or(StoreError::NotFound)?;
        Ok(JobView {
            id,
            kind: m.kind,
            state: m.state,
            attempts: m.attempts,
            max_attempts: m.max_attempts,
            run_at: Timestamp(m.run_at),
            last_error: m.last_error,
        })
    }

    /// Jobs waiting or running per kind and state, with the age of the oldest waiting one.
    pub async fn depth(&self) -> Result<Vec<QueueDepth>> {
        let sql = "SELECT kind, state, COUNT(*) AS n, MIN(run_at) AS oldest FROM jobs \
                   WHERE state IN ('queued', 'running', 'dead') GROUP BY kind, state ORDER BY kind, state";
        let rows = self
            .store
            .conn()
            .query_all_raw(self.stmt(sql, vec![]))
            .await?;
        let now = self.clock.now().0;
        rows.into_iter()
            .map(|r| {
                let oldest: Option<i64> = r.try_get("", "oldest")?;
                Ok(QueueDepth {
                    kind: r.try_get("", "kind")?,
                    state: r.try_get("", "state")?,
                    count: r.try_get("", "n")?,
                    oldest_age_ms: oldest.map(|o| (now - o).max(0)).unwrap_or(0),
                })
            })
            .collect()
    }
}

/// A job as the operator sees it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct JobView {
    pub id: JobId,
    pub kind: String,
    pub state: String,
    pub attempts: i32,
    pub max_attempts: i32,
    pub run_at: Timestamp,
    pub last_error: Option<String>,
}

/// Queue depth of one kind in one state.
#[derive(Debug, Clone, serde::Serialize)]
pub struct QueueDepth {
    pub kind: String,
    pub state: String,
    pub count: i64,
    pub oldest_age_ms: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_caps() {
        let p = RetryPolicy {
            base: Duration::from_secs(1),
            max: Duration::from_secs(60),
        };
        let d1 = p.delay(1);
        assert!(d1 >= Duration::from_millis(800) && d1 <= Duration::from_millis(1200));
        let d4 = p.delay(4);
        assert!(d4 >= Duration::from_millis(6400) && d4 <= Duration::from_millis(9600));
        assert!(p.delay(30) <= Duration::from_secs(72));
    }
}
