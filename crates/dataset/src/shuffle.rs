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
use arrow_select::interleave::interleave_record_batch;
use arrow_select::take::take_record_batch;
use rand::Rng;
use rand::seq::SliceRandom;
use rand_chacha::ChaCha8Rng;

use crate::error::{DatasetError, Result};
use crate::sample::{SHUFFLE_STREAM, generator};
use crate::source::{BATCH_ROWS, BatchIterator};

/// Bytes of rows per bucket; one bucket is held while it is shuffled, so this sets the
/// shuffle's share of the memory bound. Smaller buckets only mean more files.
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
        let mut current: Option<ShuffledBucket> = None;
        Ok(Box::new(std::iter::from_fn(move || {
            loop {
                if let Some(batch) = current.as_mut().and_then(ShuffledBucket::next_batch) {
                    return Some(batch);
                }
                // The bucket before is released before the next one is read.
                current = None;
                let bucket = pending.next()?;
                match self.shuffle_bucket(bucket) {
                    Ok(shuffled) => current = Some(shuffled),
                    Err(error) => return Some(Err(error)),
                }
            }
        })))
    }

    fn shuffle_bucket(&self, bucket: usize) -> Result<ShuffledBucket> {
        let path = self.bucket_path(bucket);
        let file = File::open(&path).map_err(|error| DatasetError::io(&path, error))?;
        let reader = FileReader::try_new(BufReader::new(file), None)?;
        let batches = reader.collect::<Result<Vec<_>, _>>()?;
        std::fs::remove_file(&path).map_err(|error| DatasetError::io(&path, error))?;
        let mut order: Vec<(usize, usize)> = batches
            .iter()
            .enumerate()
            .flat_map(|(batch, rows)| (0..rows.num_rows()).map(move |row| (batch, row)))
            .collect();
        let mut generator = generator(
            self.seed ^ (bucket as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15),
            SHUFFLE_STREAM + 1,
        );
        order.shuffle(&mut generator);
        Ok(ShuffledBucket {
            batches,
            order,
            offset: 0,
        })
    }
}

/// One bucket's rows and their shuffled order, copied out a batch at a time so the bucket is
/// held once, not once more as a shuffled copy.
struct ShuffledBucket {
    batches: Vec<RecordBatch>,
    /// (batch, row) positions in output order.
    order: Vec<(usize, usize)>,
    offset: usize,
}

impl ShuffledBucket {
    fn next_batch(&mut self) -> Option<Result<RecordBatch>> {
        if self.offset >= self.order.len() {
            return None;
        }
        let end = (self.offset + BATCH_ROWS).min(self.order.len());
        let batches: Vec<&RecordBatch> = self.batches.iter().collect();
        let batch = interleave_record_batch(&batches, &self.order[self.offset..end]);
        self.offset = end;
        Some(batch.map_err(DatasetError::from))
    }
}
