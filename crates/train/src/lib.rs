//! Training llama-family models with candle: LoRA and full fine-tuning, checkpoints, metrics.
