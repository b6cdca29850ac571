//! Disk-backed seeded shuffle: rows go to random bucket files (Arrow IPC), then each bucket is
//! shuffled in memory. Random buckets plus a uniform shuffle inside each give a uniform
//! permutation, while memory holds one bucket at a time.

use std::fs::File;
use std::io::{BufReader, BufWriter};

use arrow_array::{RecordBatch, UInt32Array};
use arrow_ipc::reader::FileReader;
use arrow_ipc::writer::FileWriter;
use arrow_schema::SchemaRef;
use arrow_select::concat::concat_batches;
use arrow_select::take::take_record_batch;
use rand::Rng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use crate::error::{DatasetError, Result};
use crate::sample::{SHUFFLE_STREAM, generator};
use crate::source::{BATCH_ROWS, BatchIterator};

/// Bytes of rows per bucket; a bucket is held about three times over while it is shuffled,
/// so this sets the shuffle's share of the memory bound. Smaller buckets only mean more files.
const BUCKET_BYTES: u64 = 8 << 20;
const MAX_BUCKETS: u64 = 4096;
/// Rows gathered before they are spread over the buckets, so each bucket file receives a few
/// dozen rows per write rather than a handful (a write has a fixed cost in Arrow IPC).
const SPREAD_ROWS: usize = 8 * BATCH_ROWS;

pub struct Shuffle {
    seed: u64,
    schema: SchemaRef,
    directory: tempfile::TempDir,
    writers: Vec<Option<FileWriter<BufWriter<File>>>>,
    generator: ChaCha8Rng,
    /// Rows not yet spread over the buckets.
    gathered: Vec<RecordBatch>,
    gathered_rows: usize,
}

impl Shuffle {
    /// `estimated_bytes` sizes the buckets; a poor estimate costs speed, never correctness.
    pub fn new(seed: u64, schema: SchemaRef, estimated_bytes: u64) -> Result<Shuffle> {
        let buckets = estimated_bytes.div_ceil(BUCKET_BYTES).clamp(1, MAX_BUCKETS) as usize;
        let directory = tempfile::Builder::new()
            .prefix("lathe-shuffle-")
            .tempdir()
            .map_err(|error| DatasetError::io(std::env::temp_dir(), error))?;
        Ok(Shuffle {
            seed,
            schema,
            directory,
            writers: (0..buckets).map(|_| None).collect(),
            generator: generator(seed, SHUFFLE_STREAM),
            gathered: Vec::new(),
            gathered_rows: 0,
        })
    }

    fn bucket_path(&self, bucket: usize) -> std::path::PathBuf {
        self.directory
            .path()
            .join(format!("bucket-{bucket:05}.arrow"))
    }

    pub fn push(&mut self, batch: &RecordBatch) -> Result<()> {
        self.gathered_rows += batch.num_rows();
        self.gathered.push(batch.clone());
        if self.gathered_rows >= SPREAD_ROWS {
            self.spread()?;
        }
        Ok(())
    }

    /// Sends each gathered row to a random bucket. The generator draws once per row in row
    /// order, so the buckets do not depend on how rows were batched.
    fn spread(&mut self) -> Result<()> {
        if self.gathered.is_empty() {
            return Ok(());
        }
        let batch = concat_batches(&self.schema, &self.gathered)?;
        self.gathered.clear();
        self.gathered_rows = 0;
        let buckets = self.writers.len();
        let mut rows: Vec<Vec<u32>> = vec![Vec::new(); buckets];
        for row in 0..batch.num_rows() {
            rows[self.generator.random_range(0..buckets)].push(row as u32);
        }
        for (bucket, indices) in rows.into_iter().enumerate() {
            if indices.is_empty() {
                continue;
            }
            let part = take_record_batch(&batch, &UInt32Array::from(indices))?;
            if self.writers[bucket].is_none() {
                let path = self.bucket_path(bucket);
                let file = File::create(&path).map_err(|error| DatasetError::io(&path, error))?;
                self.writers[bucket] =
                    Some(FileWriter::try_new(BufWriter::new(file), &self.schema)?);
            }
            self.writers[bucket]
                .as_mut()
                .expect("created above")
                .write(&part)?;
        }
        Ok(())
    }

    /// Emits every row, bucket by bucket, each bucket in a seeded random order.
    pub fn finish(mut self) -> Result<BatchIterator> {
        self.spread()?;
        let mut filled = Vec::new();
        for (bucket, writer) in self.writers.iter_mut().enumerate() {
            if let Some(mut writer) = writer.take() {
                writer.finish()?;
                filled.push(bucket);
            }
        }
        let mut pending = filled.into_iter();
        let mut current: std::vec::IntoIter<RecordBatch> = Vec::new().into_iter();
        Ok(Box::new(std::iter::from_fn(move || {
            loop {
                if let Some(batch) = current.next() {
                    return Some(Ok(batch));
                }
                let bucket = pending.next()?;
                match self.shuffle_bucket(bucket) {
                    Ok(batches) => current = batches.into_iter(),
                    Err(error) => return Some(Err(error)),
                }
            }
        })))
    }

    fn shuffle_bucket(&self, bucket: usize) -> Result<Vec<RecordBatch>> {
        let path = self.bucket_path(bucket);
        let file = File::open(&path).map_err(|error| DatasetError::io(&path, error))?;
        let reader = FileReader::try_new(BufReader::new(file), None)?;
        let batches = reader.collect::<Result<Vec<_>, _>>()?;
        let whole = concat_batches(&self.schema, &batches)?;
        drop(batches);
        std::fs::remove_file(&path).map_err(|error| DatasetError::io(&path, error))?;
        let mut order: Vec<u32> = (0..whole.num_rows() as u32).collect();
        let mut generator = generator(
            self.seed ^ (bucket as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15),
            SHUFFLE_STREAM + 1,
        );
        order.shuffle(&mut generator);
        let shuffled = take_record_batch(&whole, &UInt32Array::from(order))?;
        let mut batches = Vec::new();
        let mut offset = 0;
        while offset < shuffled.num_rows() {
            let length = BATCH_ROWS.min(shuffled.num_rows() - offset);
            batches.push(shuffled.slice(offset, length));
            offset += length;
        }
        Ok(batches)
    }
}
