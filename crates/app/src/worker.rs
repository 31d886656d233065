//! Background workers: claim jobs from the queue, run their handlers, record the outcome.
//!
//! One [`WorkerPool`] runs inside `ddhub serve` and in each `ddhub worker` process. It keeps at
//! most `concurrency` jobs in flight, renews their leases while they run, and on shutdown stops
//! claiming, lets running jobs finish within the grace period, and gives back the leases of
//! those that did not, so another worker picks them up at once.

use async_trait::async_trait;
use ddhub_domain::jobs::JobPayload;
use ddhub_store::jobs::{ClaimedJob, FailOutcome, JobQueue, RetryPolicy};
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;
use tokio::task::JoinSet;
use tokio_util::sync::CancellationToken;
use tracing::Instrument;

/// Why a job failed.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    /// Worth retrying later (a timeout, a busy peer).
    #[error("{0}")]
    Retry(String),
    /// Retrying cannot help (a payload that names nothing); the job goes dead at once.
    #[error("{0}")]
    Permanent(String),
}

/// Runs jobs of one kind.
#[async_trait]
pub trait JobHandler: Send + Sync {
    async fn run(&self, job: &ClaimedJob) -> Result<(), JobError>;
}

/// Runs jobs of one typed payload: the registry decodes the payload first, and a payload that
/// does not decode is a permanent failure (no retry of this build can run it).
#[async_trait]
pub trait BackgroundJob: Send + Sync + 'static {
    type Payload: JobPayload;
    async fn run(&self, payload: Self::Payload, job: &ClaimedJob) -> Result<(), JobError>;
}

/// A [`BackgroundJob`] as a [`JobHandler`].
struct Typed<H>(H);

#[async_trait]
impl<H: BackgroundJob> JobHandler for Typed<H> {
    async fn run(&self, job: &ClaimedJob) -> Result<(), JobError> {
        let payload = job.payload_as::<H::Payload>().map_err(|e| {
            JobError::Permanent(format!("{} payload does not decode: {e}", job.kind))
        })?;
        self.0.run(payload, job).await
    }
}

/// Handlers by job kind.
#[derive(Clone, Default)]
pub struct Registry {
    handlers: HashMap<String, Arc<dyn JobHandler>>,
    /// Kinds this process claims only while their gate says so (the search index's writer
    /// lease on a shared data dir).
    gates: HashMap<String, Gate>,
}

/// Whether a gated kind may be claimed now.
pub type Gate = Arc<dyn Fn() -> bool + Send + Sync>;

impl std::fmt::Debug for Registry {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Registry")
            .field("kinds", &self.handlers.keys().collect::<Vec<_>>())
            .finish()
    }
}

impl Registry {
    pub fn new() -> Self {
        Self::default()
    }

    /// Registers the handler of a typed job under its payload's kind.
    pub fn job<H: BackgroundJob>(self, handler: H) -> Self {
        self.register(H::Payload::KIND, Arc::new(Typed(handler)))
    }

    /// Like [`Registry::job`], claimed only while `gate` answers true.
    pub fn job_when<H: BackgroundJob>(self, handler: H, gate: Gate) -> Self {
        self.register_when(H::Payload::KIND, Arc::new(Typed(handler)), gate)
    }

    pub fn register(mut self, kind: impl Into<String>, handler: Arc<dyn JobHandler>) -> Self {
        self.handlers.insert(kind.into(), handler);
        self
    }

    /// Registers a handler whose kind is claimed only while `gate` answers true.
    pub fn register_when(
        mut self,
        kind: impl Into<String>,
        handler: Arc<dyn JobHandler>,
        gate: Gate,
    ) -> Self {
        let kind = kind.into();
        self.gates.insert(kind.clone(), gate);
        self.handlers.insert(kind, handler);
        self
    }

    /// The kinds to claim now.
    pub fn kinds(&self) -> Vec<String> {
        let mut k: Vec<String> = self
            .handlers
            .keys()
            .filter(|k| self.gates.get(*k).is_none_or(|g| g()))
            .cloned()
            .collect();
        k.sort();
        k
    }
}

