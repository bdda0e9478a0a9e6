"""Diverged copies of a repeat family, shared by scripts/dev-repeat-calling.sh and scripts/dev-repeat-scanner.sh."""
COMPLEMENT = str.maketrans('ACGT', 'TGCA')


def diverged_copy(family, rng):
    """5-20% substitutions plus small indels (a tenth as many of each), on either strand, drawn from rng."""
    div = rng.uniform(0.05, 0.2)
    out = []
    for c in family:
        r = rng.random()
        if r < div: out.append(rng.choice([b for b in 'ACGT' if b != c]))
        elif r < div * 1.1: continue
        elif r < div * 1.2: out += [c, rng.choice('ACGT')]
        else: out.append(c)
    s = ''.join(out)
    return s if rng.random() < 0.5 else s.translate(COMPLEMENT)[::-1]
