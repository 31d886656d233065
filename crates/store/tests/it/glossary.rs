use crate::common;
use ddhub_store::glossary::{self, MemoryEntry, OverrideRow, memory_get, memory_len, memory_put};
use ddhub_store::jobs::JobQueue;
use std::time::Duration;

fn row(ko: &str, en: &str) -> OverrideRow {
    OverrideRow {
        ko: ko.into(),
        role: "fabric".into(),
        code: String::new(),
        en: en.into(),
        ja: "ケーブル".into(),
        zh_cn: "麻花".into(),
        zh_tw: "麻花".into(),
        vi: "len thừng".into(),
        th: "ลายเกลียว".into(),
    }
}

#[tokio::test]
async fn overrides_upsert_bump_the_revision_and_enqueue_one_job_each() {
    for db in common::all("glossary_overrides").await {
        let s = &db.store;
        assert_eq!(glossary::revision(s).await.unwrap().revision, 0);
        let r1 = glossary::write_overrides(
            s,
            &[row("꽈배기", "cable"), row("몽실", "fluffy")],
            false,
            "v1",
        )
        .await
        .unwrap()
        .0;
        assert_eq!(r1, 1, "{}", db.name);
        // Upsert: one row changes, one is added, the other stays.
        let r2 = glossary::write_overrides(
            s,
            &[row("꽈배기", "twisted cable"), row("블렌드", "blend")],
            false,
            "v2",
        )
        .await
        .unwrap()
        .0;
        assert_eq!(r2, 2);
        let all = glossary::overrides(s).await.unwrap();
        let got: Vec<(&str, &str)> = all.iter().map(|r| (r.ko.as_str(), r.en.as_str())).collect();
        assert_eq!(
            got,
            [
                ("꽈배기", "twisted cable"),
                ("몽실", "fluffy"),
                ("블렌드", "blend")
            ],
            "{}",
            db.name
        );
        let rev = glossary::revision(s).await.unwrap();
        assert_eq!((rev.revision, rev.version.as_str()), (2, "v2"));
        // Replace: only the file's rows remain.
        glossary::write_overrides(s, &[row("몽실", "soft")], true, "v3")
            .await
            .unwrap();
        let all = glossary::overrides(s).await.unwrap();
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].en, "soft");
        let q = JobQueue::new(s.clone());
        let jobs = q
            .claim(
                &[<ddhub_domain::jobs::GlossaryChanged as ddhub_domain::jobs::JobPayload>::KIND],
                10,
                Duration::from_secs(60),
            )
            .await
            .unwrap();
        assert_eq!(jobs.len(), 3, "{}: one job per change", db.name);
        assert_eq!(jobs[2].payload["version"], "v3");
    }
}

fn entry(key: &str, value: &str) -> MemoryEntry {
    MemoryEntry {
        key: key.into(),
        source_hash: "h".into(),
        locale: "en".into(),
        glossary_version: "v1".into(),
        provider: "deepl+glossary".into(),
        value: value.into(),
        review: "machine".into(),
    }
}

#[tokio::test]
async fn memory_keeps_the_first_result_per_key() {
    for db in common::all("translation_memory").await {
        let c = db.store.conn();
        memory_put(c, &[entry("tm1:a", "Thick"), entry("tm1:b", "Light")])
            .await
            .unwrap();
        // A second writer of the same key (a retried job) changes nothing and does not fail.
        memory_put(c, &[entry("tm1:a", "Other"), entry("tm1:c", "Warm")])
            .await
            .unwrap();
        let got = memory_get(c, &["tm1:a".into(), "tm1:c".into(), "tm1:zz".into()])
            .await
            .unwrap();
        assert_eq!(got.len(), 2, "{}", db.name);
        assert_eq!(got["tm1:a"], ("Thick".to_string(), "machine".to_string()));
        assert_eq!(got["tm1:c"].0, "Warm");
        assert_eq!(memory_len(&db.store).await.unwrap(), 3);
    }
}
