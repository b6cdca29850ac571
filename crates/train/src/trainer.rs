//! The training loop: batches, gradients, updates, validation, early stopping, checkpoints.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

use candle_core::{Device, Tensor, Var};
use rand::SeedableRng;
use rand_chacha::ChaCha8Rng;
use serde::Serialize;

use crate::base_model::BaseModel;
use crate::checkpoint::{CheckpointStore, LoopState, Slot};
use crate::data::{self, Batch, Encoding, Example, Record, Row};
use crate::error::{Result, TrainError};
use crate::hyperparameters::Hyperparameters;
use crate::metrics::{self, TrainingRow, ValidationRow};
use crate::model::{ForwardInputs, Llama, LoraSettings, Trainable};
use crate::optimizer::{AdamW, clip_gradients};
use crate::output;
use crate::schedule::Schedule;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Method {
    Lora,
    Full,
}

/// Progress reported while training, for a progress bar or a job's status.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    Started {
        total_steps: u64,
        training_examples: usize,
        validation_examples: usize,
        truncated: usize,
        trainable_parameters: usize,
        resumed_at_step: u64,
    },
    Step {
        step: u64,
        total_steps: u64,
        epoch: u64,
        loss: f64,
        learning_rate: f64,
        tokens_per_second: f64,
        eta_seconds: f64,
    },
    Validation {
        step: u64,
        loss: f64,
        improved: bool,
    },
    Checkpoint {
        step: u64,
    },
    StoppedEarly {
        step: u64,
        best_step: u64,
    },
}

/// A fully resolved training job.
#[derive(Debug)]
pub struct Job {
    pub base: BaseModel,
    pub training: Vec<Record>,
    /// Explicit validation records; `None` holds out `evalPercentage` of the training data.
    pub validation: Option<Vec<Record>>,
    pub method: Method,
    pub hyperparameters: Hyperparameters,
    pub output_dir: PathBuf,
    pub checkpoint_interval_steps: u64,
    pub resume: bool,
    pub device: Device,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    pub method: Method,
    pub steps: u64,
    pub total_steps: u64,
    pub training_examples: usize,
    pub validation_examples: usize,
    pub truncated_examples: usize,
    pub dropped_examples: usize,
    pub trainable_parameters: usize,
    pub first_training_loss: Option<f64>,
    pub last_training_loss: Option<f64>,
    pub first_validation_loss: Option<f64>,
    pub best_validation_loss: Option<f64>,
    pub best_step: Option<u64>,
    pub stopped_early: bool,
    pub model_dir: PathBuf,
    pub adapter_dir: Option<PathBuf>,
}

struct Prepared {
    training_rows: Vec<Row>,
    validation_rows: Vec<Row>,
    training_examples: usize,
    validation_examples: usize,
    truncated: usize,
    dropped: usize,
}

fn prepare(job: &Job) -> Result<Prepared> {
    let hyperparameters = &job.hyperparameters;
    let encoding = Encoding {
        tokenizer: &job.base.tokenizer,
        chat_template: job.base.chat_template.as_ref(),
        max_sequence_length: hyperparameters
            .max_sequence_length
            .min(job.base.config.max_position_embeddings),
    };
    let training = encoding.encode_all(&job.training)?;
    let (training_examples, validation_examples, truncated, dropped): (
        Vec<Example>,
        Vec<Example>,
        usize,
        usize,
    ) = match &job.validation {
        Some(records) => {
            let validation = encoding.encode_all(records)?;
            (
                training.examples,
                validation.examples,
                training.truncated + validation.truncated,
                training.dropped + validation.dropped,
            )
        }
        None => {
            let (train, held) = data::hold_out(
                training.examples,
                hyperparameters.eval_percentage,
                hyperparameters.seed,
            );
            (train, held, training.truncated, training.dropped)
        }
    };
    if training_examples.is_empty() {
        return Err(TrainError::Data(
            "no training example is left after tokenization; check maxSequenceLength and the records".into(),
        ));
    }
    let rows = |examples: &[Example]| {
        if hyperparameters.packing {
            data::pack(examples, encoding.max_sequence_length)
        } else {
            data::unpacked(examples)
        }
    };
    Ok(Prepared {
        training_rows: rows(&training_examples),
        validation_rows: data::unpacked(&validation_examples),
        training_examples: training_examples.len(),
        validation_examples: validation_examples.len(),
        truncated,
        dropped,
    })
}

fn micro_batch<'a>(rows: &'a [Row], order: &[usize], index: usize, size: usize) -> Vec<&'a Row> {
    order
        .iter()
        .skip(index * size)
        .take(size)
        .map(|&i| &rows[i])
        .collect()
}

