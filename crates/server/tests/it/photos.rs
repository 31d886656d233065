//! Photos: added through the API or a catalog ZIP, normalised by the job, served immutable.

use crate::api::call;
use crate::uploads::{env, get, multipart, upload, zip_of};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use ddhub_testkit::testing;
use serde_json::Value;
use std::time::{Duration, Instant};

/// A photo-like JPEG: a gradient with a dark "garment" in the middle.
pub fn jpeg(w: u32, h: u32) -> Vec<u8> {
    let img = image::RgbImage::from_fn(w, h, |x, y| {
        let inside = x > w / 4 && x < 3 * w / 4 && y > h / 5 && y < 4 * h / 5;
        if inside {
            image::Rgb([40, (x % 64) as u8 + 30, 90])
        } else {
            image::Rgb([220, 210 + (y % 20) as u8, 200])
        }
    });
    let mut out = std::io::Cursor::new(Vec::new());
    img.write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
    out.into_inner()
}

async fn style_view(e: &crate::uploads::Env, id: i64) -> Value {
    let (s, _, v) = call(&e.router, get(&format!("/api/v1/styles/{id}"), &e.key)).await;
    assert_eq!(s, StatusCode::OK, "{v}");
    v
}

async fn wait_photos(e: &crate::uploads::Env, id: i64, n: usize) -> Value {
    let start = Instant::now();
    loop {
        let v = style_view(e, id).await;
        let photos = v["photos"]
            .as_array()
            .unwrap_or_else(|| panic!("no photos in {v}"));
        if photos.len() == n && photos.iter().all(|p| p["state"] != "pending") {
            return v;
        }
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "photos never finished: {v}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_added_photo_is_normalised_and_served_immutable() {
    let e = env(testing::sqlite().await).await;
    let sheet = "상품코드,상품명,도매가,색상,사이즈,사진\nKN-1,꽈배기 니트 가디건,18000,블랙,FREE,front.jpg;broken.jpg\n";
    let bundle = zip_of(&[
        ("front.JPG", &jpeg(1200, 900)),
        ("broken.jpg", b"\xFF\xD8\xFF\xE0 truncated"),
    ]);
    upload(
        &e,
        &[
            ("file", Some("a.csv"), sheet.as_bytes()),
            ("photos", Some("p.zip"), &bundle),
        ],
    )
    .await;
    let (_, _, list) = call(&e.router, get("/api/v1/styles", &e.key)).await;
    let id = list["styles"][0]["id"].as_i64().unwrap();
    let v = wait_photos(&e, id, 2).await;
    let photos = v["photos"].as_array().unwrap();
    let front = &photos[0];
    assert_eq!(front["state"], "ready", "{front}");
    assert_eq!(
        (front["width"].as_i64(), front["height"].as_i64()),
        (Some(1200), Some(900))
    );
    // 1200 px wide: no 1600 `large` (never upscaled), medium and thumb in both formats.
    let variants = front["variants"].as_object().unwrap();
    assert!(!variants.contains_key("large") || variants["large"]["width"].as_u64() <= Some(1200));
    for name in ["medium", "thumb"] {
        assert!(
            variants[name]["urls"]["jpeg"].is_string(),
            "{name}: {front}"
        );
        assert!(
            variants[name]["urls"]["webp"].is_string(),
            "{name}: {front}"
        );
    }
    assert_eq!(variants["medium"]["width"], 800);
    let sq = &variants["square_white"];
    assert_eq!(sq["width"], sq["height"], "square_white is square");
    // The broken one failed with its reason; it stopped nothing.
    assert_eq!(photos[1]["state"], "failed");
    assert!(
        photos[1]["error"].as_str().unwrap().contains("corrupt"),
        "{}",
        photos[1]
    );

    let url = variants["thumb"]["urls"]["jpeg"].as_str().unwrap();
    // Search hits show the first ready photo's thumbnail once the style is indexed again after
    // the photo became ready (the index holds what a hit shows).
    let start = std::time::Instant::now();
    let found = loop {
        let (s, _, found) = call(
            &e.router,
            Request::get("/api/v1/search?q=%EA%BD%88%EB%B0%B0%EA%B8%B0&locale=ko&currency=KRW")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(s, StatusCode::OK, "{found}");
        if found["hits"][0]["thumbnail_url"].is_string()
            || start.elapsed() > Duration::from_secs(60)
        {
            break found;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    };
    let thumb = found["hits"][0]["thumbnail_url"].as_str().unwrap_or("");
    assert!(
        !thumb.is_empty() && thumb.ends_with(url.rsplit('/').next().unwrap()),
        "hit thumbnail {thumb:?}, photo thumbnail {url}: {found}"
    );
    let path = url
        .split_once("/media/")
        .map(|(_, k)| format!("/media/{k}"))
        .unwrap();
    let res = tower::ServiceExt::oneshot(
        e.router.clone(),
        Request::get(&path).body(Body::empty()).unwrap(),
    )
    .await
    .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.headers()["cache-control"],
        "public, max-age=31536000, immutable"
    );
    assert_eq!(res.headers()["content-type"], "image/jpeg");
    let etag = res.headers()["etag"].to_str().unwrap().to_string();
    let bytes = http_body_util::BodyExt::collect(res.into_body())
        .await
        .unwrap()
        .to_bytes();
    assert_eq!(&bytes[..2], b"\xFF\xD8");
    let again = Request::get(&path)
        .header("if-none-match", &etag)
        .body(Body::empty())
        .unwrap();
    let res = tower::ServiceExt::oneshot(e.router.clone(), again)
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::NOT_MODIFIED);
    for bad in [
        "/media/originals/aa/bb",
        "/media/v/../../ddhub.sqlite",
        "/media/v/zz/none.jpg",
    ] {
        let res = tower::ServiceExt::oneshot(
            e.router.clone(),
            Request::get(bad).body(Body::empty()).unwrap(),
        )
        .await
        .unwrap();
        assert_eq!(res.status(), StatusCode::NOT_FOUND, "{bad}");
    }

    // One more photo through the API, then reorder and delete.
    let (ct, body) = multipart(&[("photo", Some("side.jpg"), &jpeg(640, 480))]);
    let req = Request::post(format!("/api/v1/styles/{id}/photos"))
        .header("authorization", &e.key)
        .header("content-type", ct)
        .body(Body::from(body))
        .unwrap();
    let (s, _, added) = call(&e.router, req).await;
    assert_eq!(s, StatusCode::ACCEPTED, "{added}");
    let v = wait_photos(&e, id, 3).await;
    let side = v["photos"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["source_name"] == "side.jpg")
        .unwrap()
        .clone();
    assert_eq!(side["state"], "ready");
    let warnings = side["warnings"]["checks"].as_array().unwrap();
    assert!(
        warnings.iter().any(|w| w["code"] == "under_amazon_minimum"),
        "640 px is under 1000: {side}"
    );
    let ids: Vec<i64> = v["photos"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].as_i64().unwrap())
        .rev()
        .collect();
    let req = Request::put(format!("/api/v1/styles/{id}/photos/order"))
        .header("authorization", &e.key)
        .header("content-type", "application/json")
        .body(Body::from(
            serde_json::json!({ "photo_ids": ids }).to_string(),
        ))
        .unwrap();
    let (s, _, ordered) = call(&e.router, req).await;
    assert_eq!(s, StatusCode::OK, "{ordered}");
    assert_eq!(ordered[0]["id"].as_i64(), Some(ids[0]));
    let req = Request::delete(format!("/api/v1/styles/{id}/photos/{}", ids[0]))
        .header("authorization", &e.key)
        .body(Body::empty())
        .unwrap();
    let (s, _, _) = call(&e.router, req).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    // Another wholesaler can neither add to nor delete from this style.
    let req = Request::delete(format!("/api/v1/styles/{id}/photos/{}", ids[1]))
        .header("authorization", &e.other_key)
        .body(Body::empty())
        .unwrap();
    let (s, _, _) = call(&e.router, req).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(
        style_view(&e, id).await["photos"].as_array().unwrap().len(),
        2
    );
}

