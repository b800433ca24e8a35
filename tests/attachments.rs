//! Files attached to prompts: golden bodies per family (images, PDFs, videos, text files), the
//! emulator's round trips and its checks, the refusals before sending (a model that takes no
//! such file, Converse-only documents, counts, pixels), a model switch that leaves earlier files
//! out, and `ask --attach` through the real binary, with a session that sends its files again.
//!
//! `BLESS=1 cargo test --test attachments` rewrites the golden files after a deliberate change.
#![allow(clippy::unwrap_used)] // In tests a panic is the failure report.

mod common;

use bedrock_tui::attachments::{self, Attachment, Media};
use bedrock_tui::bedrock::InvokeOptions;
use bedrock_tui::exchange::{self, Intent, Refusal};
use bedrock_tui::models::{Conversation, Role, Turn};
use common::*;
use serde_json::{Value, json};
use std::path::PathBuf;

/// A PNG header that claims `w`×`h` pixels (the limits read only the header).
fn png_header(w: u32, h: u32) -> Vec<u8> {
    let mut bytes = b"\x89PNG\r\n\x1a\n\0\0\0\x0dIHDR".to_vec();
    bytes.extend_from_slice(&w.to_be_bytes());
    bytes.extend_from_slice(&h.to_be_bytes());
    bytes.extend_from_slice(&[8, 2, 0, 0, 0, 0, 0, 0, 0]);
    bytes
}

fn image_file() -> Attachment {
    Attachment::from_bytes("red.png", png(4, 3)).unwrap()
}

fn pdf_file() -> Attachment {
    Attachment::from_bytes("report.pdf", attachments::sample_pdf(2)).unwrap()
}

fn notes_file() -> Attachment {
    Attachment::from_bytes("notes.md", b"# Notes\nlaunch on friday\n".to_vec()).unwrap()
}

fn video_file() -> Attachment {
    let mut mp4 = b"\0\0\0\x18ftypmp42\0\0\0\0mp42isom".to_vec();
    mp4.extend_from_slice(b"\0\0\0\x08free");
    Attachment::from_bytes("clip.mp4", mp4).unwrap()
}

/// One prompt with these files.
fn asking(files: Vec<Attachment>) -> Conversation {
    Conversation {
        system: None,
        tools: Vec::new(),
        turns: vec![Turn {
            role: Role::User,
            text: "What is in these files?".into(),
            attachments: files,
            ..Turn::new(Role::User, "")
        }],
    }
}

fn intent(model: &str, conversation: Conversation, stream: bool) -> Intent {
    common::conversation_intent(model, conversation, 200, stream)
}

fn refusal(model: &str, files: Vec<Attachment>) -> String {
    match exchange::prepare(&intent(model, asking(files), true)) {
        Err(Refusal::Invalid(why)) => why,
        other => panic!("{model}: expected a refusal, got {other:?}"),
    }
}

const CLAUDE: &str = "global.anthropic.claude-haiku-4-5-20251001-v1:0";
const NOVA: &str = "us.amazon.nova-lite-v1:0";
const NOVA_2: &str = "global.amazon.nova-2-lite-v1:0";
const LLAMA_32: &str = "us.meta.llama3-2-11b-instruct-v1:0";
const LLAMA_4: &str = "us.meta.llama4-scout-17b-instruct-v1:0";
const PIXTRAL: &str = "us.mistral.pixtral-large-2502-v1:0";
const COHERE_EMBED: &str = "cohere.embed-english-v3";