fn batch_loss(
    model: &Llama,
    batch: &Batch,
    rng: Option<&mut ChaCha8Rng>,
) -> candle_core::Result<Tensor> {
    let hidden = model.hidden_states(
        &batch.input_ids,
        ForwardInputs {
            positions: batch.positions.as_ref(),
            segments: batch.segments.as_ref(),
            rng,
        },
    )?;
    let selected = hidden.index_select(&batch.loss_rows, 0)?;
    model.loss(&selected, &batch.loss_targets)
}

/// One micro-batch's loss and the gradient of each variable (zeros where none flowed).
pub fn batch_gradients(
    model: &Llama,
    variables: &[Var],
    batch: &Batch,
    rng: &mut ChaCha8Rng,
) -> candle_core::Result<(f32, Vec<Tensor>)> {
    let loss = batch_loss(model, batch, Some(rng))?;
    let value = loss.to_scalar::<f32>()?;
    let gradients = loss.backward()?;
    let per_variable = variables
        .iter()
        .map(|var| match gradients.get(var.as_tensor()) {
            Some(gradient) => Ok(gradient.clone()),
            None => var.as_tensor().zeros_like(),
        })
        .collect::<candle_core::Result<Vec<_>>>()?;
    Ok((value, per_variable))
}

/// Mean loss over the validation rows, weighted by predicted tokens.
fn validation_loss(model: &Llama, rows: &[Row], batch_size: usize, pad: u32) -> Result<f64> {
    let mut total = 0.0;
    let mut count = 0usize;
    for chunk in rows.chunks(batch_size) {
        let refs: Vec<&Row> = chunk.iter().collect();
        let batch = data::make_batch(&refs, pad, model.device())?;
        if batch.target_count == 0 {
            continue;
        }
        let loss = batch_loss(model, &batch, None)?
            .detach()
            .to_scalar::<f32>()? as f64;
        total += loss * batch.target_count as f64;
        count += batch.target_count;
    }
    Ok(if count == 0 {
        f64::NAN
    } else {
        total / count as f64
    })
}

fn trainable_tensors(optimizer: &AdamW) -> Vec<(String, Tensor)> {
    optimizer
        .variables()
        .map(|(name, var)| (name.to_string(), var.as_tensor().clone()))
        .collect()
}

fn restore_variables(
    optimizer: &AdamW,
    saved: &HashMap<String, Tensor>,
    folder: &Path,
) -> Result<()> {
    for (name, var) in optimizer.variables() {
        let tensor = saved.get(name).ok_or_else(|| TrainError::Checkpoint {
            path: folder.to_path_buf(),
            message: format!(
                "tensor `{name}` is missing; the checkpoint belongs to another method or model"
            ),
        })?;
        var.set(tensor)?;
    }
    Ok(())
}

fn build_model(job: &Job) -> Result<Llama> {
    let trainable = match job.method {
        Method::Full => Trainable::Everything,
        Method::Lora => Trainable::Lora(LoraSettings {
            rank: job.hyperparameters.lora_rank,
            alpha: job.hyperparameters.lora_alpha,
            dropout: job.hyperparameters.lora_dropout,
            target_modules: job.hyperparameters.lora_target_modules.clone(),
        }),
    };
    let mut init_rng = ChaCha8Rng::seed_from_u64(job.hyperparameters.seed);
    Llama::from_tensors(
        &job.base.config,
        job.base.tensors.clone(),
        &trainable,
        &mut init_rng,
        &job.device,
    )
    .map_err(|error| match error {
        crate::model::BuildError::MissingTensor(name) => TrainError::MissingTensor {
            path: PathBuf::from(&job.base.description),
            name,
        },
        crate::model::BuildError::Tensor(error) => TrainError::Tensor(error),
    })
}

