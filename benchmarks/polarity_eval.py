"""How well the stored polarity of a mention says praise or complaint: Hu & Liu's labelled features.

Hu & Liu (KDD 2004) labelled every review sentence of five products with the product features it
comments on and the opinion's sign ("picture quality[+2]##the picture quality is great ."): [+n] is
praise, [-n] a complaint. This script reads the five files itself (no database) and, for every labelled
feature of one or two words (as the analyzer counts words: ``descriptor_term``) that the analyzer finds
in its sentence, compares the polarity the import would store with the label's sign. The polarity comes
from ``mention_scores``, the function the import's evidence uses (``search/documents.py``, through
``review_mentions``), reading the labelled sentence as the import reads it: after its review's title and
the sentences before it, whose last opinion a sentence with none takes. Praise, complaint or neutral.

* **agreement**: the share of mentions whose stored polarity has the label's sign;
* **complaint recall**: complaints stored as complaint / all complaints; **praise recall** likewise;
* **neutral**: the share of mentions stored as neutral (no opinion in reach): never agreement, as the
  label always has a sign; **agreement if signed**: the agreement among the other mentions;
* **always positive**: the agreement of answering "positive" for every mention (the share of praise).

The last row takes the mentions as the import stores them: one per review and term, from the review's
title and whole text, labelled by the majority of the term's labels in that review.

The rules for opinion words, negation and contrast were developed by reading the misses on three
products; those for denials ("won't play", "no remote"), wishes ("could be better"), "like", "well", a
part before "but" and a sentence with no opinion, and part of the lexicon's review words, from the misses
of all five. The row of the other two is therefore only partly held out.

The anchor: Hu & Liu reported 84.2% orientation accuracy for their own method.

    python benchmarks/polarity_eval.py
"""

import re
import sys
from pathlib import Path
from typing import NamedTuple

BENCHMARKS = Path(__file__).resolve().parent
REPO = BENCHMARKS.parent
sys.path.insert(0, str(REPO / "src"))

from amazen.ingest import clean  # noqa: E402
from amazen.ingest.readers.huliu import TITLE, sentence_text  # noqa: E402
from amazen.search.analyzer import (  # noqa: E402
    COMPLAINT,
    NEUTRAL,
    NEUTRAL_NEGATED,
    PRAISE,
    descriptor_term,
    mention_scores,
    polarity,
    review_mentions,
)

HULIU = REPO.parent / "shared" / "data" / "amazon" / "huliu2004"
# A labelled feature: its words, then "[+n]" or "[-n]" (a label without a sign, "[2]", is not read).
LABEL = re.compile(r"([^\[\],#]+?)\s*\[([+-])\d\]")


# Not read while the first rules were written (see the docstring).
HELD_OUT = ("Nikon coolpix 4300", "Nokia 6610")


class Mention(NamedTuple):
    stored: int  # what the import stores: PRAISE, COMPLAINT, NEUTRAL or NEUTRAL_NEGATED
    praise: bool  # the human label: [+n]


def labelled_sentence(line):
    """(sentence, [(feature, praise)]) of one annotated line, or None for a title or any other line.

    "picture quality[+2], use[-1][u]##the picture ..." -> ("the picture ...", [("picture quality", True),
    ("use", False)]); features are lower-cased and stripped.
    """
    line = line.strip()
    if TITLE.fullmatch(line):
        return None
    sentence = sentence_text(line)
    if sentence is None:
        return None
    labels = line.split("#", 1)[0]
    return sentence, [(feature.strip().lower(), sign == "+") for feature, sign in LABEL.findall(labels)]


def mentions(sentence, labels, title=None, before=()):
    """The Mentions of ``labels`` (labelled_sentence's) that the analyzer finds in ``sentence``, read as
    the import reads it: after its review's ``title`` and the sentences ``before`` it (a line each), whose
    last opinion reaches a sentence with none. A term's polarity is that of its occurrences in
    ``sentence``: ``mention_scores`` sums a review's occurrences, so those of the sentences before are
    taken away."""
    text = clean.text(sentence) or ""
    summary = clean.one_line(title) if title else None
    context = "\n".join(clean.text(earlier) or "" for earlier in before)
    earlier = mention_scores(summary, context)
    whole = mention_scores(summary, f"{context}\n{text}")
    here = mention_scores(None, text)  # the terms the analyzer finds in the sentence
    found = []
    for feature, praise in labels:
        try:
            term = descriptor_term(feature)
        except ValueError:  # more than two words
            continue
        if term is not None and term in here:
            found.append(Mention(polarity(whole[term] - earlier.get(term, 0)), praise))
    return found