/// Wakes idle workers of this process when a job is enqueued here (other processes' jobs are
/// found by polling).
#[derive(Debug, Clone, Default)]
pub struct JobSignal(Arc<Notify>);

impl JobSignal {
    pub fn notify(&self) {
        self.0.notify_waiters();
    }

    async fn wait(&self) {
        self.0.notified().await;
    }
}

/// How a pool runs.
#[derive(Debug, Clone)]
pub struct WorkerOptions {
    pub concurrency: usize,
    pub lease: Duration,
    /// How often an idle pool looks for jobs from other processes.
    pub poll_interval: Duration,
    pub grace: Duration,
    pub retry: RetryPolicy,
}

impl Default for WorkerOptions {
    fn default() -> Self {
        Self {
            concurrency: 2,
            lease: Duration::from_secs(60),
            poll_interval: Duration::from_millis(250),
            grace: Duration::from_secs(20),
            retry: RetryPolicy::default(),
        }
    }
}

/// A set of workers sharing one queue.
#[derive(Debug)]
pub struct WorkerPool {
    queue: JobQueue,
    registry: Registry,
    opts: WorkerOptions,
    signal: JobSignal,
}

impl WorkerPool {
    pub fn new(
        queue: JobQueue,
        registry: Registry,
        opts: WorkerOptions,
        signal: JobSignal,
    ) -> Self {
        Self {
            queue,
            registry,
            opts,
            signal,
        }
    }

    /// Runs until `shutdown` is cancelled, then drains as described in the module docs.
    pub async fn run(self, shutdown: CancellationToken) {
        let mut kinds = self.registry.kinds();
        let mut running: JoinSet<()> = JoinSet::new();
        let mut held: HashMap<tokio::task::Id, ClaimedJob> = HashMap::new();
        let concurrency = self.opts.concurrency.max(1);
        let mut error_backoff = Duration::from_millis(100);
        tracing::info!(concurrency, kinds = ?kinds, "workers started");
        loop {
            // Reap finished jobs.
            while let Some(done) = running.try_join_next_with_id() {
                match done {
                    Ok((id, ())) => {
                        held.remove(&id);
                    }
                    Err(e) => {
                        held.remove(&e.id());
                    }
                }
            }
            if shutdown.is_cancelled() {
                break;
            }
            // Gated kinds come and go (a writer lease taken over): ask on every round.
            if !self.registry.gates.is_empty() {
                kinds = self.registry.kinds();
            }
            let kind_refs: Vec<&str> = kinds.iter().map(String::as_str).collect();
            let free = concurrency.saturating_sub(running.len());
            let mut claimed_full = false;
            if free > 0 {
                let limit = u32::try_from(free).unwrap_or(u32::MAX);
                match self.queue.claim(&kind_refs, limit, self.opts.lease).await {
                    Ok(jobs) => {
                        error_backoff = Duration::from_millis(100);
                        claimed_full = jobs.len() == free;
                        for job in jobs {
                            let handle = running.spawn(run_one(
                                self.queue.clone(),
                                self.registry.clone(),
                                job.clone(),
                                self.opts.clone(),
                            ));
                            held.insert(handle.id(), job);
                        }
                    }
                    Err(e) => {
                        tracing::warn!(error = %e, "claiming jobs failed; backing off");
                        tokio::select! {
                            _ = shutdown.cancelled() => break,
                            _ = tokio::time::sleep(error_backoff) => {}
                        }
                        error_backoff = (error_backoff * 2).min(Duration::from_secs(5));
                        continue;
                    }
                }
            }
            if claimed_full && running.len() < concurrency {
                continue;
            }
            tokio::select! {
                _ = shutdown.cancelled() => break,
                _ = self.signal.wait() => {}
                _ = tokio::time::sleep(self.opts.poll_interval) => {}
                Some(done) = running.join_next_with_id(), if !running.is_empty() => {
                    match done {
                        Ok((id, ())) => { held.remove(&id); }
                        Err(e) => { held.remove(&e.id()); }
                    }
                }
            }
        }
        // Drain: let running jobs finish within the grace period.
        let deadline = tokio::time::Instant::now() + self.opts.grace;
        while !running.is_empty() {
            match tokio::time::timeout_at(deadline, running.join_next_with_id()).await {
                Ok(Some(Ok((id, ())))) => {
                    held.remove(&id);
                }
                Ok(Some(Err(e))) => {
                    held.remove(&e.id());
                }
                Ok(None) => break,
                Err(_) => break,
            }
        }
        running.abort_all();
        while running.join_next().await.is_some() {}
        for job in held.values() {
            match self.queue.release(job).await {
                Ok(true) => {
                    tracing::info!(job = %job.id, kind = %job.kind, "released lease on shutdown")
                }
                Ok(false) => {}
                Err(e) => tracing::warn!(job = %job.id, error = %e, "could not release lease"),
            }
        }
        tracing::info!("workers stopped");
    }
}

