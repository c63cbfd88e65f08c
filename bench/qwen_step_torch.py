"""PyTorch eager baseline of bench/qwen-step.sh: the same Qwen2 checkpoint and token ids, the same work.

A Qwen2 decoder written in plain PyTorch (Debian's python3-torch has no transformers): RMSNorm, rotate-half
RoPE, grouped-query attention from matmul + mask + softmax (torch 1.13 has no fused attention), SwiGLU, tied
LM head. Modes as QwenStepBenchmark: score (no grad, log-softmax over completion positions), full (every
weight trains), lora (r 16, alpha 32, all linear layers, base frozen), lora-gc (lora + torch.utils.checkpoint
per decoder layer); a step is the sigmoid DPO loss over 2 pairs, backward and torch.optim.AdamW. Reports wall
and process CPU seconds (time.process_time) per iteration.
Usage: qwen_step_torch.py MODE DIR ITERATIONS THREADS
"""
import json
import math
import os
import statistics
import sys
import time

import torch
import torch.nn.functional as F
from torch.utils.checkpoint import checkpoint

LINEAR = ("q_proj", "k_proj", "v_proj", "o_proj", "gate_proj", "up_proj", "down_proj")


def status_kib(field):
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise RuntimeError(field)


def read_safetensors(path, into):
    """Each tensor read straight into its own buffer (no second copy), as FP32."""
    with open(path, "rb") as f:
        header_len = int.from_bytes(f.read(8), "little")
        header = json.loads(f.read(header_len))
        base = 8 + header_len
        for name, entry in header.items():
            if name == "__metadata__":
                continue
            assert entry["dtype"] == "F32", (name, entry["dtype"])
            begin, end = entry["data_offsets"]
            buf = bytearray(end - begin)
            f.seek(base + begin)
            f.readinto(buf)
            into[name] = torch.frombuffer(buf, dtype=torch.float32).reshape(entry["shape"])


def load(model_dir):
    weights = {}
    index = os.path.join(model_dir, "model.safetensors.index.json")
    if os.path.exists(index):
        for shard in sorted(set(json.load(open(index))["weight_map"].values())):
            read_safetensors(os.path.join(model_dir, shard), weights)
    else:
        read_safetensors(os.path.join(model_dir, "model.safetensors"), weights)
    return json.load(open(os.path.join(model_dir, "config.json"))), weights