/// Each family's body with its kinds of file, as golden files.
#[test]
fn bodies_carry_files_in_each_familys_own_blocks() {
    let cases: Vec<(&str, &str, Vec<Attachment>)> = vec![
        (
            "anthropic",
            CLAUDE,
            vec![image_file(), pdf_file(), notes_file()],
        ),
        ("nova", NOVA, vec![image_file(), video_file(), notes_file()]),
        ("llama3", LLAMA_32, vec![image_file()]),
        ("llama4", LLAMA_4, vec![image_file(), image_file()]),
        ("mistral-chat", PIXTRAL, vec![image_file(), notes_file()]),
        ("cohere-embed", COHERE_EMBED, vec![image_file()]),
        (
            "titan-text",
            "amazon.titan-text-express-v1",
            vec![notes_file()],
        ),
        ("titan-image", "amazon.nova-canvas-v1:0", vec![image_file()]),
        (
            "stability-sdxl",
            "stability.stable-diffusion-xl-v1",
            vec![image_file()],
        ),
        (
            "stability-image",
            "us.stability.sd3-large-v1:0",
            vec![image_file()],
        ),
    ];
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden/attachments");
    let mut mismatches = Vec::new();
    for (name, model, files) in cases {
        let prepared = exchange::prepare(&intent(model, asking(files), false)).unwrap();
        let got: Value = serde_json::from_slice(&prepared.body).unwrap();
        if let Err(e) = golden(&dir.join(format!("{name}.json")), &got) {
            mismatches.push(e);
        }
    }
    assert!(mismatches.is_empty(), "{}", mismatches.join("\n"));
}

#[test]
fn the_shapes_are_each_familys_documented_ones() {
    let body = |model: &str, files: Vec<Attachment>| -> Value {
        let prepared = exchange::prepare(&intent(model, asking(files), false)).unwrap();
        serde_json::from_slice(&prepared.body).unwrap()
    };
    let claude = body(CLAUDE, vec![image_file(), pdf_file()]);
    let content = &claude["messages"][0]["content"];
    assert_eq!(content[0]["type"], "image");
    assert_eq!(content[0]["source"]["type"], "base64");
    assert_eq!(content[0]["source"]["media_type"], "image/png");
    assert_eq!(content[1]["type"], "document");
    assert_eq!(content[1]["source"]["media_type"], "application/pdf");
    assert_eq!(content[2]["type"], "text", "files go before the text");
    let nova = body(NOVA, vec![image_file(), video_file()]);
    let content = &nova["messages"][0]["content"];
    assert_eq!(content[0]["image"]["format"], "png");
    assert!(content[0]["image"]["source"]["bytes"].is_string());
    assert_eq!(content[1]["video"]["format"], "mp4");
    let llama = body(LLAMA_32, vec![image_file()]);
    assert_eq!(llama["images"].as_array().unwrap().len(), 1);
    assert!(
        llama["prompt"]
            .as_str()
            .unwrap()
            .contains("<|start_header_id|>user<|end_header_id|>\n\n<|image|>What is in")
    );
    let pixtral = body(PIXTRAL, vec![image_file()]);
    let parts = &pixtral["messages"][0]["content"];
    assert_eq!(parts[0]["type"], "text");
    assert!(
        parts[1]["image_url"]["url"]
            .as_str()
            .unwrap()
            .starts_with("data:image/png;base64,iVBOR")
    );
    let embed = body(COHERE_EMBED, vec![image_file()]);
    assert_eq!(embed["input_type"], "image");
    assert!(embed.get("texts").is_none(), "texts or images, not both");
    let text = body("amazon.titan-text-express-v1", vec![notes_file()]);
    assert!(
        text["inputText"]
            .as_str()
            .unwrap()
            .contains("<document name=\"notes.md\" type=\"text/markdown\">\n# Notes\nlaunch on friday\n</document>\n\nWhat is in"),
        "{text}"
    );
}