/// Runs the job to the end (or early stop), writing checkpoints, metrics and the trained model.
pub fn train(job: &Job, on_event: &mut dyn FnMut(&Event)) -> Result<Summary> {
    let hyperparameters = &job.hyperparameters;
    let prepared = prepare(job)?;
    let model = build_model(job)?;
    let mut optimizer = AdamW::new(model.trainable_variables(), hyperparameters.weight_decay)?;
    let trainable_parameters: usize = optimizer.variables().map(|(_, var)| var.elem_count()).sum();
    let micro_batches = prepared
        .training_rows
        .len()
        .div_ceil(hyperparameters.batch_size);
    let updates_per_epoch =
        micro_batches.div_ceil(hyperparameters.gradient_accumulation_steps) as u64;
    let mut total_steps = updates_per_epoch * hyperparameters.epoch_count;
    if hyperparameters.max_steps > 0 {
        total_steps = total_steps.min(hyperparameters.max_steps);
    }
    let schedule = Schedule {
        scheduler: hyperparameters.scheduler,
        peak: hyperparameters.learning_rate,
        warmup_steps: hyperparameters.warmup_steps,
        total_steps,
    };
    let store = CheckpointStore::new(job.output_dir.join("checkpoints"));
    if !job.resume && store.root().exists() {
        // A fresh run must not pick up an earlier run's best checkpoint at the end.
        std::fs::remove_dir_all(store.root()).map_err(crate::error::io_error(store.root()))?;
    }
    let mut dropout_rng = ChaCha8Rng::seed_from_u64(hyperparameters.seed.wrapping_add(1));
    let mut state = LoopState {
        step: 0,
        epoch: 0,
        batch_in_epoch: 0,
        rng_word_position: "0".into(),
        best_validation_loss: None,
        best_step: None,
        evaluations_without_improvement: 0,
        stopped_early: false,
        training_rows: Vec::new(),
        validation_rows: Vec::new(),
    };
    if job.resume
        && let Some(mut checkpoint) = store.load(Slot::Latest, &job.device)?
    {
        restore_variables(&optimizer, &checkpoint.trainable, store.root())?;
        let step = checkpoint.state.step;
        optimizer
            .restore_moments(&mut checkpoint.moments, step)
            .map_err(|name| TrainError::Checkpoint {
                path: store.root().to_path_buf(),
                message: format!("optimizer moment `{name}` is missing"),
            })?;
        let position: u128 =
            checkpoint
                .state
                .rng_word_position
                .parse()
                .map_err(|_| TrainError::Checkpoint {
                    path: store.root().to_path_buf(),
                    message: "rng_word_position is not a number".into(),
                })?;
        dropout_rng.set_word_pos(position);
        state = checkpoint.state;
    }
    std::fs::create_dir_all(&job.output_dir).map_err(crate::error::io_error(&job.output_dir))?;
    on_event(&Event::Started {
        total_steps,
        training_examples: prepared.training_examples,
        validation_examples: prepared.validation_examples,
        truncated: prepared.truncated,
        trainable_parameters,
        resumed_at_step: state.step,
    });
    let pad = job.base.tokenizer.pad_token_id();
    let started = Instant::now();
    let start_step = state.step;
    let mut order = data::epoch_order(
        prepared.training_rows.len(),
        hyperparameters.seed,
        state.epoch,
    );
    let has_validation = !prepared.validation_rows.is_empty();
    if has_validation && state.step == 0 && state.validation_rows.is_empty() {
        // The base model's own loss: the point every later evaluation is measured against.
        evaluate(
            job,
            &model,
            &optimizer,
            &prepared.validation_rows,
            &store,
            &mut state,
            on_event,
        )?;
    }
    while state.step < total_steps && !state.stopped_early {
        let step_started = Instant::now();
        let mut accumulated: Option<Vec<Tensor>> = None;
        let mut losses = Vec::new();
        let mut tokens = 0usize;
        let variables: Vec<Var> = optimizer.variables().map(|(_, var)| var.clone()).collect();
        for _ in 0..hyperparameters.gradient_accumulation_steps {
            if state.batch_in_epoch >= micro_batches {
                break;
            }
            let rows = micro_batch(
                &prepared.training_rows,
                &order,
                state.batch_in_epoch,
                hyperparameters.batch_size,
            );
            state.batch_in_epoch += 1;
            let batch = data::make_batch(&rows, pad, &job.device)?;
            if batch.target_count == 0 {
                continue;
            }
            tokens += batch.token_count;
            let (value, per_variable) =
                batch_gradients(&model, &variables, &batch, &mut dropout_rng)?;
            if !value.is_finite() {
                return Err(TrainError::NonFiniteLoss {
                    step: state.step,
                    value,
                });
            }
            losses.push(value as f64);
            accumulated = Some(match accumulated {
                None => per_variable,
                Some(sums) => sums
                    .iter()
                    .zip(&per_variable)
                    .map(|(sum, gradient)| sum + gradient)
                    .collect::<candle_core::Result<Vec<_>>>()?,
            });
        }
        if let Some(mut gradients) = accumulated {
            let micro_count = losses.len() as f64;
            if micro_count > 1.0 {
                for gradient in gradients.iter_mut() {
                    *gradient = (&*gradient / micro_count)?;
                }
            }
            clip_gradients(&mut gradients, hyperparameters.max_grad_norm)?;
            let learning_rate = schedule.learning_rate(state.step);
            optimizer.update(&gradients, learning_rate)?;
            state.step += 1;
            let loss = losses.iter().sum::<f64>() / micro_count;
            let tokens_per_second = tokens as f64 / step_started.elapsed().as_secs_f64().max(1e-9);
            state.training_rows.push(TrainingRow {
                step: state.step,
                epoch: state.epoch,
                loss,
                learning_rate,
                tokens_per_second,
            });
            let done = state.step - start_step;
            let per_step = started.elapsed().as_secs_f64() / done as f64;
            on_event(&Event::Step {
                step: state.step,
                total_steps,
                epoch: state.epoch,
                loss,
                learning_rate,
                tokens_per_second,
                eta_seconds: per_step * (total_steps - state.step) as f64,
            });
        }
        let epoch_finished = state.batch_in_epoch >= micro_batches;
        let interval = hyperparameters.eval_interval_steps;
        let due = if interval > 0 {
            state.step.is_multiple_of(interval) || state.step == total_steps
        } else {
            epoch_finished || state.step == total_steps
        };
        if has_validation && due {
            evaluate(
                job,
                &model,
                &optimizer,
                &prepared.validation_rows,
                &store,
                &mut state,
                on_event,
            )?;
        }
        if epoch_finished {
            state.epoch += 1;
            state.batch_in_epoch = 0;
            order = data::epoch_order(
                prepared.training_rows.len(),
                hyperparameters.seed,
                state.epoch,
            );
        }
        metrics::write_csvs(
            &job.output_dir,
            &state.training_rows,
            &state.validation_rows,
        )?;
        let checkpoint_due = match job.checkpoint_interval_steps {
            0 => epoch_finished,
            interval => state.step.is_multiple_of(interval),
        };
        if checkpoint_due || state.step == total_steps || state.stopped_early {
            state.rng_word_position = dropout_rng.get_word_pos().to_string();
            store.save(
                Slot::Latest,
                &state,
                &trainable_tensors(&optimizer),
                &optimizer.moments()?,
            )?;
            on_event(&Event::Checkpoint { step: state.step });
        }
    }
    // The result is the best validated weights when validation ran, as Bedrock's early stopping has it.
    if let Some(best) = store.load(Slot::Best, &job.device)? {
        restore_variables(&optimizer, &best.trainable, store.root())?;
    }
    metrics::write_csvs(
        &job.output_dir,
        &state.training_rows,
        &state.validation_rows,
    )?;
    metrics::write_loss_curve(
        &job.output_dir,
        &state.training_rows,
        &state.validation_rows,
    )?;
    let written = output::write_outputs(job, &model)?;
    let summary = Summary {
        method: job.method,
        steps: state.step,
        total_steps,
        training_examples: prepared.training_examples,
        validation_examples: prepared.validation_examples,
        truncated_examples: prepared.truncated,
        dropped_examples: prepared.dropped,
        trainable_parameters,
        first_training_loss: state.training_rows.first().map(|row| row.loss),
        last_training_loss: state.training_rows.last().map(|row| row.loss),
        first_validation_loss: state.validation_rows.first().map(|row| row.loss),
        best_validation_loss: state.best_validation_loss,
        best_step: state.best_step,
        stopped_early: state.stopped_early,
        model_dir: written.model_dir,
        adapter_dir: written.adapter_dir,
    };
    crate::weights::save_json(&job.output_dir.join("summary.json"), &summary)?;
    Ok(summary)
}

