#!/usr/bin/python3
"""PyTorch nn.LSTM on the rnnseq benchmark workloads; prints one JSON line per measurement.

    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/torch_lstm.py [--reps 5] [--threads 2]

Training: one-hot DNA [B=64, T=200, 4] -> nn.LSTM(batch_first) -> Linear on the last state -> CrossEntropyLoss,
backward, Adam step. Inference: B=256 under torch.no_grad(). tokens/s = B*T / median seconds per step.
--sgemm: only sgemm GFLOP/s (2048 x 2048 torch.mm), the peak the kernels' GFLOP/s are compared with; run it with
OPENBLAS_NUM_THREADS set to the cores, as torch.mm runs on OpenBLAS's threads.
Debian's torch (python3-torch) imports only from /usr/bin/python3; without OPENBLAS_NUM_THREADS=1 its OpenMP
threads and OpenBLAS threads oversubscribe the cores and it runs 2-4x slower.
"""
import argparse
import json
import statistics
import time

import torch

STEPS = 200
INPUT = 4
CLASSES = 2


def one_hot_dna(batch, generator):
    bases = torch.randint(0, INPUT, (batch, STEPS), generator=generator)
    return torch.nn.functional.one_hot(bases, INPUT).float()


def timed(step, reps, warmup=2):
    for _ in range(warmup):
        step()
    seconds = []
    for _ in range(reps):
        started = time.perf_counter()
        step()
        seconds.append(time.perf_counter() - started)
    return statistics.median(seconds)


def measure(hidden, mode, batch, reps, generator):
    lstm = torch.nn.LSTM(INPUT, hidden, batch_first=True)
    head = torch.nn.Linear(hidden, CLASSES)
    x = one_hot_dna(batch, generator)
    if mode == "train":
        labels = torch.randint(0, CLASSES, (batch,), generator=generator)
        params = list(lstm.parameters()) + list(head.parameters())
        optimizer = torch.optim.Adam(params, lr=1e-3)
        loss_fn = torch.nn.CrossEntropyLoss()

        def step():
            optimizer.zero_grad(set_to_none=True)
            _, (h, _) = lstm(x)
            loss = loss_fn(head(h[-1]), labels)
            loss.backward()
            optimizer.step()
    else:
        def step():
            with torch.no_grad():
                _, (h, _) = lstm(x)
                torch.softmax(head(h[-1]), dim=-1)
    seconds = timed(step, reps)
    tokens_per_s = batch * STEPS / seconds
    forward_flops = 2 * (INPUT + hidden) * 4 * hidden
    gflops = tokens_per_s * forward_flops * (3 if mode == "train" else 1) / 1e9
    return {"engine": "pytorch", "mode": mode, "hidden": hidden, "batch": batch, "steps": STEPS,
            "tokens_per_s": round(tokens_per_s), "ms_per_step": round(seconds * 1e3, 2), "gflops": round(gflops, 1),
            "threads": torch.get_num_threads(), "torch": torch.__version__}


def sgemm(reps):
    """Single-precision matmul at 2048 x 2048 on the same threads: the machine's practical peak for the kernels."""
    n = 2048
    a = torch.rand(n, n)
    b = torch.rand(n, n)
    seconds = timed(lambda: torch.mm(a, b), reps)
    return {"engine": "pytorch", "mode": "sgemm", "hidden": n, "gflops": round(2 * n ** 3 / seconds / 1e9, 1),
            "tokens_per_s": 0, "threads": torch.get_num_threads(), "torch": torch.__version__}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reps", type=int, default=5)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--hidden", type=int, nargs="+", default=[64, 128])
    parser.add_argument("--sgemm", action="store_true", help="only the sgemm line (run it with OPENBLAS_NUM_THREADS = cores)")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    generator = torch.Generator().manual_seed(1)
    torch.manual_seed(1)
    if args.sgemm:
        print(json.dumps(sgemm(args.reps)), flush=True)
        return
    for hidden in args.hidden:
        for mode, batch in (("train", 64), ("infer", 256)):
            print(json.dumps(measure(hidden, mode, batch, args.reps, generator)), flush=True)


if __name__ == "__main__":
    main()