class Qwen2:
    def __init__(self, config, weights, lora_r=0, checkpointing=False):
        self.c = config
        self.w = weights
        self.checkpointing = checkpointing
        self.lora = {}
        self.scale = 2.0  # alpha / r = 32 / 16
        if lora_r:
            gen = torch.Generator().manual_seed(0)
            for name, w in weights.items():
                if name.endswith(".weight") and name.split(".")[-2] in LINEAR:
                    a = torch.empty(lora_r, w.shape[1])
                    bound = 1 / math.sqrt(w.shape[1])  # kaiming_uniform(a=sqrt(5)), as PEFT
                    a.uniform_(-bound, bound, generator=gen)
                    self.lora[name] = (a.requires_grad_(), torch.zeros(w.shape[0], lora_r, requires_grad=True))
        head_dim = config["hidden_size"] // config["num_attention_heads"]
        inv = 1.0 / (config["rope_theta"] ** (torch.arange(0, head_dim, 2).float() / head_dim))
        freqs = torch.outer(torch.arange(4096).float(), inv)
        emb = torch.cat([freqs, freqs], dim=-1)
        self.cos, self.sin = emb.cos(), emb.sin()

    def parameters(self):
        if self.lora:
            return [p for pair in self.lora.values() for p in pair]
        return list(self.w.values())

    def linear(self, x, name):
        y = F.linear(x, self.w[name + ".weight"], self.w.get(name + ".bias"))
        if name + ".weight" in self.lora:
            a, b = self.lora[name + ".weight"]
            y = y + self.scale * F.linear(F.linear(x, a), b)
        return y

    def norm(self, x, name):
        var = x.pow(2).mean(-1, keepdim=True)
        return self.w[name] * (x * torch.rsqrt(var + self.c["rms_norm_eps"]))

    def rope(self, x, t):
        cos, sin = self.cos[:t], self.sin[:t]
        half = x.shape[-1] // 2
        rotated = torch.cat([-x[..., half:], x[..., :half]], dim=-1)
        return x * cos + rotated * sin

    def layer(self, x, i):
        p = f"model.layers.{i}."
        b, t, _ = x.shape
        heads, kv = self.c["num_attention_heads"], self.c["num_key_value_heads"]
        d = self.c["hidden_size"] // heads
        h = self.norm(x, p + "input_layernorm.weight")
        q = self.linear(h, p + "self_attn.q_proj").view(b, t, heads, d).transpose(1, 2)
        k = self.linear(h, p + "self_attn.k_proj").view(b, t, kv, d).transpose(1, 2)
        v = self.linear(h, p + "self_attn.v_proj").view(b, t, kv, d).transpose(1, 2)
        q, k = self.rope(q, t), self.rope(k, t)
        k = k.repeat_interleave(heads // kv, dim=1)
        v = v.repeat_interleave(heads // kv, dim=1)
        scores = q @ k.transpose(-1, -2) / math.sqrt(d)
        mask = torch.full((t, t), float("-inf")).triu(1)
        attn = torch.softmax(scores + mask, dim=-1) @ v
        x = x + self.linear(attn.transpose(1, 2).reshape(b, t, heads * d), p + "self_attn.o_proj")
        h = self.norm(x, p + "post_attention_layernorm.weight")
        mlp = F.silu(self.linear(h, p + "mlp.gate_proj")) * self.linear(h, p + "mlp.up_proj")
        return x + self.linear(mlp, p + "mlp.down_proj")

    def hidden(self, ids):
        x = F.embedding(ids, self.w["model.embed_tokens.weight"])
        for i in range(self.c["num_hidden_layers"]):
            if self.checkpointing:
                x = checkpoint(self.layer, x, i, use_reentrant=False)
            else:
                x = self.layer(x, i)
        return self.norm(x, "model.norm.weight")

    def completion_logps(self, ids, prompt):
        """Sum of log p(token) over completion tokens: logits only at the positions that score them."""
        h = self.hidden(ids)[:, prompt - 1:-1]
        head = self.w.get("lm_head.weight", self.w["model.embed_tokens.weight"])
        logps = torch.log_softmax(F.linear(h, head), dim=-1)
        return logps.gather(2, ids[:, prompt:].unsqueeze(2)).squeeze(2).sum(1)


def main():
    mode, model_dir, iterations, threads = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    torch.set_num_threads(threads)
    config, weights = load(model_dir)
    pairs = json.load(open(os.path.join(model_dir, "ids.json")))
    prompt = len(pairs[0]["prompt"])
    ids = torch.tensor([p["prompt"] + p["chosen"] for p in pairs] + [p["prompt"] + p["rejected"] for p in pairs])
    ref = torch.tensor([-4600.0] * len(pairs) + [-4610.0] * len(pairs))
    model = Qwen2(config, weights, lora_r=0 if mode in ("score", "full") else 16, checkpointing=mode == "lora-gc")
    if mode == "full":
        for w in weights.values():
            w.requires_grad_()
    loaded = status_kib("VmRSS")
    seconds, cpu = [], []
    if mode == "score":
        with torch.no_grad():
            for _ in range(iterations):
                start, cpu_start = time.perf_counter(), time.process_time()
                model.completion_logps(ids, prompt).tolist()
                cpu.append(time.process_time() - cpu_start)
                seconds.append(time.perf_counter() - start)
    else:
        optimizer = torch.optim.AdamW(model.parameters(), lr=1e-5, weight_decay=0.0)
        n = len(pairs)
        for _ in range(iterations):
            start, cpu_start = time.perf_counter(), time.process_time()
            logps = model.completion_logps(ids, prompt)
            margin = (logps[:n] - ref[:n]) - (logps[n:] - ref[n:])
            loss = -F.logsigmoid(0.1 * margin).mean()
            loss.backward()
            optimizer.step()
            optimizer.zero_grad(set_to_none=True)
            cpu.append(time.process_time() - cpu_start)
            seconds.append(time.perf_counter() - start)
    median = sorted(seconds)[len(seconds) // 2]
    cpu_median = sorted(cpu)[len(cpu) // 2]
    print(f"torch {mode}: threads {torch.get_num_threads()}, rss after load {loaded / 1024:.0f} MiB, "
          f"peak rss {status_kib('VmHWM') / 1024:.0f} MiB, seconds {[round(s, 2) for s in seconds]}, "
          f"median {median:.2f} s, {ids.numel() / median:.1f} tokens/s; cpu seconds {[round(s, 2) for s in cpu]}, "
          f"median {cpu_median:.2f} s, {ids.numel() / cpu_median:.1f} tokens per cpu-second")


if __name__ == "__main__":
    main()
