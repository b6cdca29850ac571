//! Every trainable tensor receives a non-zero gradient, for LoRA and full fine-tuning; frozen
//! projections still pass gradients to their inputs.

use candle_core::{Device, Tensor};
use lathe_train::model::{LORA_TARGETS, Llama, LoraSettings, Trainable};
use lathe_train::optimizer::AdamW;
use lathe_train::testing::{TinyModelOptions, random_tensors, tensor_map, tiny_config};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

fn loss(model: &Llama) -> Tensor {
    let ids: Vec<u32> = (0..24).map(|i| (i * 7 + 3) % 300).collect();
    let input = Tensor::from_vec(ids[..23].to_vec(), (1, 23), &Device::Cpu).unwrap();
    let targets = Tensor::from_vec(ids[1..].to_vec(), 23, &Device::Cpu).unwrap();
    let hidden = model.hidden_states(&input, Default::default()).unwrap();
    model.loss(&hidden, &targets).unwrap()
}

fn assert_all_receive_gradients(trainable: Trainable, options: TinyModelOptions) {
    let config = tiny_config(&options, 320, 0);
    let tensors = tensor_map(random_tensors(&config, 5).unwrap());
    let model = Llama::from_tensors(
        &config,
        tensors,
        &trainable,
        &mut ChaCha8Rng::seed_from_u64(1),
        &Device::Cpu,
    )
    .unwrap();
    let variables = model.trainable_variables();
    let mut optimizer = AdamW::new(variables.clone(), 0.0).unwrap();
    // LoRA's B starts at zero, which zeroes A's first gradient by construction: take one step first.
    for _ in 0..2 {
        let gradients = loss(&model).backward().unwrap();
        let mut missing = Vec::new();
        let mut all = Vec::new();
        for (name, var) in &variables {
            match gradients.get(var.as_tensor()) {
                Some(gradient) => {
                    let magnitude = gradient
                        .abs()
                        .unwrap()
                        .sum_all()
                        .unwrap()
                        .to_scalar::<f32>()
                        .unwrap();
                    all.push((name.clone(), magnitude));
                }
                None => missing.push(name.clone()),
            }
        }
        assert!(missing.is_empty(), "no gradient for {missing:?}");
        if optimizer.step == 1 {
            let zero: Vec<_> = all.iter().filter(|(_, m)| *m == 0.0).collect();
            assert!(zero.is_empty(), "zero gradient for {zero:?}");
        }
        let grads: Vec<Tensor> = variables
            .iter()
            .map(|(_, var)| gradients.get(var.as_tensor()).unwrap().clone())
            .collect();
        optimizer.update(&grads, 1e-2).unwrap();
    }
}

#[test]
fn full_fine_tuning_reaches_every_parameter() {
    for options in [
        TinyModelOptions::default(),
        TinyModelOptions {
            tie_word_embeddings: true,
            attention_bias: true,
            ..Default::default()
        },
    ] {
        assert_all_receive_gradients(Trainable::Everything, options);
    }
}

#[test]
fn lora_reaches_every_adapter_matrix() {
    let settings = LoraSettings {
        rank: 4,
        alpha: 8.0,
        dropout: 0.0,
        target_modules: LORA_TARGETS.iter().map(|t| t.to_string()).collect(),
    };
    assert_all_receive_gradients(Trainable::Lora(settings), TinyModelOptions::default());
}

#[test]
fn lora_trains_only_adapters() {
    let config = tiny_config(&TinyModelOptions::default(), 320, 0);
    let tensors = tensor_map(random_tensors(&config, 5).unwrap());
    let settings = LoraSettings {
        rank: 2,
        alpha: 4.0,
        dropout: 0.0,
        target_modules: vec!["q_proj".into(), "v_proj".into()],
    };
    let model = Llama::from_tensors(
        &config,
        tensors,
        &Trainable::Lora(settings),
        &mut ChaCha8Rng::seed_from_u64(1),
        &Device::Cpu,
    )
    .unwrap();
    let names: Vec<String> = model
        .trainable_variables()
        .into_iter()
        .map(|(name, _)| name)
        .collect();
    assert_eq!(names.len(), 2 * 2 * 2);
    assert!(names.iter().all(
        |name| name.contains(".lora_") && (name.contains("q_proj") || name.contains("v_proj"))
    ));
}

#[test]
fn frozen_projection_gradient_matches_plain_matmul() {
    // The same loss through a frozen and a trainable copy of one model gives the same input-side
    // gradients (the LoRA A matrices see them), so skipping weight gradients changes nothing else.
    let config = tiny_config(&TinyModelOptions::default(), 320, 0);
    let settings = LoraSettings {
        rank: 4,
        alpha: 8.0,
        dropout: 0.0,
        target_modules: vec!["down_proj".into()],
    };
    let build = |trainable: &Trainable| {
        let tensors = tensor_map(random_tensors(&config, 9).unwrap());
        Llama::from_tensors(
            &config,
            tensors,
            trainable,
            &mut ChaCha8Rng::seed_from_u64(2),
            &Device::Cpu,
        )
        .unwrap()
    };
    let lora = build(&Trainable::Lora(settings));
    let full = build(&Trainable::Everything);
    let lora_loss = loss(&lora).to_scalar::<f32>().unwrap();
    let full_loss = loss(&full).to_scalar::<f32>().unwrap();
    assert!(
        (lora_loss - full_loss).abs() < 1e-6,
        "{lora_loss} vs {full_loss}"
    );
    let lora_gradients = loss(&lora).backward().unwrap();
    let full_gradients = loss(&full).backward().unwrap();
    // d loss / d B = scale · (d loss / d out)ᵀ · (x Aᵀ); with B = 0 it depends on the upstream
    // gradient only, which flows through frozen projections of later layers.
    let variables = lora.trainable_variables();
    let (_, b) = variables
        .iter()
        .find(|(name, _)| name.ends_with("layers.0.mlp.down_proj.lora_B.weight"))
        .unwrap();
    let lora_b_gradient = lora_gradients.get(b.as_tensor()).unwrap();
    let full_variables = full.trainable_variables();
    let (_, down) = full_variables
        .iter()
        .find(|(name, _)| name == "model.layers.0.mlp.down_proj.weight")
        .unwrap();
    let full_down_gradient = full_gradients.get(down.as_tensor()).unwrap();
    let (_, a) = variables
        .iter()
        .find(|(name, _)| name.ends_with("layers.0.mlp.down_proj.lora_A.weight"))
        .unwrap();
    // dL/dB = scale · dL/dW · Aᵀ when B = 0.
    let expected = (full_down_gradient
        .matmul(&a.as_tensor().t().unwrap())
        .unwrap()
        * 2.0)
        .unwrap();
    let difference = (lora_b_gradient - expected)
        .unwrap()
        .abs()
        .unwrap()
        .max_all()
        .unwrap()
        .to_scalar::<f32>()
        .unwrap();
    assert!(difference < 1e-5, "gradient mismatch {difference}");
}
