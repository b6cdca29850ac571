"""Anchor: PyTorch eager training throughput for a llama-architecture causal LM, on CPU or a GPU.
The GPU variant of ../shared/anchors/torch_train_step.py (same model, data and steps), with
`--device cuda`: the model and ids move to the GPU and every step ends synchronised, so the time
measured holds the GPU's work. f32, PyTorch's default matmul precision (no TF32), like lathe's.
Usage: torch_train_step.py {smollm2-135m|llama-4m} BATCH SEQ STEPS [lora] [--device cpu|cuda]
Prints tokens/s for full fine-tuning (forward+backward+AdamW), or LoRA r=8 on all projections with PEFT
when "lora" is given, and for forward only."""
import sys, time, torch
from transformers import LlamaConfig, LlamaForCausalLM
sys.path.insert(0, __file__.rsplit("/", 1)[0])
from model_shapes import CFGS
args = sys.argv[1:]
device = "cpu"
if "--device" in args:
    at = args.index("--device")
    device = args[at + 1]
    del args[at:at + 2]
name, batch, seq, steps = args[0], int(args[1]), int(args[2]), int(args[3])
torch.manual_seed(0)
cfgs = CFGS
model = LlamaForCausalLM(LlamaConfig(**cfgs[name]))
lora = len(args) > 4 and args[4] == "lora"
if lora:
    from peft import LoraConfig, get_peft_model
    model = get_peft_model(model, LoraConfig(r=8, lora_alpha=16, lora_dropout=0.0, target_modules=["q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj"]))
model.to(device)
n_params = sum(p.numel() for p in model.parameters())
opt = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=1e-5)
x = torch.randint(0, cfgs[name]["vocab_size"], (batch, seq)).to(device)
def synchronize():
    if device.startswith("cuda"):
        torch.cuda.synchronize()
def step():
    out = model(input_ids=x, labels=x)
    out.loss.backward(); opt.step(); opt.zero_grad()
    synchronize()
step()
if device.startswith("cuda"):
    torch.cuda.reset_peak_memory_stats()
t = time.perf_counter()
for _ in range(steps): step()
dt = time.perf_counter() - t
train_tps = batch * seq * steps / dt
peak = torch.cuda.max_memory_allocated() / 2**20 if device.startswith("cuda") else float("nan")
model.eval()
with torch.no_grad():
    model(input_ids=x)
    synchronize()
    t = time.perf_counter()
    for _ in range(steps):
        model(input_ids=x)
        synchronize()
    fwd_tps = batch * seq * steps / (time.perf_counter() - t)
print(f"model={name} method={'lora' if lora else 'full'} device={device} params={n_params/1e6:.1f}M threads={torch.get_num_threads()} batch={batch} seq={seq} "
      f"train_tokens_per_s={train_tps:.0f} forward_tokens_per_s={fwd_tps:.0f} gpu_peak_allocated_mib={peak:.0f}")
