//! AdamW with decoupled weight decay, its moments exposed so checkpoints can hold them.

use candle_core::{Tensor, Var};

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

impl AdamW {
    pub fn new(variables: Vec<(String, Var)>, weight_decay: f64) -> candle_core::Result<Self> {
        let slots = variables
            .into_iter()
            .map(|(name, variable)| {
                let zeros = variable.as_tensor().zeros_like()?;
                Ok(Slot {
                    name,
                    first_moment: zeros.clone(),
                    second_moment: zeros,
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
        let correction1 = 1.0 - self.beta1.powi(self.step as i32);
        let correction2 = 1.0 - self.beta2.powi(self.step as i32);
        for (slot, gradient) in self.slots.iter_mut().zip(gradients) {
            slot.first_moment =
                ((&slot.first_moment * self.beta1)? + (gradient * (1.0 - self.beta1))?)?;
            slot.second_moment =
                ((&slot.second_moment * self.beta2)? + (gradient.sqr()? * (1.0 - self.beta2))?)?;
            let corrected_first = (&slot.first_moment / correction1)?;
            let corrected_second = (&slot.second_moment / correction2)?;
            let step = (corrected_first / (corrected_second.sqrt()? + self.epsilon)?)?;
            let decayed = (slot.variable.as_tensor() * (1.0 - learning_rate * self.weight_decay))?;
            slot.variable.set(&(decayed - (step * learning_rate)?)?)?;
        }
        Ok(())
    }

    /// Moments under `first.NAME` / `second.NAME`, for a checkpoint.
    pub fn moments(&self) -> Vec<(String, Tensor)> {
        self.slots
            .iter()
            .flat_map(|slot| {
                [
                    (format!("first.{}", slot.name), slot.first_moment.clone()),
                    (format!("second.{}", slot.name), slot.second_moment.clone()),
                ]
            })
            .collect()
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
            slot.first_moment = saved.remove(&first).ok_or(first)?;
            slot.second_moment = saved.remove(&second).ok_or(second)?;
        }
        self.step = step;
        Ok(())
    }
}

/// Scales gradients so their global L2 norm is at most `max_norm`; returns the norm before.
pub fn clip_gradients(gradients: &mut [Tensor], max_norm: f64) -> candle_core::Result<f64> {
    let mut total = 0.0f64;
    for gradient in gradients.iter() {
        total += gradient.sqr()?.sum_all()?.to_scalar::<f32>()? as f64;
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
