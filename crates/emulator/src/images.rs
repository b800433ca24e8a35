//! The emulator's image models: Titan Image Generator / Nova Canvas (`taskType: TEXT_IMAGE`
//! → `images`), Stability SDXL (`text_prompts` → `artifacts`) and Stable Image / SD3
//! (`prompt` → `images`). Pictures are real PNGs of the requested size, drawn from the prompt.

use super::corpus::{estimate_tokens, seed_of};
use super::family::{Answer, EmulatedFamily, Prompt, Request, malformed, to_bytes};
use super::png::picture;
use super::validate::{
    integer_in, kind, nested, number_in, object, optional_str, required, required_str, string_list,
};
use base64::Engine;
use bedrock_tui_models::attachments::{Kind, Media};
use bedrock_tui_models::catalog::ModelInfo;
use serde_json::{Value, json};

/// Emulated Titan Image Generator and Nova Canvas.
pub struct TitanImage;

/// Emulated Stability SDXL.
pub struct StabilitySdxl;

/// Emulated Stability Stable Image / SD3.
pub(crate) struct StabilityImage;

fn image_prompt(text: &str, options: Value) -> Prompt {
    Prompt {
        last_user_text: text.to_string(),
        input_tokens: estimate_tokens(text),
        max_tokens: 1,
        options,
        ..Prompt::default()
    }
}

/// The pictures a request asked for (its options hold `width`, `height`, `count`, `seed`),
/// base64-encoded PNGs; the n-th uses seed + n.
fn pictures(prompt: &Prompt) -> (u64, Vec<String>) {
    let o = &prompt.options;
    let number = |key: &str, default: u64| o.get(key).and_then(Value::as_u64).unwrap_or(default);
    let (width, height, seed) = (
        number("width", 1024),
        number("height", 1024),
        number("seed", 0),
    );
    let images = (0..number("count", 1))
        .map(|i| {
            base64::engine::general_purpose::STANDARD.encode(picture(
                width as u32,
                height as u32,
                seed + i,
            ))
        })
        .collect();
    (seed, images)
}

/// Checks the base64 image an image-to-image request starts from.
fn starting_image(model: &ModelInfo, at: &str, image: &str) -> Result<(), String> {
    let bytes = super::media::decode(image)
        .ok_or_else(|| format!("{at}: the image is not valid base64"))?;
    let mime = bedrock_tui_models::attachments::detect("", &bytes).map_or("unknown", Media::mime);
    super::media::Received::default().take(model, at, Kind::Image, mime, &bytes)
}

impl EmulatedFamily for TitanImage {
    fn parse_request(&self, request: &Request<'_>) -> Result<Prompt, String> {
        let object = object(
            request.body,
            &[
                "taskType",
                "textToImageParams",
                "imageVariationParams",
                "imageGenerationConfig",
            ],
        )?;
        let (member, keys): (&str, &[&str]) = match required_str(object, "#", "taskType")? {
            "TEXT_IMAGE" => (
                "textToImageParams",
                &[
                    "text",
                    "negativeText",
                    "style",
                    "conditionImage",
                    "controlMode",
                    "controlStrength",
                ],
            ),
            "IMAGE_VARIATION" => (
                "imageVariationParams",
                &["text", "negativeText", "images", "similarityStrength"],
            ),
            other @ ("INPAINTING"
            | "OUTPAINTING"
            | "COLOR_GUIDED_GENERATION"
            | "BACKGROUND_REMOVAL") => {
                return Err(format!(
                    "The emulator serves TEXT_IMAGE and IMAGE_VARIATION only, not {other}."
                ));
            }
            other => {
                return Err(malformed(&format!(
                    "#/taskType: {other} is not a valid enum value"
                )));
            }
        };
        required(object, "#", member)?;
        let at = format!("#/{member}");
        let params = nested(object, "#", member, keys)?
            .ok_or_else(|| malformed(&format!("{at}: expected type: JSONObject")))?;
        if member == "imageVariationParams" {
            let images = string_list(params, &at, "images", 5)?;
            if images.is_empty() {
                return Err(malformed(&format!("{at}/images: expected minItems: 1")));
            }
            let mut received = super::media::Received::default();
            for (i, image) in images.iter().enumerate() {
                let bytes = super::media::decode(image)
                    .ok_or_else(|| format!("{at}/images/{i}: the image is not valid base64"))?;
                let declared = bedrock_tui_models::attachments::detect("", &bytes)
                    .ok()
                    .filter(|m| matches!(m, Media::Png | Media::Jpeg))
                    .ok_or_else(|| {
                        format!("{at}/images/{i}: only PNG and JPEG images are supported")
                    })?;
                received.take(
                    request.model,
                    &format!("{at}/images/{i}"),
                    Kind::Image,
                    declared.mime(),
                    &bytes,
                )?;
            }
        }
        let text = required_str(params, &at, "text")?;
        if text.is_empty() || text.chars().count() > 1024 {
            return Err(malformed(
                "#/textToImageParams/text: expected length: 1 to 1024",
            ));
        }
        let (mut width, mut height, mut count, mut seed) = (1024, 1024, 1, seed_of(text));
        if let Some(config) = nested(
            object,
            "#",
            "imageGenerationConfig",
            &[
                "numberOfImages",
                "quality",
                "cfgScale",
                "height",
                "width",
                "seed",
            ],
        )? {
            let at = "#/imageGenerationConfig";
            count = integer_in(config, at, "numberOfImages", 1, 5)?.unwrap_or(1);
            number_in(config, at, "cfgScale", 1.1, 10.0)?;
            width = integer_in(config, at, "width", 320, 1408)?.unwrap_or(1024);
            height = integer_in(config, at, "height", 320, 1408)?.unwrap_or(1024);
            if let Some(s) = integer_in(config, at, "seed", 0, 2_147_483_646)? {
                seed = s;
            }
            if let Some(q) = optional_str(config, at, "quality")?
                && q != "standard"
                && q != "premium"
            {
                return Err(malformed(&format!(
                    "{at}/quality: {q} is not a valid enum value"
                )));
            }
        }
        if width % 16 != 0 || height % 16 != 0 {
            return Err(format!(
                "Image width and height must be divisible by 16; got {width}x{height}."
            ));
        }
        Ok(image_prompt(
            text,
            json!({"width": width, "height": height, "count": count, "seed": seed}),
        ))
    }

