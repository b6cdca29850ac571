use candle_core::{Device, Tensor};
use lathe_train::model::matmul;
use std::time::Instant;
fn main() -> candle_core::Result<()> {
    // (m, k, n)
    let shapes = [
        (2048usize, 576usize, 1536usize),
        (2048, 1536, 576),
        (2048, 576, 49152),
    ];
    for (m, k, n) in shapes {
        let a = Tensor::randn(0f32, 1., (m, k), &Device::Cpu)?;
        let at = Tensor::randn(0f32, 1., (k, m), &Device::Cpu)?;
        let b = Tensor::randn(0f32, 1., (k, n), &Device::Cpu)?;
        let bt = Tensor::randn(0f32, 1., (n, k), &Device::Cpu)?;
        for label in ["nn", "nt", "tn", "tt"] {
            let lhs = if label.starts_with('t') {
                at.t()?
            } else {
                a.clone()
            };
            let rhs = if label.ends_with('t') {
                bt.t()?
            } else {
                b.clone()
            };
            for _ in 0..2 {
                matmul(&lhs, &rhs)?;
            }
            let t = Instant::now();
            let mut r = 0;
            while t.elapsed().as_secs_f64() < 1.0 {
                matmul(&lhs, &rhs)?;
                r += 1;
            }
            let dt = t.elapsed().as_secs_f64() / r as f64;
            println!(
                "{label} {m}x{k}x{n}: {:.1} GFLOP/s",
                2.0 * (m * k * n) as f64 / dt / 1e9
            );
        }
    }
    Ok(())
}