async fn run_one(queue: JobQueue, registry: Registry, job: ClaimedJob, opts: WorkerOptions) {
    let Some(handler) = registry.handlers.get(&job.kind).cloned() else {
        let _ = queue
            .fail(&job, "no handler for this job kind", true, &opts.retry)
            .await;
        return;
    };
    let span = tracing::info_span!("job", id = %job.id, kind = %job.kind, attempt = job.attempt);
    // Renew the lease while the handler runs, so a long job is not taken over. The handle
    // aborts the heartbeat when dropped, so it never outlives its job, even an aborted one.
    let heartbeat = tokio_util::task::AbortOnDropHandle::new({
        let queue = queue.clone();
        let job = job.clone();
        let lease = opts.lease;
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(lease / 3);
            tick.tick().await;
            loop {
                tick.tick().await;
                match queue.extend(&job, lease).await {
                    Ok(true) => {}
                    Ok(false) => break,
                    Err(e) => tracing::warn!(error = %e, "lease renewal failed"),
                }
            }
        })
    });
    let started = std::time::Instant::now();
    let result = handler.run(&job).instrument(span).await;
    drop(heartbeat);
    metrics::histogram!(crate::metrics::JOB_DURATION, "kind" => job.kind.clone())
        .record(started.elapsed().as_secs_f64());
    let outcome = |o: &'static str| {
        metrics::counter!(crate::metrics::JOBS_FINISHED, "kind" => job.kind.clone(), "outcome" => o)
            .increment(1);
    };
    match result {
        Ok(()) => match queue.complete(&job).await {
            Ok(true) => {
                outcome("done");
                tracing::debug!(job = %job.id, kind = %job.kind, "job done")
            }
            Ok(false) => {
                outcome("lease_lost");
                tracing::warn!(job = %job.id, "job finished after its lease was lost")
            }
            Err(e) => tracing::error!(job = %job.id, error = %e, "could not mark job done"),
        },
        Err(err) => {
            let permanent = matches!(err, JobError::Permanent(_));
            match queue
                .fail(&job, &err.to_string(), permanent, &opts.retry)
                .await
            {
                Ok(FailOutcome::Retry(at)) => {
                    outcome("retry");
                    tracing::warn!(job = %job.id, kind = %job.kind, error = %err, retry_at = at.0, "job failed; will retry")
                }
                Ok(FailOutcome::Dead) => {
                    outcome("dead");
                    tracing::error!(job = %job.id, kind = %job.kind, error = %err, "job dead")
                }
                Ok(FailOutcome::LeaseLost) => {
                    outcome("lease_lost");
                    tracing::warn!(job = %job.id, "job failed after its lease was lost")
                }
                Err(e) => {
                    tracing::error!(job = %job.id, error = %e, "could not record job failure")
                }
            }
        }
    }
}
