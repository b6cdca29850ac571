//! Every trainable tensor receives a non-zero gradient, for LoRA and full fine-tuning; frozen
//! projections still pass gradients to their inputs.

use candle_core::{Device, Tensor};
use lathe_train::model::{LORA_TARGETS, Llama, LoraSettings, Trainable, cross_entropy};
use lathe_train::optimizer::AdamW;
use lathe_train::testing::{TinyModelOptions, random_tensors, tensor_map, tiny_config};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;

fn loss(model: &Llama) -> Tensor {
    let ids: Vec<u32> = (0..24).map(|i| (i * 7 + 3) % 300).collect();
    let input = Tensor::from_vec(ids[..23].to_vec(), (1, 23), &Device::Cpu).unwrap();
    let targets = Tensor::from_vec(ids[1..].to_vec(), 23, &Device::Cpu).unwrap();
    let hidden = model.hidden_states(&input, Default::default()).unwrap();
    cross_entropy(&model.logits(&hidden).unwrap(), &targets).unwrap()
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

#[test]
fn fused_softmax_matches_composed_softmax_and_its_gradient() {
    use candle_core::{D, Var};
    let values: Vec<f32> = (0..2 * 3 * 5)
        .map(|i| ((i * 37 % 11) as f32 - 5.0) * 0.3)
        .collect();
    let input = Var::from_vec(values, (2, 3, 5), &Device::Cpu).unwrap();
    let weights = Tensor::from_vec(
        (0..30).map(|i| (i % 7) as f32 - 3.0).collect::<Vec<f32>>(),
        (2, 3, 5),
        &Device::Cpu,
    )
    .unwrap();
    let fused = lathe_train::model::softmax_last(input.as_tensor()).unwrap();
    let max = input.as_tensor().max_keepdim(D::Minus1).unwrap();
    let exponentials = input
        .as_tensor()
        .broadcast_sub(&max)
        .unwrap()
        .exp()
        .unwrap();
    let composed = exponentials
        .broadcast_div(&exponentials.sum_keepdim(D::Minus1).unwrap())
        .unwrap();
    let largest = |a: &Tensor, b: &Tensor| {
        (a - b)
            .unwrap()
            .abs()
            .unwrap()
            .max_all()
            .unwrap()
            .to_scalar::<f32>()
            .unwrap()
    };
    assert!(largest(&fused, &composed) < 1e-6);
    let fused_gradient = (fused * &weights)
        .unwrap()
        .sum_all()
        .unwrap()
        .backward()
        .unwrap();
    let composed_gradient = (composed * &weights)
        .unwrap()
        .sum_all()
        .unwrap()
        .backward()
        .unwrap();
    let a = fused_gradient.get(input.as_tensor()).unwrap();
    let b = composed_gradient.get(input.as_tensor()).unwrap();
    assert!(
        largest(a, b) < 1e-5,
        "softmax gradients differ by {}",
        largest(a, b)
    );
}

#[test]
fn rotary_backward_is_the_transposed_map() {
    use candle_core::{D, Var};
    let (tokens, head_dim) = (4, 6);
    let values: Vec<f32> = (0..2 * tokens * head_dim)
        .map(|i| ((i * 13 % 17) as f32 - 8.0) * 0.1)
        .collect();
    let input = Var::from_vec(values, (1, 2, tokens, head_dim), &Device::Cpu).unwrap();
    let angles: Vec<f32> = (0..tokens * head_dim).map(|i| i as f32 * 0.37).collect();
    let angles = Tensor::from_vec(angles, (1, 1, tokens, head_dim), &Device::Cpu).unwrap();
    let (cos, sin) = (angles.cos().unwrap(), angles.sin().unwrap());
    let weights = Tensor::from_vec(
        (0..2 * tokens * head_dim)
            .map(|i| (i % 5) as f32 - 2.0)
            .collect::<Vec<f32>>(),
        (1, 2, tokens, head_dim),
        &Device::Cpu,
    )
    .unwrap();
    let ours = lathe_train::model::apply_rotary(input.as_tensor(), &cos, &sin).unwrap();
    let x = input.as_tensor();
    let half = head_dim / 2;
    let rotated = Tensor::cat(
        &[
            &x.narrow(D::Minus1, half, half).unwrap().neg().unwrap(),
            &x.narrow(D::Minus1, 0, half).unwrap(),
        ],
        D::Minus1,
    )
    .unwrap();
    let composed = (x.broadcast_mul(&cos).unwrap() + rotated.broadcast_mul(&sin).unwrap()).unwrap();
    let largest = |a: &Tensor, b: &Tensor| {
        (a - b)
            .unwrap()
            .abs()
            .unwrap()
            .max_all()
            .unwrap()
            .to_scalar::<f32>()
            .unwrap()
    };
    assert!(largest(&ours, &composed) < 1e-6);
    let our_gradient = (ours * &weights)
        .unwrap()
        .sum_all()
        .unwrap()
        .backward()
        .unwrap();
    let composed_gradient = (composed * &weights)
        .unwrap()
        .sum_all()
        .unwrap()
        .backward()
        .unwrap();
    let (a, b) = (
        our_gradient.get(x).unwrap(),
        composed_gradient.get(x).unwrap(),
    );
    assert!(
        largest(a, b) < 1e-5,
        "rotary gradients differ by {}",
        largest(a, b)
    );
}

#[test]
fn fused_cross_entropy_matches_composed_value_and_gradient() {
    use candle_core::{D, Var};
    let values: Vec<f32> = (0..4 * 7)
        .map(|i| ((i * 29 % 13) as f32 - 6.0) * 0.4)
        .collect();
    let logits = Var::from_vec(values, (4, 7), &Device::Cpu).unwrap();
    let targets = Tensor::from_vec(vec![3u32, 0, 6, 2], 4, &Device::Cpu).unwrap();
    let ours = cross_entropy(logits.as_tensor(), &targets).unwrap();
    let x = logits.as_tensor();
    let log_total = x
        .exp()
        .unwrap()
        .sum_keepdim(D::Minus1)
        .unwrap()
        .log()
        .unwrap();
    let picked = x.gather(&targets.unsqueeze(1).unwrap(), 1).unwrap();
    let composed = ((log_total - picked).unwrap().sum_all().unwrap() / 4.0).unwrap();
    let (a, b) = (
        ours.to_scalar::<f32>().unwrap(),
        composed.to_scalar::<f32>().unwrap(),
    );
    assert!((a - b).abs() < 1e-5, "{a} vs {b}");
    let our_gradient = ours.backward().unwrap();
    let composed_gradient = composed.backward().unwrap();
    let difference = (our_gradient.get(x).unwrap() - composed_gradient.get(x).unwrap())
        .unwrap()
        .abs()
        .unwrap()
        .max_all()
        .unwrap()
        .to_scalar::<f32>()
        .unwrap();
    assert!(
        difference < 1e-6,
        "cross-entropy gradients differ by {difference}"
    );
}

#[test]
fn fused_swiglu_matches_composed_value_and_gradients() {
    use candle_core::Var;
    let n = 3 * 5000;
    let gate = Var::from_vec(
        (0..n)
            .map(|i| ((i * 31 % 23) as f32 - 11.0) * 0.3)
            .collect::<Vec<f32>>(),
        (3, 5000),
        &Device::Cpu,
    )
    .unwrap();
    let up = Var::from_vec(
        (0..n)
            .map(|i| ((i * 17 % 19) as f32 - 9.0) * 0.2)
            .collect::<Vec<f32>>(),
        (3, 5000),
        &Device::Cpu,
    )
    .unwrap();
    let weights = Tensor::from_vec(
        (0..n).map(|i| (i % 7) as f32 - 3.0).collect::<Vec<f32>>(),
        (3, 5000),
        &Device::Cpu,
    )
    .unwrap();
    let ours = lathe_train::model::swiglu(gate.as_tensor(), up.as_tensor()).unwrap();
    let composed = (gate.as_tensor().silu().unwrap() * up.as_tensor()).unwrap();
    let largest = |a: &Tensor, b: &Tensor| {
        (a - b)
            .unwrap()
            .abs()
            .unwrap()
            .max_all()
            .unwrap()
            .to_scalar::<f32>()
            .unwrap()
    };
    assert!(largest(&ours, &composed) < 1e-5);
    let our_gradients = (ours * &weights)
        .unwrap()
        .sum_all()
        .unwrap()
        .backward()
        .unwrap();
    let composed_gradients = (composed * &weights)
        .unwrap()
        .sum_all()
        .unwrap()
        .backward()
        .unwrap();
    for var in [&gate, &up] {
        let difference = largest(
            our_gradients.get(var.as_tensor()).unwrap(),
            composed_gradients.get(var.as_tensor()).unwrap(),
        );
        assert!(difference < 1e-4, "swiglu gradients differ by {difference}");
    }
}
