//! Attribute lines and descriptions from vocabulary labels and the shipped templates.

use ddhub_domain::Locale;
use ddhub_domain::style::CompositionPart;
use ddhub_translate::attributes::{FirstOf, TEMPLATE_KEYS};
use ddhub_translate::glossary::contains_hangul;
use ddhub_translate::{
    AttributeKind, Glossary, StyleAttributes, Templates, VocabLabels, render_attributes,
    render_description,
};

fn style() -> StyleAttributes {
    StyleAttributes {
        category: Some("cardigan".into()),
        colours: vec!["black".into(), "ivory".into(), "sky_blue".into()],
        sizes: vec!["free".into()],
        composition: vec![
            CompositionPart {
                material: "acrylic".into(),
                percent: 70,
            },
            CompositionPart {
                material: "wool".into(),
                percent: 30,
            },
        ],
        origin: Some("KR".into()),
        season: Some("fw".into()),
        fit: Some("루즈핏".into()),
        moq: 2,
        same_day_dispatch: true,
    }
}

#[test]
fn attributes_render_from_glossary_labels_in_every_locale() {
    let g = Glossary::builtin().unwrap();
    let t = Templates::builtin().unwrap();
    let en = render_attributes(&style(), &g, &t, Locale::En);
    assert_eq!(
        en,
        "Colours: black, ivory, sky blue\nSizes: one size\nMaterial: acrylic 70%, wool 30%\nFit: loose-fit\n\
         Origin: Korea\nSeason: fall/winter\nMinimum order: 2 pcs per style\nDispatch: Ships the same day"
    );
    let ja = render_attributes(&style(), &g, &t, Locale::Ja);
    assert!(
        ja.contains("カラー：ブラック、アイボリー、サックスブルー"),
        "{ja}"
    );
    assert!(ja.contains("素材：アクリル70%、ウール30%"), "{ja}");
    assert!(ja.contains("サイズ：フリーサイズ"), "{ja}");
    for l in Locale::TARGETS {
        let a = render_attributes(&style(), &g, &t, l);
        let d = render_description(&style(), &g, &t, l);
        assert!(
            !contains_hangul(&a) && !contains_hangul(&d),
            "{l}: {a} / {d}"
        );
        assert_eq!(a.lines().count(), 8, "{l}");
    }
}

#[test]
fn description_is_built_from_templates() {
    let g = Glossary::builtin().unwrap();
    let t = Templates::builtin().unwrap();
    let en = render_description(&style(), &g, &t, Locale::En);
    assert_eq!(
        en,
        "Cardigan from a Dongdaemun wholesaler in Seoul. Available in black, ivory, sky blue. Sizes: one size. \
         Made of acrylic 70%, wool 30%. Loose-fit. Made in Korea. Season: fall/winter. \
         Minimum order 2 pieces per style. Ordered before the cut-off, it ships the same day."
    );
    let zh = render_description(
        &StyleAttributes {
            moq: 3,
            ..StyleAttributes::default()
        },
        &g,
        &t,
        Locale::ZhCn,
    );
    assert_eq!(zh, "每款3件起订。");
}

#[test]
fn vocabulary_labels_win_over_the_glossary_and_unknown_codes_fall_back_to_the_code() {
    let g = Glossary::builtin().unwrap();
    let t = Templates::builtin().unwrap();
    let mut vocab = VocabLabels::new();
    vocab
        .add_tsv(
            AttributeKind::Colour,
            "code\tfamily\tko\ten\tja\nsky_blue\tblue\t소라\tSky blue\tサックス\n",
        )
        .unwrap();
    let labels = FirstOf(&vocab, &g);
    let attrs = StyleAttributes {
        colours: vec!["sky_blue".into(), "black".into(), "neon_plaid".into()],
        ..Default::default()
    };
    assert_eq!(
        render_attributes(&attrs, &labels, &t, Locale::En),
        "Colours: Sky blue, black, neon_plaid"
    );
    assert_eq!(
        render_attributes(&attrs, &labels, &t, Locale::Ja),
        "カラー：サックス、ブラック、neon_plaid"
    );
}

#[test]
fn every_template_file_has_every_key() {
    assert!(Templates::builtin().is_ok());
    assert_eq!(TEMPLATE_KEYS.len(), 22);
}
