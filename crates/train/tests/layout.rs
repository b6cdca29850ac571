//! Small pure pieces: GGUF's rotary row order undone, learning-rate schedules, metric files.

use candle_core::{Device, Tensor};
use lathe_train::hyperparameters::Scheduler;
use lathe_train::metrics::{TrainingRow, ValidationRow, training_csv, validation_csv};
use lathe_train::model::interleaved_to_half_split;
use lathe_train::schedule::Schedule;

#[test]
fn gguf_rotary_permutation_is_undone() {
    let (heads, head_dim, columns) = (3, 8, 5);
    let rows = heads * head_dim;
    let original = Tensor::arange(0f32, (rows * columns) as f32, &Device::Cpu)
        .unwrap()
        .reshape((rows, columns))
        .unwrap();
    // llama.cpp's converter: reshape(heads, 2, head_dim/2, columns), swap axes 1 and 2.
    let permuted = original
        .reshape((heads, 2, head_dim / 2, columns))
        .unwrap()
        .transpose(1, 2)
        .unwrap()
        .contiguous()
        .unwrap()
        .reshape((rows, columns))
        .unwrap();
    assert_ne!(
        permuted.to_vec2::<f32>().unwrap(),
        original.to_vec2::<f32>().unwrap()
    );
    let restored = interleaved_to_half_split(&permuted, heads).unwrap();
    assert_eq!(
        restored.to_vec2::<f32>().unwrap(),
        original.to_vec2::<f32>().unwrap()
    );
}

#[test]
fn schedules_warm_up_then_decay() {
    let schedule = |scheduler| Schedule {
        scheduler,
        peak: 1.0,
        warmup_steps: 2,
        total_steps: 6,
    };
    let cases: &[(Scheduler, [f64; 6])] = &[
        (Scheduler::Linear, [0.5, 1.0, 1.0, 0.75, 0.5, 0.25]),
        (
            Scheduler::Cosine,
            [0.5, 1.0, 1.0, 0.853_553, 0.5, 0.146_447],
        ),
        (Scheduler::Constant, [0.5, 1.0, 1.0, 1.0, 1.0, 1.0]),
    ];
    for (scheduler, expected) in cases {
        for (step, want) in expected.iter().enumerate() {
            let got = schedule(*scheduler).learning_rate(step as u64);
            assert!(
                (got - want).abs() < 1e-5,
                "{scheduler:?} step {step}: {got} != {want}"
            );
        }
    }
}

#[test]
fn metric_files_have_bedrock_columns_first() {
    let training = [TrainingRow {
        step: 1,
        epoch: 0,
        loss: 2.5,
        learning_rate: 0.001,
        tokens_per_second: 120.04,
    }];
    let validation = [ValidationRow {
        step: 1,
        epoch: 0,
        loss: 2.25,
    }];
    assert_eq!(
        training_csv(&training),
        "step_number,epoch_number,training_loss,learning_rate,tokens_per_second\n1,0,2.5,0.001,120.0\n"
    );
    assert_eq!(
        validation_csv(&validation),
        "step_number,epoch_number,validation_loss\n1,0,2.25\n"
    );
}

#[test]
fn allocator_tunables_are_added_once_and_a_users_threshold_is_kept() {
    use lathe_train::memory::tunables_to_set;
    use std::ffi::OsString;
    let ours = tunables_to_set(None).expect("nothing set yet");
    assert!(
        ours.to_string_lossy()
            .starts_with("glibc.malloc.mmap_threshold=")
    );
    assert_eq!(
        tunables_to_set(Some(ours.clone())),
        None,
        "set once, then left alone"
    );
    let with_other = tunables_to_set(Some(OsString::from("glibc.cpu.x86_ibt=on"))).unwrap();
    assert!(
        with_other
            .to_string_lossy()
            .starts_with("glibc.cpu.x86_ibt=on:glibc.malloc.")
    );
    let users = OsString::from("glibc.malloc.mmap_threshold=65536");
    assert_eq!(
        tunables_to_set(Some(users)),
        None,
        "the user's own threshold is respected"
    );
}
