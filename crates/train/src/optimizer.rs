//! AdamW with decoupled weight decay, its moments exposed so checkpoints can hold them.
//!
//! On the CPU each update is three in-place passes split over the cores (first moment, second
//! moment, parameter); composed from candle ops it was about fifteen single-threaded passes,
//! each allocating a parameter-sized tensor (540 MB apiece for SmolLM2 fully fine-tuned).

use candle_core::{CpuStorage, InplaceOp2, InplaceOp3, Layout, Tensor, Var};

use crate::model::kernel::{for_chunks, is_cpu_f32, storage_values, sum_of_squares};

/// One trainable tensor with its Adam moments.
#[derive(Debug)]
struct Slot {
    name: String,
    variable: Var,
    first_moment: Tensor,
    second_moment: Tensor,
}

#[derive(Debug)]
pub struct AdamW {
    slots: Vec<Slot>,
    beta1: f64,
    beta2: f64,
    epsilon: f64,
    weight_decay: f64,
    /// Updates taken so far, for bias correction.
    pub step: u64,
}

/// The constants of one update.
#[derive(Debug, Clone, Copy)]
struct AdamStep {
    beta1: f64,
    beta2: f64,
    epsilon: f64,
    learning_rate: f64,
    /// `1 − learning_rate · weight_decay`.
    decay: f64,
    correction1: f64,
    correction2: f64,
}

/// Which moment an in-place moment pass updates.
struct MomentUpdate {
    beta: f32,
    squared: bool,
}

impl InplaceOp2 for MomentUpdate {
    fn name(&self) -> &'static str {
        "adam-moment"
    }

    fn cpu_fwd(
        &self,
        moment: &mut CpuStorage,
        moment_layout: &Layout,
        gradient: &CpuStorage,
        gradient_layout: &Layout,
    ) -> candle_core::Result<()> {
        let gradient = storage_values(self.name(), gradient, gradient_layout)?;
        let moment = mutable_values(self.name(), moment, moment_layout, gradient.len())?;
        let (beta, rest) = (self.beta, 1.0 - self.beta);
        for_chunks(moment, |start, chunk| {
            for (value, g) in chunk.iter_mut().zip(&gradient[start..]) {
                let term = if self.squared { g * g } else { *g };
                *value = *value * beta + term * rest;
            }
        });
        Ok(())
    }
}

struct ParameterUpdate(AdamStep);

impl InplaceOp3 for ParameterUpdate {
    fn name(&self) -> &'static str {
        "adam-parameter"
    }

    fn cpu_fwd(
        &self,
        parameter: &mut CpuStorage,
        parameter_layout: &Layout,
        first: &CpuStorage,
        first_layout: &Layout,
        second: &CpuStorage,
        second_layout: &Layout,
    ) -> candle_core::Result<()> {
        let first = storage_values(self.name(), first, first_layout)?;
        let second = storage_values(self.name(), second, second_layout)?;
        let parameter = mutable_values(self.name(), parameter, parameter_layout, first.len())?;
        let step = self.0;
        let (correction1, correction2) = (step.correction1 as f32, step.correction2 as f32);
        let (epsilon, rate, decay) = (
            step.epsilon as f32,
            step.learning_rate as f32,
            step.decay as f32,
        );
        for_chunks(parameter, |start, chunk| {
            for ((value, m), v) in chunk.iter_mut().zip(&first[start..]).zip(&second[start..]) {
                let update = (m / correction1) / ((v / correction2).sqrt() + epsilon);
                *value = *value * decay - update * rate;
            }
        });
        Ok(())
    }
}

fn mutable_values<'a>(
    op: &str,
    storage: &'a mut CpuStorage,
    layout: &Layout,
    expected: usize,
) -> candle_core::Result<&'a mut [f32]> {
    let CpuStorage::F32(values) = storage else {
        candle_core::bail!("{op} expects f32")
    };
    let Some((start, end)) = layout.contiguous_offsets() else {
        candle_core::bail!("{op} expects a contiguous tensor")
    };
    if end - start != expected {
        candle_core::bail!(
            "{op}: {} values against a gradient of {expected}",
            end - start
        )
    }
    Ok(&mut values[start..end])
}

impl AdamStep {
    fn apply_in_place(&self, slot: &mut Slot, gradient: &Tensor) -> candle_core::Result<()> {
        let gradient = gradient.contiguous()?;
        slot.first_moment.inplace_op2(
            &gradient,
            &MomentUpdate {
                beta: self.beta1 as f32,
                squared: false,
            },
        )?;
        slot.second_moment.inplace_op2(
            &gradient,
            &MomentUpdate {
                beta: self.beta2 as f32,
                squared: true,
            },
        )?;
        slot.variable.as_tensor().inplace_op3(
            &slot.first_moment,
            &slot.second_moment,
            &ParameterUpdate(*self),
        )
    }

