"""How well "customers say" finds the attributes people annotated: Hu & Liu's five products.

Hu & Liu (KDD 2004) annotated every review sentence of five products with the product features it
comments on ("picture quality[+2]##the picture quality is great ."). This script imports the five
files with `amazen-import` into a fresh database (`amazen_eval` on the embedded server, or
AMAZEN_BENCH_DATABASE_URL's server), asks SuggestService.customers_say for each product's top k
attributes and scores them against the annotations, which it parses itself:

* a predicted attribute is **correct** when every word of it (stemmed) is a word of one annotated
  feature of that product ("battery" and "battery life" both match "battery life"); **exact** when it
  is that feature (same one word or same two-word phrase);
* **precision@k**: the share of the top k predictions that are correct (exact);
* **recall@k**: the share of the product's *frequent* features (annotated in at least 3 sentences,
  what a shopper would call "what customers say") that some top-k prediction matches.

The anchor: Hu & Liu reported precision 0.72 and recall 0.80 for their frequent-feature extraction.
Their task differs (they extract every feature, we rank a few per product), so read the comparison as
a sanity check, not as a league table.

    python benchmarks/customers_say_eval.py [--k 5 10 20]
"""

import argparse
import os
import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import Session

BENCHMARKS = Path(__file__).resolve().parent
REPO = BENCHMARKS.parent
sys.path.insert(0, str(REPO / "src"))
sys.path.insert(0, str(BENCHMARKS))

from import_speed import fresh_database  # noqa: E402

from amazen.models import Product  # noqa: E402
from amazen.search.analyzer import analyze_query_words  # noqa: E402
from amazen.search.service import SearchService  # noqa: E402
from amazen.search.suggest import SuggestService  # noqa: E402

HULIU = REPO.parent / "shared" / "data" / "amazon" / "huliu2004"
PRODUCTS = [
    "Apex AD2600 Progressive-scan DVD player",
    "Canon G3",
    "Creative Labs Nomad Jukebox Zen Xtra 40GB",
    "Nikon coolpix 4300",
    "Nokia 6610",
]
FREQUENT = 3  # sentences annotated with a feature for it to count as frequent
FEATURE = re.compile(r"([^\[\],]+?)\s*\[[+-]?\d\]")


def annotated_features(path):
    """{feature: number of sentences annotated with it} from the text before each '##'."""
    counts = Counter()
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        if "##" not in line or line.startswith("[t]"):
            continue
        labels = line.split("##", 1)[0]
        for feature in {f.strip().lower() for f in FEATURE.findall(labels)}:
            if feature:
                counts[feature] += 1
    return counts


def stems(text):
    return analyze_query_words(text)


def matches(term, feature, exact):
    words = stems(feature)
    if exact:
        return term == " ".join(words) if len(words) <= 2 else False
    return bool(words) and set(term.split(" ")) <= set(words)


def evaluate(session, ks):
    suggest = SuggestService(session, SearchService(session))
    rows = []
    for name in PRODUCTS:
        product = session.scalars(sa.select(Product).where(Product.title == name)).one()
        features = annotated_features(HULIU / f"{name}.txt")
        frequent = [f for f, n in features.items() if n >= FREQUENT]
        says = suggest.customers_say(product, limit=max(ks))
        terms = [say.term for say in says]
        row = {
            "product": name,
            "reviews": product.review_count,
            "features": len(features),
            "frequent": len(frequent),
            "top": [say.descriptor for say in says[:10]],
        }
        for k in ks:
            top = terms[:k]
            row[f"p{k}"] = sum(any(matches(t, f, False) for f in features) for t in top) / k
            row[f"e{k}"] = sum(any(matches(t, f, True) for f in features) for t in top) / k
            row[f"r{k}"] = sum(any(matches(t, f, False) for t in top) for f in frequent) / max(len(frequent), 1)
        rows.append(row)
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--k", type=int, nargs="+", default=[5, 10, 20])
    ks = parser.parse_args().k
    url = fresh_database("amazen_eval")
    files = [str(HULIU / f"{name}.txt") for name in PRODUCTS]
    importer = str(Path(sys.executable).with_name("amazen-import"))
    subprocess.run(
        [importer, "--config", str(REPO / "production.ini"), *files],
        env={**os.environ, "AMAZEN_DATABASE_URL": url},
        check=True,
        capture_output=True,
    )
    engine = sa.create_engine(url)
    with Session(engine) as session:
        rows = evaluate(session, ks)
    engine.dispose()

    header = f"{'product':<42} {'reviews':>7} {'features':>8} {'frequent':>8} " + " ".join(
        f"{'P@' + str(k):>6} {'exact':>6} {'R@' + str(k):>6}" for k in ks
    )
    print(header)
    for row in rows:
        print(
            f"{row['product']:<42} {row['reviews']:>7} {row['features']:>8} {row['frequent']:>8} "
            + " ".join(f"{row[f'p{k}']:>6.2f} {row[f'e{k}']:>6.2f} {row[f'r{k}']:>6.2f}" for k in ks)
        )
    mean = {key: sum(r[key] for r in rows) / len(rows) for k in ks for key in (f"p{k}", f"e{k}", f"r{k}")}
    print(
        f"{'mean':<42} {'':>7} {'':>8} {'':>8} "
        + " ".join(f"{mean[f'p{k}']:>6.2f} {mean[f'e{k}']:>6.2f} {mean[f'r{k}']:>6.2f}" for k in ks)
    )
    print(
        "\nP@k: top-k attributes that are (part of) an annotated feature; exact: that are one; "
        f"R@k: frequent features (annotated in >= {FREQUENT} sentences) found in the top k."
    )
    print("Anchor: Hu & Liu (KDD 2004), frequent-feature extraction: precision 0.72, recall 0.80.\n")
    for row in rows:
        print(f"{row['product']}: {', '.join(row['top'])}")


if __name__ == "__main__":
    main()
