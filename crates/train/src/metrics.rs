//! Bedrock-style metric files and a loss-curve picture.

use std::fmt::Write as _;
use std::path::Path;

use plotters::prelude::*;
use serde::{Deserialize, Serialize};

use crate::atomic;
use crate::error::{Result, TrainError};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainingRow {
    pub step: u64,
    pub epoch: u64,
    pub loss: f64,
    pub learning_rate: f64,
    pub tokens_per_second: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ValidationRow {
    pub step: u64,
    pub epoch: u64,
    pub loss: f64,
}

pub const TRAINING_FILE: &str = "step_wise_training_metrics.csv";
pub const VALIDATION_FILE: &str = "validation_metrics.csv";
pub const CURVE_FILE: &str = "loss_curve.svg";

/// Bedrock's columns first (step_number, epoch_number, training_loss), lathe's after.
pub fn training_csv(rows: &[TrainingRow]) -> String {
    let mut text =
        String::from("step_number,epoch_number,training_loss,learning_rate,tokens_per_second\n");
    for row in rows {
        let _ = writeln!(
            text,
            "{},{},{},{},{:.1}",
            row.step, row.epoch, row.loss, row.learning_rate, row.tokens_per_second
        );
    }
    text
}

pub fn validation_csv(rows: &[ValidationRow]) -> String {
    let mut text = String::from("step_number,epoch_number,validation_loss\n");
    for row in rows {
        let _ = writeln!(text, "{},{},{}", row.step, row.epoch, row.loss);
    }
    text
}

pub fn write_csvs(
    folder: &Path,
    training: &[TrainingRow],
    validation: &[ValidationRow],
) -> Result<()> {
    atomic::write_bytes(
        &folder.join(TRAINING_FILE),
        training_csv(training).as_bytes(),
    )?;
    atomic::write_bytes(
        &folder.join(VALIDATION_FILE),
        validation_csv(validation).as_bytes(),
    )
}

/// Training and validation loss against step, as SVG.
pub fn loss_curve_svg(training: &[TrainingRow], validation: &[ValidationRow]) -> Result<String> {
    let mut svg = String::new();
    {
        let plot_error = |error: String| TrainError::Data(format!("loss curve: {error}"));
        let root = SVGBackend::with_string(&mut svg, (800, 480)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| plot_error(e.to_string()))?;
        let losses = training
            .iter()
            .map(|r| r.loss)
            .chain(validation.iter().map(|r| r.loss));
        let (low, high) = losses.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
            (lo.min(v), hi.max(v))
        });
        let (low, high) = if low.is_finite() {
            (low.min(high), high.max(low + 1e-6))
        } else {
            (0.0, 1.0)
        };
        let last_step = training
            .iter()
            .map(|r| r.step)
            .chain(validation.iter().map(|r| r.step))
            .max()
            .unwrap_or(1)
            .max(1);
        let mut chart = ChartBuilder::on(&root)
            .caption("loss", ("sans-serif", 20))
            .margin(16)
            .x_label_area_size(36)
            .y_label_area_size(56)
            .build_cartesian_2d(0u64..last_step, (low * 0.95)..(high * 1.05))
            .map_err(|e| plot_error(e.to_string()))?;
        chart
            .configure_mesh()
            .x_desc("step")
            .y_desc("loss")
            .draw()
            .map_err(|e| plot_error(e.to_string()))?;
        chart
            .draw_series(LineSeries::new(
                training.iter().map(|r| (r.step, r.loss)),
                &BLUE,
            ))
            .map_err(|e| plot_error(e.to_string()))?
            .label("training");
        chart
            .draw_series(LineSeries::new(
                validation.iter().map(|r| (r.step, r.loss)),
                &RED,
            ))
            .map_err(|e| plot_error(e.to_string()))?
            .label("validation");
        root.present().map_err(|e| plot_error(e.to_string()))?;
    }
    Ok(svg)
}

pub fn write_loss_curve(
    folder: &Path,
    training: &[TrainingRow],
    validation: &[ValidationRow],
) -> Result<()> {
    let svg = loss_curve_svg(training, validation)?;
    atomic::write_bytes(&folder.join(CURVE_FILE), svg.as_bytes())
}
