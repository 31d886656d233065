//! The worker pool against the real queue: exactly-once under concurrency, takeover after a
//! worker dies mid-lease, dead letters.

use async_trait::async_trait;
use ddhub_app::worker::{JobError, JobHandler, JobSignal, Registry, WorkerOptions, WorkerPool};
use ddhub_store::jobs::{ClaimedJob, JobQueue, NewJob, RetryPolicy, enqueue};
use ddhub_testkit::testing::{self, TestDb};
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio_util::sync::CancellationToken;

#[derive(Default)]
struct Counter {
    runs: Mutex<HashMap<i64, u32>>,
}

#[async_trait]
impl JobHandler for Counter {
    async fn run(&self, job: &ClaimedJob) -> Result<(), JobError> {
        let n = job.payload["n"]
            .as_i64()
            .ok_or_else(|| JobError::Permanent("no n".into()))?;
        // A little work, so that workers overlap.
        tokio::task::yield_now().await;
        *self.runs.lock().unwrap().entry(n).or_default() += 1;
        Ok(())
    }
}

fn pool(db: &TestDb, handler: Arc<dyn JobHandler>, kind: &str, lease: Duration) -> WorkerPool {
    WorkerPool::new(
        JobQueue::new(db.store.clone()),
        Registry::new().register(kind, handler),
        WorkerOptions {
            concurrency: 4,
            lease,
            poll_interval: Duration::from_millis(20),
            grace: Duration::from_secs(5),
            retry: RetryPolicy {
                base: Duration::from_millis(5),
                max: Duration::from_millis(20),
            },
        },
        JobSignal::default(),
    )
}

async fn wait_for(what: &str, timeout: Duration, mut done: impl FnMut() -> bool) {
    let start = Instant::now();
    while !done() {
        assert!(start.elapsed() < timeout, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn four_workers_run_each_of_1000_jobs_exactly_once() {
    for db in testing::all("workers_exactly_once").await {
        const JOBS: i64 = 1000;
        let txn = db.store.begin_write().await.unwrap();
        for n in 0..JOBS {
            enqueue(&txn, NewJob::new("count", serde_json::json!({ "n": n })))
                .await
                .unwrap();
        }
        txn.commit().await.unwrap();
        let counter = Arc::new(Counter::default());
        let token = CancellationToken::new();
        // Four independent pools, as four `ddhub worker` processes would be.
        let handles: Vec<_> = (0..4)
            .map(|_| {
                tokio::spawn(
                    pool(&db, counter.clone(), "count", Duration::from_secs(30)).run(token.clone()),
                )
            })
            .collect();
        let c = counter.clone();
        wait_for("1000 jobs", Duration::from_secs(120), || {
            c.runs.lock().unwrap().len() as i64 == JOBS
        })
        .await;
        token.cancel();
        for h in handles {
            h.await.unwrap();
        }
        let runs = counter.runs.lock().unwrap().clone();
        let twice: Vec<_> = runs.iter().filter(|(_, c)| **c != 1).collect();
        assert!(
            twice.is_empty(),
            "{}: jobs run more than once: {twice:?}",
            db.name
        );
        assert_eq!(runs.len() as i64, JOBS);
        let depth = JobQueue::new(db.store.clone()).depth().await.unwrap();
        assert!(depth.is_empty(), "{}: jobs left: {depth:?}", db.name);
    }
}

/// Hangs forever: the job of a worker that will be killed.
struct Hang;

#[async_trait]
impl JobHandler for Hang {
    async fn run(&self, _: &ClaimedJob) -> Result<(), JobError> {
        std::future::pending::<()>().await;
        Ok(())
    }
}

async fn wait_for_state(q: &JobQueue, id: ddhub_domain::JobId, state: &str) {
    let start = Instant::now();
    loop {
        if q.get(id).await.unwrap().state == state {
            return;
        }
        assert!(
            start.elapsed() < Duration::from_secs(10),
            "job never became {state}"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_killed_workers_job_runs_again_after_its_lease_expires() {
    for db in testing::all("workers_takeover").await {
        let id = enqueue(
            db.store.conn(),
            NewJob::new("count", serde_json::json!({ "n": 7 })),
        )
        .await
        .unwrap();
        let q = JobQueue::new(db.store.clone());
        let doomed = tokio::spawn(
            pool(&db, Arc::new(Hang), "count", Duration::from_millis(600))
                .run(CancellationToken::new()),
        );
        wait_for_state(&q, id, "running").await;
        // Killed: no drain, no lease release, no heartbeat any more.
        doomed.abort();
        let _ = doomed.await;
        let counter = Arc::new(Counter::default());
        let token = CancellationToken::new();
        let rescuer = tokio::spawn(
            pool(&db, counter.clone(), "count", Duration::from_secs(30)).run(token.clone()),
        );
        let c = counter.clone();
        wait_for("the takeover", Duration::from_secs(10), || {
            c.runs.lock().unwrap().get(&7) == Some(&1)
        })
        .await;
        token.cancel();
        rescuer.await.unwrap();
        let view = q.get(id).await.unwrap();
        assert_eq!(
            (view.state.as_str(), view.attempts),
            ("done", 2),
            "{}",
            db.name
        );
    }
}

#[tokio::test]
async fn shutdown_releases_the_leases_of_unfinished_jobs() {
    let db = testing::sqlite().await;
    let id = enqueue(
        db.store.conn(),
        NewJob::new("count", serde_json::json!({ "n": 1 })),
    )
    .await
    .unwrap();
    let q = JobQueue::new(db.store.clone());
    let token = CancellationToken::new();
    let p = WorkerPool::new(
        JobQueue::new(db.store.clone()),
        Registry::new().register("count", Arc::new(Hang)),
        WorkerOptions {
            concurrency: 1,
            lease: Duration::from_secs(60),
            poll_interval: Duration::from_millis(20),
            grace: Duration::from_millis(200),
            retry: RetryPolicy::default(),
        },
        JobSignal::default(),
    );
    let h = tokio::spawn(p.run(token.clone()));
    wait_for_state(&q, id, "running").await;
    token.cancel();
    h.await.unwrap();
    let view = q.get(id).await.unwrap();
    // Given back: runnable at once, and the interrupted try does not count.
    assert_eq!((view.state.as_str(), view.attempts), ("queued", 0));
}

struct AlwaysFails;

#[async_trait]
impl JobHandler for AlwaysFails {
    async fn run(&self, _: &ClaimedJob) -> Result<(), JobError> {
        Err(JobError::Retry("the partner answered 503".into()))
    }
}

#[tokio::test]
async fn a_failing_job_ends_dead_after_its_attempts() {
    for db in testing::all("workers_dead").await {
        let id = enqueue(
            db.store.conn(),
            NewJob::new("fail", serde_json::json!({})).max_attempts(4),
        )
        .await
        .unwrap();
        let token = CancellationToken::new();
        let h = tokio::spawn(
            pool(&db, Arc::new(AlwaysFails), "fail", Duration::from_secs(30)).run(token.clone()),
        );
        let q = JobQueue::new(db.store.clone());
        let start = Instant::now();
        loop {
            let v = q.get(id).await.unwrap();
            if v.state == "dead" {
                assert_eq!(v.attempts, 4, "{}", db.name);
                assert_eq!(v.last_error.as_deref(), Some("the partner answered 503"));
                break;
            }
            assert!(
                start.elapsed() < Duration::from_secs(20),
                "never went dead: {v:?}"
            );
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        token.cancel();
        h.await.unwrap();
    }
}
