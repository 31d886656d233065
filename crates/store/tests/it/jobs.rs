use crate::common;
use ddhub_store::jobs::{FailOutcome, JobQueue, NewJob, RetryPolicy, enqueue};
use std::time::Duration;

#[tokio::test]
async fn claim_complete_and_fence_on_the_lease() {
    for db in common::all("jobs_fence").await {
        let q = JobQueue::new(db.store.clone());
        let id = enqueue(
            db.store.conn(),
            NewJob::new("t", serde_json::json!({"n": 1})),
        )
        .await
        .unwrap();
        let first = q
            .claim(&["t"], 10, Duration::from_millis(50))
            .await
            .unwrap();
        assert_eq!(first.len(), 1, "{}", db.name);
        assert!(
            q.claim(&["t"], 10, Duration::from_secs(60))
                .await
                .unwrap()
                .is_empty(),
            "leased jobs are not claimable"
        );
        assert!(
            q.claim(&["other"], 10, Duration::from_secs(60))
                .await
                .unwrap()
                .is_empty()
        );
        tokio::time::sleep(Duration::from_millis(80)).await;
        // The lease expired: another worker takes the job over…
        let second = q.claim(&["t"], 10, Duration::from_secs(60)).await.unwrap();
        assert_eq!(second.len(), 1);
        assert_eq!(second[0].attempt, 2);
        // …and the first worker can no longer finish it.
        assert!(!q.complete(&first[0]).await.unwrap());
        assert!(q.complete(&second[0]).await.unwrap());
        assert_eq!(q.get(id).await.unwrap().state, "done");
    }
}

#[tokio::test]
async fn failures_back_off_then_go_dead() {
    for db in common::all("jobs_dead").await {
        let q = JobQueue::new(db.store.clone());
        let policy = RetryPolicy {
            base: Duration::from_millis(1),
            max: Duration::from_millis(5),
        };
        let id = enqueue(
            db.store.conn(),
            NewJob::new("t", serde_json::json!({})).max_attempts(3),
        )
        .await
        .unwrap();
        let mut outcomes = Vec::new();
        for _ in 0..10 {
            tokio::time::sleep(Duration::from_millis(10)).await;
            let Some(job) = q
                .claim(&["t"], 1, Duration::from_secs(30))
                .await
                .unwrap()
                .pop()
            else {
                continue;
            };
            outcomes.push(q.fail(&job, "boom", false, &policy).await.unwrap());
        }
        assert_eq!(outcomes.len(), 3, "{}: {outcomes:?}", db.name);
        assert!(matches!(outcomes[0], FailOutcome::Retry(_)));
        assert_eq!(outcomes[2], FailOutcome::Dead);
        let view = q.get(id).await.unwrap();
        assert_eq!(view.state, "dead");
        assert_eq!(view.attempts, 3);
        assert_eq!(view.last_error.as_deref(), Some("boom"));
    }
}

#[tokio::test]
async fn release_gives_the_attempt_back() {
    let db = common::sqlite().await;
    let q = JobQueue::new(db.store.clone());
    let id = enqueue(db.store.conn(), NewJob::new("t", serde_json::json!({})))
        .await
        .unwrap();
    let job = q
        .claim(&["t"], 1, Duration::from_secs(30))
        .await
        .unwrap()
        .pop()
        .unwrap();
    assert!(q.release(&job).await.unwrap());
    let view = q.get(id).await.unwrap();
    assert_eq!((view.state.as_str(), view.attempts), ("queued", 0));
    assert_eq!(
        q.claim(&["t"], 1, Duration::from_secs(30))
            .await
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn a_job_whose_lease_keeps_expiring_ends_dead() {
    let db = common::sqlite().await;
    let q = JobQueue::new(db.store.clone());
    let id = enqueue(
        db.store.conn(),
        NewJob::new("t", serde_json::json!({})).max_attempts(2),
    )
    .await
    .unwrap();
    for _ in 0..2 {
        assert_eq!(
            q.claim(&["t"], 1, Duration::from_millis(10))
                .await
                .unwrap()
                .len(),
            1
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(
        q.claim(&["t"], 1, Duration::from_millis(10))
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(q.get(id).await.unwrap().state, "dead");
}
