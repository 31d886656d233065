use ddhub_domain::catalog::categories;
use ddhub_domain::style::CompositionPart;
use ddhub_domain::{Currency, Money, OrderId, RatePerKrw, SkuId};
use ddhub_orders::export::hs::{CategoryDefaults, check_tables};
use ddhub_orders::export::papers::to_usd;
use ddhub_orders::export::pdf::{invoice_pdf, packing_list_pdf};
use ddhub_orders::export::*;

fn comp(parts: &[(&str, u8)]) -> Vec<CompositionPart> {
    parts
        .iter()
        .map(|(m, p)| CompositionPart {
            material: (*m).to_string(),
            percent: *p,
        })
        .collect()
}

fn hs(category: &str, parts: &[(&str, u8)], c: Construction, g: Gender) -> &'static str {
    lookup_hs(category, main_material(&comp(parts)), c, g)
        .map(|e| e.code)
        .unwrap_or("none")
}

#[test]
fn domain_examples() {
    use Construction::*;
    // DOMAIN.md: 6110.20 knitted cotton cardigan, 6204.43 women's synthetic dress,
    // 6203.42 men's cotton trousers.
    assert_eq!(
        hs(
            "tops/knit/cardigan",
            &[("cotton", 100)],
            Knitted,
            Gender::Women
        ),
        "6110.20"
    );
    assert_eq!(
        hs(
            "dresses/midi",
            &[("polyester", 95), ("spandex", 5)],
            Woven,
            Gender::Women
        ),
        "6204.43"
    );
    assert_eq!(
        hs(
            "pants/slacks",
            &[("cotton", 98), ("spandex", 2)],
            Woven,
            Gender::Men
        ),
        "6203.42"
    );
    // Neighbours in the table.
    assert_eq!(
        hs(
            "tops/knit/pullover",
            &[("acrylic", 70), ("wool", 30)],
            Knitted,
            Gender::Women
        ),
        "6110.30"
    );
    assert_eq!(
        hs("tops/knit", &[("wool", 100)], Knitted, Gender::Unisex),
        "6110.11"
    );
    assert_eq!(
        hs("pants/cotton", &[("cotton", 100)], Woven, Gender::Women),
        "6204.62"
    );
    assert_eq!(
        hs("pants/cotton", &[("cotton", 100)], Woven, Gender::Unisex),
        "6204.62"
    );
    assert_eq!(
        hs(
            "dresses/knit",
            &[("rayon", 60), ("polyester", 40)],
            Knitted,
            Gender::Women
        ),
        "6104.44"
    );
    assert_eq!(
        hs("tops/blouse", &[("polyester", 100)], Woven, Gender::Women),
        "6206.40"
    );
    assert_eq!(
        hs(
            "tops/tshirt/short_sleeve",
            &[("cotton", 100)],
            Knitted,
            Gender::Women
        ),
        "6109.10"
    );
    assert_eq!(
        hs(
            "outerwear/coat",
            &[("wool", 80), ("nylon", 20)],
            Woven,
            Gender::Women
        ),
        "6202.20"
    );
    assert_eq!(
        hs(
            "outerwear/coat",
            &[("wool", 80), ("nylon", 20)],
            Woven,
            Gender::Men
        ),
        "6201.20"
    );
    assert_eq!(
        hs(
            "outerwear/jacket",
            &[("leather", 100)],
            Woven,
            Gender::Women
        ),
        "4203.10"
    );
    assert_eq!(
        hs("skirts/mini", &[("cotton", 100)], Knitted, Gender::Women),
        "6104.52"
    );
    assert_eq!(
        hs("bags/tote", &[("leather", 100)], Woven, Gender::Women),
        "4202.21"
    );
    assert_eq!(hs("shoes/sneakers", &[], Woven, Gender::Women), "6404.11");
}

#[test]
fn man_made_fibres_count_together() {
    // 40% cotton against 35% polyester + 25% spandex: man-made fibres predominate.
    let c = comp(&[("cotton", 40), ("polyester", 35), ("spandex", 25)]);
    assert_eq!(main_material(&c), MaterialClass::Synthetic);
    let c = comp(&[("cotton", 40), ("rayon", 35), ("polyester", 25)]);
    assert_eq!(main_material(&c), MaterialClass::Artificial);
    assert_eq!(
        main_material(&comp(&[("cotton", 50), ("linen", 50)])),
        MaterialClass::Cotton
    );
    assert_eq!(main_material(&[]), MaterialClass::Other);
}

#[test]
fn every_category_has_a_code_and_a_weight_for_every_combination() {
    check_tables().unwrap();
    let mut checked = 0;
    for cat in categories().all() {
        let CategoryDefaults { net_grams, .. } =
            category_defaults(cat.code).unwrap_or_else(|| panic!("no defaults for {}", cat.code));
        assert!(net_grams > 0);
        for m in MaterialClass::ALL {
            for c in [Construction::Knitted, Construction::Woven] {
                for g in [Gender::Women, Gender::Men, Gender::Unisex] {
                    let e = lookup_hs(cat.code, m, c, g)
                        .unwrap_or_else(|| panic!("no HS code for {} {m:?} {c:?} {g:?}", cat.code));
                    assert_eq!(e.code.len(), 7);
                    assert!(!e.description.is_empty());
                    checked += 1;
                }
            }
        }
    }
    assert_eq!(checked, categories().all().len() * 6 * 2 * 3);
}

fn party(name: &str, country: &str) -> Party {
    Party {
        name: name.into(),
        address_lines: vec![
            "Dongdaemun Consolidation Center 3F".into(),
            "Jongno-gu, Seoul".into(),
        ],
        postal_code: Some("03197".into()),
        country: country.into(),
        phone: Some("+82 2-000-0000".into()),
        tax_id: None,
    }
}

