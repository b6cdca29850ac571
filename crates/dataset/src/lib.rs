//! Training data pipeline: readers, transforms, sampling, splits, writers and record validation.