def score(found):
    """{mentions, agreement, complaint_recall, praise_recall, neutral, signed_agreement, always_positive} of
    a list of Mentions
    (a share is 0.0 when there is nothing to divide by)."""
    complaints = [m for m in found if not m.praise]
    praise = [m for m in found if m.praise]

    def share(part, whole):
        return len(part) / len(whole) if whole else 0.0

    return {
        "mentions": len(found),
        "agreement": share([m for m in found if m.stored == (PRAISE if m.praise else COMPLAINT)], found),
        "complaint_recall": share([m for m in complaints if m.stored == COMPLAINT], complaints),
        "praise_recall": share([m for m in praise if m.stored == PRAISE], praise),
        "neutral": share([m for m in found if m.stored in (NEUTRAL, NEUTRAL_NEGATED)], found),
        "signed_agreement": share(
            [m for m in found if m.stored == (PRAISE if m.praise else COMPLAINT)],
            [m for m in found if m.stored in (PRAISE, COMPLAINT)],
        ),
        "always_positive": share(praise, found),
    }


def file_review_mentions(path):
    """The Mentions of ``path`` as the import stores them: one per review and term, from
    ``review_mentions`` on the review's title and whole text as the reader gives them; the label is the
    majority of the term's labels in that review (a tie a complaint, as the import's own tie)."""
    found = []
    for title, labelled in _reviews(path):
        said = review_mentions(clean.one_line(title), clean.text(" ".join(sentence for sentence, _ in labelled)))
        signs = {}
        for _, labels in labelled:
            for feature, praise in labels:
                try:
                    term = descriptor_term(feature)
                except ValueError:  # more than two words
                    continue
                if term is not None:
                    signs[term] = signs.get(term, 0) + (1 if praise else -1)
        found.extend(Mention(said[term], sign > 0) for term, sign in signs.items() if term in said)
    return found


def _reviews(path):
    """(title, [(sentence, labels)]) of each review of a file: a "[t]" line starts one, as in the reader."""
    title, labelled = None, []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        started = TITLE.fullmatch(line.strip())
        if started:
            if labelled:
                yield title, labelled
            title, _, first = started.group(1).partition("##")
            labelled = [(first.strip(), [])] if first.strip() else []
            continue
        sentence = labelled_sentence(line)
        if sentence:
            labelled.append(sentence)
    if labelled:
        yield title, labelled


def file_mentions(path):
    """The Mentions of every labelled sentence of ``path``, each read in its review (``mentions``)."""
    found = []
    for title, labelled in _reviews(path):
        for at, (sentence, labels) in enumerate(labelled):
            found.extend(mentions(sentence, labels, title, [earlier for earlier, _ in labelled[:at]]))
    return found


def main():
    columns = ("mentions", "agreement", "complaint_recall", "praise_recall", "neutral", "signed_agreement", "always_positive")
    heads = ("mentions", "agreement", "complaint recall", "praise recall", "neutral", "agreement if signed", "always positive")
    print(f"{'product':<50} " + " ".join(f"{head:>16}" for head in heads))
    everything, held_out = [], []
    products = [path for path in sorted(HULIU.glob("*.txt")) if path.name != "Readme.txt"]  # not its description
    for path in products:
        found = file_mentions(path)
        everything.extend(found)
        if path.stem in HELD_OUT:
            held_out.extend(found)
        print(f"{path.stem:<50} " + _cells(score(found), columns))
    print(f"{'total':<50} " + _cells(score(everything), columns))
    print(f"{'partly held out (' + ', '.join(sorted(HELD_OUT)) + ')':<50} " + _cells(score(held_out), columns))
    per_review = [m for path in products for m in file_review_mentions(path)]
    print(f"{'per review, as the import stores it':<50} " + _cells(score(per_review), columns))
    print("\nAnchor: Hu & Liu (KDD 2004), their method's orientation accuracy: 0.842.")


def _cells(values, columns):
    return " ".join(f"{values[c]:>16}" if c == "mentions" else f"{values[c]:>16.3f}" for c in columns)


if __name__ == "__main__":
    main()