#[test]
fn files_a_model_cannot_take_are_refused_before_sending() {
    let titan = refusal("amazon.titan-text-express-v1", vec![image_file()]);
    assert!(
        titan.contains("red.png: Titan Text Express takes no images; models that do: Claude"),
        "{titan}"
    );
    assert!(
        titan.contains("Nova") && titan.contains("Pixtral"),
        "{titan}"
    );
    let nova_pdf = refusal(NOVA, vec![pdf_file()]);
    assert!(
        nova_pdf.contains("only through the Converse API"),
        "{nova_pdf}"
    );
    let docx =
        Attachment::from_bytes("plan.docx", b"PK\x03\x04....word/document.xml".to_vec()).unwrap();
    assert!(
        refusal(CLAUDE, vec![docx])
            .contains("only through the Converse API: send it with --api converse")
    );
    let two = refusal(LLAMA_32, vec![image_file(), image_file()]);
    assert!(two.contains("takes at most 1"), "{two}");
    let huge = Attachment::from_bytes("wide.png", png_header(9000, 10)).unwrap();
    let pixels = refusal(CLAUDE, vec![huge]);
    assert!(
        pixels.contains("9000×10 pixels") && pixels.contains("8000×8000"),
        "{pixels}"
    );
    let micro = refusal("us.amazon.nova-micro-v1:0", vec![image_file()]);
    assert!(micro.contains("Nova Micro takes no images"), "{micro}");
    let six: Vec<Attachment> = (0..6).map(|_| image_file()).collect();
    assert!(refusal(NOVA_2, six).contains("takes at most 5"));
    let videos = refusal(NOVA, vec![video_file(), video_file()]);
    assert!(videos.contains("2 videos"), "{videos}");
    let pages = Attachment::from_bytes("long.pdf", attachments::sample_pdf(101)).unwrap();
    assert!(refusal(CLAUDE, vec![pages]).contains("101 pages"));
    assert!(refusal("amazon.titan-embed-text-v2:0", vec![notes_file()]).contains("takes no"));
}

#[test]
fn a_model_switch_leaves_out_earlier_files_the_new_model_cannot_take() {
    let conversation = Conversation {
        system: None,
        tools: Vec::new(),
        turns: vec![
            Turn {
                role: Role::User,
                text: "Look at this".into(),
                attachments: vec![image_file(), notes_file()],
                ..Turn::new(Role::User, "")
            },
            Turn::new(Role::Assistant, "A red square."),
            Turn::new(Role::User, "Thanks; summarise."),
        ],
    };
    let prepared =
        exchange::prepare(&intent("amazon.titan-text-express-v1", conversation, false)).unwrap();
    assert!(
        prepared
            .notes
            .iter()
            .any(|n| n.text.contains("an earlier file stays out: red.png")),
        "{:?}",
        prepared.notes
    );
    let body: Value = serde_json::from_slice(&prepared.body).unwrap();
    let text = body["inputText"].as_str().unwrap();
    assert!(
        text.contains("<document name=\"notes.md\""),
        "text files come along: {text}"
    );
}

