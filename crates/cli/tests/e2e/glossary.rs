//! `ddhub glossary import` (all or nothing, row errors with line numbers) and `export` with the
//! operator's overrides merged in.

use crate::ddhub;

#[test]
fn glossary_import_is_all_or_nothing_and_export_includes_overrides() {
    let tmp = tempfile::tempdir().unwrap();
    let d = tmp.path().join("d");
    let shipped = ddhub(&d).args(["glossary", "export"]).output().unwrap();
    assert!(shipped.status.success());
    let shipped = String::from_utf8(shipped.stdout).unwrap();
    assert!(shipped.starts_with("ko,role,code,en,ja,zh-CN,zh-TW,vi,th"));
    assert!(shipped.lines().count() > 800);

    // One good row and two bad ones: nothing is imported, each bad line is named.
    let bad = tmp.path().join("bad.csv");
    std::fs::write(
        &bad,
        "ko,role,en,ja,zh-CN,zh-TW,vi,th\n\
         몽실,style,fluffy,もこもこ,毛绒,毛絨,bông xù,ขนฟู\n\
         소담,stylish,neat,すっきり,简约,簡約,gọn gàng,เรียบ\n\
         새말,fit,new,,,,,\n",
    )
    .unwrap();
    let out = ddhub(&d)
        .args(["glossary", "import", bad.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("line 3") && err.contains("stylish"), "{err}");
    assert!(err.contains("line 4") && err.contains("ja, zh-CN"), "{err}");
    assert!(!err.contains("line 2"), "{err}");
    let overrides = ddhub(&d)
        .args(["glossary", "export", "--overrides-only"])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8(overrides.stdout).unwrap().lines().count(),
        0,
        "nothing imported"
    );

    let good = tmp.path().join("good.csv");
    std::fs::write(
        &good,
        "ko,role,en,ja,zh-CN,zh-TW,vi,th\n\
         몽실,style,fluffy,もこもこ,毛绒,毛絨,bông xù,ขนฟู\n\
         꽈배기,fabric,twisted cable,,,,,\n",
    )
    .unwrap();
    let out = ddhub(&d)
        .args(["glossary", "import", good.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("imported 2 rows"));
    let merged = ddhub(&d).args(["glossary", "export"]).output().unwrap();
    let merged = String::from_utf8(merged.stdout).unwrap();
    assert!(merged.lines().any(|l| l.starts_with("몽실,style,,fluffy,")));
    let kk = merged.lines().find(|l| l.starts_with("꽈배기,")).unwrap();
    assert!(kk.contains("twisted cable"), "{kk}");
    let shipped_kk = shipped.lines().find(|l| l.starts_with("꽈배기,")).unwrap();
    // The empty ja cell kept the shipped rendering.
    let ja = |l: &str| l.split(',').nth(4).unwrap_or("").to_string();
    assert_eq!(ja(kk), ja(shipped_kk));
    assert_eq!(merged.lines().count(), shipped.lines().count() + 1);
    // The export is a valid import: the round trip changes nothing.
    let again = tmp.path().join("again.csv");
    std::fs::write(&again, &merged).unwrap();
    let out = ddhub(&d)
        .args(["glossary", "import", again.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("did not change"));
}
