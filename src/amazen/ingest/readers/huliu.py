"""Hu & Liu (KDD 2004) annotated customer reviews: one text file per product, e.g. ``Canon G3.txt``.

The markup, one item per line::

    [t]great camera                      a title line starts a review ("[t]title##sentence" also occurs)
    picture quality[+2], use[+1]##the picture quality is great .
    ##i bought it for my trip .          a sentence, after its feature annotations and "##"

The annotations (``feature[+n]``, ``feature[-n]``, ``[u]``, ``[p]``, ``[s]``, ``[cc]``, ``[cs]``) are
everything before the "##"; they are dropped and only the sentence is kept. A review's text is its
sentences joined with spaces, as tokenised in the source ("great , really ."). The files hold no asin,
rating or reviewer, so:

* the product is named by the file: ``read(lines, source_name="Canon G3")`` gives asin "HULIU-CANON-G3"
  and title "Canon G3" (a ".txt" left on the name by a ``.txt.gz`` file is dropped). One partial
  ProductRecord without categories comes before the first review. Without a name, the reviews are
  MISSING_ASIN skips.
* rating None, reviewer_id "huliu:<n>" where n counts the reviews in the file, summary the [t] title.

Decisions on the odd lines of the real files:

* A ``*****`` header block (lines starting with "*" before the first review) is not data: nothing is
  yielded for those lines, not even a skip. A title line with stray leading asterisks
  ("***[t]great phone , but no warranty !" in Nokia 6610) still starts a review.
* Sentences before the first [t] (27 lines in the Apex file, 11 in Canon G3) are a real review whose
  title line is missing: they become review 0 ("huliu:0") with no summary, rather than a skip that
  --strict would abort on.
* A sentence typed with one "#" after its annotations ("run[+3], dvd media[+2]#apex ad-2600 runs ...")
  is read as a sentence.
* Blank lines before the first review are BLANK_LINE skips; inside a review they are part of it.
  Any other line is a MALFORMED skip, yielded where it is met (so before the review it sits in).
"""

import re

from amazen.catalog.records import ProductRecord, ReviewRecord
from amazen.ingest import clean
from amazen.ingest.base import BLANK_LINE, MALFORMED, MISSING_ASIN, Reader, Skip

TITLE = re.compile(r"\**\s*\[t\](.*)")
SENTENCE = re.compile(r"([^#]*)##(.*)")  # annotations, "##", the sentence
SENTENCE_ONE_HASH = re.compile(r"([^#]*\])#(?!#)(.*)")  # annotations ending in "]", a lone "#", the sentence
SNIFF_MIN_SHARE = 0.8  # of a sample's non-header lines that must be titles or sentences


def product_asin(product_name):
    slug = re.sub(r"[^A-Z0-9]+", "-", product_name.upper()).strip("-")
    return "HULIU-" + slug if slug else None


def sentence_text(line):
    """The sentence of an annotated sentence line, or None if the line is not one."""
    match = SENTENCE.fullmatch(line) or SENTENCE_ONE_HASH.fullmatch(line)
    return match.group(2).strip() if match else None


class _Review:
    def __init__(self, number, start, title):
        self.number = number
        self.start = start  # line number where it starts
        self.title = title
        self.sentences = []
        self.size = 0  # characters in sentences: they stop at clean.MAX_RAW

    def add(self, sentence):
        if self.size < clean.MAX_RAW:
            self.sentences.append(sentence)
            self.size += len(sentence) + 1


class HuLiuAnnotated(Reader):
    name = "huliu2004"
    description = "Hu & Liu 2004 annotated customer reviews ([t] titles, feature[+n]##sentence lines)"

    def __init__(self, product_name=None):
        self.product_name = product_name  # used when read() is not given a source_name

    def sniff(self, sample, filename):
        lines = sample.splitlines()
        if len(lines) > 1 and not sample.endswith("\n"):
            lines = lines[:-1]  # the sample may end mid-line
        body = [line.strip() for line in lines if line.strip() and not line.startswith("*")]
        titles = sum(1 for line in body if TITLE.fullmatch(line))
        sentences = sum(1 for line in body if sentence_text(line) is not None)
        # Prose that merely mentions the markup (the dataset's Readme.txt) has few such lines.
        return sentences > 0 and titles + sentences >= SNIFF_MIN_SHARE * len(body)

    def read(self, lines, source_name=None):
        name = source_name or self.product_name
        if name and name.lower().endswith(".txt"):
            name = name[: -len(".txt")]
        name = clean.one_line(name)
        product = None
        if name and product_asin(name):
            product = ProductRecord(asin=product_asin(name), title=name, categories=(), partial=True)
        review = None  # the review being read
        reviews_seen = 0  # [t] titles met so far
        finished = 0  # reviews handed to _finish so far
        for line_number, line in enumerate(lines, start=1):
            line = line.strip()
            title = TITLE.fullmatch(line)
            sentence = None if title else sentence_text(line)
            if title:
                if review is not None:
                    yield from self._finish(review, product, first=finished == 0)
                    finished += 1
                reviews_seen += 1
                # "[t]cool toy##yep ." holds the title and the first sentence.
                title_text, _, first_sentence = title.group(1).partition("##")
                review = _Review(reviews_seen, line_number, title_text.strip())
                if first_sentence.strip():
                    review.add(first_sentence.strip())
            elif sentence is not None:
                if review is None:
                    review = _Review(0, line_number, None)  # sentences before the first [t]
                review.add(sentence)
            elif review is None and line.startswith("*"):
                continue  # the ***** header block: not a record
            elif not line:
                if review is None:
                    yield line_number, Skip(BLANK_LINE)
            else:
                yield line_number, Skip(MALFORMED, "neither a [t] title nor an annotated ## sentence")
        if review is not None:
            yield from self._finish(review, product, first=finished == 0)

    @staticmethod
    def _finish(review, product, first):
        """The items for a complete review; the product goes before the file's first review."""
        if product is None:
            yield review.start, Skip(MISSING_ASIN, "no product name: pass source_name (the file's stem)")
            return
        if first:
            yield review.start, product
        yield (
            review.start,
            ReviewRecord(
                asin=product.asin,
                reviewer_id=f"huliu:{review.number}",
                rating=None,
                summary=clean.one_line(review.title),
                text=clean.text(" ".join(review.sentences)),
            ),
        )


READER = HuLiuAnnotated()
