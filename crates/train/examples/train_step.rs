//! lathe's side of the training benchmark: the anchor's shapes, random weights and ids, N timed
//! steps of forward, backward and AdamW. Usage: train_step SHAPE BATCH SEQ STEPS [lora]
//! [--device cpu|cuda|auto]. Each step ends with the device synchronised, so a GPU's queued work
//! is inside the time measured.

use candle_core::{Tensor, Var};
use lathe_train::config::ModelConfig;
use lathe_train::data::{Row, make_batch};
use lathe_train::model::{LORA_TARGETS, Llama, LoraSettings, Trainable};
use lathe_train::optimizer::AdamW;
use lathe_train::testing::{random_tensors, tensor_map};
use lathe_train::trainer::batch_gradients;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

/// The shapes of ../shared/anchors/model_shapes.py.
fn shape(name: &str) -> Option<ModelConfig> {
    let (vocab, hidden, intermediate, layers, heads, kv_heads, positions, theta) = match name {
        "smollm2-135m" => (49152, 576, 1536, 30, 9, 3, 2048, 10_000.0),
        "llama-4m" => (4096, 256, 688, 4, 8, 4, 1024, 10_000.0),
        _ => return None,
    };
    let text = serde_json::json!({
        "vocab_size": vocab, "hidden_size": hidden, "intermediate_size": intermediate,
        "num_hidden_layers": layers, "num_attention_heads": heads, "num_key_value_heads": kv_heads,
        "max_position_embeddings": positions, "tie_word_embeddings": true, "rope_theta": theta,
        "rms_norm_eps": 1e-6, "eos_token_id": 0
    });
    serde_json::from_value(text).ok()
}

fn peak_resident_mebibytes() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|status| {
            status
                .lines()
                .find(|line| line.starts_with("VmHWM:"))
                .and_then(|line| {
                    line.split_whitespace()
                        .nth(1)
                        .and_then(|kb| kb.parse::<f64>().ok())
                })
        })
        .map(|kb| kb / 1024.0)
        .unwrap_or(f64::NAN)
}

/// Errors print as their message, not their debug form: they tell the user what to change.
fn main() -> std::process::ExitCode {
    if let Err(error) = lathe_train::memory::restart_with_reused_buffers() {
        eprintln!("error: restarting with glibc's tunables set: {error}");
        return std::process::ExitCode::FAILURE;
    }
    match run() {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            std::process::ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let mut args: Vec<String> = std::env::args().skip(1).collect();
    let device =
        lathe_train::device::select(lathe_train::device::take_device_argument(&mut args)?)?;
    let usage =
        "usage: train_step {smollm2-135m|llama-4m} BATCH SEQ STEPS [lora] [--device cpu|cuda|auto]";
    if args.len() < 4 {
        return Err(usage.into());
    }
    let config = shape(&args[0]).ok_or(usage)?;
    let batch: usize = args[1].parse()?;
    let sequence: usize = args[2].parse()?;
    let steps: usize = args[3].parse()?;
    let lora = args.get(4).is_some_and(|arg| arg == "lora");
    let trainable = if lora {
        Trainable::Lora(LoraSettings {
            rank: 8,
            alpha: 16.0,
            dropout: 0.0,
            target_modules: LORA_TARGETS.iter().map(|t| t.to_string()).collect(),
        })
    } else {
        Trainable::Everything
    };
    let tensors = tensor_map(random_tensors(&config, 0)?);
    let mut rng = ChaCha8Rng::seed_from_u64(0);
    let model = Llama::from_tensors(&config, tensors, &trainable, &mut rng, &device)
        .map_err(|error| format!("building the model: {error:?}"))?;
    let named = model.trainable_variables();
    let variables: Vec<Var> = named.iter().map(|(_, var)| var.clone()).collect();
    let mut optimizer = AdamW::new(named, 0.0)?;
    let rows: Vec<Row> = (0..batch)
        .map(|_| {
            let tokens: Vec<u32> = (0..sequence)
                .map(|_| rng.random_range(0..config.vocab_size as u32))
                .collect();
            Row {
                targets: vec![true; tokens.len()],
                tokens,
                segments: None,
            }
        })
        .collect();
    let refs: Vec<&Row> = rows.iter().collect();
    let inputs = make_batch(&refs, 0, &device)?;
    let mut step = |optimizer: &mut AdamW| -> Result<(), Box<dyn std::error::Error>> {
        let (_, gradients) = batch_gradients(&model, &variables, &inputs, &mut rng)?;
        optimizer.update(&gradients, 1e-5)?;
        device.synchronize()?;
        Ok(())
    };
    step(&mut optimizer)?;
    let started = std::time::Instant::now();
    for _ in 0..steps {
        step(&mut optimizer)?;
    }
    let train_seconds = started.elapsed().as_secs_f64();
    let started = std::time::Instant::now();
    for _ in 0..steps {
        let logits = model.forward(&inputs.input_ids)?;
        let _: Tensor = logits.sum_all()?;
        device.synchronize()?;
    }
    let forward_seconds = started.elapsed().as_secs_f64();
    let tokens = (batch * sequence * steps) as f64;
    println!(
        "model={} method={} device={} params={:.1}M batch={batch} seq={sequence} train_tokens_per_s={:.0} forward_tokens_per_s={:.0} peak_rss_mib={:.0}",
        args[0],
        if lora { "lora" } else { "full" },
        lathe_train::device::describe(&device),
        config.parameter_count() as f64 / 1e6,
        tokens / train_seconds,
        tokens / forward_seconds,
        peak_resident_mebibytes()
    );
    Ok(())
}
