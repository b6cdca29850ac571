//! Hugging Face Hub access: cache lookup (offline) and downloads of models and datasets.
