"""What a user would write instead of rnnseq, for wall-time comparisons of whole commands (issue 17's held-out check
has the same shape): parse a FASTA with label=pos|neg headers, one-hot it, train nn.LSTM(4, 64) + a linear head on
the last state with Adam (batch 64, one epoch), then classify the same file in batches of 256 and write id<TAB>p.

    OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/plain_torch.py train.fa out.tsv
    rnnseq train --plain --pool last --epochs 1 --lr 0.001 --null-windows 0 -o run train.fa
    rnnseq classify -m run/best train.fa -o out.tsv

Prints the two wall times (seconds, parsing included in training).
"""
import sys
import time

import numpy as np
import torch
import torch.nn as nn

torch.manual_seed(1)
started = time.time()
ids, seqs, labels = [], [], []
for line in open(sys.argv[1]):
    if line.startswith('>'):
        ids.append(line[1:].split()[0])
        labels.append(1 if 'label=pos' in line else 0)
        seqs.append('')
    else:
        seqs[-1] += line.strip()
lookup = np.zeros((256, 4), np.float32)
for i, base in enumerate('ACGT'):
    lookup[ord(base), i] = 1
x = torch.from_numpy(np.stack([lookup[np.frombuffer(s.encode(), np.uint8)] for s in seqs]))
y = torch.from_numpy(np.array(labels, np.int64))


class Model(nn.Module):
    def __init__(self):
        super().__init__()
        self.lstm = nn.LSTM(4, 64, batch_first=True)
        self.head = nn.Linear(64, 2)

    def forward(self, batch):
        _, (h, _) = self.lstm(batch)
        return self.head(h[-1])


model = Model()
optimizer = torch.optim.Adam(model.parameters(), 1e-3)
loss_fn = nn.CrossEntropyLoss()
order = torch.randperm(len(y))
for i in range(0, len(y), 64):
    rows = order[i:i + 64]
    optimizer.zero_grad()
    loss_fn(model(x[rows]), y[rows]).backward()
    optimizer.step()
trained = time.time()
model.eval()
with torch.no_grad():
    probs = np.concatenate([torch.softmax(model(x[i:i + 256]), 1)[:, 1].numpy() for i in range(0, len(y), 256)])
with open(sys.argv[2] if len(sys.argv) > 2 else '/dev/null', 'w') as out:
    for name, p in zip(ids, probs):
        out.write(f'{name}\t{p:.4f}\n')
print(f'torch train {trained - started:.2f} s, classify {time.time() - trained:.2f} s')
