"""Golden fixture for lathe-train's parity test (run outside CI).

Writes crates/train/tests/fixtures/parity/: a tiny llama-family model whose weights come from a
seeded numpy generator, saved in Hugging Face layout (config.json, model.safetensors), plus
reference.json: the input ids, the reference logits for them and an 8-token greedy continuation.

    python make_parity_fixture.py [--reference transformers|numpy] [OUT]

--reference transformers (the default, needs torch + transformers) loads the saved folder with
LlamaForCausalLM / Qwen2ForCausalLM and records its logits. --reference numpy records those of a
line-by-line numpy port of transformers' modeling_llama forward pass instead, for machines
without torch; reference.json says which produced it.
"""
import json
import os
import struct
import sys

import numpy as np

CASES = {
    # untied llama with llama3 rope scaling and GQA
    "llama": dict(model_type="llama", architectures=["LlamaForCausalLM"], vocab_size=96, hidden_size=64,
                  intermediate_size=112, num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
                  rms_norm_eps=1e-5, rope_theta=10000.0, max_position_embeddings=128, tie_word_embeddings=False,
                  attention_bias=False, mlp_bias=False, hidden_act="silu", torch_dtype="float32",
                  rope_scaling=dict(rope_type="llama3", factor=8.0, low_freq_factor=1.0, high_freq_factor=4.0,
                                    original_max_position_embeddings=16),
                  bos_token_id=1, eos_token_id=2),
    # tied qwen2 with q/k/v biases
    "qwen2": dict(model_type="qwen2", architectures=["Qwen2ForCausalLM"], vocab_size=96, hidden_size=64,
                  intermediate_size=112, num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=1,
                  rms_norm_eps=1e-6, rope_theta=1000000.0, max_position_embeddings=128, tie_word_embeddings=True,
                  hidden_act="silu", torch_dtype="float32", bos_token_id=1, eos_token_id=2),
}
INPUT_IDS = [[1, 17, 42, 5, 88, 23, 9, 61, 33, 70, 12, 4], [1, 3, 3, 50, 91, 27, 64, 8, 15, 2, 77, 46]]
CONTINUATION = 8


def weights(cfg, seed):
    rng = np.random.default_rng(seed)
    h, inter = cfg["hidden_size"], cfg["intermediate_size"]
    hd = h // cfg["num_attention_heads"]
    q, kv = cfg["num_attention_heads"] * hd, cfg["num_key_value_heads"] * hd
    w = {"model.embed_tokens.weight": rng.normal(0, 0.1, (cfg["vocab_size"], h))}
    for i in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{i}."
        for name, shape in [("self_attn.q_proj", (q, h)), ("self_attn.k_proj", (kv, h)), ("self_attn.v_proj", (kv, h)),
                            ("self_attn.o_proj", (h, q)), ("mlp.gate_proj", (inter, h)), ("mlp.up_proj", (inter, h)),
                            ("mlp.down_proj", (h, inter))]:
            w[p + name + ".weight"] = rng.normal(0, 0.1, shape)
        if cfg["model_type"] == "qwen2":
            for name, n in [("q_proj", q), ("k_proj", kv), ("v_proj", kv)]:
                w[p + f"self_attn.{name}.bias"] = rng.normal(0, 0.1, n)
        w[p + "input_layernorm.weight"] = 1 + rng.normal(0, 0.1, h)
        w[p + "post_attention_layernorm.weight"] = 1 + rng.normal(0, 0.1, h)
    w["model.norm.weight"] = 1 + rng.normal(0, 0.1, h)
    if not cfg["tie_word_embeddings"]:
        w["lm_head.weight"] = rng.normal(0, 0.1, (cfg["vocab_size"], h))
    return {k: v.astype(np.float32) for k, v in w.items()}


