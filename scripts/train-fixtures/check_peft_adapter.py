"""Checks a lathe LoRA output against PEFT (run outside CI; needs torch, transformers, peft).

    python check_peft_adapter.py BASE_MODEL_DIR OUTPUT_DIR

Loads BASE_MODEL_DIR with transformers, applies OUTPUT_DIR/adapter with
PeftModel.from_pretrained, and compares its logits on a fixed input with those of the merged
model lathe wrote to OUTPUT_DIR/model. Prints the largest difference and exits 1 above 1e-4, or
when the adapter leaves the base model's logits unchanged (an untrained adapter proves nothing).
"""
import sys

import torch
from peft import PeftModel
from transformers import AutoModelForCausalLM

base_dir, output_dir = sys.argv[1], sys.argv[2]
ids = torch.tensor([[1, 17, 42, 5, 88, 23, 9, 61, 33, 70, 12, 4]])
base = AutoModelForCausalLM.from_pretrained(base_dir, torch_dtype=torch.float32, attn_implementation="eager")
with_adapter = PeftModel.from_pretrained(base, f"{output_dir}/adapter").eval()
merged = AutoModelForCausalLM.from_pretrained(f"{output_dir}/model", torch_dtype=torch.float32,
                                              attn_implementation="eager").eval()
with torch.no_grad():
    peft_logits = with_adapter(input_ids=ids).logits
    merged_logits = merged(input_ids=ids).logits
    with with_adapter.disable_adapter():
        base_logits = with_adapter(input_ids=ids).logits
difference = (peft_logits - merged_logits).abs().max().item()
effect = (peft_logits - base_logits).abs().max().item()
print(f"largest logit difference between PEFT(base + adapter) and lathe's merged model: {difference:.3g}"
      f" (the adapter itself moves the base model's logits by up to {effect:.3g})")
sys.exit(0 if difference < 1e-4 and effect > 1e-3 else 1)
