//! Logits and greedy continuation match the committed golden fixtures (made by
//! scripts/train-fixtures/make_parity_fixture.py) within 1e-4.

use std::path::PathBuf;

use candle_core::{Device, Tensor};
use lathe_train::model::{Llama, Trainable};
use lathe_train::weights::{load_config, load_tensors};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::Deserialize;

#[derive(Deserialize)]
struct Reference {
    input_ids: Vec<Vec<u32>>,
    logits: Vec<Vec<Vec<f32>>>,
    greedy_continuation: Vec<Vec<u32>>,
}

fn fixture(name: &str) -> (Llama, Reference) {
    let folder = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/parity")
        .join(name);
    let config = load_config(&folder).unwrap();
    let tensors = load_tensors(&folder, &Device::Cpu).unwrap();
    let model = Llama::from_tensors(
        &config,
        tensors,
        &Trainable::Nothing,
        &mut ChaCha8Rng::seed_from_u64(0),
        &Device::Cpu,
    )
    .unwrap();
    let reference =
        serde_json::from_str(&std::fs::read_to_string(folder.join("reference.json")).unwrap())
            .unwrap();
    (model, reference)
}

fn check(name: &str) {
    let (model, reference) = fixture(name);
    let rows = reference.input_ids.len();
    let columns = reference.input_ids[0].len();
    let flat: Vec<u32> = reference.input_ids.concat();
    let logits = model
        .forward(&Tensor::from_vec(flat, (rows, columns), &Device::Cpu).unwrap())
        .unwrap();
    let ours = logits.to_vec3::<f32>().unwrap();
    let mut worst = 0.0f32;
    for (our_row, their_row) in ours.iter().zip(&reference.logits) {
        for (our_position, their_position) in our_row.iter().zip(their_row) {
            for (a, b) in our_position.iter().zip(their_position) {
                worst = worst.max((a - b).abs());
            }
        }
    }
    assert!(worst < 1e-4, "{name}: largest logit difference {worst}");

    let mut sequences = reference.input_ids.clone();
    for _ in 0..reference.greedy_continuation[0].len() {
        let width = sequences[0].len();
        let input = Tensor::from_vec(sequences.concat(), (rows, width), &Device::Cpu).unwrap();
        let last = model
            .forward(&input)
            .unwrap()
            .narrow(1, width - 1, 1)
            .unwrap()
            .squeeze(1)
            .unwrap();
        let next = last.argmax(1).unwrap().to_vec1::<u32>().unwrap();
        for (sequence, token) in sequences.iter_mut().zip(next) {
            sequence.push(token);
        }
    }
    let continuation: Vec<Vec<u32>> = sequences.iter().map(|s| s[columns..].to_vec()).collect();
    assert_eq!(
        continuation, reference.greedy_continuation,
        "{name}: greedy continuation differs"
    );
}

#[test]
fn llama_with_llama3_rope_scaling_matches_reference() {
    check("llama");
}

#[test]
fn tied_qwen2_with_biases_matches_reference() {
    check("qwen2");
}