/// Validation, early-stopping bookkeeping and the best checkpoint.
fn evaluate(
    job: &Job,
    model: &Llama,
    optimizer: &AdamW,
    rows: &[Row],
    store: &CheckpointStore,
    state: &mut LoopState,
    on_event: &mut dyn FnMut(&Event),
) -> Result<()> {
    let hyperparameters = &job.hyperparameters;
    let loss = validation_loss(
        model,
        rows,
        hyperparameters.batch_size,
        job.base.tokenizer.pad_token_id(),
    )?;
    state.validation_rows.push(ValidationRow {
        step: state.step,
        epoch: state.epoch,
        loss,
    });
    let improved = match state.best_validation_loss {
        None => true,
        Some(best) => loss < best && best - loss >= hyperparameters.early_stopping_threshold,
    };
    on_event(&Event::Validation {
        step: state.step,
        loss,
        improved,
    });
    if improved {
        state.best_validation_loss = Some(loss);
        state.best_step = Some(state.step);
        state.evaluations_without_improvement = 0;
        store.save(Slot::Best, state, &trainable_tensors(optimizer), &[])?;
    } else {
        state.evaluations_without_improvement += 1;
        if state.evaluations_without_improvement >= hyperparameters.early_stopping_patience {
            state.stopped_early = true;
            on_event(&Event::StoppedEarly {
                step: state.step,
                best_step: state.best_step.unwrap_or(0),
            });
        }
    }
    Ok(())
}
