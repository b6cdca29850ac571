//! Learning rate over steps: linear warmup, then linear or cosine decay to zero, or constant.

use crate::hyperparameters::Scheduler;

#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Schedule {
    pub scheduler: Scheduler,
    pub peak: f64,
    pub warmup_steps: u64,
    pub total_steps: u64,
}

impl Schedule {
    /// The rate for the update numbered `step` (0-based).
    pub fn learning_rate(&self, step: u64) -> f64 {
        if step < self.warmup_steps {
            return self.peak * (step + 1) as f64 / self.warmup_steps as f64;
        }
        let decay_steps = self.total_steps.saturating_sub(self.warmup_steps).max(1);
        let progress = ((step - self.warmup_steps) as f64 / decay_steps as f64).min(1.0);
        match self.scheduler {
            Scheduler::Constant => self.peak,
            Scheduler::Linear => self.peak * (1.0 - progress),
            Scheduler::Cosine => self.peak * 0.5 * (1.0 + (std::f64::consts::PI * progress).cos()),
        }
    }
}