/// The same new photo sent many times at once, to two styles: every answer is `202` or
/// `409` (each style holds the photo once), none a `500` (the writers of its one original
/// used to share a temporary name, and a rename could find the file already gone).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_same_photo_added_at_once_is_stored_once_without_errors() {
    let e = env(testing::sqlite().await).await;
    let sheet = "상품코드,상품명,도매가,색상,사이즈\nKN-1,꽈배기 니트 가디건,18000,블랙,FREE\nKN-2,반폴라 골지 니트,15000,블랙,FREE\n";
    upload(&e, &[("file", Some("a.csv"), sheet.as_bytes())]).await;
    let (_, _, list) = call(&e.router, get("/api/v1/styles", &e.key)).await;
    let ids: Vec<i64> = list["styles"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids.len(), 2, "{list}");
    // A large photo, so its write takes long enough for the senders to overlap.
    let photo = jpeg(2400, 1800);
    let mut sends = tokio::task::JoinSet::new();
    for n in 0..12 {
        let (ct, body) = multipart(&[("photo", Some("same.jpg"), &photo)]);
        let req = Request::post(format!("/api/v1/styles/{}/photos", ids[n % 2]))
            .header("authorization", &e.key)
            .header("content-type", ct)
            .body(Body::from(body))
            .unwrap();
        let router = e.router.clone();
        sends.spawn(async move { (n % 2, call(&router, req).await) });
    }
    let mut accepted = [0; 2];
    while let Some(sent) = sends.join_next().await {
        let (style, (status, _, body)) = sent.unwrap();
        match status {
            StatusCode::ACCEPTED => accepted[style] += 1,
            StatusCode::CONFLICT => assert_eq!(body["error"]["code"], "conflict", "{body}"),
            other => panic!("{other}: {body}"),
        }
    }
    assert_eq!(accepted, [1, 1], "each style holds the photo once");
    for id in ids {
        let v = wait_photos(&e, id, 1).await;
        assert_eq!(v["photos"][0]["state"], "ready", "{v}");
    }
}
