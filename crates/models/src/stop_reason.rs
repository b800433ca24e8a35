//! Stop reasons in words: each family names why a model stopped in its own way (`end_turn`,
//! `FINISH`, `COMPLETE`, `length`, …); the screen and exports say it in words, the inspector
//! and `--json` keep the raw value.

/// Why the model stopped, in words; an unknown value is given back as it is.
pub fn in_words(raw: &str) -> std::borrow::Cow<'_, str> {
    let words = match raw.to_ascii_lowercase().as_str() {
        "end_turn" | "stop" | "finish" | "finished" | "complete" | "end" | "eos" | "endoftext" => {
            "finished"
        }
        "max_tokens" | "length" | "max_tokens_reached" | "max_length" => "hit the token limit",
        "stop_sequence" | "stop_criteria_met" => "reached a stop sequence",
        "tool_use" | "tool_calls" | "tool_call" => "asks for a tool",
        "content_filtered" | "content_filter" | "guardrail_intervened" | "error_toxic" => {
            "stopped by a content filter"
        }
        "refusal" => "refused",
        "model_context_window_exceeded" => "the context window is full",
        "pause_turn" => "paused",
        "malformed_model_output" | "malformed_tool_use" => "the model's output was malformed",
        "rag_query_when_rag_disabled" => "asked for retrieval, which is off",
        "error" => "ended with an error",
        _ => return std::borrow::Cow::Borrowed(raw),
    };
    std::borrow::Cow::Borrowed(words)
}

#[cfg(test)]
mod tests {
    use super::in_words;

    #[test]
    fn each_familys_spelling_reads_the_same() {
        for raw in ["end_turn", "FINISH", "FINISHED", "COMPLETE", "stop"] {
            assert_eq!(in_words(raw), "finished", "{raw}");
        }
        for raw in ["max_tokens", "LENGTH", "length", "MAX_TOKENS"] {
            assert_eq!(in_words(raw), "hit the token limit", "{raw}");
        }
        assert_eq!(in_words("tool_use"), "asks for a tool");
        assert_eq!(in_words("CONTENT_FILTERED"), "stopped by a content filter");
        assert_eq!(in_words("something_new"), "something_new");
    }
}
