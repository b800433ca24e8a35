#!/usr/bin/env python3
"""Writes assets/models.json, the model catalog of bedrock-tui, one model per line.

Edit the table below and run `python3 scripts/catalog.py`; a unit test checks the result parses.
Columns: id, family, name, provider, streaming, input modalities, output modalities, context
window, max output tokens, inference profile required (in every region: a model some regions
serve on demand, as recordings show for Claude 3.5 Haiku and 3.5 Sonnet v2 and, through
Converse, Llama 3.2 1B, is not marked), params (t=temperature, p=top_p, k=top_k,
s=stop sequences, x=temperature xor top_p), max temperature, reasoning, price per 1k in/out.
"""
import json, pathlib

T, TI, E, I = ["TEXT"], ["TEXT", "IMAGE"], ["EMBEDDING"], ["IMAGE"]
ROWS = [
  # Anthropic Claude, Messages API
  ("anthropic.claude-sonnet-4-6", "anthropic", "Claude Sonnet 4.6", "Anthropic", True, TI, T, 200000, 64000, True, "tpksx", 1, True, (0.003, 0.015)),
  ("anthropic.claude-opus-4-6-v1", "anthropic", "Claude Opus 4.6", "Anthropic", True, TI, T, 200000, 128000, True, "tpksx", 1, True, (0.005, 0.025)),
  ("anthropic.claude-haiku-4-5-20251001-v1:0", "anthropic", "Claude Haiku 4.5", "Anthropic", True, TI, T, 200000, 64000, True, "tpksx", 1, True, (0.001, 0.005)),
  ("anthropic.claude-sonnet-4-5-20250929-v1:0", "anthropic", "Claude Sonnet 4.5", "Anthropic", True, TI, T, 200000, 64000, True, "tpksx", 1, True, (0.003, 0.015)),
  ("anthropic.claude-opus-4-5-20251101-v1:0", "anthropic", "Claude Opus 4.5", "Anthropic", True, TI, T, 200000, 64000, True, "tpksx", 1, True, (0.005, 0.025)),
  ("anthropic.claude-opus-4-1-20250805-v1:0", "anthropic", "Claude Opus 4.1", "Anthropic", True, TI, T, 200000, 32000, True, "tpks", 1, True, (0.015, 0.075)),
  ("anthropic.claude-opus-4-20250514-v1:0", "anthropic", "Claude Opus 4", "Anthropic", True, TI, T, 200000, 32000, True, "tpks", 1, True, (0.015, 0.075)),
  ("anthropic.claude-sonnet-4-20250514-v1:0", "anthropic", "Claude Sonnet 4", "Anthropic", True, TI, T, 200000, 64000, True, "tpks", 1, True, (0.003, 0.015)),
  ("anthropic.claude-3-7-sonnet-20250219-v1:0", "anthropic", "Claude 3.7 Sonnet", "Anthropic", True, TI, T, 200000, 64000, True, "tpks", 1, True, (0.003, 0.015)),
  ("anthropic.claude-3-5-sonnet-20241022-v2:0", "anthropic", "Claude 3.5 Sonnet v2", "Anthropic", True, TI, T, 200000, 8192, False, "tpks", 1, False, (0.003, 0.015)),
  ("anthropic.claude-3-5-haiku-20241022-v1:0", "anthropic", "Claude 3.5 Haiku", "Anthropic", True, T, T, 200000, 8192, False, "tpks", 1, False, (0.0008, 0.004)),
  ("anthropic.claude-3-5-sonnet-20240620-v1:0", "anthropic", "Claude 3.5 Sonnet", "Anthropic", True, TI, T, 200000, 8192, False, "tpks", 1, False, (0.003, 0.015)),
  ("anthropic.claude-3-haiku-20240307-v1:0", "anthropic", "Claude 3 Haiku", "Anthropic", True, TI, T, 200000, 4096, False, "tpks", 1, False, (0.00025, 0.00125)),
  ("anthropic.claude-3-sonnet-20240229-v1:0", "anthropic", "Claude 3 Sonnet", "Anthropic", True, TI, T, 200000, 4096, False, "tpks", 1, False, (0.003, 0.015)),
  ("anthropic.claude-3-opus-20240229-v1:0", "anthropic", "Claude 3 Opus", "Anthropic", True, TI, T, 200000, 4096, False, "tpks", 1, False, (0.015, 0.075)),
  ("anthropic.claude-v2:1", "anthropic", "Claude 2.1", "Anthropic", True, T, T, 200000, 4096, False, "tpks", 1, False, (0.008, 0.024), ["anthropic-text"]),
  ("anthropic.claude-v2", "anthropic", "Claude 2", "Anthropic", True, T, T, 100000, 4096, False, "tpks", 1, False, (0.008, 0.024), ["anthropic-text"]),
  # Anthropic Claude, legacy Text Completions
  ("anthropic.claude-instant-v1", "anthropic-text", "Claude Instant 1.2", "Anthropic", True, T, T, 100000, 4096, False, "tpks", 1, False, (0.0008, 0.0024), ["anthropic"]),
  # Amazon Nova
  ("amazon.nova-2-lite-v1:0", "nova", "Nova 2 Lite", "Amazon", True, TI, T, 1000000, 5000, True, "tpks", 1, True, None),
  ("amazon.nova-premier-v1:0", "nova", "Nova Premier", "Amazon", True, TI, T, 1000000, 5000, True, "tpks", 1, False, (0.0025, 0.0125)),
  ("amazon.nova-pro-v1:0", "nova", "Nova Pro", "Amazon", True, TI, T, 300000, 5000, False, "tpks", 1, False, (0.0008, 0.0032)),
  ("amazon.nova-lite-v1:0", "nova", "Nova Lite", "Amazon", True, TI, T, 300000, 5000, False, "tpks", 1, False, (0.00006, 0.00024)),
  ("amazon.nova-micro-v1:0", "nova", "Nova Micro", "Amazon", True, T, T, 128000, 5000, False, "tpks", 1, False, (0.000035, 0.00014)),
  # Amazon Titan Text
  ("amazon.titan-text-premier-v1:0", "titan-text", "Titan Text Premier", "Amazon", True, T, T, 32000, 3072, False, "tps", 1, False, (0.0005, 0.0015)),
  ("amazon.titan-text-express-v1", "titan-text", "Titan Text Express", "Amazon", True, T, T, 8192, 8192, False, "tps", 1, False, (0.0002, 0.0006)),
  ("amazon.titan-text-lite-v1", "titan-text", "Titan Text Lite", "Amazon", True, T, T, 4096, 4096, False, "tps", 1, False, (0.00015, 0.0002)),
  ("amazon.titan-tg1-large", "titan-text", "Titan Text Large (legacy)", "Amazon", True, T, T, 8192, 8192, False, "tps", 1, False, None),
  # Meta Llama
  ("meta.llama4-maverick-17b-instruct-v1:0", "llama4", "Llama 4 Maverick 17B Instruct", "Meta", False, TI, T, 1000000, 8192, True, "tp", 1, False, (0.00024, 0.00097)),
  ("meta.llama4-scout-17b-instruct-v1:0", "llama4", "Llama 4 Scout 17B Instruct", "Meta", False, TI, T, 3500000, 8192, True, "tp", 1, False, (0.00017, 0.00066)),
  ("meta.llama3-3-70b-instruct-v1:0", "llama3", "Llama 3.3 70B Instruct", "Meta", True, T, T, 128000, 8192, True, "tp", 1, False, (0.00072, 0.00072)),
  ("meta.llama3-2-90b-instruct-v1:0", "llama3", "Llama 3.2 90B Instruct", "Meta", True, TI, T, 128000, 8192, True, "tp", 1, False, (0.00072, 0.00072)),
  ("meta.llama3-2-11b-instruct-v1:0", "llama3", "Llama 3.2 11B Instruct", "Meta", True, TI, T, 128000, 8192, True, "tp", 1, False, (0.00016, 0.00016)),
  ("meta.llama3-2-3b-instruct-v1:0", "llama3", "Llama 3.2 3B Instruct", "Meta", True, T, T, 128000, 8192, True, "tp", 1, False, (0.00015, 0.00015)),
  ("meta.llama3-2-1b-instruct-v1:0", "llama3", "Llama 3.2 1B Instruct", "Meta", True, T, T, 128000, 8192, False, "tp", 1, False, (0.0001, 0.0001)),
  ("meta.llama3-1-405b-instruct-v1:0", "llama3", "Llama 3.1 405B Instruct", "Meta", True, T, T, 128000, 8192, False, "tp", 1, False, (0.0024, 0.0024)),
  ("meta.llama3-1-70b-instruct-v1:0", "llama3", "Llama 3.1 70B Instruct", "Meta", True, T, T, 128000, 8192, False, "tp", 1, False, (0.00072, 0.00072)),
  ("meta.llama3-1-8b-instruct-v1:0", "llama3", "Llama 3.1 8B Instruct", "Meta", True, T, T, 128000, 8192, False, "tp", 1, False, (0.00022, 0.00022)),
  ("meta.llama3-70b-instruct-v1:0", "llama3", "Llama 3 70B Instruct", "Meta", True, T, T, 8192, 2048, False, "tp", 1, False, (0.00265, 0.0035)),
  ("meta.llama3-8b-instruct-v1:0", "llama3", "Llama 3 8B Instruct", "Meta", True, T, T, 8192, 2048, False, "tp", 1, False, (0.0003, 0.0006)),
  ("meta.llama2-70b-chat-v1", "llama2", "Llama 2 Chat 70B", "Meta", True, T, T, 4096, 2048, False, "tp", 1, False, (0.00195, 0.00256)),
  ("meta.llama2-13b-chat-v1", "llama2", "Llama 2 Chat 13B", "Meta", True, T, T, 4096, 2048, False, "tp", 1, False, (0.00075, 0.001)),
  # Mistral AI
  ("mistral.pixtral-large-2502-v1:0", "mistral-chat", "Pixtral Large (25.02)", "Mistral AI", True, TI, T, 128000, 8192, True, "tp", 1, False, (0.002, 0.006)),
  ("mistral.mistral-large-2407-v1:0", "mistral-chat", "Mistral Large (24.07)", "Mistral AI", True, T, T, 128000, 8192, False, "tp", 1, False, (0.002, 0.006)),
  ("mistral.mistral-large-2402-v1:0", "mistral", "Mistral Large (24.02)", "Mistral AI", True, T, T, 32000, 8192, False, "tpks", 1, False, (0.004, 0.012)),
  ("mistral.mistral-small-2402-v1:0", "mistral", "Mistral Small (24.02)", "Mistral AI", True, T, T, 32000, 8192, False, "tpks", 1, False, (0.001, 0.003)),
  ("mistral.mixtral-8x7b-instruct-v0:1", "mistral", "Mixtral 8x7B Instruct", "Mistral AI", True, T, T, 32000, 4096, False, "tpks", 1, False, (0.00045, 0.0007)),
  ("mistral.mistral-7b-instruct-v0:2", "mistral", "Mistral 7B Instruct", "Mistral AI", True, T, T, 32000, 8192, False, "tpks", 1, False, (0.00015, 0.0002)),
  # Cohere
  ("cohere.command-r-plus-v1:0", "cohere-r", "Command R+", "Cohere", True, T, T, 128000, 4000, False, "tpks", 1, False, (0.003, 0.015)),
  ("cohere.command-r-v1:0", "cohere-r", "Command R", "Cohere", True, T, T, 128000, 4000, False, "tpks", 1, False, (0.0005, 0.0015)),
  ("cohere.command-text-v14", "cohere", "Command", "Cohere", True, T, T, 4000, 4000, False, "tpks", 5, False, (0.0015, 0.002)),
  ("cohere.command-light-text-v14", "cohere", "Command Light", "Cohere", True, T, T, 4000, 4000, False, "tpks", 5, False, (0.0003, 0.0006)),
  # AI21 Labs
  ("ai21.jamba-1-5-large-v1:0", "ai21-jamba", "Jamba 1.5 Large", "AI21 Labs", True, T, T, 256000, 4096, False, "tps", 2, False, (0.002, 0.008)),
  ("ai21.jamba-1-5-mini-v1:0", "ai21-jamba", "Jamba 1.5 Mini", "AI21 Labs", True, T, T, 256000, 4096, False, "tps", 2, False, (0.0002, 0.0004)),
  ("ai21.jamba-instruct-v1:0", "ai21-jamba", "Jamba-Instruct", "AI21 Labs", True, T, T, 256000, 4096, False, "tps", 2, False, (0.0005, 0.0007)),
  ("ai21.j2-ultra-v1", "ai21-j2", "Jurassic-2 Ultra", "AI21 Labs", False, T, T, 8191, 8191, False, "tps", 1, False, (0.0188, 0.0188)),
  ("ai21.j2-mid-v1", "ai21-j2", "Jurassic-2 Mid", "AI21 Labs", False, T, T, 8191, 8191, False, "tps", 1, False, (0.0125, 0.0125)),
  # DeepSeek
  ("deepseek.r1-v1:0", "deepseek", "DeepSeek-R1", "DeepSeek", True, T, T, 128000, 32768, True, "tps", 1, False, (0.00135, 0.0054)),
  # OpenAI
  ("openai.gpt-oss-120b-1:0", "openai", "gpt-oss-120b", "OpenAI", True, T, T, 128000, 32768, False, "tps", 2, False, (0.00015, 0.0006)),
  ("openai.gpt-oss-20b-1:0", "openai", "gpt-oss-20b", "OpenAI", True, T, T, 128000, 32768, False, "tps", 2, False, (0.00007, 0.0003)),
  # Embeddings
  ("amazon.titan-embed-text-v2:0", "titan-embed", "Titan Text Embeddings V2", "Amazon", False, T, E, 8192, 0, False, "", 1, False, (0.00002, 0.0)),
  ("amazon.titan-embed-text-v1", "titan-embed", "Titan Embeddings G1 - Text", "Amazon", False, T, E, 8192, 0, False, "", 1, False, (0.0001, 0.0)),
  ("cohere.embed-english-v3", "cohere-embed", "Embed English", "Cohere", False, TI, E, 512, 0, False, "", 1, False, (0.0001, 0.0)),
  ("cohere.embed-v4:0", "cohere-embed", "Embed v4", "Cohere", False, TI, E, 128000, 0, True, "", 1, False, (0.00012, 0.0)),
  ("cohere.embed-multilingual-v3", "cohere-embed", "Embed Multilingual", "Cohere", False, TI, E, 512, 0, False, "", 1, False, (0.0001, 0.0)),
  # Images
  ("amazon.nova-canvas-v1:0", "titan-image", "Nova Canvas", "Amazon", False, TI, I, 1024, 0, False, "", 1, False, None),
  ("amazon.titan-image-generator-v2:0", "titan-image", "Titan Image Generator G1 v2", "Amazon", False, TI, I, 512, 0, False, "", 1, False, None),
  ("amazon.titan-image-generator-v1", "titan-image", "Titan Image Generator G1", "Amazon", False, TI, I, 512, 0, False, "", 1, False, None),
  ("stability.stable-diffusion-xl-v1", "stability-sdxl", "SDXL 1.0", "Stability AI", False, TI, I, 77, 0, False, "", 1, False, None),
  ("stability.sd3-large-v1:0", "stability-image", "SD3 Large 1.0", "Stability AI", False, TI, I, 10000, 0, False, "", 1, False, None),
  ("stability.stable-image-core-v1:1", "stability-image", "Stable Image Core 1.0", "Stability AI", False, T, I, 10000, 0, False, "", 1, False, None),
  ("stability.stable-image-ultra-v1:1", "stability-image", "Stable Image Ultra 1.0", "Stability AI", False, TI, I, 10000, 0, False, "", 1, False, None),
]