/// The answer the emulator gives, streamed or not.
async fn answer(
    client: &bedrock_tui::bedrock::Client,
    model: &str,
    files: Vec<Attachment>,
    stream: bool,
) -> Result<String, String> {
    let prepared =
        exchange::prepare(&intent(model, asking(files), stream)).map_err(|e| e.to_string())?;
    let outcome = exchange::call(client, &prepared, |_| {}).await;
    match outcome.error {
        Some(e) => Err(e.to_string()),
        None => Ok(outcome.text),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_emulator_names_what_it_received_for_each_family() {
    let emulator = emulator().await;
    let client = client(&emulator);
    let cases: Vec<(&str, Vec<Attachment>, &str)> = vec![
        (CLAUDE, vec![image_file(), pdf_file()], "Received PNG 4×3, "),
        (NOVA, vec![image_file(), video_file()], "Received PNG 4×3, "),
        (LLAMA_32, vec![image_file()], "Received PNG 4×3, "),
        (
            LLAMA_4,
            vec![image_file(), image_file()],
            "Received PNG 4×3, ",
        ),
        (
            PIXTRAL,
            vec![image_file(), notes_file()],
            "Received PNG 4×3, ",
        ),
    ];
    for (model, files, want) in cases {
        for stream in [false, true] {
            let text = answer(&client, model, files.clone(), stream).await.unwrap();
            assert!(text.starts_with(want), "{model} (stream {stream}): {text}");
        }
    }
    let claude = answer(&client, CLAUDE, vec![pdf_file(), notes_file()], true)
        .await
        .unwrap();
    assert!(
        claude.starts_with("Received PDF 2 pages, ")
            && claude.contains("; notes.md (text/markdown, "),
        "{claude}"
    );
    let nova = answer(&client, NOVA, vec![video_file()], false)
        .await
        .unwrap();
    assert!(nova.starts_with("Received MP4, "), "{nova}");
    let embed =
        exchange::prepare(&intent(COHERE_EMBED, asking(vec![image_file()]), false)).unwrap();
    let outcome = exchange::call(&client, &embed, |_| {}).await;
    assert!(outcome.error.is_none(), "{:?}", outcome.error);
    assert!(!outcome.embeddings.is_empty());
}

/// Raw bodies the client would never send: the emulator checks them as Bedrock does.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_emulator_refuses_bad_files_in_bedrocks_words() {
    let emulator = emulator().await;
    let client = client(&emulator);
    let send = |model: &'static str, body: Value| {
        let client = client.clone();
        async move {
            client
                .invoke(model, body.to_string().into(), &InvokeOptions::default())
                .await
                .map(|_| ())
                .map_err(|e| format!("{}: {e}", e.name()))
        }
    };
    let png64 = image_file().base64();
    let claude = |block: Value| {
        json!({"anthropic_version": "bedrock-2023-05-31", "max_tokens": 100,
            "messages": [{"role": "user", "content": [block, {"type": "text", "text": "hi"}]}]})
    };
    let mismatch = send(CLAUDE, claude(json!({"type": "image", "source": {"type": "base64", "media_type": "image/jpeg", "data": png64}}))).await.unwrap_err();
    assert!(mismatch.contains("ValidationException"), "{mismatch}");
    assert!(
        mismatch.contains("Image does not match the provided media type image/jpeg"),
        "{mismatch}"
    );
    let bad64 = send(CLAUDE, claude(json!({"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": "%%%"}}))).await.unwrap_err();
    assert!(bad64.contains("invalid base64 data"), "{bad64}");
    let svg = send(CLAUDE, claude(json!({"type": "image", "source": {"type": "base64", "media_type": "image/svg+xml", "data": png64}}))).await.unwrap_err();
    assert!(
        svg.contains("media_type: Input should be 'image/jpeg'"),
        "{svg}"
    );
    let haiku_35 = send("us.anthropic.claude-3-5-haiku-20241022-v1:0", claude(json!({"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": png64}}))).await.unwrap_err();
    assert!(
        haiku_35.contains("doesn't support the image content block"),
        "{haiku_35}"
    );
    let nova =
        |block: Value| json!({"messages": [{"role": "user", "content": [block, {"text": "hi"}]}]});
    let document = send(
        NOVA,
        nova(json!({"document": {"format": "pdf", "name": "d", "source": {"bytes": png64}}})),
    )
    .await
    .unwrap_err();
    assert!(document.contains("extraneous key [document]"), "{document}");
    let format = send(
        NOVA,
        nova(json!({"image": {"format": "bmp", "source": {"bytes": png64}}})),
    )
    .await
    .unwrap_err();
    assert!(format.contains("bmp is not a valid enum value"), "{format}");
    let wrong = send(
        NOVA,
        nova(json!({"image": {"format": "gif", "source": {"bytes": png64}}})),
    )
    .await
    .unwrap_err();
    assert!(
        wrong.contains("does not match the provided media type gif"),
        "{wrong}"
    );
    let llama = json!({"prompt": "<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nhi<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n", "images": [png64]});
    let untagged = send(LLAMA_32, llama).await.unwrap_err();
    assert!(
        untagged.contains("0 <|image|> tags for 1 images"),
        "{untagged}"
    );
    let url = json!({"messages": [{"role": "user", "content": [{"type": "text", "text": "hi"}, {"type": "image_url", "image_url": {"url": "https://example.com/a.png"}}]}]});
    let fetched = send(PIXTRAL, url).await.unwrap_err();
    assert!(fetched.contains("only base64 data URIs"), "{fetched}");
}