fn input() -> PapersInput {
    let jpy = |minor| Money {
        minor,
        currency: Currency::Jpy,
    };
    let item = |sku, category: &str, parts: &[(&str, u8)], q, price, grams| PaperItem {
        sku_id: SkuId(sku),
        style_code: format!("ST-{sku}"),
        description_en: "Loose-fit cable knit cardigan".into(),
        colour: "ivory".into(),
        size: "free".into(),
        category: category.into(),
        composition: comp(parts),
        construction: None,
        gender: Gender::Women,
        origin: "kr".into(),
        quantity: q,
        unit_price: jpy(price),
        net_grams_per_piece: grams,
    };
    PapersInput {
        invoice_number: "DDH-2026-000123".into(),
        date: "2026-11-27".parse().unwrap(),
        order_id: OrderId(123),
        partner_order_id: "JP-1001".into(),
        shipper: party("DDHub Export Hub", "KR"),
        consignee: party("Sakura Boutique (さくら)", "JP"),
        incoterm: Incoterm::default(),
        items: vec![
            item(1, "tops/knit/cardigan", &[("cotton", 100)], 3, 1980, None),
            item(2, "dresses/mini", &[("polyester", 100)], 2, 3300, Some(310)),
        ],
        rates: UsdRates {
            usd: RatePerKrw::parse(Currency::Usd, "0.00072").unwrap(),
            source: Some(RatePerKrw::parse(Currency::Jpy, "0.108").unwrap()),
        },
        packaging: PackagingRules::default(),
    }
}

#[test]
fn papers_carry_codes_values_and_weights() {
    let papers = build_papers(&input()).unwrap();
    let inv = &papers.invoice;
    assert_eq!(inv.incoterm, Incoterm::Dap);
    assert_eq!(inv.lines[0].hs_code, "6110.20");
    assert_eq!(inv.lines[1].hs_code, "6204.43");
    assert_eq!(inv.lines[0].origin, "KR");
    assert_eq!(
        inv.lines[0].description,
        "Loose-fit cable knit cardigan, 100% cotton, knitted (ivory / free)"
    );
    // 1980 JPY / 0.108 × 0.00072 = 13.20 USD; 3300 JPY = 22.00 USD.
    assert_eq!(inv.lines[0].unit_value_usd, "13.20");
    assert_eq!(inv.lines[0].total_value_usd, "39.60");
    assert_eq!(inv.lines[1].total_value_usd, "44.00");
    assert_eq!(inv.total_value_usd, "83.60");
    assert_eq!(inv.total_quantity, 5);
    // Net: 3 × 400 g (cardigan default) + 2 × 310 g (style override) = 1820 g.
    // Gross: ceil(1200 × 1.08) + ceil(620 × 1.08) + one 600 g carton = 1296 + 670 + 600.
    assert_eq!(inv.weights.net_grams, 1_820);
    assert_eq!(inv.weights.gross_grams, 2_566);
    assert_eq!(inv.weights.net_kg, "1.820");
    assert_eq!(inv.weights.cartons, 1);
    assert_eq!(papers.packing_list.weights, inv.weights);
    let json = serde_json::to_value(&papers).unwrap();
    assert_eq!(json["invoice"]["incoterm"], "DAP");
    assert_eq!(json["invoice"]["date"], "2026-11-27");
    assert_eq!(json["packing_list"]["lines"][1]["hs_code"], "6204.43");
}

#[test]
fn papers_refuse_what_they_cannot_declare() {
    let mut i = input();
    i.rates.source = None;
    assert_eq!(build_papers(&i).unwrap_err().code(), "papers_missing_rate");
    let mut i = input();
    i.items[0].category = "spaceships".into();
    assert_eq!(
        build_papers(&i).unwrap_err().code(),
        "papers_unknown_category"
    );
    let mut i = input();
    i.items.iter_mut().for_each(|it| it.quantity = 0);
    assert_eq!(build_papers(&i).unwrap_err().code(), "papers_no_items");
}

#[test]
fn usd_conversion_from_won_and_dollars() {
    let rates = UsdRates {
        usd: RatePerKrw::parse(Currency::Usd, "0.00072").unwrap(),
        source: None,
    };
    let krw = Money {
        minor: 18_000,
        currency: Currency::Krw,
    };
    assert_eq!(to_usd(krw, &rates).unwrap().decimal(), "12.96");
    let usd = Money {
        minor: 1_299,
        currency: Currency::Usd,
    };
    assert_eq!(to_usd(usd, &rates).unwrap(), usd);
}

#[test]
fn pdfs_are_produced() {
    let papers = build_papers(&input()).unwrap();
    let inv = invoice_pdf(&papers.invoice);
    let pl = packing_list_pdf(&papers.packing_list);
    for pdf in [&inv, &pl] {
        assert!(pdf.starts_with(b"%PDF-"));
        assert!(pdf.len() > 1_000);
        assert!(pdf.ends_with(b"%%EOF") || pdf.ends_with(b"%%EOF\n"));
    }
    let text = String::from_utf8_lossy(&inv);
    assert!(text.contains("COMMERCIAL INVOICE"));
    assert!(text.contains("6110.20"));
    assert!(text.contains("83.60"));
    assert!(String::from_utf8_lossy(&pl).contains("PACKING LIST"));

    // 200 lines run over several pages.
    let mut many = input();
    let first = many.items[0].clone();
    many.items = (0..200)
        .map(|i| PaperItem {
            sku_id: SkuId(i),
            ..first.clone()
        })
        .collect();
    let papers = build_papers(&many).unwrap();
    let pdf = invoice_pdf(&papers.invoice);
    let text = String::from_utf8_lossy(&pdf);
    assert!(text.contains("Page 3") && !text.contains("Page 9"));
}