def save_safetensors(path, tensors):
    header, offset, blobs = {}, 0, []
    for name in sorted(tensors):
        data = np.ascontiguousarray(tensors[name]).tobytes()
        header[name] = {"dtype": "F32", "shape": list(tensors[name].shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * ((8 - len(text) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)) + text + b"".join(blobs))


def inverse_frequencies(cfg):
    hd = cfg["hidden_size"] // cfg["num_attention_heads"]
    inv = 1.0 / (cfg["rope_theta"] ** (np.arange(0, hd, 2, dtype=np.int64).astype(np.float32) / hd))
    s = cfg.get("rope_scaling")
    if not s:
        return inv
    if s["rope_type"] == "linear":
        return inv / s["factor"]
    low_wl = s["original_max_position_embeddings"] / s["low_freq_factor"]
    high_wl = s["original_max_position_embeddings"] / s["high_freq_factor"]
    wl = 2 * np.pi / inv
    out = np.where(wl > low_wl, inv / s["factor"], inv)
    smooth = (s["original_max_position_embeddings"] / wl - s["low_freq_factor"]) / (s["high_freq_factor"] - s["low_freq_factor"])
    smoothed = (1 - smooth) * out / s["factor"] + smooth * out
    medium = ~(wl < high_wl) * ~(wl > low_wl)
    return np.where(medium, smoothed, out).astype(np.float32)


def numpy_forward(cfg, w, ids):
    """transformers' modeling_llama forward, eager attention, float32."""
    ids = np.asarray(ids)
    b, t = ids.shape
    nh, nkv = cfg["num_attention_heads"], cfg["num_key_value_heads"]
    hd = cfg["hidden_size"] // nh
    eps = cfg["rms_norm_eps"]

    def rms(x, weight):
        var = np.mean(x.astype(np.float32) ** 2, axis=-1, keepdims=True)
        return weight * (x / np.sqrt(var + eps))

    def lin(x, name, bias=False):
        y = x @ w[name + ".weight"].T
        return y + w[name + ".bias"] if bias else y

    freqs = np.outer(np.arange(t, dtype=np.float32), inverse_frequencies(cfg)).astype(np.float32)
    emb = np.concatenate([freqs, freqs], axis=-1)
    cos, sin = np.cos(emb), np.sin(emb)

    def rotate_half(x):
        return np.concatenate([-x[..., hd // 2:], x[..., : hd // 2]], axis=-1)

    x = w["model.embed_tokens.weight"][ids]
    mask = np.triu(np.full((t, t), -np.inf, dtype=np.float32), 1)
    bias = cfg["model_type"] == "qwen2" or cfg.get("attention_bias", False)
    for i in range(cfg["num_hidden_layers"]):
        p = f"model.layers.{i}."
        hdn = rms(x, w[p + "input_layernorm.weight"])
        q = lin(hdn, p + "self_attn.q_proj", bias).reshape(b, t, nh, hd).transpose(0, 2, 1, 3)
        k = lin(hdn, p + "self_attn.k_proj", bias).reshape(b, t, nkv, hd).transpose(0, 2, 1, 3)
        v = lin(hdn, p + "self_attn.v_proj", bias).reshape(b, t, nkv, hd).transpose(0, 2, 1, 3)
        q = q * cos + rotate_half(q) * sin
        k = k * cos + rotate_half(k) * sin
        k = np.repeat(k, nh // nkv, axis=1)
        v = np.repeat(v, nh // nkv, axis=1)
        scores = q @ k.transpose(0, 1, 3, 2) / np.sqrt(hd) + mask
        scores = np.exp(scores - scores.max(-1, keepdims=True))
        probs = scores / scores.sum(-1, keepdims=True)
        attn = (probs @ v).transpose(0, 2, 1, 3).reshape(b, t, nh * hd)
        x = x + lin(attn, p + "self_attn.o_proj", cfg.get("attention_bias", False) and cfg["model_type"] != "qwen2")
        hdn = rms(x, w[p + "post_attention_layernorm.weight"])
        gate = lin(hdn, p + "mlp.gate_proj")
        x = x + lin(gate / (1 + np.exp(-gate)) * lin(hdn, p + "mlp.up_proj"), p + "mlp.down_proj")
    x = rms(x, w["model.norm.weight"])
    head = w["model.embed_tokens.weight"] if cfg["tie_word_embeddings"] else w["lm_head.weight"]
    return (x @ head.T).astype(np.float32)


def transformers_forward(folder):
    import torch
    from transformers import AutoModelForCausalLM
    model = AutoModelForCausalLM.from_pretrained(folder, torch_dtype=torch.float32, attn_implementation="eager").eval()

    def forward(ids):
        with torch.no_grad():
            return model(input_ids=torch.tensor(ids)).logits.numpy()
    return forward


def main():
    args = sys.argv[1:]
    reference = "transformers"
    if args[:1] == ["--reference"]:
        reference, args = args[1], args[2:]
    out = args[0] if args else os.path.join(os.path.dirname(__file__), "../../crates/train/tests/fixtures/parity")
    for seed, (name, cfg) in enumerate(CASES.items()):
        folder = os.path.join(out, name)
        os.makedirs(folder, exist_ok=True)
        w = weights(cfg, seed)
        with open(os.path.join(folder, "config.json"), "w") as f:
            json.dump(cfg, f, indent=2)
        save_safetensors(os.path.join(folder, "model.safetensors"), w)
        forward = transformers_forward(folder) if reference == "transformers" else (lambda ids: numpy_forward(cfg, w, ids))
        logits = forward(INPUT_IDS)
        ids = [list(row) for row in INPUT_IDS]
        for _ in range(CONTINUATION):
            next_ids = forward(ids)[:, -1, :].argmax(-1)
            for row, token in zip(ids, next_ids):
                row.append(int(token))
        with open(os.path.join(folder, "reference.json"), "w") as f:
            json.dump({"reference": reference, "input_ids": INPUT_IDS,
                       "logits": [[[round(float(v), 7) for v in pos] for pos in row] for row in logits],
                       "greedy_continuation": [row[len(INPUT_IDS[0]):] for row in ids]}, f)
        print(f"{folder}: {reference} logits {logits.shape}, continuation {[row[len(INPUT_IDS[0]):] for row in ids]}")


if __name__ == "__main__":
    main()