#[test]
fn ask_attaches_files_and_a_session_sends_them_again() {
    let home = tempfile::tempdir().unwrap();
    let image = home.path().join("red.png");
    std::fs::write(&image, png(4, 3)).unwrap();
    let out = cli::run(
        cli::demo(home.path())
            .args(["ask", "-m", NOVA, "--json", "--session", "new", "--attach"])
            .arg(&image)
            .arg("describe it"),
    );
    assert!(out.status.success(), "{}", cli::text(&out.stderr));
    let summary: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(
        summary["text"]
            .as_str()
            .unwrap()
            .starts_with("Received PNG 4×3, "),
        "{summary}"
    );
    assert_eq!(summary["attachments"][0]["name"], "red.png");
    assert_eq!(summary["attachments"][0]["type"], "image/png");
    let sha = summary["attachments"][0]["sha256"]
        .as_str()
        .unwrap()
        .to_string();
    let kept = home.path().join("data/attachments").join(&sha);
    assert_eq!(std::fs::read(&kept).unwrap(), png(4, 3));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&kept).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    assert!(cli::saved_text(home.path()).contains(&sha));
    // The next turn of the session sends the earlier image again.
    let again =
        cli::run(cli::demo(home.path()).args(["ask", "-m", NOVA, "--session", "last", "and now?"]));
    assert!(again.status.success(), "{}", cli::text(&again.stderr));
    assert!(
        cli::text(&again.stdout).starts_with("Received PNG 4×3, "),
        "{}",
        cli::text(&again.stdout)
    );
    // A kept file that changed is not sent, and the user is told.
    std::fs::write(&kept, b"changed").unwrap();
    let changed = cli::run(cli::demo(home.path()).args([
        "ask",
        "-m",
        NOVA,
        "--session",
        "last",
        "once more",
    ]));
    assert!(
        cli::text(&changed.stderr).contains("not sent: red.png"),
        "{}",
        cli::text(&changed.stderr)
    );
    assert!(!cli::text(&changed.stdout).starts_with("Received"));
}

#[test]
fn ask_reads_a_file_from_standard_input_and_refuses_with_the_limit() {
    let home = tempfile::tempdir().unwrap();
    let out = cli::run_with_stdin(
        cli::demo(home.path()).args(["ask", "-m", CLAUDE, "--attach", "-", "what is it?"]),
        &attachments::sample_pdf(3),
    );
    assert!(out.status.success(), "{}", cli::text(&out.stderr));
    assert!(
        cli::text(&out.stdout).starts_with("Received PDF 3 pages, "),
        "{}",
        cli::text(&out.stdout)
    );
    let refused = cli::run(
        cli::demo(home.path())
            .args(["ask", "-m", "amazon.titan-text-express-v1", "--attach"])
            .arg(home.path().join("missing.png"))
            .arg("hi"),
    );
    assert_eq!(refused.status.code(), Some(2));
    assert!(cli::text(&refused.stderr).contains("missing.png: no such file"));
    let image = home.path().join("red.png");
    std::fs::write(&image, png(2, 2)).unwrap();
    let titan = cli::run(
        cli::demo(home.path())
            .args(["ask", "-m", "amazon.titan-text-express-v1", "--attach"])
            .arg(&image)
            .arg("hi"),
    );
    assert_eq!(titan.status.code(), Some(2));
    assert!(cli::text(&titan.stderr).contains("takes no images; models that do:"));
    assert_eq!(Media::from_mime("image/png"), Some(Media::Png));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn image_models_start_from_an_attached_image() {
    let emulator = emulator().await;
    let client = client(&emulator);
    for model in [
        "amazon.nova-canvas-v1:0",
        "amazon.titan-image-generator-v2:0",
        "stability.stable-diffusion-xl-v1",
        "us.stability.sd3-large-v1:0",
    ] {
        let prepared =
            exchange::prepare(&intent(model, asking(vec![image_file()]), false)).unwrap();
        let body: Value = serde_json::from_slice(&prepared.body).unwrap();
        assert!(
            body["taskType"] == "IMAGE_VARIATION"
                || body.get("init_image").is_some()
                || body["mode"] == "image-to-image",
            "{model}: {body}"
        );
        let outcome = exchange::call(&client, &prepared, |_| {}).await;
        assert!(outcome.error.is_none(), "{model}: {:?}", outcome.error);
        assert_eq!(outcome.images.len(), 1, "{model}");
    }
    let gif = Attachment::from_bytes("anim.gif", b"GIF89a\x02\0\x02\0\0\0\0;".to_vec()).unwrap();
    let refused = refusal("amazon.nova-canvas-v1:0", vec![gif]);
    assert!(
        refused.contains("takes PNG, JPEG images, not GIF"),
        "{refused}"
    );
    let core = refusal("us.stability.stable-image-core-v1:1", vec![image_file()]);
    assert!(core.contains("takes no images"), "{core}");
}
