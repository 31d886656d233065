//! The same style, sent as a sheet row and as a JSON body, gets the same answer: both accept
//! or both refuse it, and a rule it breaks without being refused is a warning on both
//! (`ddhub_domain::style_rules` is the one check).

use crate::api::call;
use crate::uploads::{env, get, upload};
use axum::body::Body;
use axum::http::{Request, StatusCode};
use ddhub_testkit::testing;
use serde_json::{Value, json};

/// One style in both forms.
struct Case {
    name: &'static str,
    title: String,
    price: i64,
    moq: u32,
    /// Sheet text and API parts of the composition.
    composition: (&'static str, Vec<(&'static str, u8)>),
    /// (Korean name, code) per colour; (sheet text, code) per size.
    colours: Vec<(String, String)>,
    sizes: Vec<(String, String)>,
    description: Option<String>,
    accepted: bool,
    warned: bool,
}

fn vocab(file: &str, text_col: usize, n: usize) -> Vec<(String, String)> {
    let path = format!("{}/../../locales/vocab/{file}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(path)
        .unwrap()
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split('\t').collect();
            (f[text_col].to_string(), f[0].to_string())
        })
        .take(n)
        .collect()
}

fn cases() -> Vec<Case> {
    let black = vec![("블랙".to_string(), "black".to_string())];
    let free = vec![("FREE".to_string(), "free".to_string())];
    let good = Case {
        name: "good",
        title: "루즈핏 꽈배기 니트".into(),
        price: 18_000,
        moq: 2,
        composition: ("면 100%", vec![("cotton", 100)]),
        colours: black.clone(),
        sizes: free.clone(),
        description: None,
        accepted: true,
        warned: false,
    };
    // Shoe sizes 220 to 290 mm (15) and 34 colours: 510 combinations, past the 500 allowed.
    let shoes: Vec<(String, String)> = (0..15)
        .map(|i| (220 + 5 * i).to_string())
        .map(|s| (s.clone(), s))
        .collect();
    vec![
        Case {
            name: "composition_total",
            composition: (
                "면 60% 폴리에스터 30%",
                vec![("cotton", 60), ("polyester", 30)],
            ),
            warned: true,
            ..clone(&good)
        },
        Case {
            name: "too_many_skus",
            colours: vocab("colours.tsv", 3, 34),
            sizes: shoes,
            accepted: false,
            ..clone(&good)
        },
        Case {
            name: "description_too_long",
            description: Some("설".repeat(20_001)),
            accepted: false,
            ..clone(&good)
        },
        Case {
            name: "moq_too_high",
            moq: 20_000,
            accepted: false,
            ..clone(&good)
        },
        Case {
            name: "price_too_high",
            price: 1_500_000_000,
            accepted: false,
            ..clone(&good)
        },
        Case {
            name: "price_unusually_high",
            price: 15_000_000,
            warned: true,
            ..clone(&good)
        },
        Case {
            name: "title_too_long",
            title: "니".repeat(250),
            warned: true,
            ..clone(&good)
        },
        Case {
            name: "no_sizes",
            sizes: vec![],
            warned: true,
            ..clone(&good)
        },
        good,
    ]
}

fn clone(c: &Case) -> Case {
    Case {
        name: c.name,
        title: c.title.clone(),
        price: c.price,
        moq: c.moq,
        composition: (c.composition.0, c.composition.1.clone()),
        colours: c.colours.clone(),
        sizes: c.sizes.clone(),
        description: c.description.clone(),
        accepted: c.accepted,
        warned: c.warned,
    }
}

fn csv_field(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_style_gets_the_same_answer_from_the_sheet_and_the_api() {
    for db in testing::all("style_rules").await {
        let e = env(db).await;
        let cases = cases();
        let mut sheet =
            String::from("상품코드,상품명,도매가,최소주문수량,소재,색상,사이즈,상세설명\n");
        for (i, c) in cases.iter().enumerate() {
            let join = |v: &[(String, String)]| {
                v.iter()
                    .map(|(t, _)| t.as_str())
                    .collect::<Vec<_>>()
                    .join(",")
            };
            sheet.push_str(&format!(
                "S-{i},{},{},{},{},{},{},{}\n",
                csv_field(&c.title),
                c.price,
                c.moq,
                csv_field(c.composition.0),
                csv_field(&join(&c.colours)),
                csv_field(&join(&c.sizes)),
                csv_field(c.description.as_deref().unwrap_or("")),
            ));
        }
        let done = upload(&e, &[("file", Some("rules.csv"), sheet.as_bytes())]).await;
        let id = done["upload_id"].as_i64().unwrap();
        let (_, _, report) = call(
            &e.router,
            get(
                &format!("/api/v1/catalog/uploads/{id}/errors?per_page=1000"),
                &e.key,
            ),
        )
        .await;
        let (_, _, list) = call(&e.router, get("/api/v1/styles?per_page=200", &e.key)).await;
        let saved: Vec<String> = list["styles"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["style_code"].as_str().unwrap().to_string())
            .collect();
        for (i, c) in cases.iter().enumerate() {
            // The sheet's answer: its row's problems (rows from 2: the header is row 1).
            let row = i as u64 + 2;
            let problems: Vec<&Value> = report["problems"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|p| p["row"] == row)
                .collect();
            let sheet_accepted = saved.contains(&format!("S-{i}"));
            let sheet_warned = problems.iter().any(|p| p["severity"] == "warning");
            // The API's answer to the same style.
            let body = json!({
                "title_ko": c.title,
                "category": "tops/knit",
                "price_krw": c.price,
                "moq": c.moq,
                "composition": c.composition.1.iter().map(|(m, p)| json!({"material": m, "percent": p})).collect::<Vec<_>>(),
                "colours": c.colours.iter().map(|(_, code)| code).collect::<Vec<_>>(),
                "sizes": c.sizes.iter().map(|(_, code)| code).collect::<Vec<_>>(),
                "description_ko": c.description,
            });
            let (s, _, answer) = call(
                &e.router,
                Request::put(format!("/api/v1/styles/by-code/A-{i}"))
                    .header("authorization", &e.key)
                    .header("content-type", "application/json")
                    .body(Body::from(body.to_string()))
                    .unwrap(),
            )
            .await;
            let api_accepted = s == StatusCode::CREATED;
            assert!(
                api_accepted || s == StatusCode::UNPROCESSABLE_ENTITY,
                "{}: {s} {answer}",
                c.name
            );
            let api_warned = answer["warnings"].as_array().is_some_and(|w| !w.is_empty());
            assert_eq!(
                (sheet_accepted, api_accepted),
                (c.accepted, c.accepted),
                "{} on {}: accepted by the sheet / the API; sheet problems {problems:?}, API {answer}",
                c.name,
                e.db.name
            );
            assert_eq!(
                (sheet_warned, api_warned),
                (c.warned, c.warned),
                "{} on {}: warned by the sheet / the API; sheet problems {problems:?}, API {answer}",
                c.name,
                e.db.name
            );
        }
    }
}
