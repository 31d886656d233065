//! `GET /console/channels`: each of the wholesaler's styles' readiness on every partner
//! channel, with the reasons a style is left out or changed, in Korean (English by `?lang=en`).

use super::{Chrome, fail};
use crate::pages::render;
use crate::pages::session::ConsoleUser;
use askama::Template;
use axum::extract::State;
use axum::response::Response;
use ddhub_app::AppState;

pub struct ReasonRow {
    pub label: String,
    pub detail: String,
}

pub struct StyleRow {
    pub code: String,
    pub items_in: u64,
    pub items_out: u64,
    pub reasons: Vec<ReasonRow>,
}

pub struct ChannelRow {
    pub partner: String,
    pub format: &'static str,
    pub styles_in: u64,
    pub styles_out: u64,
    pub styles: Vec<StyleRow>,
}

#[derive(Template)]
#[template(path = "console_channels.html")]
struct ChannelsPage {
    c: Chrome,
    channels: Vec<ChannelRow>,
}

pub async fn channels_page(State(app): State<AppState>, user: ConsoleUser) -> Response {
    let readiness = match ddhub_app::services::channels::readiness(
        &app.store,
        user.wholesaler,
        &app.config.base_url(),
        &app.config.media_base_url(),
    )
    .await
    {
        Ok(r) => r,
        Err(e) => return fail(&user, e),
    };
    let korean = user.lang != "en";
    let channels = readiness
        .into_iter()
        .map(|ch| ChannelRow {
            partner: ch.partner,
            format: ch.format.as_str(),
            styles_in: ch.styles_in,
            styles_out: ch.styles_out,
            styles: ch
                .styles
                .into_iter()
                .map(|s| StyleRow {
                    code: s.style_code,
                    items_in: s.items_in,
                    items_out: s.items_out,
                    reasons: s
                        .issues
                        .into_iter()
                        .map(|i| ReasonRow {
                            label: if korean {
                                i.reason.label_ko().to_string()
                            } else {
                                i.reason.as_str().replace('_', " ")
                            },
                            detail: i.detail,
                        })
                        .collect(),
                })
                .collect(),
        })
        .collect();
    render(&ChannelsPage {
        c: Chrome::new(&user, "channels"),
        channels,
    })
}
