//! What config.toml says a request should have when the command line does not say: the model,
//! the system prompt and the inference parameters, applied by the same rule in the chat and in
//! `ask` (a value given on the command line wins, field by field).

use crate::config::Config;
use crate::models::{Parameters, catalog};

/// Request defaults from the config file.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Defaults {
    /// The model to use when none is named.
    pub model: Option<String>,
    /// The system prompt.
    pub system: Option<String>,
    /// Inference parameters.
    pub params: Parameters,
    /// No prompt-cache breakpoints (config `prompt_caching = false`; they are placed by
    /// default).
    pub prompt_cache_off: bool,
    /// Guardrail, latency and tier (`[request]`).
    pub options: crate::bedrock::InvokeOptions,
    /// The API requests go through (`api`; InvokeModel when unset).
    pub api: Option<crate::bedrock::Api>,
}

impl Defaults {
    /// The defaults a config file sets.
    pub(crate) fn from_config(config: &Config) -> Defaults {
        let p = &config.parameters;
        Defaults {
            model: config.model.clone(),
            system: p.system.clone(),
            params: Parameters {
                max_tokens: p.max_tokens,
                temperature: p.temperature,
                top_p: p.top_p,
                top_k: p.top_k,
                stop_sequences: p.stop_sequences.clone(),
                reasoning_budget: p.thinking,
            },
            prompt_cache_off: config.prompt_caching == Some(false),
            options: config.request.options(),
            // A config file is checked when it is read: a bad name never gets here.
            api: config
                .api
                .as_deref()
                .and_then(crate::bedrock::Api::from_name),
        }
    }

    /// These defaults with a role over them: its prompt, its model and the parameters it sets.
    #[must_use]
    pub fn with_role(&self, role: &crate::config::roles::RoleDef) -> Defaults {
        let mine = Defaults::from_config(&crate::config::Config {
            model: role.model.clone(),
            parameters: role.parameters.clone(),
            ..crate::config::Config::default()
        });
        let params = mine.params_over(&self.params);
        Defaults {
            model: mine.model.or_else(|| self.model.clone()),
            system: Some(role.prompt.clone()),
            params,
            prompt_cache_off: self.prompt_cache_off,
            options: self.options.clone(),
            api: role.api.or(self.api),
        }
    }

    /// These parameters, with `under`'s filling what they leave unset.
    fn params_over(&self, under: &Parameters) -> Parameters {
        Defaults {
            params: under.clone(),
            ..Defaults::default()
        }
        .params(&self.params)
    }

    /// The model: `named` (command line, session), else the config's, else the catalog's.
    pub fn model(&self, named: Option<&str>) -> String {
        named
            .map(str::to_string)
            .or_else(|| self.model.clone())
            .unwrap_or_else(|| catalog::default_model().to_string())
    }

    /// `given` parameters with the config's filling what they leave unset.
    pub fn params(&self, given: &Parameters) -> Parameters {
        let d = &self.params;
        Parameters {
            max_tokens: given.max_tokens.or(d.max_tokens),
            temperature: given.temperature.or(d.temperature),
            top_p: given.top_p.or(d.top_p),
            top_k: given.top_k.or(d.top_k),
            stop_sequences: if given.stop_sequences.is_empty() {
                d.stop_sequences.clone()
            } else {
                given.stop_sequences.clone()
            },
            reasoning_budget: given.reasoning_budget.or(d.reasoning_budget),
        }
    }

    /// The system prompt: `given`, else the config's.
    pub fn system(&self, given: Option<&str>) -> Option<String> {
        given.map(str::to_string).or_else(|| self.system.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_command_line_wins_field_by_field() {
        let config = Config::parse(
            "model = \"amazon.nova-micro-v1:0\"\n[parameters]\nsystem = \"terse\"\nmax_tokens = 77\ntemperature = 0.2\n",
        )
        .unwrap();
        let defaults = Defaults::from_config(&config);
        assert_eq!(defaults.model(None), "amazon.nova-micro-v1:0");
        assert_eq!(defaults.model(Some("x")), "x");
        let params = defaults.params(&Parameters {
            max_tokens: Some(5),
            ..Parameters::default()
        });
        assert_eq!(
            (params.max_tokens, params.temperature),
            (Some(5), Some(0.2))
        );
        assert_eq!(defaults.system(None).as_deref(), Some("terse"));
        assert_eq!(Defaults::default().model(None), catalog::default_model());
    }
}
