//! Image models (InvokeModel only): Titan Image Generator and Nova Canvas (`taskType`
//! `TEXT_IMAGE` → `images`), Stability SDXL (`text_prompts` → `artifacts[].base64`) and
//! Stable Image / SD3 (`prompt` → `images`). The prompt is the last user message; images come
//! back base64-encoded with `Accept: application/json` and are decoded here.

use super::turns::{last_user_text, parse, str_at, string_at};
use super::{Completion, Conversation, FamilyId, ModelError, ModelFamily, Parameters};
use base64::Engine;
use serde_json::{Value, json};

/// The Titan Image Generator / Nova Canvas adapter.
#[derive(Debug, Clone, Copy)]
pub struct TitanImage;

/// The Stability SDXL adapter.
#[derive(Debug, Clone, Copy)]
pub struct StabilitySdxl;

/// The Stability Stable Image / SD3 adapter.
#[derive(Debug, Clone, Copy)]
pub(crate) struct StabilityImage;

/// Side of the square images requested.
pub(crate) const IMAGE_SIZE: u32 = 1024;

fn decode_images<'a>(items: impl Iterator<Item = &'a str>) -> Result<Vec<Vec<u8>>, ModelError> {
    items
        .map(|b64| {
            base64::engine::general_purpose::STANDARD
                .decode(b64.trim())
                .map_err(|e| ModelError::Response(format!("an image is not valid base64: {e}")))
        })
        .collect()
}

fn images_member(value: &Value, family: &str) -> Result<Vec<Vec<u8>>, ModelError> {
    let list = value
        .get("images")
        .and_then(Value::as_array)
        .ok_or_else(|| ModelError::Response(format!("no `images` in the {family} response")))?;
    decode_images(list.iter().filter_map(Value::as_str))
}

fn no_images(family: &str, reason: Option<String>) -> ModelError {
    ModelError::Response(match reason {
        Some(reason) => format!("{family} returned no image: {reason}"),
        None => format!("{family} returned no image"),
    })
}

/// The images attached to the last prompt (the input of image-to-image tasks).
fn input_images(conversation: &Conversation) -> Vec<String> {
    conversation
        .turns
        .iter()
        .rev()
        .find(|t| t.role == super::Role::User)
        .map(|t| {
            t.attachments
                .iter()
                .filter(|a| a.kind() == crate::attachments::Kind::Image)
                .map(crate::attachments::Attachment::base64)
                .collect()
        })
        .unwrap_or_default()
}

impl ModelFamily for TitanImage {
    fn id(&self) -> FamilyId {
        FamilyId::TitanImage
    }

    fn build_body(
        &self,
        conversation: &Conversation,
        _params: &Parameters,
        _streaming: bool,
    ) -> Result<Value, ModelError> {
        let config = json!({"numberOfImages": 1, "quality": "standard",
            "cfgScale": 8.0, "height": IMAGE_SIZE, "width": IMAGE_SIZE});
        let images = input_images(conversation);
        if !images.is_empty() {
            // An attached image asks for variations of it.
            return Ok(json!({
                "taskType": "IMAGE_VARIATION",
                "imageVariationParams": {"text": last_user_text(conversation)?, "images": images},
                "imageGenerationConfig": config,
            }));
        }
        Ok(json!({
            "taskType": "TEXT_IMAGE",
            "textToImageParams": {"text": last_user_text(conversation)?},
            "imageGenerationConfig": config,
        }))
    }

    fn parse_response(&self, body: &[u8]) -> Result<Completion, ModelError> {
        let value = parse(body)?;
        // `error` is [unverified]; a non-empty one explains an empty `images`.
        let images = images_member(&value, "Titan Image")?;
        if images.is_empty() {
            return Err(no_images("Titan Image", string_at(&value, "/error")));
        }
        Ok(Completion {
            images,
            ..Completion::default()
        })
    }
}

impl ModelFamily for StabilitySdxl {
    fn id(&self) -> FamilyId {
        FamilyId::StabilitySdxl
    }

    fn build_body(
        &self,
        conversation: &Conversation,
        _params: &Parameters,
        _streaming: bool,
    ) -> Result<Value, ModelError> {
        let mut body = json!({
            "text_prompts": [{"text": last_user_text(conversation)?}],
            "cfg_scale": 7,
            "steps": 30,
            "height": IMAGE_SIZE,
            "width": IMAGE_SIZE,
        });
        // An attached image is the starting point (image to image).
        if let Some(image) = input_images(conversation).into_iter().next() {
            body["init_image"] = json!(image);
            body["init_image_mode"] = json!("IMAGE_STRENGTH");
            body["image_strength"] = json!(0.35);
        }
        Ok(body)
    }

    fn parse_response(&self, body: &[u8]) -> Result<Completion, ModelError> {
        let value = parse(body)?;
        let artifacts = value
            .get("artifacts")
            .and_then(Value::as_array)
            .ok_or_else(|| ModelError::Response("no `artifacts` in the SDXL response".into()))?;
        let images = decode_images(artifacts.iter().filter_map(|a| str_at(a, "/base64")))?;
        if images.is_empty() {
            let reason = artifacts
                .first()
                .and_then(|a| string_at(a, "/finishReason"));
            return Err(no_images("SDXL", reason));
        }
        Ok(Completion {
            images,
            stop_reason: artifacts
                .first()
                .and_then(|a| string_at(a, "/finishReason")),
            ..Completion::default()
        })
    }
}

impl ModelFamily for StabilityImage {
    fn id(&self) -> FamilyId {
        FamilyId::StabilityImage
    }

    fn build_body(
        &self,
        conversation: &Conversation,
        _params: &Parameters,
        _streaming: bool,
    ) -> Result<Value, ModelError> {
        let mut body = json!({
            "prompt": last_user_text(conversation)?,
            "output_format": "png",
        });
        if let Some(image) = input_images(conversation).into_iter().next() {
            body["mode"] = json!("image-to-image");
            body["image"] = json!(image);
            body["strength"] = json!(0.7);
        }
        Ok(body)
    }

    fn parse_response(&self, body: &[u8]) -> Result<Completion, ModelError> {
        let value = parse(body)?;
        let images = images_member(&value, "Stability")?;
        let reason = string_at(&value, "/finish_reasons/0");
        if images.is_empty() {
            return Err(no_images("Stability", reason));
        }
        Ok(Completion {
            images,
            stop_reason: reason,
            ..Completion::default()
        })
    }
}
