//! The colour check in the photo job (issue 19, item 2): a sheet declares 블랙 for a style whose
//! photo shows a red garment on a white sweep, and 레드 for one whose photo is red. After the
//! photo jobs, the first is warned (declared colour not shown, photo colour unmatched, each with
//! its CIEDE2000 distance and threshold, in Korean) on the API's style view and in the upload
//! report; the second is not. Nothing is blocked: both styles are listed.

use crate::api::call;
use crate::uploads::{env, get, upload, zip_of};
use axum::http::StatusCode;
use ddhub_testkit::testing;
use serde_json::Value;
use std::time::{Duration, Instant};

/// A 900×1200 JPEG: a red (#C8102E) garment, shaded and noisy, on a white sweep.
fn red_garment() -> Vec<u8> {
    let (w, h) = (900u32, 1200u32);
    let mut state = 12_345u32;
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        state ^= state << 13;
        state ^= state >> 17;
        state ^= state << 5;
        let n = (state % 11) as f32 - 5.0;
        let (dx, dy) = ((x as f32 - 450.0) / 300.0, (y as f32 - 620.0) / 450.0);
        let px = |c: f32, bg: f32| {
            if dx * dx + dy * dy <= 1.0 {
                (c * (1.05 - 0.1 * y as f32 / h as f32) + n).clamp(0.0, 255.0) as u8
            } else {
                (bg + n / 2.0).clamp(0.0, 255.0) as u8
            }
        };
        image::Rgb([px(200.0, 246.0), px(16.0, 246.0), px(46.0, 246.0)])
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
    out.into_inner()
}

async fn checked_style(e: &crate::uploads::Env, id: i64) -> Value {
    let start = Instant::now();
    loop {
        let (s, _, v) = call(&e.router, get(&format!("/api/v1/styles/{id}"), &e.key)).await;
        assert_eq!(s, StatusCode::OK, "{v}");
        if v["colour_check"].is_object() {
            return v;
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "the colour check never ran: {v}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn photos_that_disagree_with_the_declared_colour_are_warned_not_blocked() {
    let e = env(testing::sqlite().await).await;
    let sheet = "상품코드,상품명,카테고리,도매가,색상,사이즈,사진\n\
                 BL-1,쉬폰 블라우스,블라우스,18000,블랙,FREE,red.jpg\n\
                 BL-2,쉬폰 블라우스,블라우스,18000,레드,FREE,red2.jpg\n";
    let red = red_garment();
    // Different bytes, so each style's photo is normalised on its own.
    let mut red2 = red.clone();
    red2.extend_from_slice(b"\0");
    let bundle = zip_of(&[("red.jpg", &red), ("red2.jpg", &red2)]);
    let done = upload(
        &e,
        &[
            ("file", Some("a.csv"), sheet.as_bytes()),
            ("photos", Some("p.zip"), &bundle),
        ],
    )
    .await;
    let upload_id = done["upload_id"].as_i64().unwrap();
    let (_, _, list) = call(&e.router, get("/api/v1/styles", &e.key)).await;
    let id_of = |code: &str| {
        list["styles"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["style_code"] == code)
            .unwrap()["id"]
            .as_i64()
            .unwrap()
    };
    let (black, red_style) = (id_of("BL-1"), id_of("BL-2"));
    assert_eq!(list["total"], 2, "both styles are listed: {list}");

    // Watched as fast as a client can ask while the photo jobs run: no style view shows a
    // check counting more photos than it shows ready, and a report with no photo pending
    // already names the warned style (a check is stored with its photo's ready state).
    let start = Instant::now();
    let mut looks = 0u32;
    loop {
        looks += 1;
        let (_, _, u) = call(
            &e.router,
            get(&format!("/api/v1/catalog/uploads/{upload_id}"), &e.key),
        )
        .await;
        for id in [black, red_style] {
            let (_, _, v) = call(&e.router, get(&format!("/api/v1/styles/{id}"), &e.key)).await;
            let ready = v["photos"]
                .as_array()
                .map_or(0, |p| p.iter().filter(|p| p["state"] == "ready").count());
            if let Some(checked) = v["colour_check"]["photos_checked"].as_u64() {
                assert!(
                    checked as usize <= ready,
                    "look {looks}: the check counts {checked} photos, {ready} shown ready: {v}"
                );
            }
        }
        if u["colour_check"]["photos_pending"] == 0 {
            let warned = u["colour_check"]["styles"].as_array().map(|s| s.len());
            assert_eq!(warned, Some(1), "look {looks}: nothing pending, yet: {u}");
            break;
        }
        assert!(start.elapsed() < Duration::from_secs(60), "{u}");
        tokio::task::yield_now().await;
    }

    let v = checked_style(&e, black).await;
    let check = &v["colour_check"];
    assert_eq!(check["declared"], serde_json::json!(["black"]), "{check}");
    assert_eq!(check["photos_checked"], 1, "{check}");
    let warnings = check["warnings"].as_array().unwrap();
    let kinds: Vec<&str> = warnings
        .iter()
        .map(|w| w["kind"].as_str().unwrap())
        .collect();
    assert!(kinds.contains(&"declared_not_shown"), "{check}");
    assert!(kinds.contains(&"photo_unmatched"), "{check}");
    for w in warnings {
        let (d, t) = (
            w["distance"].as_f64().unwrap(),
            w["threshold"].as_f64().unwrap(),
        );
        assert!(d > t, "{w}");
        let ko = w["message_ko"].as_str().unwrap();
        assert!(ko.contains("ΔE") && ko.contains("블랙"), "{ko}");
    }
    // The photo's stored colours are on the photo view too.
    assert!(
        v["photos"][0]["warnings"]["colours"][0]["hex"].is_string(),
        "{v}"
    );

    let v = checked_style(&e, red_style).await;
    assert_eq!(v["colour_check"]["warnings"], serde_json::json!([]), "{v}");

    // The upload report names the warned style only, once every photo is done.
    let start = Instant::now();
    let report = loop {
        let (s, _, u) = call(
            &e.router,
            get(&format!("/api/v1/catalog/uploads/{upload_id}"), &e.key),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{u}");
        if u["colour_check"]["photos_pending"] == 0 {
            break u;
        }
        assert!(start.elapsed() < Duration::from_secs(60), "{u}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let styles = report["colour_check"]["styles"].as_array().unwrap();
    assert_eq!(styles.len(), 1, "{report}");
    assert_eq!(styles[0]["style_code"], "BL-1");
    assert!(
        styles[0]["warnings"][0]["message_ko"]
            .as_str()
            .unwrap()
            .contains("기준 20"),
        "{report}"
    );
}