    fn response_body(
        &self,
        _model: &ModelInfo,
        prompt: &Prompt,
        _answer: &Answer,
        _id: &str,
    ) -> Vec<u8> {
        let (_, images) = pictures(prompt);
        to_bytes(&json!({"images": images, "error": null}))
    }
}

impl EmulatedFamily for StabilitySdxl {
    fn parse_request(&self, request: &Request<'_>) -> Result<Prompt, String> {
        let object = object(
            request.body,
            &[
                "text_prompts",
                "height",
                "width",
                "cfg_scale",
                "clip_guidance_preset",
                "sampler",
                "samples",
                "seed",
                "steps",
                "style_preset",
                "extras",
                "init_image",
                "init_image_mode",
                "image_strength",
            ],
        )?;
        let prompts = required(object, "#", "text_prompts")?
            .as_array()
            .filter(|p| !p.is_empty())
            .ok_or_else(|| malformed("#/text_prompts: expected a non-empty JSONArray"))?;
        let mut text = String::new();
        for (i, p) in prompts.iter().enumerate() {
            let t = p.get("text").and_then(Value::as_str).ok_or_else(|| {
                malformed(&format!(
                    "#/text_prompts/{i}: required key [text] not found, or not a String ({})",
                    kind(p)
                ))
            })?;
            text.push_str(t);
        }
        number_in(object, "#", "cfg_scale", 0.0, 35.0)?;
        integer_in(object, "#", "steps", 10, 50)?;
        let width = integer_in(object, "#", "width", 128, 1536)?.unwrap_or(1024);
        let height = integer_in(object, "#", "height", 128, 1536)?.unwrap_or(1024);
        if width % 64 != 0 || height % 64 != 0 {
            return Err(format!(
                "height and width must be multiples of 64; got {width}x{height}"
            ));
        }
        let seed = integer_in(object, "#", "seed", 0, 4_294_967_295)?
            .unwrap_or(seed_of(&text) % 4_294_967_295);
        if let Some(image) = optional_str(object, "#", "init_image")? {
            starting_image(request.model, "#/init_image", image)?;
        }
        Ok(image_prompt(
            &text,
            json!({"width": width, "height": height, "count": 1, "seed": seed}),
        ))
    }

    fn response_body(
        &self,
        _model: &ModelInfo,
        prompt: &Prompt,
        _answer: &Answer,
        _id: &str,
    ) -> Vec<u8> {
        let (seed, images) = pictures(prompt);
        to_bytes(&json!({"result": "success", "artifacts": [{"seed": seed,
            "base64": images.first(), "finishReason": "SUCCESS"}]}))
    }
}

impl EmulatedFamily for StabilityImage {
    fn parse_request(&self, request: &Request<'_>) -> Result<Prompt, String> {
        let object = object(
            request.body,
            &[
                "prompt",
                "negative_prompt",
                "aspect_ratio",
                "seed",
                "output_format",
                "mode",
                "image",
                "strength",
            ],
        )?;
        let text = required_str(object, "#", "prompt")?;
        if text.is_empty() || text.chars().count() > 10_000 {
            return Err(malformed("#/prompt: expected length: 1 to 10000"));
        }
        if let Some(format) = optional_str(object, "#", "output_format")?
            && !["png", "jpeg", "webp"].contains(&format)
        {
            return Err(malformed(&format!(
                "#/output_format: {format} is not a valid enum value"
            )));
        }
        let ratio = optional_str(object, "#", "aspect_ratio")?.unwrap_or("1:1");
        let (width, height) = match ratio {
            "1:1" => (1024, 1024),
            "16:9" => (1344, 768),
            "9:16" => (768, 1344),
            "3:2" => (1216, 832),
            "2:3" => (832, 1216),
            "4:5" => (896, 1088),
            "5:4" => (1088, 896),
            "21:9" => (1536, 640),
            "9:21" => (640, 1536),
            other => {
                return Err(malformed(&format!(
                    "#/aspect_ratio: {other} is not a valid enum value"
                )));
            }
        };
        let seed = integer_in(object, "#", "seed", 0, 4_294_967_294)?
            .unwrap_or(seed_of(text) % 4_294_967_294);
        match optional_str(object, "#", "mode")? {
            None | Some("text-to-image") => {}
            Some("image-to-image") => {
                let image = required_str(object, "#", "image")?;
                number_in(object, "#", "strength", 0.0, 1.0)?;
                starting_image(request.model, "#/image", image)?;
            }
            Some(other) => {
                return Err(malformed(&format!(
                    "#/mode: {other} is not a valid enum value"
                )));
            }
        }
        Ok(image_prompt(
            text,
            json!({"width": width, "height": height, "count": 1, "seed": seed}),
        ))
    }

    fn response_body(
        &self,
        _model: &ModelInfo,
        prompt: &Prompt,
        _answer: &Answer,
        _id: &str,
    ) -> Vec<u8> {
        let (seed, images) = pictures(prompt);
        to_bytes(&json!({"seeds": [seed], "finish_reasons": [null], "images": images}))
    }
}