def model(row):
    (mid, family, name, provider, streaming, inp, out, ctx, max_out, profile, params, max_t,
     reasoning, price) = row[:14]
    also = row[14] if len(row) > 14 else []
    m = {"id": mid, "family": family, "name": name, "provider": provider, "streaming": streaming,
         "input_modalities": inp, "output_modalities": out, "context_window": ctx,
         "max_output_tokens": max_out, "inference_profile_required": profile,
         "params": {"temperature": "t" in params, "top_p": "p" in params, "top_k": "k" in params,
                    "stop_sequences": "s" in params, "temperature_xor_top_p": "x" in params,
                    "max_temperature": max_t},
         "reasoning": reasoning}
    if also:
        m["also_accepts"] = also
    if price:
        m["price_per_1k"] = {"input": price[0], "output": price[1]}
    return m

lines = ",\n  ".join(json.dumps(model(r), separators=(", ", ": ")) for r in ROWS)
text = ('{\n "_comment": "Model catalog of bedrock-tui, written by scripts/catalog.py: ids, families, '
        'capabilities, on-demand prices in USD per 1k tokens (us-east-1, where known; prices change).",\n'
        ' "default_model": "global.anthropic.claude-haiku-4-5-20251001-v1:0",\n "models": [\n  '
        + lines + "\n ]\n}\n")
path = pathlib.Path(__file__).resolve().parent.parent / "assets" / "models.json"
path.write_text(text)
print(f"wrote {len(ROWS)} models to {path}")