    /// The same update from candle ops, for tensors off the CPU.
    fn apply_composed(&self, slot: &mut Slot, gradient: &Tensor) -> candle_core::Result<()> {
        slot.first_moment =
            ((&slot.first_moment * self.beta1)? + (gradient * (1.0 - self.beta1))?)?;
        slot.second_moment =
            ((&slot.second_moment * self.beta2)? + (gradient.sqr()? * (1.0 - self.beta2))?)?;
        let corrected_first = (&slot.first_moment / self.correction1)?;
        let corrected_second = (&slot.second_moment / self.correction2)?;
        let step = (corrected_first / (corrected_second.sqrt()? + self.epsilon)?)?;
        let decayed = (slot.variable.as_tensor() * self.decay)?;
        slot.variable
            .set(&(decayed - (step * self.learning_rate)?)?)
    }
}

impl AdamW {
    pub fn new(variables: Vec<(String, Var)>, weight_decay: f64) -> candle_core::Result<Self> {
        let slots = variables
            .into_iter()
            .map(|(name, variable)| {
                Ok(Slot {
                    name,
                    // Two separate buffers: the moments are updated in place.
                    first_moment: variable.as_tensor().zeros_like()?,
                    second_moment: variable.as_tensor().zeros_like()?,
                    variable,
                })
            })
            .collect::<candle_core::Result<Vec<_>>>()?;
        Ok(Self {
            slots,
            beta1: 0.9,
            beta2: 0.999,
            epsilon: 1e-8,
            weight_decay,
            step: 0,
        })
    }

    pub fn variables(&self) -> impl Iterator<Item = (&str, &Var)> {
        self.slots
            .iter()
            .map(|slot| (slot.name.as_str(), &slot.variable))
    }

    /// Applies one update; `gradients[i]` belongs to the i-th variable.
    pub fn update(&mut self, gradients: &[Tensor], learning_rate: f64) -> candle_core::Result<()> {
        self.step += 1;
        let step = AdamStep {
            beta1: self.beta1,
            beta2: self.beta2,
            epsilon: self.epsilon,
            learning_rate,
            decay: 1.0 - learning_rate * self.weight_decay,
            correction1: 1.0 - self.beta1.powi(self.step as i32),
            correction2: 1.0 - self.beta2.powi(self.step as i32),
        };
        for (slot, gradient) in self.slots.iter_mut().zip(gradients) {
            if is_cpu_f32(gradient) && is_cpu_f32(slot.variable.as_tensor()) {
                step.apply_in_place(slot, gradient)?;
            } else {
                step.apply_composed(slot, gradient)?;
            }
        }
        Ok(())
    }

    /// Copies of the moments under `first.NAME` / `second.NAME`, for a checkpoint (copies,
    /// because the optimizer goes on updating its own in place).
    pub fn moments(&self) -> candle_core::Result<Vec<(String, Tensor)>> {
        let mut moments = Vec::with_capacity(2 * self.slots.len());
        for slot in &self.slots {
            moments.push((format!("first.{}", slot.name), slot.first_moment.copy()?));
            moments.push((format!("second.{}", slot.name), slot.second_moment.copy()?));
        }
        Ok(moments)
    }

    /// Restores moments saved by [`AdamW::moments`]; `Err` names the first one missing.
    pub fn restore_moments(
        &mut self,
        saved: &mut std::collections::HashMap<String, Tensor>,
        step: u64,
    ) -> std::result::Result<(), String> {
        for slot in &mut self.slots {
            let first = format!("first.{}", slot.name);
            let second = format!("second.{}", slot.name);
            let restored = |tensor: Tensor, name: &str| {
                tensor.copy().map_err(|error| format!("{name}: {error}"))
            };
            slot.first_moment = restored(saved.remove(&first).ok_or(first.clone())?, &first)?;
            slot.second_moment = restored(saved.remove(&second).ok_or(second.clone())?, &second)?;
        }
        self.step = step;
        Ok(())
    }
}

/// Scales gradients so their global L2 norm is at most `max_norm`; returns the norm before.
pub fn clip_gradients(gradients: &mut [Tensor], max_norm: f64) -> candle_core::Result<f64> {
    let mut total = 0.0f64;
    for gradient in gradients.iter() {
        total += if is_cpu_f32(gradient) {
            sum_of_squares(gradient)?
        } else {
            gradient.sqr()?.sum_all()?.to_scalar::<f32>()? as f64
        };
    }
    let norm = total.sqrt();
    if max_norm > 0.0 && norm > max_norm {
        let scale = max_norm / (norm + 1e-6);
        for gradient in gradients.iter_mut() {
            *gradient = (&*gradient * scale)?;
        }
    }
    Ok(norm)
}
