//! Writes the `testing` feature's tiny model (2 layers, hidden 64, BPE tokenizer) and a JSONL of
//! prompt/completion records, for checks that run outside CI (e.g. PEFT loading lathe's adapter:
//! scripts/train-fixtures/check_peft_adapter.py). Usage: write_tiny_model MODEL_DIR DATA.jsonl

use lathe_train::testing::{TinyModelOptions, completion_records, write_tiny_model};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [model, data] = args.as_slice() else {
        return Err("usage: write_tiny_model MODEL_DIR DATA.jsonl".into());
    };
    write_tiny_model(std::path::Path::new(model), &TinyModelOptions::default())?;
    std::fs::write(data, completion_records(48).join("\n"))?;
    println!("wrote {model} and {data}");
    Ok(())
}
