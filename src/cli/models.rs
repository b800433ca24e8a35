//! `bedrock-tui models`: the catalog as a table, the request formats (`--families`), or with
//! `--remote` what ListFoundationModels and ListInferenceProfiles report, merged with the
//! catalog's families, limits and prices.

use super::ModelsArgs;
use super::ask::{EXIT_FAILURE, report};
use crate::connect::connect;
use crate::listing::{Row, strings};
use crate::models::FamilyId;
use crate::models::catalog;
use serde_json::{Value, json};

/// Runs `models`; returns the exit status.
pub async fn run(args: ModelsArgs, global: &super::GlobalArgs) -> i32 {
    if args.families {
        print_families(args.json);
        return 0;
    }
    let rows = if args.remote {
        let (config, _) = super::setup::load_config(global);
        let options = match super::setup::connect_options(global, &config, 0.0) {
            Ok(options) => options,
            Err(message) => {
                crate::cli::term::err_line(&format!("error: {message}"));
                return super::ask::EXIT_USAGE;
            }
        };
        let connection = match connect(&options).await {
            Ok(c) => c,
            Err(e) => return report(&e),
        };
        if connection.emulator.is_some() {
            eprintln!("bedrock-tui: listing from the built-in Bedrock emulator (--demo)");
        }
        let place = if connection.emulator.is_none() {
            Some(
                crate::listing::cache::place_of(&connection.client, &connection.credentials_source)
                    .await,
            )
        } else {
            None
        };
        match crate::listing::cache::rows(&connection.client, place.as_deref(), args.refresh).await
        {
            Ok((rows, kept)) => {
                if let Some(age) = kept {
                    eprintln!(
                        "bedrock-tui: the region's listing of {} (kept for a day; --refresh asks again)",
                        crate::listing::cache::age_in_words(age)
                    );
                }
                rows
            }
            Err(e) => return report(&e),
        }
    } else {
        catalog::models().iter().map(Row::from_catalog).collect()
    };
    let rows: Vec<Row> = rows
        .into_iter()
        .filter(|r| {
            args.provider.as_deref().is_none_or(|p| {
                let p = p.to_ascii_lowercase();
                r.id.starts_with(&format!("{p}.")) || r.provider.to_ascii_lowercase().contains(&p)
            })
        })
        .collect();
    if args.json {
        let list: Vec<Value> = rows.iter().map(Row::to_json).collect();
        out_json(&json!({ "models": list }).to_string());
    } else {
        print_table(&rows, args.remote);
    }
    if rows.is_empty() {
        eprintln!("bedrock-tui: no models match");
        return EXIT_FAILURE;
    }
    0
}

use super::term::{out_json, out_line as emit};

fn print_table(rows: &[Row], remote: bool) {
    let mut lines = vec![[
        "MODEL ID".to_string(),
        "FAMILY".to_string(),
        "STREAM".to_string(),
        "CONTEXT".to_string(),
        "MAX OUT".to_string(),
        "$/1M IN/OUT".to_string(),
        if remote {
            "PROFILES".to_string()
        } else {
            "ACCESS".to_string()
        },
    ]];
    for row in rows {
        let access = if remote {
            let geos: Vec<&str> = row
                .profiles
                .iter()
                .filter_map(|p| p.split_once('.').map(|(g, _)| g))
                .collect();
            let mut text = geos.join(" ");
            if let Some(lifecycle) = &row.lifecycle {
                if !text.is_empty() {
                    text.push(' ');
                }
                text.push_str(&lifecycle.words().to_uppercase());
            }
            if !row.in_catalog {
                text.push_str(if text.is_empty() {
                    "(not in catalog)"
                } else {
                    " (not in catalog)"
                });
            }
            text
        } else if row.profile_required {
            "profile".to_string()
        } else {
            "on-demand".to_string()
        };
        lines.push([
            row.id.clone(),
            // A text model of an unknown format is reached through Converse.
            match (row.family, row.route()) {
                (Some(family), _) => family.name().to_string(),
                (None, Some(route)) => format!("({route})"),
                (None, None) => "?".to_string(),
            },
            if row.streaming { "yes" } else { "no" }.to_string(),
            row.context.map(|c| c.to_string()).unwrap_or_default(),
            row.max_output.map(|c| c.to_string()).unwrap_or_default(),
            row.price
                .map(|(i, o)| {
                    format!(
                        "{}/{}",
                        crate::exchange::per_million(i),
                        crate::exchange::per_million(o)
                    )
                })
                .unwrap_or_default(),
            access,
        ]);
    }
    // Listing fields come from a server: sanitized before they are measured and shown.
    for line in &mut lines {
        for cell in line.iter_mut() {
            *cell = crate::text::sanitize_for_terminal(cell).into_owned();
        }
    }
    let widths: Vec<usize> = (0..7)
        .map(|c| {
            lines
                .iter()
                .map(|l| unicode_width::UnicodeWidthStr::width(l[c].as_str()))
                .max()
                .unwrap_or(0)
        })
        .collect();
    for line in lines {
        let cells: Vec<String> = line
            .iter()
            .zip(&widths)
            .map(|(cell, w)| {
                let pad = w.saturating_sub(unicode_width::UnicodeWidthStr::width(cell.as_str()));
                format!("{cell}{}", " ".repeat(pad))
            })
            .collect();
        emit(cells.join("  ").trim_end());
    }
}

fn print_families(as_json: bool) {
    let families: Vec<Value> = FamilyId::ALL
        .iter()
        .map(|f| {
            let models: Vec<&str> = catalog::models()
                .iter()
                .filter(|m| m.family == *f)
                .map(|m| m.id.as_str())
                .collect();
            json!({"family": f.name(), "streams": f.streams(), "models": models})
        })
        .collect();
    if as_json {
        out_json(&json!({ "families": families }).to_string());
        return;
    }
    for family in &families {
        let models = strings(&family["models"]);
        emit(&format!(
            "{:<16} {:<11} {}",
            family["family"].as_str().unwrap_or_default(),
            if family["streams"] == json!(true) {
                "streams"
            } else {
                "invoke only"
            },
            models.join(", ")
        ));
    }
}
