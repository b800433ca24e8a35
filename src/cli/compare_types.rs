//! `bedrock-tui compare-types`: the accept / content-type matrix from the command line.

use super::CompareTypesArgs;
use super::ask::{EXIT_FAILURE, EXIT_USAGE, report};
use crate::compare::{self, Combination, Outcome};
use crate::connect::connect;
use crate::models::{Conversation, Parameters, catalog, family_of};
use crate::text::sanitize_for_terminal;
use serde_json::json;
use std::io::{IsTerminal, Read};

/// Runs `compare-types` and returns the exit status: 0 when every combination was tried,
/// whatever each answered. The model and parameters come from the flags over config.toml, and
/// each combination's request is prepared by the exchange layer, as in the chat's matrix.
pub async fn run(args: CompareTypesArgs, global: &super::GlobalArgs) -> i32 {
    let (config, defaults) = super::setup::load_config(global);
    let options = match super::setup::connect_options(global, &config, 0.0) {
        Ok(options) => options,
        Err(message) => {
            crate::cli::term::err_line(&format!("error: {message}"));
            return EXIT_USAGE;
        }
    };
    let model = defaults.model(args.model.as_deref());
    let Some(family) = args.family.or_else(|| family_of(&model)) else {
        if super::model_names::looks_like_an_id(&model) {
            eprintln!("error: cannot tell the request format of {model:?}; pass --family");
        } else {
            crate::cli::term::err_line(&format!(
                "error: {}",
                super::model_names::not_an_id(&model)
            ));
        }
        return EXIT_USAGE;
    };
    let prompt = match read_prompt(args.prompt.as_deref()) {
        Ok(prompt) => prompt,
        Err(message) => {
            crate::cli::term::err_line(&format!("error: {message}"));
            return EXIT_USAGE;
        }
    };
    let streams = catalog::entry_for(&model, family).map_or(family.streams(), |m| m.streaming);
    let mut combinations = if args.tiers {
        compare::tier_combinations(streams)
    } else {
        compare::default_combinations(family, streams)
    };
    if !args.accept.is_empty() || !args.content_type.is_empty() {
        let accepts = if args.accept.is_empty() {
            vec!["application/json".to_string()]
        } else {
            args.accept.clone()
        };
        let content_types = if args.content_type.is_empty() {
            vec!["application/json".to_string()]
        } else {
            args.content_type.clone()
        };
        let modes: &[bool] = if streams { &[true, false] } else { &[false] };
        combinations.clear();
        for &stream in modes {
            for content_type in &content_types {
                for accept in &accepts {
                    combinations.push(Combination {
                        accept: accept.clone(),
                        content_type: content_type.clone(),
                        stream,
                        latency: None,
                        tier: None,
                    });
                }
            }
        }
    }
    let conversation = Conversation {
        system: defaults.system(None),
        ..Conversation::single(prompt)
    };
    let params = defaults.params(&Parameters::default());
    let prepare = |region: Option<&str>| {
        compare::prepare_rows(
            &model,
            Some(family),
            &conversation,
            &params,
            &combinations,
            region,
        )
    };
    // Checked before connecting; prepared again with the region once it is known.
    if let Err(e) = prepare(None) {
        crate::cli::term::err_line(&format!("error: {e}"));
        return EXIT_USAGE;
    }
    let connection = match connect(&options).await {
        Ok(c) => c,
        Err(e) => return report(&e),
    };
    if let Some(emulator) = &connection.emulator {
        eprintln!(
            "bedrock-tui: answering from the built-in Bedrock emulator at {}",
            emulator.endpoint()
        );
    }
    let rows = match prepare(Some(&connection.client.config().region)) {
        Ok(rows) => rows,
        Err(e) => {
            crate::cli::term::err_line(&format!("error: {e}"));
            return EXIT_USAGE;
        }
    };
    let mut outcomes = Vec::new();
    for (combination, prepared) in rows {
        let outcome = compare::run(&connection.client, combination, &prepared).await;
        if args.json {
            super::term::out_json(&outcome_json(&outcome).to_string());
        }
        outcomes.push(outcome);
    }
    if !args.json {
        print_table(&outcomes);
    }
    if outcomes.is_empty() {
        return EXIT_FAILURE;
    }
    0
}

fn read_prompt(prompt: Option<&str>) -> Result<String, String> {
    if let Some(prompt) = prompt {
        return Ok(prompt.to_string());
    }
    if std::io::stdin().is_terminal() {
        return Err("no prompt: pass it as an argument or pipe it on standard input".into());
    }
    let mut text = String::new();
    std::io::stdin()
        .read_to_string(&mut text)
        .map_err(|e| format!("cannot read the prompt: {e}"))?;
    Ok(text)
}

fn outcome_json(o: &Outcome) -> serde_json::Value {
    json!({
        "accept": o.combination.accept,
        "content_type": o.combination.content_type,
        "stream": o.combination.stream,
        "latency": o.combination.latency,
        "service_tier": o.combination.tier,
        "served": o.served,
        "status": o.status,
        "error": o.error,
        "response_content_type": o.content_type,
        "bytes": o.bytes,
        "first_byte_ms": o.first_byte.map(|d| d.as_millis()),
        "first_token_ms": o.figures.first_token.map(|d| d.as_millis()),
        "total_ms": o.total.as_millis(),
        "first_line": o.first_line,
        "input_tokens": o.figures.input_tokens(),
        "output_tokens": o.figures.output_tokens(),
        "stop_reason": o.figures.stop_reason,
    })
}

/// Column widths of the table (the answer's first line is cut at 60 characters).
const WIDTHS: [usize; 9] = [18, 18, 6, 30, 36, 6, 7, 7, 60];

/// The outcomes as a table, one row per combination.
pub(crate) fn table_rows(outcomes: &[Outcome]) -> Vec<String> {
    // The mode column is as wide as its widest label (`stream optimized priority`).
    let mut widths = WIDTHS;
    widths[2] = outcomes
        .iter()
        .map(|o| o.combination.mode_label().len())
        .max()
        .unwrap_or(0)
        .max(WIDTHS[2]);
    let mut rows = vec![compare::row_text(&compare::COLUMNS, &widths)];
    rows.extend(
        outcomes
            .iter()
            .map(|o| compare::row_text(&compare::cells(&o.combination, Some(o)), &widths)),
    );
    rows
}

fn print_table(outcomes: &[Outcome]) {
    let terminal = std::io::stdout().is_terminal();
    for row in table_rows(outcomes) {
        if terminal {
            crate::cli::term::out_line(&sanitize_for_terminal(&row));
        } else {
            crate::cli::term::out_line(&row);
        }
    }
}
