#!/usr/bin/env python3
"""Round-by-round ratio of two proxies' saturation rates, and how far the run can be trusted on it.

    roundratios.py TARGET A1,A2,... B1,B2,...

A_i and B_i are the req/s of proxies A and B in saturation round i of one passthrough.sh run (the
rounds interleave the proxies, so A_i and B_i were measured minutes apart at most). Prints one line:

    ratios=<A_i/B_i,...> median=<m> ci=<lo>-<hi> coverage=<c> at_or_above=<k>/<n> verdict=<v>

- median: the median of the per-round ratios (of an even count, the mean of the middle two).
- ci: a distribution-free confidence interval for that median, from the ratios' order statistics
  (the sign-test interval [r_(j), r_(n+1-j)], with the largest j whose coverage is at least 90%);
  coverage is that interval's exact binomial coverage, 1 - 2 P(Bin(n, 1/2) <= j - 1). It assumes
  only that rounds are independent draws of the same ratio. With fewer than 5 rounds no interval
  reaches 90% (n = 4 gives 87.5% at best) and ci is "-".
- verdict against TARGET (e.g. 0.8): "met" when the interval lies at or above it, "not-met" when it
  lies below, "undecided" when it straddles the target or there is no interval. A single run's
  median ratio is quoted with this verdict, never alone: on a VM where the same build's rate moved
  by up to 1.9x between 10 s runs, three rounds cannot tell 0.75x from 0.85x. Each verdict is one test: a
  report with several pairs makes several, and one of them may come out "met" by chance alone.

Why per-round ratios and not the ratio of each proxy's median round: A's median round and B's may
come from different rounds, i.e. different moments of a drifting machine; a ratio within a round
compares two measurements taken close together.
"""
import math
import sys


def median(values):
    s = sorted(values)
    n = len(s)
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2


def coverage(n, j):
    """Exact coverage of [r_(j), r_(n+1-j)] for the median of n independent draws."""
    tail = sum(math.comb(n, i) for i in range(j)) / 2 ** n
    return 1 - 2 * tail


def interval(ratios, level=0.90):
    """(lo, hi, coverage) of the narrowest sign-test interval whose coverage reaches `level`, or None."""
    s = sorted(ratios)
    n = len(s)
    best = None
    for j in range(1, n // 2 + 1):
        c = coverage(n, j)
        if c >= level:
            best = (s[j - 1], s[n - j], c)
    return best


def verdict(target, ci):
    if ci is None:
        return "undecided"
    lo, hi, _ = ci
    if lo >= target:
        return "met"
    if hi < target:
        return "not-met"
    return "undecided"


def positive(text, what):
    """A finite number above 0, or exit with a message naming `what`."""
    try:
        value = float(text)
    except ValueError:
        value = float("nan")
    if not math.isfinite(value) or value <= 0:
        sys.exit("roundratios.py: %s must be a finite number above 0, got %r" % (what, text))
    return value


def main(argv):
    if len(argv) != 4:
        sys.exit(__doc__.split("\n\n")[1])
    target = positive(argv[1], "TARGET")
    a = [positive(x, "a rate of A") for x in argv[2].split(",")]
    b = [positive(x, "a rate of B") for x in argv[3].split(",")]
    if len(a) != len(b):
        sys.exit("roundratios.py: A has %d rounds and B %d; they must be equal" % (len(a), len(b)))
    ratios = [x / y for x, y in zip(a, b)]
    if not all(math.isfinite(r) for r in ratios):
        sys.exit("roundratios.py: a ratio of these rates is not a finite number")
    ci = interval(ratios)
    print("ratios=%s median=%.4f ci=%s coverage=%s at_or_above=%d/%d verdict=%s" % (
        ",".join("%.4f" % r for r in ratios), median(ratios),
        "-" if ci is None else "%.4f-%.4f" % (ci[0], ci[1]),
        "-" if ci is None else "%.1f%%" % (100 * ci[2]),
        sum(r >= target for r in ratios), len(ratios), verdict(target, ci)))


if __name__ == "__main__":
    main(sys.argv)
