"""The results page, /search: the whole state is in the URL, every control is a link or a GET form,
so it works without JavaScript and can be shared."""

from markupsafe import Markup
from pyramid.encode import urlencode
from pyramid.view import view_config

from amazen.resources import SearchPage
from amazen.search.query import parse_dismissed, parse_search, query_parts, without_part
from amazen.search.scoring import SORTS
from amazen.search.suggest import SUGGEST_FROM

from . import review_url

# The parameters that make up a search's state, in the order URLs list them.
STATE_KEYS = ("q", "pos", "neg", "category", "brand", "price_min", "price_max", "rating_min", "sort", "per_page", "dismissed")


class SearchLinks:
    """URLs for the page's controls: the current state with one change, page reset to 1."""

    def __init__(self, request):
        self.request = request
        # A page has a hundred links: the base is worked out once, each query encoded as resource_url does.
        self.base = request.resource_url(request.root["search"])
        self.state = [(k, v) for k, v in request.GET.items() if k in STATE_KEYS and v.strip()]
        self.page_number = request.GET.get("page")

    def _url(self, pairs, page=None):
        pairs = sorted(pairs, key=lambda kv: STATE_KEYS.index(kv[0]))
        if page and page > 1:
            pairs.append(("page", str(page)))
        return self.base + ("?" + urlencode(pairs, doseq=True) if pairs else "")

    def current(self):
        return self._url(self.state)

    def set(self, key, value):
        pairs = [(k, v) for k, v in self.state if k != key]
        if value not in (None, ""):
            pairs.append((key, str(value)))
        return self._url(pairs)

    def price(self, low, high):
        pairs = [(k, v) for k, v in self.state if k not in ("price_min", "price_max")]
        if low:
            pairs.append(("price_min", str(low)))
        if high:
            pairs.append(("price_max", str(high)))
        return self._url(pairs)

    def remove_descriptor(self, descriptor):
        key = "pos" if descriptor.polarity == "+" else "neg"
        return self._url([(k, v) for k, v in self.state if not (k == key and v.strip() == descriptor.text)])

    def flip_descriptor(self, descriptor):
        key, other = ("pos", "neg") if descriptor.polarity == "+" else ("neg", "pos")
        pairs = [(k, v) for k, v in self.state if not (k == key and v.strip() == descriptor.text)]
        return self._url(pairs + [(other, descriptor.text)])

    def add_descriptor(self, text, polarity):
        return self._url(self.state + [("pos" if polarity == "+" else "neg", text)])

    def respelt(self, did_you_mean):
        """The search did-you-mean offers: its query and descriptors, the filters kept."""
        pairs = [(k, v) for k, v in self.state if k not in ("q", "pos", "neg")] + [("q", did_you_mean["query"])]
        return self._url(pairs + [("pos", t) for t in did_you_mean["pos"]] + [("neg", t) for t in did_you_mean["neg"]])

    def dismiss(self, text):
        return self._url(self.state + [("dismissed", text)])

    def page(self, number):
        return self._url(self.state, page=number)

    def hidden_fields(self, leave_out=("q",)):
        """The state as hidden inputs, for forms that change one part of it."""
        return [(k, v) for k, v in self.state if k not in leave_out]


def page_numbers(current, pages, around=2):
    """The page numbers a pager shows: the first, the last and ``around`` either side of the current
    one; None where numbers are left out."""
    shown = sorted({1, pages} | set(range(max(1, current - around), min(pages, current + around) + 1)))
    out = []
    for n in shown:
        if out and n - out[-1] > 1:
            out.append(None)
        out.append(n)
    return out


def what_to_drop(service, search, links):
    """On a search that finds nothing: [{"label", "url", "total"}], one per part whose removal finds
    products (a query word, a wanted descriptor, a filter), most found first."""
    parts = query_parts(search.query.text)
    wanted = {d.text: d for d in search.positive}
    out = []
    for kind, value, total in service.relaxations(search):
        if kind == "q":
            label, url = f"“{parts[value]}”", links.set("q", without_part(search.query.text, value))
        elif kind == "pos":
            label, url = f"want “{value}”", links.remove_descriptor(wanted[value])
        elif kind == "price":
            label, url = "the price filter", links.price(None, None)
        elif kind == "rating_min":
            label, url = f"{value:g}★ & up", links.set(kind, None)
        else:
            label, url = ("the category filter" if kind == "category" else f"brand “{value}”"), links.set(kind, None)
        out.append({"label": label, "url": url, "total": total})
    return out


def did_you_mean(search, found, links):
    """{"label", "url", "total"} for the page's did-you-mean, or None: the label names what changed (the
    query, each respelt descriptor)."""
    offered = found.did_you_mean
    if not offered:
        return None
    changed = [offered["query"]] if offered["query"] != search.query.text else []
    for key, verb, typed in (("pos", "want", search.positive), ("neg", "avoid", search.negative)):
        changed += [f"{verb} “{new}”" for d, new in zip(typed, offered[key]) if new != d.text]
    return {"label": ", ".join(changed), "url": links.respelt(offered), "total": offered["total"]}


@view_config(context=SearchPage, renderer="search.jinja2", request_method="GET")
def search_page(context, request):
    search = parse_search(request.GET)
    service = request.find_service(name="search")
    found = service.search(search, top=SUGGEST_FROM)
    search = found.request  # its category as a path, whichever way the address named it
    suggestions = request.find_service(name="suggest").descriptors(search, parse_dismissed(request.GET), found=found)
    links = SearchLinks(request)
    return {
        "search": search,
        "found": found,
        "suggestions": suggestions,
        "links": links,
        "did_you_mean": did_you_mean(search, found, links),
        "drop": what_to_drop(service, search, links) if not found.total else [],
        "page_numbers": page_numbers(found.page, found.pages),
        "category": request.find_service(name="catalog").category_by_path(search.category) if search.category else None,
        "sorts": [sort.name for sort in SORTS],
        "sort_labels": {sort.name: sort.label for sort in SORTS},
        "q": search.query.text,
        "review_url": review_url,
        "Markup": Markup,
    }
